/**
 * Loops over strided (possibly non-contiguous, possibly broadcast) layouts. Every
 * elementwise op reduces to these: a copy into row-major order, a unary map, and a binary
 * map with broadcasting. The maps are built per op by factories so that each op gets its
 * own monomorphic loop in which the element function inlines.
 */
import type { TypedArray } from '../dtype.js';

type Arr = TypedArray;

/** Copies a strided view into `dst` (row-major, starting at dstOffset). */
export function copyStrided(
  src: Arr,
  shape: readonly number[],
  strides: readonly number[],
  offset: number,
  dst: Arr,
  dstOffset = 0,
): void {
  const nd = shape.length;
  if (nd === 0) {
    dst[dstOffset] = src[offset]!;
    return;
  }
  let total = 1;
  for (let i = 0; i < nd; i++) total *= shape[i]!;
  if (total === 0) return;
  const inner = shape[nd - 1]!;
  const sInner = strides[nd - 1]!;
  const outer = total / inner;
  const idx = new Int32Array(nd);
  let so = offset;
  let o = dstOffset;
  for (let r = 0; r < outer; r++) {
    if (sInner === 1) {
      for (let i = 0; i < inner; i++) dst[o + i] = src[so + i]!;
    } else {
      for (let i = 0; i < inner; i++) dst[o + i] = src[so + i * sInner]!;
    }
    o += inner;
    for (let d = nd - 2; d >= 0; d--) {
      idx[d]!++;
      so += strides[d]!;
      if (idx[d]! < shape[d]!) break;
      so -= strides[d]! * shape[d]!;
      idx[d] = 0;
    }
  }
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
  const nd = shape.length;
  if (nd === 0) {
    dst[offset] = src[srcOffset]!;
    return;
  }
  let total = 1;
  for (let i = 0; i < nd; i++) total *= shape[i]!;
  if (total === 0) return;
  const inner = shape[nd - 1]!;
  const sInner = strides[nd - 1]!;
  const outer = total / inner;
  const idx = new Int32Array(nd);
  let doff = offset;
  let s = srcOffset;
  for (let r = 0; r < outer; r++) {
    for (let i = 0; i < inner; i++) dst[doff + i * sInner] = src[s + i]!;
    s += inner;
    for (let d = nd - 2; d >= 0; d--) {
      idx[d]!++;
      doff += strides[d]!;
      if (idx[d]! < shape[d]!) break;
      doff -= strides[d]! * shape[d]!;
      idx[d] = 0;
    }
  }
}

/** out[i] = f(a[i]) over n contiguous elements. */
export type UnaryLoop = (a: Arr, aOff: number, out: Arr, n: number) => void;

/**
 * out = f(a, b) with a and b read through broadcast strides over `shape` (out is
 * row-major). Fast paths: both contiguous with the same shape, and one side a scalar.
 */
export type BinaryLoop = (
  shape: readonly number[],
  a: Arr,
  aStrides: readonly number[],
  aOff: number,
  b: Arr,
  bStrides: readonly number[],
  bOff: number,
  out: Arr,
) => void;

/**
 * Element functions are given as JavaScript expressions over `x` (and `y`) and compiled
 * into one loop per op. A shared loop taking the element function as a closure would be
 * several times slower: V8 shares type feedback between closures of one function
 * literal, so the call inside the loop goes megamorphic and is never inlined. `helpers`
 * names functions the expression may call (e.g. normalCdf).
 */
type Helpers = Record<string, (...args: number[]) => number>;

function compile<T>(name: string, helpers: Helpers, body: string): T {
  const names = Object.keys(helpers);
  // The name in a comment keeps V8's eval cache from sharing code between ops.
  const factory = new Function(...names, `"use strict"; // seqlab ${name}\nreturn ${body};`) as (...h: unknown[]) => T;
  return factory(...names.map((n) => helpers[n]));
}

/** A unary loop computing `expr` of `x` for each element. */
export function makeUnaryLoop(name: string, expr: string, helpers: Helpers = {}): UnaryLoop {
  return compile<UnaryLoop>(
    name,
    helpers,
    `function ${name}Loop(a, aOff, out, n) {
      for (let i = 0; i < n; i++) { const x = a[aOff + i]; out[i] = ${expr}; }
    }`,
  );
}

/** A broadcasting binary loop computing `expr` of `x` (from a) and `y` (from b). */
export function makeBinaryLoop(name: string, expr: string, helpers: Helpers = {}): BinaryLoop {
  return compile<BinaryLoop>(
    name,
    helpers,
    `function ${name}Loop(shape, a, aStrides, aOff, b, bStrides, bOff, out) {
      const nd = shape.length;
      let total = 1;
      for (let i = 0; i < nd; i++) total *= shape[i];
      if (total === 0) return;
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
      const inner = shape[nd - 1], sa = aStrides[nd - 1], sb = bStrides[nd - 1];
      const outer = total / inner;
      const idx = new Int32Array(nd);
      let ao = aOff, bo = bOff, o = 0;
      for (let r = 0; r < outer; r++) {
        for (let i = 0; i < inner; i++) { const x = a[ao + i * sa], y = b[bo + i * sb]; out[o + i] = ${expr}; }
        o += inner;
        for (let d = nd - 2; d >= 0; d--) {
          idx[d]++;
          ao += aStrides[d];
          bo += bStrides[d];
          if (idx[d] < shape[d]) break;
          ao -= aStrides[d] * shape[d];
          bo -= bStrides[d] * shape[d];
          idx[d] = 0;
        }
      }
    }`,
  );
}
