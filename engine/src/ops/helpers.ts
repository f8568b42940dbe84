/** Small pieces shared by the op files: operand conversion, result allocation, checks. */
import { allocate, isFloating, promoteScalar, type DType } from '../dtype.js';
import { describe, numel } from '../shape.js';
import { Tensor, type TensorOrNumber } from '../tensor-core.js';

/** A fresh zero-filled contiguous tensor. */
export function empty(shape: readonly number[], dtype: DType): Tensor {
  return new Tensor(allocate(dtype, numel(shape)), shape.slice());
}

/** A 0-d tensor holding `value`. */
export function scalar(value: number, dtype: DType): Tensor {
  const t = empty([], dtype);
  t.data[0] = value;
  return t;
}

/** Checks that `x` is a finite-or-infinite JS number (not NaN-by-accident strings etc.). */
export function expectNumber(x: unknown, op: string, arg: string): number {
  if (typeof x === 'number') return x;
  throw new TypeError(`${op}: ${arg} must be a number, got ${describe(x)}`);
}

/** Checks that `x` is a Tensor; the message names the op and the argument. */
export function expectTensor(x: unknown, op: string, arg: string): Tensor {
  if (x instanceof Tensor) return x;
  throw new TypeError(`${op}: ${arg} must be a Tensor, got ${describe(x)}`);
}

/**
 * Turns a number operand into a 0-d tensor of the dtype arithmetic with `like` would give
 * (a float tensor keeps its dtype; an int tensor with a fractional number gives float32).
 */
export function asOperand(x: TensorOrNumber, like: Tensor, op: string, arg: string): Tensor {
  if (x instanceof Tensor) return x;
  if (typeof x === 'number') {
    return scalar(x, promoteScalar(like.dtype === 'bool' ? 'int32' : like.dtype, x));
  }
  if (typeof x === 'boolean') return scalar(x ? 1 : 0, 'bool');
  throw new TypeError(`${op}: ${arg} must be a Tensor or a number, got ${describe(x)}`);
}

/** Throws unless `t` holds floating point values (for ops defined only on reals). */
export function expectFloat(t: Tensor, op: string, arg = 'input'): void {
  if (!isFloating(t.dtype)) {
    throw new TypeError(`${op}: ${arg} must be a floating point tensor (float32 or float64), got ${t.dtype}; convert it with .float()`);
  }
}

/** Throws unless `t` holds int32 indices. */
export function expectIndex(t: Tensor, op: string, arg: string): void {
  if (t.dtype !== 'int32') {
    throw new TypeError(
      `${op}: ${arg} must be an int32 tensor of indices, got ${t.dtype}; create it with { dtype: 'int32' } or convert with .int()`,
    );
  }
}

/** Float dtype for results of transcendental ops: ints become float32. */
export function floatDtypeOf(t: Tensor): DType {
  return t.dtype === 'float64' ? 'float64' : 'float32';
}

