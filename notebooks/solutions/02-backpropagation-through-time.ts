import type { Tensor } from '@seqlab/engine';

/** ∂L/∂h_{T−k} = (Wᵀ)^k ∂L/∂h_T for the linear recurrence h_t = W h_{t−1} + x_t. */
export function gradientStepsBack(W: Tensor, g: Tensor, k: number): Tensor {
  let v = g;
  for (let i = 0; i < k; i++) v = W.t().matmul(v);
  return v;
}

/** Every gradient times min(1, θ / ‖g‖), with ‖g‖ the norm of all of them together. */
export function clipByGlobalNorm(grads: Tensor[], maxNorm: number): Tensor[] {
  const norm = Math.sqrt(grads.reduce((s, g) => s + g.square().sum().item(), 0));
  const factor = Math.min(1, maxNorm / norm);
  return grads.map((g) => g.mul(factor));
}
