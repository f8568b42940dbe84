/** Joining and splitting along a dimension: cat, stack, split, chunk, unbind. */
import { allocate, promote } from '../dtype.js';
import { fmt, normDim } from '../shape.js';
import { Tensor } from '../tensor-core.js';
import { record } from '../autograd/record.js';
import { scatterStrided, copyStrided } from '../kernels/strided.js';
import { expectTensor } from './helpers.js';
import { narrow, select, unsqueeze } from './view.js';
import { to } from './cast.js';

/**
 * Concatenates tensors along `dim`; all other sizes must match. Mixed float dtypes are
 * promoted. Empty 1-D tensors (shape [0]) are skipped, as in PyTorch.
 */
export function cat(tensors: readonly Tensor[], dim = 0): Tensor {
  if (!Array.isArray(tensors) || tensors.length === 0) throw new TypeError('cat: expects a non-empty array of tensors');
  tensors.forEach((t, i) => expectTensor(t, 'cat', `tensors[${i}]`));
  const parts = tensors.filter((t) => !(t.ndim === 1 && t.shape[0] === 0));
  if (parts.length === 0) return tensors[0]!;
  const ref = parts[0]!;
  if (ref.ndim === 0) throw new RangeError('cat: zero-dimensional tensors cannot be concatenated; use stack()');
  const d = normDim(dim, ref.ndim, 'cat');
  let dtype = ref.dtype;
  parts.forEach((t, i) => {
    if (t.ndim !== ref.ndim) {
      throw new RangeError(`cat: tensors must have the same number of dimensions: tensors[0] is ${fmt(ref.shape)} but tensors[${i}] is ${fmt(t.shape)}`);
    }
    for (let j = 0; j < ref.ndim; j++) {
      if (j !== d && t.shape[j] !== ref.shape[j]) {
        throw new RangeError(
          `cat: sizes must match except in dimension ${d}: tensors[0] is ${fmt(ref.shape)} but tensors[${i}] is ${fmt(t.shape)} (dimension ${j})`,
        );
      }
    }
    // Equal dtypes stay as they are (bool masks stay bool); mixed ones promote like arithmetic.
    if (t.dtype !== dtype) dtype = promote(dtype, t.dtype);
  });
  const inputs = parts.map((t) => (t.dtype === dtype ? t : to(t, dtype)));
  const shape = ref.shape.slice();
  shape[d] = inputs.reduce((s: number, t: Tensor) => s + t.shape[d]!, 0);
  const out = new Tensor(allocate(dtype, shape.reduce((a: number, b: number) => a * b, 1)), shape);
  let start = 0;
  const starts: number[] = [];
  for (const t of inputs) {
    starts.push(start);
    // Write t into the window of out it occupies.
    const w = new Tensor(out.storage, t.shape, out.strides, start * out.strides[d]!);
    const tmp = allocate(dtype, t.numel());
    copyStrided(t.data, t.shape, t.strides, t.offset, tmp, 0);
    scatterStrided(tmp, 0, out.data, w.shape, w.strides, w.offset);
    start += t.shape[d]!;
  }
  record(out, 'CatBackward', inputs, (g, needs) => inputs.map((t, i) => (needs[i] ? narrow(g, d, starts[i]!, t.shape[d]!) : null)));
  return out;
}

/** Stacks same-shaped tensors along a new dimension `dim`. */
export function stack(tensors: readonly Tensor[], dim = 0): Tensor {
  if (!Array.isArray(tensors) || tensors.length === 0) throw new TypeError('stack: expects a non-empty array of tensors');
  tensors.forEach((t, i) => expectTensor(t, 'stack', `tensors[${i}]`));
  const ref = tensors[0]!;
  tensors.forEach((t, i) => {
    if (t.ndim !== ref.ndim || t.shape.some((s: number, j: number) => s !== ref.shape[j])) {
      throw new RangeError(`stack: all tensors must have the same shape: tensors[0] is ${fmt(ref.shape)} but tensors[${i}] is ${fmt(t.shape)}`);
    }
  });
  const d = normDim(dim, ref.ndim + 1, 'stack');
  return cat(
    tensors.map((t) => unsqueeze(t, d)),
    d,
  );
}

/**
 * Splits along `dim` into pieces of `size` (the last may be smaller) or of the listed
 * sizes, which must add up to the dimension. The pieces are views.
 */
export function split(x: Tensor, size: number | readonly number[], dim = 0): Tensor[] {
  expectTensor(x, 'split', 'input');
  const d = normDim(dim, x.ndim, 'split');
  const total = x.shape[d]!;
  let sizes: number[];
  if (typeof size === 'number') {
    if (!Number.isInteger(size) || size <= 0) throw new RangeError(`split: size must be a positive integer, got ${size}`);
    sizes = [];
    for (let s = 0; s < total; s += size) sizes.push(Math.min(size, total - s));
    if (sizes.length === 0) sizes.push(0);
  } else {
    sizes = size.slice();
    const sum = sizes.reduce((a, b) => a + b, 0);
    if (sizes.some((s) => !Number.isInteger(s) || s < 0) || sum !== total) {
      throw new RangeError(`split: sizes ${fmt(sizes)} must be non-negative integers adding up to ${total}, the size of dimension ${d} of ${fmt(x.shape)}`);
    }
  }
  const out: Tensor[] = [];
  let start = 0;
  for (const s of sizes) {
    out.push(narrow(x, d, start, s));
    start += s;
  }
  return out;
}

/** Splits into `chunks` pieces of ceil(n / chunks) along `dim` (fewer if n is small). */
export function chunk(x: Tensor, chunks: number, dim = 0): Tensor[] {
  expectTensor(x, 'chunk', 'input');
  if (!Number.isInteger(chunks) || chunks <= 0) throw new RangeError(`chunk: chunks must be a positive integer, got ${chunks}`);
  const d = normDim(dim, x.ndim, 'chunk');
  const n = x.shape[d]!;
  return split(x, Math.max(1, Math.ceil(n / chunks)), d);
}

/** The slices along `dim`, each without that dimension (views). */
export function unbind(x: Tensor, dim = 0): Tensor[] {
  expectTensor(x, 'unbind', 'input');
  const d = normDim(dim, x.ndim, 'unbind');
  const out: Tensor[] = [];
  for (let i = 0; i < x.shape[d]!; i++) out.push(select(x, d, i));
  return out;
}
