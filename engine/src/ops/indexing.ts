/**
 * Indexing by integer tensors: gather, indexSelect and the embedding lookup. Backward
 * scatters (adds) the gradient back to the positions that were read.
 */
import { allocate } from '../dtype.js';
import { fmt, normDim, numel } from '../shape.js';
import { Tensor } from '../tensor-core.js';
import { record } from '../autograd/record.js';
import { asContiguous } from './raw/layout.js';
import { expectFloat, expectIndex, expectTensor } from './helpers.js';

/** Formats a row-major flat position of `shape` as [i,j,...] for error messages. */
function position(flat: number, shape: readonly number[]): string {
  const idx = new Array<number>(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) {
    idx[d] = flat % shape[d]!;
    flat = Math.floor(flat / shape[d]!);
  }
  return `[${idx.join(',')}]`;
}

/**
 * For every element of `index` (row-major), the storage offset of the element of `x`
 * it selects along `dim`. Validates ranges with messages naming the position.
 */
function gatherOffsets(x: Tensor, dim: number, index: Tensor, op: string): Int32Array {
  const ic = asContiguous(index);
  const idx = ic.data;
  const io = ic.offset;
  const shape = index.shape;
  const nd = shape.length;
  const n = numel(shape);
  const size = x.shape[dim]!;
  const offsets = new Int32Array(n);
  const counter = new Int32Array(nd);
  let base = x.offset;
  for (let p = 0; p < n; p++) {
    const v = idx[io + p]!;
    if (v < 0 || v >= size) {
      throw new RangeError(`${op}: index ${v} at position ${position(p, shape)} is out of range for dimension ${dim} of size ${size} (input ${fmt(x.shape)})`);
    }
    offsets[p] = base + v * x.strides[dim]!;
    for (let d = nd - 1; d >= 0; d--) {
      counter[d]!++;
      if (d !== dim) base += x.strides[d]!;
      if (counter[d]! < shape[d]!) break;
      if (d !== dim) base -= x.strides[d]! * shape[d]!;
      counter[d] = 0;
    }
  }
  return offsets;
}

/**
 * `out[i][j][k] = x[index[i][j][k]][j][k]` for dim 0 (likewise for other dims), as
 * PyTorch's gather: `index` is int32 with x's number of dims and no larger than x in the
 * other dims; the result has index's shape.
 */
export function gather(x: Tensor, dim: number, index: Tensor): Tensor {
  expectTensor(x, 'gather', 'input');
  expectTensor(index, 'gather', 'index');
  expectIndex(index, 'gather', 'index');
  const d = normDim(dim, Math.max(x.ndim, 1), 'gather');
  if (index.ndim !== x.ndim) {
    throw new RangeError(`gather: index must have as many dimensions as the input (${x.ndim}), got index ${fmt(index.shape)} for input ${fmt(x.shape)}`);
  }
  for (let i = 0; i < x.ndim; i++) {
    if (i !== d && index.shape[i]! > x.shape[i]!) {
      throw new RangeError(`gather: index ${fmt(index.shape)} is larger than the input ${fmt(x.shape)} in dimension ${i}`);
    }
  }
  const offsets = gatherOffsets(x, d, index, 'gather');
  const src = x.data;
  const out = allocate(x.dtype, offsets.length);
  for (let p = 0; p < offsets.length; p++) out[p] = src[offsets[p]!]!;
  const result = new Tensor(out, index.shape.slice());
  const node = record(result, 'GatherBackward', [x], (g) => {
    // Offsets were computed against x's layout; scatter into a buffer with that layout.
    const gx = allocate(g.dtype, x.data.length);
    const gc = asContiguous(g);
    for (let p = 0; p < offsets.length; p++) gx[offsets[p]!]! += gc.data[gc.offset + p]!;
    return [compactLike(gx, x)];
  });
  if (node) node.save(index);
  return result;
}

/** Reads a buffer laid out like x's storage back as a contiguous tensor of x's shape. */
function compactLike(buf: Float32Array | Float64Array | Int32Array | Uint8Array, x: Tensor): Tensor {
  const view = new Tensor(buf, x.shape, x.strides, x.offset);
  return view.isContiguous() && x.offset === 0 && buf.length === x.numel() ? view : asContiguous(view);
}

/** The entries at `index` (1-D int32) along `dim`; the result has `index.length` entries there. */
export function indexSelect(x: Tensor, dim: number, index: Tensor): Tensor {
  expectTensor(x, 'indexSelect', 'input');
  expectTensor(index, 'indexSelect', 'index');
  expectIndex(index, 'indexSelect', 'index');
  if (index.ndim > 1) throw new RangeError(`indexSelect: index must be 1-D, got ${fmt(index.shape)}`);
  const d = normDim(dim, Math.max(x.ndim, 1), 'indexSelect');
  const xc = asContiguous(x);
  const size = x.ndim === 0 ? 1 : x.shape[d]!;
  const A = numel(x.shape.slice(0, d));
  const B = numel(x.shape.slice(d + 1));
  const ids = index.toTypedArray();
  const k = ids.length;
  for (let j = 0; j < k; j++) {
    const v = ids[j]!;
    if (v < 0 || v >= size) throw new RangeError(`indexSelect: index ${v} at position [${j}] is out of range for dimension ${d} of size ${size} (input ${fmt(x.shape)})`);
  }
  const src = xc.data;
  const so = xc.offset;
  const out = allocate(x.dtype, A * k * B);
  for (let a = 0; a < A; a++) {
    for (let j = 0; j < k; j++) {
      const from = so + (a * size + ids[j]!) * B;
      const to = (a * k + j) * B;
      for (let b = 0; b < B; b++) out[to + b] = src[from + b]!;
    }
  }
  const shape = x.shape.slice();
  if (shape.length) shape[d] = k;
  const result = new Tensor(out, shape);
  const node = record(result, 'IndexSelectBackward', [x], (g) => {
    const gc = asContiguous(g);
    const gx = allocate(g.dtype, x.numel());
    for (let a = 0; a < A; a++) {
      for (let j = 0; j < k; j++) {
        const to = (a * size + ids[j]!) * B;
        const from = gc.offset + (a * k + j) * B;
        for (let b = 0; b < B; b++) gx[to + b]! += gc.data[from + b]!;
      }
    }
    return [new Tensor(gx, x.shape.slice())];
  });
  if (node) node.save(index);
  return result;
}

export interface EmbeddingOptions {
  /** Row whose gradient stays zero (the padding token's embedding is not trained). */
  paddingIdx?: number | null;
}

/**
 * Embedding lookup: rows of `weight` ([numEmbeddings, dim]) for each int32 id in
 * `indices` (any shape); the result is [...indices.shape, dim].
 * @example embedding(table, tensor([[1, 2], [3, 0]], { dtype: 'int32' }))  // [2, 2, dim]
 */
export function embedding(weight: Tensor, indices: Tensor, options: EmbeddingOptions = {}): Tensor {
  expectTensor(weight, 'embedding', 'weight');
  expectTensor(indices, 'embedding', 'indices');
  expectFloat(weight, 'embedding', 'weight');
  expectIndex(indices, 'embedding', 'indices');
  if (weight.ndim !== 2) throw new RangeError(`embedding: weight must be 2-D [numEmbeddings, embeddingDim], got ${fmt(weight.shape)}`);
  const [rows, dim] = weight.shape as [number, number];
  let pad = options.paddingIdx ?? null;
  if (pad !== null) {
    if (!Number.isInteger(pad) || pad < -rows || pad >= rows) throw new RangeError(`embedding: paddingIdx ${pad} is out of range for ${rows} embeddings`);
    if (pad < 0) pad += rows;
  }
  const ids = indices.toTypedArray();
  const n = ids.length;
  for (let i = 0; i < n; i++) {
    const v = ids[i]!;
    if (v < 0 || v >= rows) {
      throw new RangeError(`embedding: index ${v} at position ${position(i, indices.shape)} is out of range for an embedding table of ${rows} rows`);
    }
  }
  const wc = asContiguous(weight);
  const w = wc.data;
  const wo = wc.offset;
  const out = allocate(weight.dtype, n * dim);
  for (let i = 0; i < n; i++) {
    const from = wo + ids[i]! * dim;
    const to = i * dim;
    for (let j = 0; j < dim; j++) out[to + j] = w[from + j]!;
  }
  const result = new Tensor(out, [...indices.shape, dim]);
  const node = record(result, 'EmbeddingBackward', [weight], (g) => {
    const gc = asContiguous(g);
    // The array in a local: read through the getter, the inner loop ran ~5x slower.
    const gd = gc.data;
    const gw = allocate(g.dtype, rows * dim);
    for (let i = 0; i < n; i++) {
      const id = ids[i]!;
      if (id === pad) continue;
      const to = id * dim;
      const from = gc.offset + i * dim;
      for (let j = 0; j < dim; j++) gw[to + j]! += gd[from + j]!;
    }
    return [new Tensor(gw, [rows, dim])];
  });
  if (node) node.save(indices);
  return result;
}
