/**
 * Weight initialisation, as `torch.nn.init`: every function fills a tensor in place
 * (without recording autograd) from the seeded default generator, or the one given.
 */
import type { Tensor } from '../tensor.js';
import { noGrad } from '../autograd/grad-mode.js';
import type { Generator } from '../random.js';
import { fmt } from '../shape.js';

/** fan_in and fan_out as PyTorch computes them: [out, in, ...receptive field]. */
export function calculateFanInAndFanOut(t: Tensor): [number, number] {
  if (t.ndim < 2) throw new RangeError(`init: fan in and fan out cannot be computed for a tensor with fewer than 2 dimensions (${fmt(t.shape)})`);
  const receptive = t.shape.slice(2).reduce((a, b) => a * b, 1);
  return [t.shape[1]! * receptive, t.shape[0]! * receptive];
}

export function uniform_(t: Tensor, a = 0, b = 1, generator?: Generator): Tensor {
  return noGrad(() => t.uniform_(a, b, generator));
}
export function normal_(t: Tensor, mean = 0, std = 1, generator?: Generator): Tensor {
  return noGrad(() => t.normal_(mean, std, generator));
}
export function constant_(t: Tensor, value: number): Tensor {
  return noGrad(() => t.fill_(value));
}
export function zeros_(t: Tensor): Tensor {
  return constant_(t, 0);
}
export function ones_(t: Tensor): Tensor {
  return constant_(t, 1);
}

/** Glorot/Xavier uniform: U(-a, a) with a = gain * sqrt(6 / (fan_in + fan_out)). */
export function xavierUniform_(t: Tensor, gain = 1, generator?: Generator): Tensor {
  const [fanIn, fanOut] = calculateFanInAndFanOut(t);
  const a = gain * Math.sqrt(6 / (fanIn + fanOut));
  return uniform_(t, -a, a, generator);
}

/** Glorot/Xavier normal: N(0, std²) with std = gain * sqrt(2 / (fan_in + fan_out)). */
export function xavierNormal_(t: Tensor, gain = 1, generator?: Generator): Tensor {
  const [fanIn, fanOut] = calculateFanInAndFanOut(t);
  return normal_(t, 0, gain * Math.sqrt(2 / (fanIn + fanOut)), generator);
}

/**
 * He/Kaiming uniform for leaky_relu with negative slope `a`: bound = gain * sqrt(3 / fan),
 * gain = sqrt(2 / (1 + a²)). PyTorch's Linear uses a = sqrt(5), giving bound 1/sqrt(fan_in).
 */
export function kaimingUniform_(t: Tensor, a = 0, mode: 'fanIn' | 'fanOut' = 'fanIn', generator?: Generator): Tensor {
  const [fanIn, fanOut] = calculateFanInAndFanOut(t);
  const fan = mode === 'fanIn' ? fanIn : fanOut;
  const gain = Math.sqrt(2 / (1 + a * a));
  const bound = gain * Math.sqrt(3 / fan);
  return uniform_(t, -bound, bound, generator);
}
