/**
 * Reductions built from other ops: mean, var, std, logsumexp and norm. mean, var, std
 * and logsumexp are compositions, differentiated through the ops they call; norm has a
 * fused forward and its own backward, written with the primitive ops.
 */
import { allocate } from '../../dtype.js';
import { normDims, numel } from '../../shape.js';
import { Tensor } from '../../tensor-core.js';
import { record } from '../../autograd/record.js';
import { expectFloat, expectTensor } from '../helpers.js';
import { asContiguous, rawReshape } from '../raw/layout.js';
import { keptShape, reduceRaw } from '../raw/reduce.js';
import { add, div, mul, sub, pow } from '../binary.js';
import { abs, log, exp, sqrt, sign } from '../unary.js';
import { eq } from '../compare.js';
import { where } from '../where.js';
import { sum } from '../reduce.js';
import { to } from '../cast.js';

/** Arithmetic mean over `dim` (or all elements). */
export function mean(x: Tensor, dim?: number | readonly number[], keepdim = false): Tensor {
  expectTensor(x, 'mean', 'input');
  expectFloat(x, 'mean');
  const dims = normDims(dim, x.ndim, 'mean');
  const count = numel(dims.map((d) => x.shape[d]!));
  return div(sum(x, dims, keepdim), count);
}

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
      const ties = to(eq(abs(x), n), g.dtype);
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
  const c = asContiguous(x);
  const out = allocate(x.dtype, x.numel());
  for (let i = 0; i < out.length; i++) out[i] = Math.abs(c.data[c.offset + i]!);
  return new Tensor(out, x.shape.slice());
}
function mulRaw(a: Tensor, b: Tensor): Tensor {
  const ac = asContiguous(a);
  const bc = asContiguous(b);
  const out = allocate(a.dtype, a.numel());
  for (let i = 0; i < out.length; i++) out[i] = ac.data[ac.offset + i]! * bc.data[bc.offset + i]!;
  return new Tensor(out, a.shape.slice());
}
function powRaw(a: Tensor, p: number): Tensor {
  const ac = asContiguous(a);
  const out = allocate(a.dtype, a.numel());
  for (let i = 0; i < out.length; i++) out[i] = Math.pow(ac.data[ac.offset + i]!, p);
  return new Tensor(out, a.shape.slice());
}
