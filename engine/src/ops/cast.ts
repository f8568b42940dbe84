/** dtype conversion and copies. */
import { allocate, assertDType, isFloating, type DType } from '../dtype.js';
import { Tensor } from '../tensor-core.js';
import { record } from '../autograd/record.js';
import { copyStrided } from '../kernels/strided.js';
import { expectTensor } from './helpers.js';

function convert(x: Tensor, dtype: DType): Tensor {
  const out = allocate(dtype, x.numel());
  if (dtype === 'bool') {
    const tmp = allocate(x.dtype, x.numel());
    copyStrided(x.data, x.shape, x.strides, x.offset, tmp, 0);
    for (let i = 0; i < tmp.length; i++) out[i] = tmp[i] !== 0 ? 1 : 0;
  } else if (dtype === 'int32' && isFloating(x.dtype)) {
    // Truncation toward zero, like PyTorch's float -> int conversion.
    const tmp = allocate(x.dtype, x.numel());
    copyStrided(x.data, x.shape, x.strides, x.offset, tmp, 0);
    for (let i = 0; i < tmp.length; i++) out[i] = Math.trunc(tmp[i]!);
  } else {
    copyStrided(x.data, x.shape, x.strides, x.offset, out, 0);
  }
  return new Tensor(out, x.shape.slice());
}

/**
 * A copy converted to `dtype`, or `x` itself when it already has that dtype.
 * Between float32 and float64 the gradient flows back (converted to the input's dtype).
 */
export function to(x: Tensor, dtype: DType): Tensor {
  expectTensor(x, 'to', 'input');
  assertDType(dtype, 'to');
  if (x.dtype === dtype) return x;
  const out = convert(x, dtype);
  if (isFloating(dtype) && isFloating(x.dtype)) {
    record(out, 'ToCopyBackward', [x], (g) => [convert(g, x.dtype)]);
  }
  return out;
}

/** A contiguous copy with its own storage; gradients pass straight through. */
export function clone(x: Tensor): Tensor {
  expectTensor(x, 'clone', 'input');
  const out = convert(x, x.dtype);
  record(out, 'CloneBackward', [x], (g) => [g]);
  return out;
}
