import type { Tensor } from '@seqlab/engine';

/** Q = X W_Qᵀ, K = X W_Kᵀ, V = X W_Vᵀ; A = softmax(Q Kᵀ / √d_k) row by row; returns [A V, A]. */
export function selfAttentionHead(X: Tensor, Wq: Tensor, Wk: Tensor, Wv: Tensor): [Tensor, Tensor] {
  const Q = X.matmul(Wq.t()), K = X.matmul(Wk.t()), V = X.matmul(Wv.t());
  const A = Q.matmul(K.t()).div(Math.sqrt(Wk.shape[0])).softmax(-1);
  return [A.matmul(V), A];
}

/** −Σ α log α over the non-zero weights. */
export function attentionEntropy(weights: number[]): number {
  return -weights.reduce((s, a) => (a > 0 ? s + a * Math.log(a) : s), 0);
}
