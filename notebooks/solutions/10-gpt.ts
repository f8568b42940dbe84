import { ones, triu, type Tensor } from '@seqlab/engine';

/** softmax(q kᵀ / √d) with the keys j > i of query i blocked. */
export function causalAttentionWeights(q: Tensor, k: Tensor): Tensor {
  const T = q.shape[0];
  const future = triu(ones([T, T]), 1).bool();
  return q.matmul(k.t()).div(Math.sqrt(q.shape[1])).maskedFill(future, -Infinity).softmax(-1);
}

/** The k largest logits kept (ties with the k-th too), the others −Infinity. */
export function topKFilter(logits: number[], k: number): number[] {
  const kth = [...logits].sort((a, b) => b - a)[k - 1];
  return logits.map((v) => (v >= kth ? v : -Infinity));
}

/** Mean of w[t][t − 1] over t = 1 … T − 1. */
export function previousTokenScore(weights: number[][]): number {
  let s = 0;
  for (let t = 1; t < weights.length; t++) s += weights[t][t - 1];
  return s / (weights.length - 1);
}
