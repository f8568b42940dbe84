/** Selection by a bool mask: `where(cond, a, b)` and `maskedFill(x, mask, value)`. */
import { allocate, promote } from '../dtype.js';
import { broadcastShapes, broadcastStrides, fmt, numel } from '../shape.js';
import { Tensor, type TensorOrNumber } from '../tensor-core.js';
import { record } from '../autograd/record.js';
import { copyStrided } from '../kernels/strided.js';
import { asOperand, expectNumber, expectTensor, scalar } from './helpers.js';
import { sumTo } from './raw/reduce.js';

/** Reads `t` broadcast to `shape` into a fresh row-major array. */
function materialize(t: Tensor, shape: readonly number[]): ArrayLike<number> {
  if (t.isContiguous() && t.offset === 0 && t.shape.length === shape.length && t.shape.every((d, i) => d === shape[i])) {
    return t.data;
  }
  const out = allocate(t.dtype, numel(shape));
  copyStrided(t.data, shape, broadcastStrides(t.shape, t.strides, shape), t.offset, out, 0);
  return out;
}

function expectMask(mask: Tensor, op: string, arg: string): void {
  expectTensor(mask, op, arg);
  if (mask.dtype !== 'bool') {
    throw new TypeError(`${op}: ${arg} must be a bool tensor, got ${mask.dtype}; build it with a comparison such as x.gt(0) or x.eq(padIndex)`);
  }
}

/**
 * Elementwise `cond ? a : b` with broadcasting of all three. Gradients go to `a` where
 * the condition holds and to `b` elsewhere.
 */
export function where(cond: Tensor, a: TensorOrNumber, b: TensorOrNumber): Tensor {
  expectMask(cond, 'where', 'condition');
  let ta: Tensor;
  let tb: Tensor;
  if (a instanceof Tensor) {
    ta = a;
    tb = asOperand(b, a, 'where', 'other');
  } else if (b instanceof Tensor) {
    tb = b;
    ta = asOperand(a, b, 'where', 'input');
  } else {
    ta = scalar(expectNumber(a, 'where', 'input'), 'float32');
    tb = scalar(expectNumber(b, 'where', 'other'), 'float32');
  }
  const shape = broadcastShapes(broadcastShapes(cond.shape, ta.shape, 'where'), tb.shape, 'where');
  const dtype = promote(ta.dtype === 'bool' ? 'int32' : ta.dtype, tb.dtype === 'bool' ? 'int32' : tb.dtype);
  const n = numel(shape);
  const c = materialize(cond, shape);
  const va = materialize(ta, shape);
  const vb = materialize(tb, shape);
  const out = allocate(dtype, n);
  for (let i = 0; i < n; i++) out[i] = c[i] !== 0 ? va[i]! : vb[i]!;
  const result = new Tensor(out, shape);
  const node = record(result, 'WhereBackward', [ta, tb], (g, needs) => {
    const gc = materialize(g, shape);
    const ga = needs[0] ? allocate(g.dtype, n) : null;
    const gb = needs[1] ? allocate(g.dtype, n) : null;
    for (let i = 0; i < n; i++) {
      if (c[i] !== 0) {
        if (ga) ga[i] = gc[i]!;
      } else if (gb) gb[i] = gc[i]!;
    }
    return [ga ? sumTo(new Tensor(ga, shape), ta.shape) : null, gb ? sumTo(new Tensor(gb, shape), tb.shape) : null];
  });
  if (node) node.save(cond);
  return result;
}

/**
 * `x` with `value` wherever `mask` (bool, broadcastable to x's shape) is true. The
 * gradient is zero at the filled positions. Typical use: `scores.maskedFill(causal, -Infinity)`.
 */
export function maskedFill(x: Tensor, mask: Tensor, value: number): Tensor {
  expectTensor(x, 'maskedFill', 'input');
  expectMask(mask, 'maskedFill', 'mask');
  if (typeof value !== 'number') throw new TypeError(`maskedFill: value must be a number, got ${typeof value}`);
  const shape = broadcastShapes(x.shape, mask.shape, 'maskedFill');
  if (shape.length !== x.ndim || shape.some((d, i) => d !== x.shape[i])) {
    throw new RangeError(`maskedFill: mask of shape ${fmt(mask.shape)} would enlarge the input ${fmt(x.shape)} to ${fmt(shape)}; the mask must broadcast to the input's shape`);
  }
  const n = numel(shape);
  const m = materialize(mask, shape);
  const vx = materialize(x, shape);
  const out = allocate(x.dtype, n);
  for (let i = 0; i < n; i++) out[i] = m[i] !== 0 ? value : vx[i]!;
  const result = new Tensor(out, shape);
  const node = record(result, 'MaskedFillBackward', [x], (g) => {
    const gc = materialize(g, shape);
    const gx = allocate(g.dtype, n);
    for (let i = 0; i < n; i++) gx[i] = m[i] !== 0 ? 0 : gc[i]!;
    return [new Tensor(gx, shape)];
  });
  if (node) node.save(mask);
  return result;
}
