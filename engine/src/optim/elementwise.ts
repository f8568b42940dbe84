/**
 * Direct element access for optimizer updates and gradient clipping.
 *
 * An update touches every element of every parameter several times per step; going
 * through the tensor ops would allocate a temporary tensor for each term. These helpers
 * hand out the values as a flat typed array instead, written back through the storage
 * (and counted as an in-place modification, so autograd still notices a parameter
 * changed under a saved graph).
 */
import type { FloatArray } from '../dtype.js';
import { fmt, sameShape } from '../shape.js';
import { Tensor } from '../tensor.js';
import { noGrad } from '../autograd/grad-mode.js';

/** A row-major window onto a float tensor's values; call `commit()` after writing. */
export interface Writable {
  readonly values: FloatArray;
  commit(): void;
}

/** The values of `t` in row-major order, writable; `commit()` stores them (a no-op copy for contiguous tensors). */
export function writable(t: Tensor): Writable {
  if (t.isContiguous()) {
    const values = t.data.subarray(t.offset, t.offset + t.numel()) as FloatArray;
    return { values, commit: () => void t.storage.version++ };
  }
  const values = t.toTypedArray() as FloatArray;
  return { values, commit: () => void noGrad(() => t.copy_(new Tensor(values, t.shape.slice()))) };
}

/** The values of `t` in row-major order, for reading only (no copy when contiguous). */
export function readable(t: Tensor): ArrayLike<number> {
  if (t.isContiguous()) return t.data.subarray(t.offset, t.offset + t.numel());
  return t.toTypedArray();
}

/** The gradient of `p`, checked to have p's shape (a hand-set `.grad` may not). */
export function gradOf(p: Tensor, who: string): Tensor | null {
  const g = p.grad;
  if (g === null) return null;
  if (!(g instanceof Tensor)) throw new TypeError(`${who}: a parameter's .grad is not a Tensor`);
  if (!sameShape(g.shape, p.shape)) {
    throw new RangeError(`${who}: a parameter of shape ${fmt(p.shape)} has a gradient of shape ${fmt(g.shape)}`);
  }
  return g;
}
