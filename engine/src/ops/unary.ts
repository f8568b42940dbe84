/**
 * Elementwise functions of one tensor. Each backward is a fused loop over (grad, saved
 * value) so it costs one pass and no temporaries.
 */
import { allocate } from '../dtype.js';
import { Tensor } from '../tensor-core.js';
import { record } from '../autograd/record.js';
import { makeBinaryLoop, makeUnaryLoop, type BinaryLoop } from '../kernels/strided.js';
import { normalCdf, normalPdf } from '../kernels/special.js';
import { fastKernels, type FastUnary } from '../kernels/fast.js';
import { expectTensor, floatDtypeOf } from './helpers.js';
import { asContiguous } from './raw/layout.js';
import { broadcastBinary, mapUnary } from './raw/elementwise.js';

/** Backward helper: fused loop over (g, saved) with the same shape (the fast kernel when both are contiguous float32). */
function gradLoop(g: Tensor, saved: Tensor, loop: BinaryLoop, fast?: FastUnary): Tensor {
  if (fast !== undefined && g.dtype === 'float32' && saved.dtype === 'float32' && g.isContiguous() && saved.isContiguous()) {
    const n = g.numel();
    const out = new Float32Array(n);
    if (fastKernels()?.unaryGrad(fast, g.data as Float32Array, g.offset, saved.data as Float32Array, saved.offset, out, n)) {
      return new Tensor(out, g.shape.slice());
    }
  }
  return broadcastBinary(g, saved, 'backward', loop, g.dtype);
}

interface UnarySpec {
  name: string;
  /** The value, a JavaScript expression of the element `x`. */
  f: string;
  /**
   * The gradient, an expression of the upstream gradient `x` and the saved value `y`
   * (the input, or the output when `fromOutput`). Omitted: not differentiable.
   */
  grad?: string;
  fromOutput?: boolean;
  /** Result dtype: 'same' keeps ints (neg, abs, relu), 'float' promotes ints to float32. */
  result: 'same' | 'float';
  /** Functions the expressions call. */
  helpers?: Record<string, (v: number) => number>;
  /** The fast kernel computing the same function and gradient in float32, if any. */
  fast?: FastUnary;
}

/** Builds a differentiable unary op from its value and derivative expressions. */
function defineUnary(spec: UnarySpec): (x: Tensor) => Tensor {
  const loop = makeUnaryLoop(spec.name, spec.f, spec.helpers);
  const gl = spec.grad ? makeBinaryLoop(`${spec.name}Grad`, spec.grad, spec.helpers) : null;
  const backwardName = spec.name.charAt(0).toUpperCase() + spec.name.slice(1) + 'Backward';
  return (x: Tensor): Tensor => {
    expectTensor(x, spec.name, 'input');
    const dtype = spec.result === 'same' ? (x.dtype === 'bool' ? 'int32' : x.dtype) : floatDtypeOf(x);
    const out = mapUnary(x, loop, dtype, spec.fast);
    if (gl !== null) {
      const node = record(out, backwardName, [x], (g) => [gradLoop(g, spec.fromOutput ? out : x, gl, spec.fast)]);
      if (node) node.save(spec.fromOutput ? out : x);
    }
    return out;
  };
}

// In the gradient expressions below, x is the upstream gradient and y the saved value.
/** -x */
export const neg = defineUnary({ name: 'neg', f: '-x', grad: '-x', result: 'same' });
/** e^x */
export const exp = defineUnary({ name: 'exp', f: 'Math.exp(x)', grad: 'x * y', fromOutput: true, result: 'float' });
/** Natural logarithm (log of a negative number is NaN, of 0 is -Infinity, as in PyTorch). */
export const log = defineUnary({ name: 'log', f: 'Math.log(x)', grad: 'x / y', result: 'float' });
export const sqrt = defineUnary({ name: 'sqrt', f: 'Math.sqrt(x)', grad: 'x / (2 * y)', fromOutput: true, result: 'float' });
/** 1 / sqrt(x) */
export const rsqrt = defineUnary({ name: 'rsqrt', f: '1 / Math.sqrt(x)', grad: '-0.5 * x * y * y * y', fromOutput: true, result: 'float' });
/** |x|; the gradient at 0 is 0, as in PyTorch. */
export const abs = defineUnary({ name: 'abs', f: 'Math.abs(x)', grad: '(y > 0 ? x : y < 0 ? -x : 0)', result: 'same' });
export const reciprocal = defineUnary({ name: 'reciprocal', f: '1 / x', grad: '-x * y * y', fromOutput: true, result: 'float' });
export const sin = defineUnary({ name: 'sin', f: 'Math.sin(x)', grad: 'x * Math.cos(y)', result: 'float' });
export const cos = defineUnary({ name: 'cos', f: 'Math.cos(x)', grad: '-x * Math.sin(y)', result: 'float' });
export const tanh = defineUnary({ name: 'tanh', f: 'Math.tanh(x)', grad: 'x * (1 - y * y)', fromOutput: true, result: 'float', fast: 'tanh' });
/** The logistic function 1 / (1 + e^-x), in (0, 1). */
export const sigmoid = defineUnary({
  name: 'sigmoid',
  // Two branches keep exp from overflowing for large |x|.
  f: '(x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)))',
  grad: 'x * y * (1 - y)',
  fromOutput: true,
  result: 'float',
  fast: 'sigmoid',
});
/** max(x, 0); gradient 1 where x > 0, else 0. */
export const relu = defineUnary({ name: 'relu', f: '(x > 0 ? x : x !== x ? x : 0)', grad: '(y > 0 ? x : 0)', result: 'same', fast: 'relu' });
/** -1, 0, 1 by sign (NaN stays NaN); not differentiable (no gradient flows). */
export const sign = defineUnary({ name: 'sign', f: '(x > 0 ? 1 : x < 0 ? -1 : x)', result: 'same' });

const geluExact = defineUnary({
  name: 'gelu',
  f: 'x * normalCdf(x)',
  grad: 'x * (normalCdf(y) + y * normalPdf(y))',
  result: 'float',
  helpers: { normalCdf, normalPdf },
});
const geluTanh = defineUnary({
  name: 'geluTanh',
  f: '0.5 * x * (1 + Math.tanh(0.7978845608028654 * (x + 0.044715 * x * x * x)))',
  grad: 'x * geluTanhGrad(y)',
  result: 'float',
  helpers: {
    geluTanhGrad: (v: number): number => {
      const t = Math.tanh(0.7978845608028654 * (v + 0.044715 * v * v * v));
      return 0.5 * (1 + t) + 0.5 * v * (1 - t * t) * 0.7978845608028654 * (1 + 3 * 0.044715 * v * v);
    },
  },
});

/**
 * Gaussian error linear unit x·Φ(x) (exact, with erf), or PyTorch's tanh approximation
 * with `approximate = 'tanh'`.
 */
export function gelu(x: Tensor, approximate: 'none' | 'tanh' = 'none'): Tensor {
  if (approximate === 'none') return geluExact(x);
  if (approximate === 'tanh') return geluTanh(x);
  throw new RangeError(`gelu: approximate must be 'none' or 'tanh', got ${JSON.stringify(approximate)}`);
}

/**
 * Limits values to [min, max]. Either bound may be null/undefined. The gradient passes
 * where min <= x <= max (PyTorch's convention at the bounds).
 */
export function clamp(x: Tensor, min?: number | null, max?: number | null): Tensor {
  expectTensor(x, 'clamp', 'input');
  const lo = min ?? -Infinity;
  const hi = max ?? Infinity;
  if (typeof lo !== 'number' || typeof hi !== 'number') throw new TypeError('clamp: min and max must be numbers');
  if (min == null && max == null) throw new TypeError('clamp: at least one of min and max must be given');
  if (lo > hi) throw new RangeError(`clamp: min (${lo}) is greater than max (${hi})`);
  const dtype = x.dtype === 'bool' ? 'int32' : x.dtype;
  const src = asContiguous(x);
  const n = src.numel();
  const a = src.data;
  const o = src.offset;
  const res = allocate(dtype, n);
  for (let i = 0; i < n; i++) {
    const v = a[o + i]!;
    res[i] = v < lo ? lo : v > hi ? hi : v;
  }
  const out = new Tensor(res, x.shape.slice());
  const node = record(out, 'ClampBackward', [x], (g) => {
    const gc = asContiguous(g);
    const gd = gc.data;
    const go = gc.offset;
    const gr = allocate(g.dtype, n);
    for (let i = 0; i < n; i++) {
      const v = a[o + i]!;
      gr[i] = v >= lo && v <= hi ? gd[go + i]! : 0;
    }
    return [new Tensor(gr, x.shape.slice())];
  });
  if (node) node.save(src);
  return out;
}
