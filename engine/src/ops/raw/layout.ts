/**
 * Layouts without autograd: new shapes and strides over the same storage, and contiguous
 * copies. The view ops (../view.ts) record these with their backward; forward passes and
 * backward closures of other ops call them directly, where nothing is to be recorded.
 */
import { allocateForOverwrite } from '../../dtype.js';
import { contiguousStrides, numel, sameShape } from '../../shape.js';
import { Tensor } from '../../tensor-core.js';
import { copyStrided } from '../../kernels/strided.js';

/** A tensor over `x`'s storage with another shape, strides and offset. */
export function makeView(x: Tensor, shape: readonly number[], strides: readonly number[], offset: number): Tensor {
  return new Tensor(x.storage, shape, strides, offset);
}

/** A contiguous copy of any layout (no autograd); `op` names the op in errors. */
export function copyContiguous(x: Tensor, op = 'contiguous'): Tensor {
  const out = allocateForOverwrite(x.dtype, x.numel(), op, x.shape);
  copyStrided(x.data, x.shape, x.strides, x.offset, out, 0);
  return new Tensor(out, x.shape.slice());
}

/** `x` itself when it is contiguous, else a contiguous copy (like `contiguous()`, never recorded). */
export function asContiguous(x: Tensor, op?: string): Tensor {
  return x.isContiguous() ? x : copyContiguous(x, op);
}

/**
 * Strides for viewing (shape, strides) as `newShape` without a copy, or null when the
 * memory layout does not allow it. Dimensions are grouped into chunks that are
 * contiguous with each other; a view may split and merge within chunks only.
 */
export function viewStrides(shape: readonly number[], strides: readonly number[], newShape: readonly number[]): number[] | null {
  if (numel(shape) === 0 || shape.length === 0) return contiguousStrides(newShape);
  const out = new Array<number>(newShape.length);
  let viewD = newShape.length - 1;
  let chunkBase = strides[strides.length - 1]!;
  let tensorNumel = 1;
  let viewNumel = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    tensorNumel *= shape[d]!;
    const chunkEnds = d === 0 || (shape[d - 1] !== 1 && strides[d - 1] !== tensorNumel * chunkBase);
    if (chunkEnds) {
      while (viewD >= 0 && (viewNumel < tensorNumel || newShape[viewD] === 1)) {
        out[viewD] = viewNumel * chunkBase;
        viewNumel *= newShape[viewD]!;
        viewD--;
      }
      if (viewNumel !== tensorNumel) return null;
      if (d > 0) {
        chunkBase = strides[d - 1]!;
        tensorNumel = 1;
        viewNumel = 1;
      }
    }
  }
  return viewD === -1 ? out : null;
}

/** Reshape without recording (copies if needed). */
export function rawReshape(x: Tensor, shape: readonly number[]): Tensor {
  if (sameShape(x.shape, shape)) return x;
  const strides = viewStrides(x.shape, x.strides, shape);
  if (strides !== null) return makeView(x, shape.slice(), strides, x.offset);
  const c = copyContiguous(x);
  return makeView(c, shape.slice(), contiguousStrides(shape), 0);
}

/** Reorders dimensions without recording. */
export function rawPermute(x: Tensor, dims: readonly number[]): Tensor {
  return makeView(
    x,
    dims.map((d) => x.shape[d]!),
    dims.map((d) => x.strides[d]!),
    x.offset,
  );
}

/** Swaps two dimensions without recording. */
export function rawTranspose(x: Tensor, d0: number, d1: number): Tensor {
  const dims = x.shape.map((_, i) => i);
  dims[d0] = d1;
  dims[d1] = d0;
  return rawPermute(x, dims);
}
