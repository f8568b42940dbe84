/**
 * Shape arithmetic shared by every op (sizes, strides, broadcasting, dim normalisation),
 * and the checks of user-given sizes that ops and modules share, in one message style:
 * `<who>: <arg> must be <what>, got <describe(value)>`.
 */

export type Shape = readonly number[];

/** Formats a shape as it appears in error messages: `[2,3]`. */
export function fmt(shape: Shape): string {
  return `[${shape.join(',')}]`;
}

export function numel(shape: Shape): number {
  let n = 1;
  for (let i = 0; i < shape.length; i++) n *= shape[i]!;
  return n;
}

/** Row-major strides of a contiguous tensor of this shape. */
export function contiguousStrides(shape: Shape): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i]!;
  }
  return strides;
}

export function sameShape(a: Shape, b: Shape): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Checks a user-supplied shape: non-negative integers. */
export function checkShape(shape: unknown, where: string): number[] {
  if (!Array.isArray(shape)) throw new TypeError(`${where}: shape must be an array of sizes, got ${describe(shape)}`);
  for (const d of shape) {
    if (typeof d !== 'number' || !Number.isInteger(d) || d < 0) {
      throw new RangeError(`${where}: invalid shape ${JSON.stringify(shape)} (sizes must be non-negative integers)`);
    }
  }
  return shape.slice() as number[];
}

/**
 * Normalises a possibly negative dimension index against `ndim`, PyTorch style.
 * `op` and `arg` name the call in the error.
 */
export function normDim(dim: number, ndim: number, op: string, arg = 'dim'): number {
  if (!Number.isInteger(dim)) throw new TypeError(`${op}: ${arg} must be an integer, got ${dim}`);
  const lo = ndim === 0 ? -1 : -ndim;
  const hi = ndim === 0 ? 0 : ndim - 1;
  if (dim < lo || dim > hi) {
    throw new RangeError(`${op}: ${arg}=${dim} is out of range for a tensor with ${ndim} dimension${ndim === 1 ? '' : 's'} (expected ${lo}..${hi})`);
  }
  return dim < 0 ? dim + Math.max(ndim, 1) : dim;
}

/** Normalises a dim argument that may be a number, a list, or undefined (= all dims). */
export function normDims(dim: number | readonly number[] | undefined, ndim: number, op: string): number[] {
  if (dim === undefined) return Array.from({ length: ndim }, (_, i) => i);
  const list = typeof dim === 'number' ? [dim] : dim;
  const out = list.map((d) => normDim(d, ndim, op));
  const seen = new Set<number>();
  for (const d of out) {
    if (seen.has(d)) throw new RangeError(`${op}: dim ${d} appears more than once in ${JSON.stringify(dim)}`);
    seen.add(d);
  }
  return out.sort((a, b) => a - b);
}

/** The broadcast shape of two shapes, or an error naming the op and both shapes. */
export function broadcastShapes(a: Shape, b: Shape, op: string): number[] {
  const n = Math.max(a.length, b.length);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const da = i < n - a.length ? 1 : a[i - (n - a.length)]!;
    const db = i < n - b.length ? 1 : b[i - (n - b.length)]!;
    if (da === db || db === 1) out[i] = da;
    else if (da === 1) out[i] = db;
    else {
      throw new RangeError(
        `${op}: shapes ${fmt(a)} and ${fmt(b)} cannot be broadcast together (dimension ${i - n} is ${da} vs ${db})`,
      );
    }
  }
  return out;
}

/**
 * Strides that read a tensor of `shape`/`strides` as if it had the (broadcast) shape
 * `target`: broadcast dimensions get stride 0.
 */
export function broadcastStrides(shape: Shape, strides: readonly number[], target: Shape): number[] {
  const out = new Array<number>(target.length).fill(0);
  const off = target.length - shape.length;
  for (let i = 0; i < shape.length; i++) {
    out[i + off] = shape[i] === 1 && target[i + off] !== 1 ? 0 : strides[i]!;
  }
  return out;
}

/** A short description of an arbitrary value for error messages. */
export function describe(v: unknown): string {
  if (v === null) return 'null';
  if (v === undefined) return 'undefined';
  if (Array.isArray(v)) return `an array of length ${v.length}`;
  if (typeof v === 'object') return (v as object).constructor?.name ?? 'an object';
  if (typeof v === 'string') return JSON.stringify(v);
  return `${typeof v} ${String(v)}`;
}

/**
 * Checks a size argument (a hidden size, a number of layers, a batch size, ...): returns
 * it when it is a positive integer, else throws naming `who` and `arg`.
 * @example positiveInt(hiddenSize, 'LSTM', 'hiddenSize')
 */
export function positiveInt(v: unknown, who: string, arg: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) throw new RangeError(`${who}: ${arg} must be a positive integer, got ${describe(v)}`);
  return v;
}
