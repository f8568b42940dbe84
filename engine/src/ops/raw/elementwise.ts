/**
 * Elementwise maps without autograd: a broadcasting binary loop and a unary loop over any
 * layout, returning fresh tensors. The arithmetic, unary and comparison ops record them
 * with their backward; backward closures call them directly.
 */
import { allocate, type DType } from '../../dtype.js';
import { broadcastShapes, broadcastStrides, numel, sameShape } from '../../shape.js';
import { Tensor } from '../../tensor-core.js';
import type { BinaryLoop, UnaryLoop } from '../../kernels/strided.js';
import { fastKernels, type FastUnary } from '../../kernels/fast.js';
import { asContiguous } from './layout.js';

/** Runs a broadcasting binary loop and returns the result tensor (no autograd). */
export function broadcastBinary(a: Tensor, b: Tensor, op: string, loop: BinaryLoop, dtype: DType): Tensor {
  // Same shape, both laid out row-major: no broadcasting bookkeeping (what small tensors pay per op).
  if (sameShape(a.shape, b.shape) && a.isContiguous() && b.isContiguous()) {
    const n = numel(a.shape);
    const out = allocate(dtype, n);
    loop.flat(a.data, a.offset, b.data, b.offset, out, n);
    return new Tensor(out, a.shape.slice());
  }
  const shape = broadcastShapes(a.shape, b.shape, op);
  const out = allocate(dtype, numel(shape));
  loop(
    shape,
    a.data,
    broadcastStrides(a.shape, a.strides, shape),
    a.offset,
    b.data,
    broadcastStrides(b.shape, b.strides, shape),
    b.offset,
    out,
  );
  return new Tensor(out, shape);
}

/**
 * Applies a unary loop to any layout (non-contiguous inputs are read through a copy);
 * float32 to float32 goes to the fast kernel `fast` when one is installed.
 */
export function mapUnary(x: Tensor, loop: UnaryLoop, dtype: DType, fast?: FastUnary): Tensor {
  const src = asContiguous(x);
  const n = src.numel();
  const out = allocate(dtype, n);
  const done =
    fast !== undefined && dtype === 'float32' && src.dtype === 'float32' &&
    (fastKernels()?.unary(fast, src.data as Float32Array, src.offset, out as Float32Array, n) ?? false);
  if (!done) loop(src.data, src.offset, out, n);
  return new Tensor(out, x.shape.slice());
}
