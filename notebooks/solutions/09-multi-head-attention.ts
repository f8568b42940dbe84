import type { Tensor } from '@seqlab/engine';

/** [B, L, h·d_k] → [B, L, h, d_k] → [B, h, L, d_k] */
export function splitHeads(x: Tensor, h: number): Tensor {
  const [B, L, E] = x.shape;
  return x.reshape([B, L, h, E / h]).transpose(1, 2);
}

/** [B, h, L, d_k] → [B, L, h, d_k] → [B, L, h·d_k] */
export function mergeHeads(x: Tensor): Tensor {
  const [B, h, L, d] = x.shape;
  return x.transpose(1, 2).reshape([B, L, h * d]);
}

/** W_Q, W_K, W_V and W^O (E × E each) with their biases, whatever the number of heads. */
export function multiheadParameterCount(E: number, _heads: number): number {
  return 4 * E * E + 4 * E;
}
