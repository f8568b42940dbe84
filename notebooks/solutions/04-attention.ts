import type { Tensor } from '@seqlab/engine';

/** Σ_i softmax(q·k_i/√d) v_i for one query q [d], keys K [n, d], values V [n, dv]. */
export function attend(q: Tensor, K: Tensor, V: Tensor): Tensor {
  const weights = K.matmul(q).div(Math.sqrt(q.shape[0])).softmax(-1);
  return weights.matmul(V);
}

/** Softmax over the first validLen scores; the others get weight 0. */
export function maskedSoftmax(scores: number[], validLen: number): number[] {
  const kept = scores.slice(0, validLen);
  const max = Math.max(...kept);
  const e = kept.map((s) => Math.exp(s - max));
  const total = e.reduce((a, b) => a + b, 0);
  return scores.map((_, i) => (i < validLen ? e[i] / total : 0));
}

/** w_vᵀ tanh(W_q q + W_k k) */
export function additiveScore(q: Tensor, k: Tensor, Wq: Tensor, Wk: Tensor, wv: Tensor): number {
  return wv.mul(Wq.matmul(q).add(Wk.matmul(k)).tanh()).sum().item();
}
