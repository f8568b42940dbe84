/**
 * Creating tensors: from nested arrays and typed arrays, constant fills, ranges,
 * identity, random samples (from the seedable default generator), and `*Like` forms.
 */
import { allocate, assertDType, isFloating, type DType, type TypedArray } from '../dtype.js';
import { checkShape, describe, fmt, numel } from '../shape.js';
import { defaultGenerator, type Generator } from '../random.js';
import { Tensor } from '../tensor-core.js';
import { expectTensor } from './helpers.js';
import { maskedFill } from './where.js';
import { reshape } from './view.js';
import { clone, to } from './cast.js';

export interface TensorOptions {
  /** Element type; float32 unless the data says otherwise (booleans give bool). */
  dtype?: DType;
  /** Record operations on this tensor for autograd (floating dtypes only). */
  requiresGrad?: boolean;
}

export interface RandomOptions extends TensorOptions {
  /** Generator to draw from; the default generator (seeded by `manualSeed`) otherwise. */
  generator?: Generator;
}

/** Nested arrays of numbers or booleans, as accepted by `tensor()`. */
export type ArrayData = number | boolean | readonly ArrayData[];

function finish(t: Tensor, options: TensorOptions | undefined): Tensor {
  if (options?.requiresGrad) t.requiresGrad = true;
  return t;
}

function dtypeOption(options: TensorOptions | undefined, fallback: DType, op: string): DType {
  return options?.dtype === undefined ? fallback : assertDType(options.dtype, op);
}

/** Walks nested arrays: returns the shape, checking that every level is rectangular. */
function inferNestedShape(data: ArrayData): number[] {
  const shape: number[] = [];
  let cur: ArrayData = data;
  while (Array.isArray(cur)) {
    shape.push(cur.length);
    if (cur.length === 0) break;
    cur = cur[0]!;
  }
  return shape;
}

function flattenNested(data: ArrayData, shape: readonly number[], out: TypedArray): { bools: boolean } {
  let pos = 0;
  let sawBool = false;
  let sawNumber = false;
  const walk = (v: ArrayData, depth: number, path: number[]): void => {
    if (depth === shape.length) {
      if (typeof v === 'number') {
        sawNumber = true;
        out[pos++] = v;
      } else if (typeof v === 'boolean') {
        sawBool = true;
        out[pos++] = v ? 1 : 0;
      } else {
        throw new TypeError(`tensor: element at [${path.join(',')}] is ${describe(v)}, expected a number or boolean${Array.isArray(v) ? ` (the array is deeper there than at [${path.map(() => 0).join(',')}])` : ''}`);
      }
      return;
    }
    if (!Array.isArray(v)) {
      throw new TypeError(`tensor: ragged nested array: expected an array of length ${shape[depth]} at [${path.join(',')}], got ${describe(v)}`);
    }
    if (v.length !== shape[depth]) {
      throw new RangeError(`tensor: ragged nested array: the array at [${path.join(',')}] has length ${v.length}, expected ${shape[depth]} (shape ${fmt(shape)} from the first elements)`);
    }
    for (let i = 0; i < v.length; i++) walk(v[i]!, depth + 1, [...path, i]);
  };
  walk(data, 0, []);
  return { bools: sawBool && !sawNumber };
}

/**
 * A tensor from nested arrays, a typed array (copied; give `shape` for more than 1-D),
 * a number, or another tensor (copied, detached).
 * @example
 * tensor([[1, 2], [3, 4]])                       // float32 [2, 2]
 * tensor([0, 2, 1], { dtype: 'int32' })          // class indices
 * tensor([true, false])                          // bool
 * tensor(new Float32Array(6), { shape: [2, 3] })
 */
export function tensor(data: ArrayData | ArrayLike<number> | Tensor, options: TensorOptions & { shape?: readonly number[] } = {}): Tensor {
  if (data instanceof Tensor) {
    const t = to(data.detach(), dtypeOption(options, data.dtype, 'tensor'));
    const copy = t === data || t.storage === data.storage ? clone(t).detach() : t;
    return finish(options.shape ? reshape(copy, [...options.shape]) : copy, options);
  }
  if (ArrayBuffer.isView(data)) {
    const arr = data as unknown as ArrayLike<number>;
    const natural: DType = data instanceof Float64Array ? 'float64' : data instanceof Int32Array ? 'int32' : 'float32';
    const dtype = dtypeOption(options, natural, 'tensor');
    const shape = options.shape ? checkShape(options.shape, 'tensor') : [arr.length];
    if (numel(shape) !== arr.length) {
      throw new RangeError(`tensor: shape ${fmt(shape)} holds ${numel(shape)} elements but the typed array has ${arr.length}`);
    }
    const out = allocate(dtype, arr.length);
    out.set(arr);
    return finish(new Tensor(out, shape), options);
  }
  if (typeof data === 'number' || typeof data === 'boolean') {
    const dtype = dtypeOption(options, typeof data === 'boolean' ? 'bool' : 'float32', 'tensor');
    const out = allocate(dtype, 1);
    out[0] = Number(data);
    return finish(new Tensor(out, options.shape ? checkShape(options.shape, 'tensor') : []), options);
  }
  if (!Array.isArray(data)) throw new TypeError(`tensor: expected nested arrays of numbers, a typed array, a number or a Tensor, got ${describe(data)}`);
  const shape = inferNestedShape(data as ArrayData);
  const n = numel(shape);
  const tmp = new Float64Array(n);
  const { bools } = flattenNested(data as ArrayData, shape, tmp);
  const dtype = dtypeOption(options, bools ? 'bool' : 'float32', 'tensor');
  const out = allocate(dtype, n);
  if (dtype === 'int32') {
    for (let i = 0; i < n; i++) {
      if (!Number.isInteger(tmp[i])) throw new TypeError(`tensor: value ${tmp[i]} is not an integer but dtype is int32`);
    }
  }
  out.set(tmp);
  let t = new Tensor(out, shape);
  if (options.shape) t = reshape(t, [...options.shape]);
  return finish(t, options);
}

/** Parses `(2, 3)`, `([2, 3])`, `([2, 3], opts)` or `(2, 3, opts)` into a shape and options. */
function shapeArgs<O extends object>(args: readonly unknown[], op: string): [number[], O | undefined] {
  if (args.length === 0) return [[], undefined];
  if (Array.isArray(args[0])) {
    if (args.length > 2) throw new TypeError(`${op}: expected (shape, options?), got ${args.length} arguments`);
    return [checkShape(args[0], op), args[1] as O | undefined];
  }
  const last = args[args.length - 1];
  const hasOpts = typeof last === 'object' && last !== null;
  const sizes = hasOpts ? args.slice(0, -1) : args.slice();
  return [checkShape(sizes, op), hasOpts ? (last as O) : undefined];
}

function filled(shape: number[], value: number, options: TensorOptions | undefined, op: string): Tensor {
  const dtype = dtypeOption(options, 'float32', op);
  const out = allocate(dtype, numel(shape));
  if (value !== 0) out.fill(value);
  return finish(new Tensor(out, shape), options);
}

/** A tensor of zeros: `zeros(2, 3)` or `zeros([2, 3], { dtype: 'int32' })`. */
export function zeros(shape: readonly number[], options?: TensorOptions): Tensor;
export function zeros(...sizes: number[]): Tensor;
export function zeros(...args: unknown[]): Tensor {
  const [shape, opts] = shapeArgs<TensorOptions>(args, 'zeros');
  return filled(shape, 0, opts, 'zeros');
}

/** A tensor of ones. */
export function ones(shape: readonly number[], options?: TensorOptions): Tensor;
export function ones(...sizes: number[]): Tensor;
export function ones(...args: unknown[]): Tensor {
  const [shape, opts] = shapeArgs<TensorOptions>(args, 'ones');
  return filled(shape, 1, opts, 'ones');
}

/** A tensor filled with `value`. */
export function full(shape: readonly number[], value: number, options?: TensorOptions): Tensor {
  if (typeof value !== 'number' && typeof value !== 'boolean') throw new TypeError(`full: value must be a number, got ${describe(value)}`);
  const fallback: DType = typeof value === 'boolean' ? 'bool' : 'float32';
  return filled(checkShape(shape, 'full'), Number(value), { ...options, dtype: options?.dtype ?? fallback }, 'full');
}

/**
 * Values from `start` (default 0) up to but excluding `end`, spaced by `step`. int32
 * when all arguments are integers, float32 otherwise (as PyTorch gives int64/float).
 * @example arange(5)  // [0, 1, 2, 3, 4]; arange(0, 1, 0.25)
 */
export function arange(end: number, options?: TensorOptions): Tensor;
export function arange(start: number, end: number, step?: number, options?: TensorOptions): Tensor;
export function arange(...args: unknown[]): Tensor {
  const nums = args.filter((a) => typeof a === 'number') as number[];
  const opts = args.find((a) => typeof a === 'object' && a !== null) as TensorOptions | undefined;
  let start = 0;
  let end: number;
  let step = 1;
  if (nums.length === 1) end = nums[0]!;
  else if (nums.length === 2 || nums.length === 3) [start, end, step = 1] = nums as [number, number, number?];
  else throw new TypeError('arange: expected (end), (start, end) or (start, end, step)');
  if (!Number.isFinite(start) || !Number.isFinite(end) || !Number.isFinite(step)) throw new RangeError('arange: start, end and step must be finite');
  if (step === 0) throw new RangeError('arange: step must not be zero');
  if ((end - start) / step < 0) throw new RangeError(`arange: the range from ${start} to ${end} with step ${step} is empty in the wrong direction`);
  const n = Math.max(0, Math.ceil((end - start) / step));
  const allInt = Number.isInteger(start) && Number.isInteger(end) && Number.isInteger(step);
  const dtype = dtypeOption(opts, allInt ? 'int32' : 'float32', 'arange');
  const out = allocate(dtype, n);
  for (let i = 0; i < n; i++) out[i] = start + i * step;
  return finish(new Tensor(out, [n]), opts);
}

/** `steps` evenly spaced values from `start` to `end` inclusive. */
export function linspace(start: number, end: number, steps: number, options?: TensorOptions): Tensor {
  if (!Number.isInteger(steps) || steps < 0) throw new RangeError(`linspace: steps must be a non-negative integer, got ${steps}`);
  const dtype = dtypeOption(options, 'float32', 'linspace');
  const out = allocate(dtype, steps);
  const step = steps > 1 ? (end - start) / (steps - 1) : 0;
  // Fill from both ends so that the endpoints are exact, as PyTorch does.
  const half = Math.floor(steps / 2);
  for (let i = 0; i < steps; i++) out[i] = i < half ? start + step * i : end - step * (steps - 1 - i);
  return finish(new Tensor(out, [steps]), options);
}

/** The n×m identity (m defaults to n). */
export function eye(n: number, m?: number | TensorOptions, options?: TensorOptions): Tensor {
  if (typeof m === 'object') {
    options = m;
    m = undefined;
  }
  const cols = m ?? n;
  checkShape([n, cols], 'eye');
  const t = filled([n, cols], 0, options, 'eye');
  for (let i = 0; i < Math.min(n, cols); i++) t.data[i * cols + i] = 1;
  return t;
}

function randomFill(args: unknown[], op: string, draw: (g: Generator) => number): Tensor {
  const [shape, opts] = shapeArgs<RandomOptions>(args, op);
  const dtype = dtypeOption(opts, 'float32', op);
  if (!isFloating(dtype)) throw new TypeError(`${op}: dtype must be float32 or float64, got ${dtype}`);
  const g = opts?.generator ?? defaultGenerator;
  const out = allocate(dtype, numel(shape));
  for (let i = 0; i < out.length; i++) out[i] = draw(g);
  return finish(new Tensor(out, shape), opts);
}

/** Uniform samples from [0, 1). */
export function rand(shape: readonly number[], options?: RandomOptions): Tensor;
export function rand(...sizes: number[]): Tensor;
export function rand(...args: unknown[]): Tensor {
  return randomFill(args, 'rand', (g) => g.random());
}

/** Standard normal samples. */
export function randn(shape: readonly number[], options?: RandomOptions): Tensor;
export function randn(...sizes: number[]): Tensor;
export function randn(...args: unknown[]): Tensor {
  return randomFill(args, 'randn', (g) => g.normal());
}

/**
 * Uniform random integers in [low, high) (int32): `randint(low, high, shape)` or
 * `randint(high, shape)`.
 */
export function randint(low: number, high: number, shape: readonly number[], options?: RandomOptions): Tensor;
export function randint(high: number, shape: readonly number[], options?: RandomOptions): Tensor;
export function randint(...args: unknown[]): Tensor {
  let low = 0;
  let high: number;
  let shape: unknown;
  let opts: RandomOptions | undefined;
  if (Array.isArray(args[1])) [high, shape, opts] = args as [number, number[], RandomOptions?];
  else [low, high, shape, opts] = args as [number, number, number[], RandomOptions?];
  if (!Number.isInteger(low) || !Number.isInteger(high) || high <= low) {
    throw new RangeError(`randint: expected integers low < high, got low=${low}, high=${high}`);
  }
  const s = checkShape(shape, 'randint');
  const dtype = dtypeOption(opts, 'int32', 'randint');
  const g = opts?.generator ?? defaultGenerator;
  const out = allocate(dtype, numel(s));
  for (let i = 0; i < out.length; i++) out[i] = g.int(low, high);
  return finish(new Tensor(out, s), opts);
}

export function zerosLike(t: Tensor, options?: TensorOptions): Tensor {
  expectTensor(t, 'zerosLike', 'input');
  return filled(t.shape.slice(), 0, { dtype: t.dtype, ...options }, 'zerosLike');
}
export function onesLike(t: Tensor, options?: TensorOptions): Tensor {
  expectTensor(t, 'onesLike', 'input');
  return filled(t.shape.slice(), 1, { dtype: t.dtype, ...options }, 'onesLike');
}
export function fullLike(t: Tensor, value: number, options?: TensorOptions): Tensor {
  expectTensor(t, 'fullLike', 'input');
  return filled(t.shape.slice(), value, { dtype: t.dtype, ...options }, 'fullLike');
}
export function randLike(t: Tensor, options?: RandomOptions): Tensor {
  expectTensor(t, 'randLike', 'input');
  return rand(t.shape, { dtype: isFloating(t.dtype) ? t.dtype : 'float32', ...options });
}
export function randnLike(t: Tensor, options?: RandomOptions): Tensor {
  expectTensor(t, 'randnLike', 'input');
  return randn(t.shape, { dtype: isFloating(t.dtype) ? t.dtype : 'float32', ...options });
}

function triangle(x: Tensor, diagonal: number, upper: boolean, op: string): Tensor {
  expectTensor(x, op, 'input');
  if (x.ndim < 2) throw new RangeError(`${op}: expects a tensor with at least 2 dimensions, got ${fmt(x.shape)}`);
  if (!Number.isInteger(diagonal)) throw new TypeError(`${op}: diagonal must be an integer, got ${diagonal}`);
  const R = x.shape[x.ndim - 2]!;
  const C = x.shape[x.ndim - 1]!;
  const mask = allocate('bool', R * C);
  for (let i = 0; i < R; i++) {
    for (let j = 0; j < C; j++) {
      const keep = upper ? j - i >= diagonal : j - i <= diagonal;
      mask[i * C + j] = keep ? 0 : 1;
    }
  }
  return maskedFill(x, new Tensor(mask, [R, C]), 0);
}

/** The upper triangle of the last two dims (elements with j - i >= diagonal), zeros elsewhere. */
export function triu(x: Tensor, diagonal = 0): Tensor {
  return triangle(x, diagonal, true, 'triu');
}

/** The lower triangle of the last two dims (elements with j - i <= diagonal), zeros elsewhere. */
export function tril(x: Tensor, diagonal = 0): Tensor {
  return triangle(x, diagonal, false, 'tril');
}
