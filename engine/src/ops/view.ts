/**
 * Views: new shape/strides/offset over the same storage, no copy, each recorded with its
 * backward. Their unrecorded forms (used by backward passes and other ops) are in
 * raw/layout.ts. `reshape` and `contiguous` copy only when the layout requires it.
 */
import { fmt, normDim, numel, sameShape } from '../shape.js';
import { SliceGrad, type Tensor } from '../tensor-core.js';
import { record } from '../autograd/record.js';
import { expectTensor } from './helpers.js';
import { copyContiguous, makeView, rawPermute, rawReshape, rawTranspose, viewStrides } from './raw/layout.js';
import { sumTo } from './raw/reduce.js';

/**
 * Backward of a view that selects a window of its input: the gradient is `g` inside the
 * window that `sameView` selects and zero elsewhere, handed to the backward engine
 * sparsely (it accumulates many windows of one input into one buffer).
 */
function embedGrad(g: Tensor, inputShape: readonly number[], sameView: (t: Tensor) => Tensor): SliceGrad {
  return new SliceGrad(g, inputShape, sameView);
}

// ------------------------------------------------------------------ reshape / view

/** Resolves one -1 in `shape` against `n` elements; errors name the op and both shapes. */
export function inferShape(shape: readonly number[], n: number, from: readonly number[], op: string): number[] {
  let infer = -1;
  let known = 1;
  for (let i = 0; i < shape.length; i++) {
    const d = shape[i]!;
    if (d === -1) {
      if (infer >= 0) throw new RangeError(`${op}: only one dimension can be -1, got ${fmt(shape)}`);
      infer = i;
    } else if (!Number.isInteger(d) || d < 0) {
      throw new RangeError(`${op}: invalid size ${d} in shape ${fmt(shape)}`);
    } else known *= d;
  }
  const out = shape.slice();
  if (infer >= 0) {
    if (known === 0 || n % known !== 0) {
      throw new RangeError(`${op}: cannot reshape a tensor of shape ${fmt(from)} (${n} elements) into ${fmt(shape)}`);
    }
    out[infer] = n / known;
  } else if (known !== n) {
    throw new RangeError(`${op}: cannot reshape a tensor of shape ${fmt(from)} (${n} elements) into ${fmt(shape)} (${known} elements)`);
  }
  return out;
}

function reshapeBackward(x: Tensor) {
  return (g: Tensor) => [rawReshape(g, x.shape)];
}

/** Same elements in a new shape (one size may be -1); a view when the layout allows, else a copy. */
export function reshape(x: Tensor, shape: readonly number[]): Tensor {
  expectTensor(x, 'reshape', 'input');
  const target = inferShape(shape, x.numel(), x.shape, 'reshape');
  const out = rawReshape(x, target);
  if (out === x) return x;
  record(out, 'ReshapeBackward', [x], reshapeBackward(x));
  return out;
}

/** Like `reshape` but never copies; throws when the layout does not allow a view. */
export function view(x: Tensor, shape: readonly number[]): Tensor {
  expectTensor(x, 'view', 'input');
  const target = inferShape(shape, x.numel(), x.shape, 'view');
  const strides = viewStrides(x.shape, x.strides, target);
  if (strides === null) {
    throw new RangeError(
      `view: a tensor of shape ${fmt(x.shape)} with strides ${fmt(x.strides)} cannot be viewed as ${fmt(target)} without a copy ` +
        '(it is not contiguous in the merged dimensions); use reshape(), or contiguous() first',
    );
  }
  const out = makeView(x, target, strides, x.offset);
  record(out, 'ViewBackward', [x], reshapeBackward(x));
  return out;
}

/** Merges dims startDim..endDim into one. */
export function flatten(x: Tensor, startDim = 0, endDim = -1): Tensor {
  expectTensor(x, 'flatten', 'input');
  if (x.ndim === 0) return reshape(x, [1]);
  const s = normDim(startDim, x.ndim, 'flatten', 'startDim');
  const e = normDim(endDim, x.ndim, 'flatten', 'endDim');
  if (s > e) throw new RangeError(`flatten: startDim (${startDim}) must not come after endDim (${endDim})`);
  const shape = [...x.shape.slice(0, s), numel(x.shape.slice(s, e + 1)), ...x.shape.slice(e + 1)];
  return reshape(x, shape);
}

// ------------------------------------------------------------------ transpose / permute

/** Reorders dimensions: `dims` is a permutation of 0..ndim-1 (negative allowed). */
export function permute(x: Tensor, dims: readonly number[]): Tensor {
  expectTensor(x, 'permute', 'input');
  if (dims.length !== x.ndim) {
    throw new RangeError(`permute: got ${dims.length} dims ${fmt(dims)} for a tensor with ${x.ndim} dimensions ${fmt(x.shape)}`);
  }
  const norm = dims.map((d) => normDim(d, x.ndim, 'permute', 'dims'));
  if (new Set(norm).size !== norm.length) throw new RangeError(`permute: dims ${fmt(dims)} repeat a dimension`);
  const out = rawPermute(x, norm);
  const inverse = new Array<number>(norm.length);
  norm.forEach((d, i) => (inverse[d] = i));
  record(out, 'PermuteBackward', [x], (g) => [rawPermute(g, inverse)]);
  return out;
}

/** Swaps two dimensions (a view). */
export function transpose(x: Tensor, dim0: number, dim1: number): Tensor {
  expectTensor(x, 'transpose', 'input');
  const a = normDim(dim0, x.ndim, 'transpose', 'dim0');
  const b = normDim(dim1, x.ndim, 'transpose', 'dim1');
  if (x.ndim === 0) return x;
  const out = rawTranspose(x, a, b);
  record(out, 'TransposeBackward', [x], (g) => [rawTranspose(g, a, b)]);
  return out;
}

// ------------------------------------------------------------------ narrow / slice / select

function rawNarrow(x: Tensor, dim: number, start: number, length: number): Tensor {
  const shape = x.shape.slice();
  shape[dim] = length;
  return makeView(x, shape, x.strides, x.offset + start * x.strides[dim]!);
}

/** `length` entries of `dim` from `start` (negative start counts from the end). A view. */
export function narrow(x: Tensor, dim: number, start: number, length: number): Tensor {
  expectTensor(x, 'narrow', 'input');
  const d = normDim(dim, x.ndim, 'narrow');
  const size = x.shape[d]!;
  if (!Number.isInteger(start) || !Number.isInteger(length)) throw new TypeError('narrow: start and length must be integers');
  const s = start < 0 ? start + size : start;
  if (s < 0 || length < 0 || s + length > size) {
    throw new RangeError(`narrow: start ${start} and length ${length} exceed dimension ${d} of size ${size} (shape ${fmt(x.shape)})`);
  }
  const out = rawNarrow(x, d, s, length);
  record(out, 'NarrowBackward', [x], (g) => [embedGrad(g, x.shape, (z) => rawNarrow(z, d, s, length))]);
  return out;
}

function rawSlice(x: Tensor, dim: number, start: number, count: number, step: number): Tensor {
  const shape = x.shape.slice();
  const strides = x.strides.slice();
  shape[dim] = count;
  strides[dim] = x.strides[dim]! * step;
  return makeView(x, shape, strides, x.offset + start * x.strides[dim]!);
}

/**
 * Python-style `start:end:step` along `dim` (a view). Out-of-range bounds are clipped as
 * in Python; `step` must be positive.
 */
export function slice(x: Tensor, dim: number, start?: number, end?: number, step = 1): Tensor {
  expectTensor(x, 'slice', 'input');
  const d = normDim(dim, x.ndim, 'slice');
  if (!Number.isInteger(step) || step <= 0) throw new RangeError(`slice: step must be a positive integer, got ${step}`);
  const size = x.shape[d]!;
  const clip = (v: number | undefined, dflt: number): number => {
    if (v === undefined || v === null) return dflt;
    if (!Number.isInteger(v)) throw new TypeError(`slice: bounds must be integers, got ${v}`);
    const w = v < 0 ? v + size : v;
    return Math.min(Math.max(w, 0), size);
  };
  const s = clip(start, 0);
  const e = Math.max(clip(end, size), s);
  const count = Math.ceil((e - s) / step);
  const out = rawSlice(x, d, s, count, step);
  record(out, 'SliceBackward', [x], (g) => [embedGrad(g, x.shape, (z) => rawSlice(z, d, s, count, step))]);
  return out;
}

function rawSelect(x: Tensor, dim: number, index: number): Tensor {
  const shape = x.shape.slice();
  const strides = x.strides.slice();
  shape.splice(dim, 1);
  strides.splice(dim, 1);
  return makeView(x, shape, strides, x.offset + index * x.strides[dim]!);
}

/** The slice at `index` along `dim` with that dimension removed (a view), like `x[index]`. */
export function select(x: Tensor, dim: number, index: number): Tensor {
  expectTensor(x, 'select', 'input');
  if (x.ndim === 0) throw new RangeError('select: cannot index a 0-d tensor');
  const d = normDim(dim, x.ndim, 'select');
  const size = x.shape[d]!;
  if (!Number.isInteger(index) || index < -size || index >= size) {
    throw new RangeError(`select: index ${index} is out of range for dimension ${d} of size ${size} (shape ${fmt(x.shape)})`);
  }
  const i = index < 0 ? index + size : index;
  const out = rawSelect(x, d, i);
  record(out, 'SelectBackward', [x], (g) => [embedGrad(g, x.shape, (z) => rawSelect(z, d, i))]);
  return out;
}

// ------------------------------------------------------------------ expand / squeeze / unsqueeze

/** Broadcasts size-1 dims to `shape` without copying (-1 keeps a size; new leading dims allowed). */
export function expand(x: Tensor, shape: readonly number[]): Tensor {
  expectTensor(x, 'expand', 'input');
  if (shape.length < x.ndim) {
    throw new RangeError(`expand: the target ${fmt(shape)} has fewer dimensions than the tensor ${fmt(x.shape)}`);
  }
  const lead = shape.length - x.ndim;
  const outShape = new Array<number>(shape.length);
  const strides = new Array<number>(shape.length);
  for (let i = 0; i < shape.length; i++) {
    const want = shape[i]!;
    if (i < lead) {
      if (want < 0) throw new RangeError(`expand: -1 is not allowed for a new leading dimension (target ${fmt(shape)})`);
      outShape[i] = want;
      strides[i] = 0;
      continue;
    }
    const have = x.shape[i - lead]!;
    if (want === -1 || want === have) {
      outShape[i] = have;
      strides[i] = x.strides[i - lead]!;
    } else if (have === 1) {
      outShape[i] = want;
      strides[i] = 0;
    } else {
      throw new RangeError(
        `expand: the expanded size ${want} must match the existing size ${have} at dimension ${i} (tensor ${fmt(x.shape)}, target ${fmt(shape)})`,
      );
    }
  }
  if (sameShape(outShape, x.shape)) return x;
  const out = makeView(x, outShape, strides, x.offset);
  record(out, 'ExpandBackward', [x], (g) => [sumTo(g, x.shape)]);
  return out;
}

/** Removes size-1 dims (all of them, or `dim` if it has size 1). */
export function squeeze(x: Tensor, dim?: number): Tensor {
  expectTensor(x, 'squeeze', 'input');
  let keep: number[];
  if (dim === undefined) keep = x.shape.map((_, i) => i).filter((i) => x.shape[i] !== 1);
  else {
    if (x.ndim === 0) return x;
    const d = normDim(dim, x.ndim, 'squeeze');
    if (x.shape[d] !== 1) return x;
    keep = x.shape.map((_, i) => i).filter((i) => i !== d);
  }
  if (keep.length === x.ndim) return x;
  const out = makeView(
    x,
    keep.map((i) => x.shape[i]!),
    keep.map((i) => x.strides[i]!),
    x.offset,
  );
  record(out, 'SqueezeBackward', [x], reshapeBackward(x));
  return out;
}

/** Inserts a size-1 dimension at `dim` (in -ndim-1..ndim). */
export function unsqueeze(x: Tensor, dim: number): Tensor {
  expectTensor(x, 'unsqueeze', 'input');
  const d = normDim(dim, x.ndim + 1, 'unsqueeze');
  const shape = x.shape.slice();
  const strides = x.strides.slice();
  shape.splice(d, 0, 1);
  strides.splice(d, 0, d < x.ndim ? x.strides[d]! * x.shape[d]! : 1);
  const out = makeView(x, shape, strides, x.offset);
  record(out, 'UnsqueezeBackward', [x], reshapeBackward(x));
  return out;
}

/** The tensor itself when contiguous, else a contiguous copy (gradients pass through). */
export function contiguous(x: Tensor): Tensor {
  if (x.isContiguous()) return x;
  const out = copyContiguous(x);
  record(out, 'ContiguousBackward', [x], (g) => [g]);
  return out;
}
