/**
 * Reductions without autograd: the one loop behind sum, max and min over any set of
 * dimensions (reduceRaw), and `sumTo`, which every broadcasting op's backward uses to
 * reduce a gradient back to its input's shape.
 */
import { allocate, type DType } from '../../dtype.js';
import { fmt, numel, sameShape } from '../../shape.js';
import { Tensor } from '../../tensor-core.js';
import { fastKernels } from '../../kernels/fast.js';
import { copyContiguous, rawPermute, rawReshape } from './layout.js';

export type Kind = 'sum' | 'max' | 'min';

/**
 * Lays x out as a contiguous [A, R, B] block where R covers exactly the reduced dims.
 * Copies only when the reduced dims are not one contiguous run of a contiguous tensor.
 */
export function blockLayout(x: Tensor, dims: readonly number[]): { src: Tensor; A: number; R: number; B: number } {
  const nd = x.ndim;
  const isRun = dims.length > 0 && dims[dims.length - 1]! - dims[0]! === dims.length - 1;
  if (x.isContiguous() && (isRun || dims.length === 0)) {
    const first = dims.length ? dims[0]! : nd;
    const last = dims.length ? dims[dims.length - 1]! : nd - 1;
    return {
      src: x,
      A: numel(x.shape.slice(0, first)),
      R: numel(x.shape.slice(first, last + 1)),
      B: numel(x.shape.slice(last + 1)),
    };
  }
  const keep = x.shape.map((_, i) => i).filter((i) => !dims.includes(i));
  const src = copyContiguous(rawPermute(x, [...keep, ...dims]));
  return { src, A: numel(keep.map((i) => x.shape[i]!)), R: numel(dims.map((i) => x.shape[i]!)), B: 1 };
}

/** The result shape of reducing `dims` of `shape`, with size-1 dims kept or removed. */
export function keptShape(shape: readonly number[], dims: readonly number[], keepdim: boolean): number[] {
  const out: number[] = [];
  for (let i = 0; i < shape.length; i++) {
    if (dims.includes(i)) {
      if (keepdim) out.push(1);
    } else out.push(shape[i]!);
  }
  return out;
}

/** Raw reduction (no autograd); result has the keepdim/non-keepdim shape. */
export function reduceRaw(x: Tensor, dims: readonly number[], kind: Kind, keepdim: boolean, dtype: DType): Tensor {
  const { src, A, R, B } = blockLayout(x, dims);
  const data = src.data;
  const base = src.offset;
  const out = allocate(dtype, A * B);
  if (R === 0 && kind !== 'sum') {
    throw new RangeError(`${kind}: cannot reduce over an empty dimension (shape ${fmt(x.shape)}, dims ${fmt(dims)})`);
  }
  if (B === 1) {
    for (let a = 0; a < A; a++) {
      const o = base + a * R;
      if (kind === 'sum') {
        let s = 0;
        for (let r = 0; r < R; r++) s += data[o + r]!;
        out[a] = s;
      } else {
        let best = data[o]!;
        for (let r = 1; r < R; r++) {
          const v = data[o + r]!;
          if (v !== v) {
            best = v;
            break;
          }
          if (kind === 'max' ? v > best : v < best) best = v;
        }
        out[a] = best;
      }
    }
  } else {
    const acc = new Float64Array(B);
    for (let a = 0; a < A; a++) {
      const o = base + a * R * B;
      if (kind === 'sum' && data instanceof Float32Array && (fastKernels()?.columnSums(data, o, R, B, acc) ?? false)) {
        // Same float64 sums in the same order, on the fast kernel.
      } else if (kind === 'sum') {
        acc.fill(0);
        for (let r = 0; r < R; r++) {
          const row = o + r * B;
          for (let b = 0; b < B; b++) acc[b]! += data[row + b]!;
        }
      } else {
        for (let b = 0; b < B; b++) acc[b] = data[o + b]!;
        for (let r = 1; r < R; r++) {
          const row = o + r * B;
          for (let b = 0; b < B; b++) {
            const v = data[row + b]!;
            const cur = acc[b]!;
            if (cur !== cur) continue;
            if (v !== v || (kind === 'max' ? v > cur : v < cur)) acc[b] = v;
          }
        }
      }
      for (let b = 0; b < B; b++) out[a * B + b] = acc[b]!;
    }
  }
  return new Tensor(out, keptShape(x.shape, dims, keepdim));
}

/**
 * Sums a (broadcast) gradient down to `shape`: leading extra dims and dims where `shape`
 * has size 1 are summed. Used by every broadcasting op's backward.
 */
export function sumTo(g: Tensor, shape: readonly number[]): Tensor {
  if (sameShape(g.shape, shape)) return g;
  const lead = g.ndim - shape.length;
  if (lead < 0) throw new RangeError(`sumTo: cannot reduce ${fmt(g.shape)} to the larger shape ${fmt(shape)}`);
  const dims: number[] = [];
  for (let i = 0; i < g.ndim; i++) {
    if (i < lead || (shape[i - lead] === 1 && g.shape[i] !== 1)) dims.push(i);
  }
  const s = reduceRaw(g, dims, 'sum', true, g.dtype);
  return rawReshape(s, shape);
}
