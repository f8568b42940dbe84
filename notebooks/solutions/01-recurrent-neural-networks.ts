import type { Tensor } from '@seqlab/engine';

/** h_t = tanh(W_xh x_t + W_hh h_{t−1} + b) */
export function rnnStep(x: Tensor, h: Tensor, Wxh: Tensor, Whh: Tensor, b: Tensor): Tensor {
  return Wxh.matmul(x).add(Whh.matmul(h)).add(b).tanh();
}

/** exp of the mean per-token loss (nats). */
export function perplexityOf(losses: number[]): number {
  return Math.exp(losses.reduce((s, l) => s + l, 0) / losses.length);
}

/** softmax(z / τ), computed stably (the largest logit subtracted first). */
export function softmaxWithTemperature(logits: number[], tau: number): number[] {
  const z = logits.map((v) => v / tau);
  const max = Math.max(...z);
  const e = z.map((v) => Math.exp(v - max));
  const total = e.reduce((s, v) => s + v, 0);
  return e.map((v) => v / total);
}
