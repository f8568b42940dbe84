/**
 * Loops over strided (possibly non-contiguous, possibly broadcast) layouts. Every
 * elementwise op reduces to these: a copy into row-major order, a unary map, and a binary
 * map with broadcasting.
 *
 * Each loop is compiled from source once per op *and per combination of typed-array
 * types* it meets (float32, float64, int32, bool), on first use: a loop that sees several
 * array types goes polymorphic in V8 and every element access pays for it (measured: a
 * strided float32 copy 1.7x slower once the same loop had also copied the other types).
 * Before looping, dimensions that are laid out one after the other in every operand are
 * merged, so views such as [batch, heads, seq, d] often loop as two or three dimensions.
 */
import type { TypedArray } from '../dtype.js';

type Arr = TypedArray;

/** Index of a typed array's type in the per-type caches (float32, float64, int32, bool). */
function typeIndex(a: Arr): number {
  if (a instanceof Float32Array) return 0;
  if (a instanceof Float64Array) return 1;
  if (a instanceof Int32Array) return 2;
  return 3;
}

type Helpers = Record<string, (...args: number[]) => number>;

/**
 * Compiles `body` (an expression evaluating to a function) with `helpers` in scope. The
 * name and type key in a comment keep V8's eval cache from sharing code (and type
 * feedback) between ops or between the type variants of one op.
 */
function compile<T>(name: string, key: string, helpers: Helpers, body: string): T {
  const names = Object.keys(helpers);
  const factory = new Function(...names, `"use strict"; // seqlab ${name} ${key}\nreturn ${body};`) as (...h: unknown[]) => T;
  return factory(...names.map((n) => helpers[n]));
}

/**
 * Merges adjacent dimensions that every stride list walks contiguously (stride of the
 * outer = stride of the inner × its size), and drops size-1 dimensions. Returns the new
 * shape and stride lists (at least one dimension when any element exists).
 */
export function coalesce(shape: readonly number[], ...strides: (readonly number[])[]): { shape: number[]; strides: number[][] } {
  const outShape: number[] = [];
  const outStrides: number[][] = strides.map(() => []);
  for (let d = 0; d < shape.length; d++) {
    const n = shape[d]!;
    if (n === 1) continue;
    const last = outShape.length - 1;
    if (last >= 0 && strides.every((s, k) => outStrides[k]![last] === s[d]! * n)) {
      outShape[last]! *= n;
      for (let k = 0; k < strides.length; k++) outStrides[k]![last] = strides[k]![d]!;
    } else {
      outShape.push(n);
      for (let k = 0; k < strides.length; k++) outStrides[k]!.push(strides[k]![d]!);
    }
  }
  if (outShape.length === 0) {
    outShape.push(1);
    for (const s of outStrides) s.push(1);
  }
  return { shape: outShape, strides: outStrides };
}

// ---------------------------------------------------------------------------- copies

type CopyLoop = (src: Arr, shape: readonly number[], strides: readonly number[], offset: number, dst: Arr, dstOffset: number) => void;

const COPY_SOURCE = `function copyLoop(src, shape, strides, offset, dst, dstOffset) {
  const nd = shape.length;
  const inner = shape[nd - 1], sInner = strides[nd - 1];
  let total = 1;
  for (let i = 0; i < nd; i++) total *= shape[i];
  const outer = total / inner;
  let so = offset, o = dstOffset;
  if (nd === 1) {
    if (sInner === 1) for (let i = 0; i < inner; i++) dst[o + i] = src[so + i];
    else for (let i = 0; i < inner; i++) dst[o + i] = src[so + i * sInner];
    return;
  }
  if (nd === 2) {
    const s0 = strides[0];
    for (let r = 0; r < outer; r++, so += s0, o += inner) {
      if (sInner === 1) for (let i = 0; i < inner; i++) dst[o + i] = src[so + i];
      else for (let i = 0; i < inner; i++) dst[o + i] = src[so + i * sInner];
    }
    return;
  }
  const idx = new Int32Array(nd);
  for (let r = 0; r < outer; r++) {
    if (sInner === 1) for (let i = 0; i < inner; i++) dst[o + i] = src[so + i];
    else for (let i = 0; i < inner; i++) dst[o + i] = src[so + i * sInner];
    o += inner;
    for (let d = nd - 2; d >= 0; d--) {
      idx[d]++;
      so += strides[d];
      if (idx[d] < shape[d]) break;
      so -= strides[d] * shape[d];
      idx[d] = 0;
    }
  }
}`;

const SCATTER_SOURCE = `function scatterLoop(src, srcOffset, dst, shape, strides, offset) {
  const nd = shape.length;
  const inner = shape[nd - 1], sInner = strides[nd - 1];
  let total = 1;
  for (let i = 0; i < nd; i++) total *= shape[i];
  const outer = total / inner;
  const idx = new Int32Array(nd);
  let doff = offset, s = srcOffset;
  for (let r = 0; r < outer; r++) {
    if (sInner === 1) for (let i = 0; i < inner; i++) dst[doff + i] = src[s + i];
    else for (let i = 0; i < inner; i++) dst[doff + i * sInner] = src[s + i];
    s += inner;
    for (let d = nd - 2; d >= 0; d--) {
      idx[d]++;
      doff += strides[d];
      if (idx[d] < shape[d]) break;
      doff -= strides[d] * shape[d];
      idx[d] = 0;
    }
  }
}`;

const copyLoops: (CopyLoop | undefined)[] = new Array(16);
const scatterLoops: (ScatterLoop | undefined)[] = new Array(16);
type ScatterLoop = (src: Arr, srcOffset: number, dst: Arr, shape: readonly number[], strides: readonly number[], offset: number) => void;

/** Copies a strided view into `dst` (row-major, starting at dstOffset). */
export function copyStrided(
  src: Arr,
  shape: readonly number[],
  strides: readonly number[],
  offset: number,
  dst: Arr,
  dstOffset = 0,
): void {
  if (shape.length === 0) {
    dst[dstOffset] = src[offset]!;
    return;
  }
  for (let i = 0; i < shape.length; i++) if (shape[i] === 0) return;
  const c = coalesce(shape, strides);
  const key = typeIndex(src) * 4 + typeIndex(dst);
  const loop = (copyLoops[key] ??= compile<CopyLoop>('copy', String(key), {}, COPY_SOURCE));
  loop(src, c.shape, c.strides[0]!, offset, dst, dstOffset);
}

/** Writes `src` (row-major, starting at srcOffset) into a strided view of `dst`. */
export function scatterStrided(
  src: Arr,
  srcOffset: number,
  dst: Arr,
  shape: readonly number[],
  strides: readonly number[],
  offset: number,
): void {
  if (shape.length === 0) {
    dst[offset] = src[srcOffset]!;
    return;
  }
  for (let i = 0; i < shape.length; i++) if (shape[i] === 0) return;
  const c = coalesce(shape, strides);
  const key = typeIndex(src) * 4 + typeIndex(dst);
  const loop = (scatterLoops[key] ??= compile<ScatterLoop>('scatter', String(key), {}, SCATTER_SOURCE));
  loop(src, srcOffset, dst, c.shape, c.strides[0]!, offset);
}

// ---------------------------------------------------------------------------- maps

/** out[i] = f(a[i]) over n contiguous elements. */
export type UnaryLoop = (a: Arr, aOff: number, out: Arr, n: number) => void;

/**
 * out = f(a, b) with a and b read through broadcast strides over `shape` (out is
 * row-major). Fast paths: both contiguous with the same shape, and one side a scalar.
 * `flat` is the same map over n contiguous elements of each (no shape bookkeeping: the
 * per-op cost of small tensors).
 */
export type BinaryLoop = ((
  shape: readonly number[],
  a: Arr,
  aStrides: readonly number[],
  aOff: number,
  b: Arr,
  bStrides: readonly number[],
  bOff: number,
  out: Arr,
) => void) & { flat: FlatBinaryLoop };

/** out[i] = f(a[aOff + i], b[bOff + i]) for i < n. */
export type FlatBinaryLoop = (a: Arr, aOff: number, b: Arr, bOff: number, out: Arr, n: number) => void;

/**
 * A unary loop computing `expr` of `x` for each element. Element functions are given as
 * JavaScript expressions and compiled into the loop, so that the function inlines (a
 * shared loop calling a closure goes megamorphic and never inlines). `helpers` names
 * functions the expression may call (e.g. normalCdf).
 */
export function makeUnaryLoop(name: string, expr: string, helpers: Helpers = {}): UnaryLoop {
  const source = `function ${name}Loop(a, aOff, out, n) {
      for (let i = 0; i < n; i++) { const x = a[aOff + i]; out[i] = ${expr}; }
    }`;
  const variants: (UnaryLoop | undefined)[] = new Array(16);
  return (a, aOff, out, n) => {
    const key = typeIndex(a) * 4 + typeIndex(out);
    const loop = (variants[key] ??= compile<UnaryLoop>(name, String(key), helpers, source));
    loop(a, aOff, out, n);
  };
}

/** A broadcasting binary loop computing `expr` of `x` (from a) and `y` (from b). */
export function makeBinaryLoop(name: string, expr: string, helpers: Helpers = {}): BinaryLoop {
  // The general path runs over coalesced dimensions (see `binary` below), with the
  // innermost one specialised for unit and zero strides.
  const source = `function ${name}Loop(shape, a, aStrides, aOff, b, bStrides, bOff, out) {
      const nd = shape.length;
      let total = 1;
      for (let i = 0; i < nd; i++) total *= shape[i];
      let aContig = true, bContig = true, aZero = true, bZero = true, expected = 1;
      for (let i = nd - 1; i >= 0; i--) {
        const d = shape[i];
        if (d !== 1) {
          if (aStrides[i] !== expected) aContig = false;
          if (bStrides[i] !== expected) bContig = false;
          if (aStrides[i] !== 0) aZero = false;
          if (bStrides[i] !== 0) bZero = false;
        }
        expected *= d;
      }
      if (aContig && bContig) {
        for (let i = 0; i < total; i++) { const x = a[aOff + i], y = b[bOff + i]; out[i] = ${expr}; }
        return;
      }
      if (aContig && bZero) {
        const y = b[bOff];
        for (let i = 0; i < total; i++) { const x = a[aOff + i]; out[i] = ${expr}; }
        return;
      }
      if (aZero && bContig) {
        const x = a[aOff];
        for (let i = 0; i < total; i++) { const y = b[bOff + i]; out[i] = ${expr}; }
        return;
      }
      const c = coalesce(shape, aStrides, bStrides);
      const cs = c.shape, as = c.strides[0], bs = c.strides[1], cd = cs.length;
      const inner = cs[cd - 1], sa = as[cd - 1], sb = bs[cd - 1];
      const outer = total / inner;
      const idx = new Int32Array(cd);
      let ao = aOff, bo = bOff, o = 0;
      for (let r = 0; r < outer; r++) {
        if (sa === 1 && sb === 1) {
          for (let i = 0; i < inner; i++) { const x = a[ao + i], y = b[bo + i]; out[o + i] = ${expr}; }
        } else if (sa === 1 && sb === 0) {
          const y = b[bo];
          for (let i = 0; i < inner; i++) { const x = a[ao + i]; out[o + i] = ${expr}; }
        } else if (sa === 0 && sb === 1) {
          const x = a[ao];
          for (let i = 0; i < inner; i++) { const y = b[bo + i]; out[o + i] = ${expr}; }
        } else {
          for (let i = 0; i < inner; i++) { const x = a[ao + i * sa], y = b[bo + i * sb]; out[o + i] = ${expr}; }
        }
        o += inner;
        for (let d = cd - 2; d >= 0; d--) {
          idx[d]++;
          ao += as[d];
          bo += bs[d];
          if (idx[d] < cs[d]) break;
          ao -= as[d] * cs[d];
          bo -= bs[d] * cs[d];
          idx[d] = 0;
        }
      }
    }`;
  const flatSource = `function ${name}Flat(a, aOff, b, bOff, out, n) {
      for (let i = 0; i < n; i++) { const x = a[aOff + i], y = b[bOff + i]; out[i] = ${expr}; }
    }`;
  const withCoalesce = { ...helpers, coalesce: coalesce as unknown as (...args: number[]) => number };
  type General = (shape: readonly number[], a: Arr, aStrides: readonly number[], aOff: number, b: Arr, bStrides: readonly number[], bOff: number, out: Arr) => void;
  const variants: (General | undefined)[] = new Array(64);
  const flatVariants: (FlatBinaryLoop | undefined)[] = new Array(64);
  const loop: General = (shape, a, aStrides, aOff, b, bStrides, bOff, out) => {
    for (let i = 0; i < shape.length; i++) if (shape[i] === 0) return;
    const key = (typeIndex(a) * 4 + typeIndex(b)) * 4 + typeIndex(out);
    const f = (variants[key] ??= compile<General>(name, String(key), withCoalesce, source));
    f(shape, a, aStrides, aOff, b, bStrides, bOff, out);
  };
  const flat: FlatBinaryLoop = (a, aOff, b, bOff, out, n) => {
    const key = (typeIndex(a) * 4 + typeIndex(b)) * 4 + typeIndex(out);
    const f = (flatVariants[key] ??= compile<FlatBinaryLoop>(`${name}Flat`, String(key), helpers, flatSource));
    f(a, aOff, b, bOff, out, n);
  };
  return Object.assign(loop, { flat });
}

/**
 * dst = f(dst, src) in place through the strides of both (dst's elements must not
 * overlap), e.g. adding a gradient into a window of an accumulation buffer.
 */
export type UpdateLoop = (
  shape: readonly number[],
  dst: Arr,
  dstStrides: readonly number[],
  dstOff: number,
  src: Arr,
  srcStrides: readonly number[],
  srcOff: number,
) => void;

/** An in-place update loop computing `expr` of `x` (the dst element) and `y` (from src). */
export function makeUpdateLoop(name: string, expr: string): UpdateLoop {
  const source = `function ${name}Update(shape, dst, ds, dOff, src, ss, sOff) {
      const nd = shape.length;
      const inner = shape[nd - 1], sd = ds[nd - 1], sv = ss[nd - 1];
      let total = 1;
      for (let i = 0; i < nd; i++) total *= shape[i];
      const outer = total / inner;
      const idx = new Int32Array(nd);
      let d = dOff, s = sOff;
      for (let r = 0; r < outer; r++) {
        if (sd === 1 && sv === 1) {
          for (let i = 0; i < inner; i++) { const x = dst[d + i], y = src[s + i]; dst[d + i] = ${expr}; }
        } else {
          for (let i = 0; i < inner; i++) { const x = dst[d + i * sd], y = src[s + i * sv]; dst[d + i * sd] = ${expr}; }
        }
        for (let k = nd - 2; k >= 0; k--) {
          idx[k]++;
          d += ds[k];
          s += ss[k];
          if (idx[k] < shape[k]) break;
          d -= ds[k] * shape[k];
          s -= ss[k] * shape[k];
          idx[k] = 0;
        }
      }
    }`;
  const variants: (UpdateLoop | undefined)[] = new Array(16);
  return (shape, dst, dstStrides, dstOff, src, srcStrides, srcOff) => {
    for (let i = 0; i < shape.length; i++) if (shape[i] === 0) return;
    const c = coalesce(shape, dstStrides, srcStrides);
    variantFor(variants, name, dst, src, source)(c.shape, dst, c.strides[0]!, dstOff, src, c.strides[1]!, srcOff);
  };
}

function variantFor(variants: (UpdateLoop | undefined)[], name: string, dst: Arr, src: Arr, source: string): UpdateLoop {
  const key = typeIndex(dst) * 4 + typeIndex(src);
  return (variants[key] ??= compile<UpdateLoop>(`${name}Update`, String(key), {}, source));
}
