/**
 * Reductions over one, several or all dimensions: sum, mean, max/min (values and
 * indices), argmax/argmin, var/std, logsumexp, norm — and `sumTo`, which reduces a
 * broadcast gradient back to an input's shape.
 */
import { allocate, isFloating, type DType } from '../dtype.js';
import { fmt, normDim, normDims, numel, sameShape } from '../shape.js';
import { Tensor } from '../tensor.js';
import { record } from '../autograd/record.js';
import { expectFloat, expectTensor } from './helpers.js';
import { copyContiguous, rawPermute, rawReshape, expand, squeeze } from './view.js';
import { add, div, mul, sub, pow } from './binary.js';
import { abs, log, exp, sqrt, sign } from './unary.js';
import { eq } from './compare.js';
import { gather } from './indexing.js';
import { where } from './where.js';
import { fastKernels } from '../kernels/fast.js';

type Kind = 'sum' | 'max' | 'min';

/**
 * Lays x out as a contiguous [A, R, B] block where R covers exactly the reduced dims.
 * Copies only when the reduced dims are not one contiguous run of a contiguous tensor.
 */
function blockLayout(x: Tensor, dims: readonly number[]): { src: Tensor; A: number; R: number; B: number } {
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

function keptShape(shape: readonly number[], dims: readonly number[], keepdim: boolean): number[] {
  const out: number[] = [];
  for (let i = 0; i < shape.length; i++) {
    if (dims.includes(i)) {
      if (keepdim) out.push(1);
    } else out.push(shape[i]!);
  }
  return out;
}

/** Raw reduction (no autograd); result has the keepdim/non-keepdim shape. */
function reduceRaw(x: Tensor, dims: readonly number[], kind: Kind, keepdim: boolean, dtype: DType): Tensor {
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

/** Arithmetic mean over `dim` (or all elements). */
export function mean(x: Tensor, dim?: number | readonly number[], keepdim = false): Tensor {
  expectTensor(x, 'mean', 'input');
  expectFloat(x, 'mean');
  const dims = normDims(dim, x.ndim, 'mean');
  const count = numel(dims.map((d) => x.shape[d]!));
  return div(sum(x, dims, keepdim), count);
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

// ------------------------------------------------------------------ max / min

function extremeAll(x: Tensor, kind: 'max' | 'min'): Tensor {
  expectTensor(x, kind, 'input');
  if (x.numel() === 0) throw new RangeError(`${kind}: the tensor is empty (shape ${fmt(x.shape)}); there is no ${kind === 'max' ? 'maximum' : 'minimum'}`);
  const out = reduceRaw(x, normDims(undefined, x.ndim, kind), kind, false, x.dtype === 'bool' ? 'int32' : x.dtype);
  const node = record(out, kind === 'max' ? 'MaxBackward' : 'MinBackward', [x], (g) => {
    // The gradient is shared evenly among all elements equal to the extreme, as PyTorch does.
    const mask = eq(x, out).to(g.dtype);
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
    const flat = argExtreme(rawReshape(x.contiguous(), [x.numel()]), 0, kind);
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

// ------------------------------------------------------------------ composites

export interface VarianceOptions {
  /** Subtracted from the count in the denominator: 1 (default) is Bessel's correction, 0 the population variance. */
  correction?: number;
  keepdim?: boolean;
}

/** Variance over `dim` (or all elements), `sum((x - mean)^2) / (n - correction)`. */
export function variance(x: Tensor, dim?: number | readonly number[], options: VarianceOptions = {}): Tensor {
  expectTensor(x, 'var', 'input');
  expectFloat(x, 'var');
  const correction = options.correction ?? 1;
  const dims = normDims(dim, x.ndim, 'var');
  const n = numel(dims.map((d) => x.shape[d]!));
  if (n - correction <= 0) {
    throw new RangeError(
      `var: reducing ${n} element${n === 1 ? '' : 's'} with correction=${correction} leaves no degrees of freedom ` +
        '(the result would be NaN); pass { correction: 0 } for the population variance',
    );
  }
  const centered = sub(x, mean(x, dims, true));
  return div(sum(mul(centered, centered), dims, options.keepdim ?? false), n - correction);
}

/** Standard deviation: `sqrt(var(...))`. */
export function std(x: Tensor, dim?: number | readonly number[], options: VarianceOptions = {}): Tensor {
  return sqrt(variance(x, dim, options));
}

/** `log(sum(exp(x)))` over `dim`, shifted by the maximum so it neither overflows nor underflows. */
export function logsumexp(x: Tensor, dim: number | readonly number[], keepdim = false): Tensor {
  expectTensor(x, 'logsumexp', 'input');
  expectFloat(x, 'logsumexp');
  const dims = normDims(dim, x.ndim, 'logsumexp');
  let m = reduceRaw(x, dims, 'max', true, x.dtype);
  // An all -inf slice has max -inf; shifting by it would give NaN, so shift by 0 there.
  const md = m.data;
  for (let i = 0; i < md.length; i++) if (!Number.isFinite(md[i]!)) md[i] = 0;
  m = new Tensor(md, m.shape);
  const out = add(log(sum(exp(sub(x, m)), dims, true)), m);
  return keepdim ? out : rawReshapeRecorded(out, keptShape(x.shape, dims, false));
}

function rawReshapeRecorded(x: Tensor, shape: number[]): Tensor {
  const out = rawReshape(x, shape);
  if (out !== x) record(out, 'ReshapeBackward', [x], (g) => [rawReshape(g, x.shape)]);
  return out;
}

/**
 * The p-norm over `dim` (or all elements): p = 2 (default), 1, Infinity, or any p > 0.
 * The gradient at a zero vector is zero (not NaN), as in PyTorch.
 */
export function norm(x: Tensor, p = 2, dim?: number | readonly number[], keepdim = false): Tensor {
  expectTensor(x, 'norm', 'input');
  expectFloat(x, 'norm');
  if (!(p > 0)) throw new RangeError(`norm: p must be positive (or Infinity), got ${p}`);
  const dims = normDims(dim, x.ndim, 'norm');
  const ax = absRaw(x);
  let out: Tensor;
  if (p === Infinity) out = reduceRaw(ax, dims, 'max', keepdim, x.dtype);
  else if (p === 1) out = reduceRaw(ax, dims, 'sum', keepdim, x.dtype);
  else if (p === 2) {
    const sq = reduceRaw(mulRaw(x, x), dims, 'sum', keepdim, x.dtype);
    const d = sq.data;
    for (let i = 0; i < d.length; i++) d[i] = Math.sqrt(d[i]!);
    out = sq;
  } else {
    const s = reduceRaw(powRaw(ax, p), dims, 'sum', keepdim, x.dtype);
    const d = s.data;
    for (let i = 0; i < d.length; i++) d[i] = Math.pow(d[i]!, 1 / p);
    out = s;
  }
  const kept = keptShape(x.shape, dims, true);
  const node = record(out, 'NormBackward', [x], (g) => {
    const n = rawReshape(out, kept);
    const gk = rawReshape(g, kept);
    let grad: Tensor;
    if (p === 1) grad = mul(sign(x), gk);
    else if (p === Infinity) {
      const ties = eq(abs(x), n).to(g.dtype);
      grad = div(mul(mul(sign(x), ties), gk), sum(ties, dims, true));
    } else if (p === 2) grad = mul(x, div(gk, n));
    else grad = mul(mul(sign(x), pow(abs(x), p - 1)), div(gk, pow(n, p - 1)));
    // Zero norm: the subgradient 0, not 0/0.
    return [where(eq(n, 0), 0, grad)];
  });
  if (node) node.save(x);
  return out;
}

function absRaw(x: Tensor): Tensor {
  const c = x.contiguous();
  const out = allocate(x.dtype, x.numel());
  for (let i = 0; i < out.length; i++) out[i] = Math.abs(c.data[c.offset + i]!);
  return new Tensor(out, x.shape.slice());
}
function mulRaw(a: Tensor, b: Tensor): Tensor {
  const ac = a.contiguous();
  const bc = b.contiguous();
  const out = allocate(a.dtype, a.numel());
  for (let i = 0; i < out.length; i++) out[i] = ac.data[ac.offset + i]! * bc.data[bc.offset + i]!;
  return new Tensor(out, a.shape.slice());
}
function powRaw(a: Tensor, p: number): Tensor {
  const ac = a.contiguous();
  const out = allocate(a.dtype, a.numel());
  for (let i = 0; i < out.length; i++) out[i] = Math.pow(ac.data[ac.offset + i]!, p);
  return new Tensor(out, a.shape.slice());
}
