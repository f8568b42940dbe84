/** Dropout: zeroes elements with probability p and scales the rest by 1/(1-p). */
import { allocate, type FloatArray } from '../dtype.js';
import { Tensor } from '../tensor-core.js';
import { record } from '../autograd/record.js';
import { asContiguous } from './raw/layout.js';
import { defaultGenerator, type Generator } from '../random.js';
import { expectFloat, expectTensor } from './helpers.js';

export interface DropoutOptions {
  /** Probability of zeroing an element, in [0, 1]. Default 0.5. */
  p?: number;
  /** Only drops in training; in evaluation the input is returned unchanged. Default true. */
  training?: boolean;
  generator?: Generator;
}

/**
 * Inverted dropout as PyTorch: during training each element is zeroed with probability
 * `p` and survivors are scaled by 1/(1-p), so evaluation needs no rescaling. Draws from
 * the seeded generator, so runs are reproducible.
 */
export function dropout(x: Tensor, options: DropoutOptions = {}): Tensor {
  expectTensor(x, 'dropout', 'input');
  expectFloat(x, 'dropout');
  const p = options.p ?? 0.5;
  if (typeof p !== 'number' || !(p >= 0 && p <= 1)) throw new RangeError(`dropout: p must be a probability in [0, 1], got ${p}`);
  if (options.training === false || p === 0) return x;
  const g = options.generator ?? defaultGenerator;
  const xc = asContiguous(x);
  const n = x.numel();
  const src = xc.data as FloatArray;
  const so = xc.offset;
  const scale = dropoutScale(p);
  const out = allocate(x.dtype, n) as FloatArray;
  const mask = dropoutDraws(src, so, n, p, g, out);
  const result = new Tensor(out, x.shape.slice());
  record(result, 'DropoutBackward', [x], (grad) => {
    const gc = asContiguous(grad);
    const gx = allocate(grad.dtype, n) as FloatArray;
    applyKeep(mask, gc.data as FloatArray, gc.offset, scale, gx);
    return [new Tensor(gx, x.shape.slice())];
  });
  return result;
}

/** The factor on survivors of inverted dropout with probability p (0 when p = 1). */
export function dropoutScale(p: number): number {
  return p === 1 ? 0 : 1 / (1 - p);
}

/**
 * The draws of inverted dropout, one per element in order from `g`: element i is kept when
 * its draw is >= p. Writes src[so + i] · scale into `out` (0 where dropped; `out` fresh,
 * zeroed) and returns the keep mask.
 */
export function dropoutDraws(src: FloatArray, so: number, n: number, p: number, g: Generator, out: FloatArray): Uint8Array {
  const scale = dropoutScale(p);
  const keep = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    if (g.random() >= p) {
      keep[i] = 1;
      out[i] = src[so + i]! * scale;
    }
  }
  return keep;
}

/** out[i] = src[so + i] · scale where keep[i], else 0 (`out` may be `src` when so = 0). */
export function applyKeep(keep: Uint8Array, src: FloatArray, so: number, scale: number, out: FloatArray): void {
  for (let i = 0; i < keep.length; i++) out[i] = keep[i] ? src[so + i]! * scale : 0;
}
