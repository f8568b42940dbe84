/**
 * In-place updates (names end in `_`): for initialisation, optimizer steps and masks.
 * They are not recorded by autograd, so they refuse to run where that would silently
 * break gradients: on a leaf that requires grad while recording, and on any tensor that
 * is part of a recorded graph. Each bumps the storage version, so a saved tensor changed
 * before backward is caught there.
 */
import { allocate } from '../dtype.js';
import { broadcastShapes, broadcastStrides, fmt, sameShape } from '../shape.js';
import { Tensor, type TensorOrNumber } from '../tensor-core.js';
import { isGradEnabled } from '../autograd/grad-mode.js';
import { copyStrided, scatterStrided } from '../kernels/strided.js';
import { defaultGenerator, type Generator } from '../random.js';
import { asOperand, expectTensor } from './helpers.js';

function checkWritable(t: Tensor, op: string): void {
  expectTensor(t, op, 'self');
  if (t.gradFn !== null) {
    throw new Error(`${op}: cannot modify a tensor computed by a recorded operation in place (its graph would be wrong); use the out-of-place version`);
  }
  if (t.requiresGrad && isGradEnabled()) {
    throw new Error(
      `${op}: a leaf tensor that requires grad cannot be modified in place while gradients are recorded; ` +
        'wrap the update in noGrad(() => ...)',
    );
  }
}

/** Reads t's elements in row-major order. */
function values(t: Tensor): ArrayLike<number> {
  if (t.isContiguous()) return t.data.subarray(t.offset, t.offset + t.numel());
  const out = allocate(t.dtype, t.numel());
  copyStrided(t.data, t.shape, t.strides, t.offset, out, 0);
  return out;
}

/** Writes row-major `vals` into t's elements (through its strides). */
function write(t: Tensor, vals: ArrayLike<number>): void {
  if (t.isContiguous()) {
    t.data.set(vals as ArrayLike<number>, t.offset);
  } else {
    const src = allocate(t.dtype, t.numel());
    src.set(vals);
    scatterStrided(src, 0, t.data, t.shape, t.strides, t.offset);
  }
  t.storage.version++;
}

/** Reads `src` broadcast to `shape` in row-major order. */
function broadcastValues(src: Tensor, shape: readonly number[], op: string): ArrayLike<number> {
  const target = broadcastShapes(shape, src.shape, op);
  if (!sameShape(target, shape)) {
    throw new RangeError(`${op}: a tensor of shape ${fmt(src.shape)} cannot be broadcast into the destination of shape ${fmt(shape)}`);
  }
  if (sameShape(src.shape, shape)) return values(src);
  const out = allocate(src.dtype, shape.reduce((a, b) => a * b, 1));
  copyStrided(src.data, shape, broadcastStrides(src.shape, src.strides, shape), src.offset, out, 0);
  return out;
}

export function fill_<T extends Tensor>(t: T, value: number): T {
  checkWritable(t, 'fill_');
  if (typeof value !== 'number') throw new TypeError(`fill_: value must be a number, got ${typeof value}`);
  const vals = allocate(t.dtype, t.numel());
  vals.fill(value);
  write(t, vals);
  return t;
}

export function copy_<T extends Tensor>(t: T, src: Tensor): T {
  checkWritable(t, 'copy_');
  expectTensor(src, 'copy_', 'src');
  write(t, broadcastValues(src, t.shape, 'copy_'));
  return t;
}

/** `t op= alpha * other` for op add/mul/div (alpha only for add). */
export function binary_<T extends Tensor>(t: T, other: TensorOrNumber, op: 'add' | 'mul' | 'div', alpha: number): T {
  checkWritable(t, `${op}_`);
  const o = asOperand(other, t, `${op}_`, 'other');
  const a = values(t);
  const b = broadcastValues(o, t.shape, `${op}_`);
  const out = allocate(t.dtype, t.numel());
  const n = out.length;
  if (op === 'add') for (let i = 0; i < n; i++) out[i] = a[i]! + alpha * b[i]!;
  else if (op === 'mul') for (let i = 0; i < n; i++) out[i] = a[i]! * b[i]!;
  else for (let i = 0; i < n; i++) out[i] = a[i]! / b[i]!;
  write(t, out);
  return t;
}

export function clamp_<T extends Tensor>(t: T, min?: number | null, max?: number | null): T {
  checkWritable(t, 'clamp_');
  const lo = min ?? -Infinity;
  const hi = max ?? Infinity;
  if (lo > hi) throw new RangeError(`clamp_: min (${lo}) is greater than max (${hi})`);
  const a = values(t);
  const out = allocate(t.dtype, t.numel());
  for (let i = 0; i < out.length; i++) {
    const v = a[i]!;
    out[i] = v < lo ? lo : v > hi ? hi : v;
  }
  write(t, out);
  return t;
}

export function maskedFill_<T extends Tensor>(t: T, mask: Tensor, value: number): T {
  checkWritable(t, 'maskedFill_');
  expectTensor(mask, 'maskedFill_', 'mask');
  if (mask.dtype !== 'bool') throw new TypeError(`maskedFill_: mask must be a bool tensor, got ${mask.dtype}`);
  const m = broadcastValues(mask, t.shape, 'maskedFill_');
  const a = values(t);
  const out = allocate(t.dtype, t.numel());
  for (let i = 0; i < out.length; i++) out[i] = m[i] !== 0 ? value : a[i]!;
  write(t, out);
  return t;
}

export function uniform_<T extends Tensor>(t: T, low = 0, high = 1, generator: Generator = defaultGenerator): T {
  checkWritable(t, 'uniform_');
  if (!(low <= high)) throw new RangeError(`uniform_: low (${low}) must not exceed high (${high})`);
  const out = allocate(t.dtype, t.numel());
  for (let i = 0; i < out.length; i++) out[i] = low + (high - low) * generator.random();
  write(t, out);
  return t;
}

export function normal_<T extends Tensor>(t: T, mean = 0, std = 1, generator: Generator = defaultGenerator): T {
  checkWritable(t, 'normal_');
  if (!(std >= 0)) throw new RangeError(`normal_: std must be non-negative, got ${std}`);
  const out = allocate(t.dtype, t.numel());
  for (let i = 0; i < out.length; i++) out[i] = mean + std * generator.normal();
  write(t, out);
  return t;
}
