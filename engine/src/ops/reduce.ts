/**
 * Reductions over one, several or all dimensions, each with its backward: sum, max/min
 * (values and indices), argmax/argmin. Those built from other ops (mean, var, std,
 * logsumexp, norm) are in composite/reductions.ts; the loops are in raw/reduce.ts.
 */
import { isFloating, type DType } from '../dtype.js';
import { fmt, normDim, normDims } from '../shape.js';
import { Tensor } from '../tensor-core.js';
import { record } from '../autograd/record.js';
import { expectTensor } from './helpers.js';
import { asContiguous, rawReshape } from './raw/layout.js';
import { blockLayout, keptShape, reduceRaw } from './raw/reduce.js';
import { expand, squeeze } from './view.js';
import { div, mul } from './binary.js';
import { eq } from './compare.js';
import { gather } from './indexing.js';
import { to } from './cast.js';

function sumDtype(x: Tensor): DType {
  return isFloating(x.dtype) ? x.dtype : 'int32';
}

/** Sum over `dim` (a dim, a list of dims, or all when omitted). */
export function sum(x: Tensor, dim?: number | readonly number[], keepdim = false): Tensor {
  expectTensor(x, 'sum', 'input');
  const dims = normDims(dim, x.ndim, 'sum');
  const out = reduceRaw(x, dims, 'sum', keepdim, sumDtype(x));
  const kept = keptShape(x.shape, dims, true);
  record(out, 'SumBackward', [x], (g) => [expand(rawReshape(g, kept), x.shape)]);
  return out;
}

// ------------------------------------------------------------------ max / min

function extremeAll(x: Tensor, kind: 'max' | 'min'): Tensor {
  expectTensor(x, kind, 'input');
  if (x.numel() === 0) throw new RangeError(`${kind}: the tensor is empty (shape ${fmt(x.shape)}); there is no ${kind === 'max' ? 'maximum' : 'minimum'}`);
  const out = reduceRaw(x, normDims(undefined, x.ndim, kind), kind, false, x.dtype === 'bool' ? 'int32' : x.dtype);
  const node = record(out, kind === 'max' ? 'MaxBackward' : 'MinBackward', [x], (g) => {
    // The gradient is shared evenly among all elements equal to the extreme, as PyTorch does.
    const mask = to(eq(x, out), g.dtype);
    const count = reduceRaw(mask, normDims(undefined, mask.ndim, 'sum'), 'sum', false, g.dtype).item();
    return [mul(mask, div(g, count))];
  });
  if (node) node.save(x);
  return out;
}

/** The largest element (0-d). NaN if any element is NaN. */
export function maxAll(x: Tensor): Tensor {
  return extremeAll(x, 'max');
}

/** The smallest element (0-d). NaN if any element is NaN. */
export function minAll(x: Tensor): Tensor {
  return extremeAll(x, 'min');
}

/** Index (int32) of the first extreme along `dim`, keepdim shape. */
function argExtreme(x: Tensor, dim: number, kind: 'max' | 'min'): Tensor {
  const { src, A, R, B } = blockLayout(x, [dim]);
  if (R === 0) throw new RangeError(`arg${kind}: cannot reduce over an empty dimension (shape ${fmt(x.shape)})`);
  const data = src.data;
  const base = src.offset;
  const out = new Int32Array(A * B);
  for (let a = 0; a < A; a++) {
    for (let b = 0; b < B; b++) {
      const o = base + a * R * B + b;
      let best = data[o]!;
      let bi = 0;
      if (best === best) {
        for (let r = 1; r < R; r++) {
          const v = data[o + r * B]!;
          if (v !== v) {
            bi = r;
            break;
          }
          if (kind === 'max' ? v > best : v < best) {
            best = v;
            bi = r;
          }
        }
      }
      out[a * B + b] = bi;
    }
  }
  return new Tensor(out, keptShape(x.shape, [dim], true));
}

function extremeDim(x: Tensor, dim: number, keepdim: boolean, kind: 'max' | 'min'): [Tensor, Tensor] {
  expectTensor(x, kind, 'input');
  if (x.ndim === 0) return [x, new Tensor(new Int32Array(1), [])];
  const d = normDim(dim, x.ndim, kind);
  const idx = argExtreme(x, d, kind);
  const values = gather(x, d, idx);
  if (keepdim) return [values, idx];
  return [squeeze(values, d), rawReshape(idx, keptShape(x.shape, [d], false))];
}

/** Maximum along `dim`: `[values, indices]` (first index among ties). Gradient flows to that index. */
export function maxDim(x: Tensor, dim: number, keepdim = false): [Tensor, Tensor] {
  return extremeDim(x, dim, keepdim, 'max');
}

/** Minimum along `dim`: `[values, indices]`. */
export function minDim(x: Tensor, dim: number, keepdim = false): [Tensor, Tensor] {
  return extremeDim(x, dim, keepdim, 'min');
}

function argAny(x: Tensor, dim: number | undefined, keepdim: boolean, kind: 'max' | 'min'): Tensor {
  expectTensor(x, `arg${kind}`, 'input');
  if (dim === undefined) {
    if (x.numel() === 0) throw new RangeError(`arg${kind}: the tensor is empty`);
    const flat = argExtreme(rawReshape(asContiguous(x), [x.numel()]), 0, kind);
    return keepdim ? rawReshape(flat, x.shape.map(() => 1)) : rawReshape(flat, []);
  }
  if (x.ndim === 0) return new Tensor(new Int32Array(1), []);
  const d = normDim(dim, x.ndim, `arg${kind}`);
  const idx = argExtreme(x, d, kind);
  return keepdim ? idx : rawReshape(idx, keptShape(x.shape, [d], false));
}

/** Index of the maximum (flattened when `dim` is omitted), int32. */
export function argmax(x: Tensor, dim?: number, keepdim = false): Tensor {
  return argAny(x, dim, keepdim, 'max');
}

/** Index of the minimum (flattened when `dim` is omitted), int32. */
export function argmin(x: Tensor, dim?: number, keepdim = false): Tensor {
  return argAny(x, dim, keepdim, 'min');
}

