/**
 * Helpers for the backend suites: seeded operands for a batched GEMM and a comparison
 * against `gemmBatchedReference` with a tolerance derived from the standard error bound
 * of floating-point dot products.
 *
 * Both implementations compute each C element as a sum of K products (plus C's old value
 * when accumulating) in float32, in different orders (and the wasm kernel may fuse the
 * multiply-add). Each differs from the exact value by at most about (K+2)·u·S, where
 * u = 2^-24 and S = Σ_k |a_ik·b_kj| (+ |c_ij| when accumulating); so they may differ from
 * each other by twice that. The tolerance is exactly 2·(K+2)·u·S + 1e-30: tight enough
 * that any wrong term, missed k or misplaced element fails, loose enough for any
 * summation order. NaN must match NaN and infinities must match exactly.
 */
import { expect } from 'vitest';
import { gemmBatchedReference, type GemmBatchedArgs } from '../../../engine/src/kernels/gemm.js';

/** Deterministic uniform numbers in [-1, 1) (mulberry32). */
export function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 - 1;
  };
}

export interface Layout {
  transA?: boolean;
  transB?: boolean;
  M: number;
  N: number;
  K: number;
  batch?: number;
  /** Extra elements per row beyond the minimum leading dimension. */
  padA?: number;
  padB?: number;
  padC?: number;
  offsetA?: number;
  offsetB?: number;
  offsetC?: number;
  /** Batch strides; default: matrices one after the other (with a gap of 3 elements). */
  strideA?: number;
  strideB?: number;
  strideC?: number;
  /** Groups of `batch` products (two-level batch); default 1. Group strides default to after the group, plus a gap. */
  outer?: number;
  outerStrideA?: number;
  outerStrideB?: number;
  outerStrideC?: number;
  accumulate?: boolean;
  seed?: number;
}

/** Builds arguments with every element (gaps included) filled with seeded values. */
export function makeArgs(l: Layout): GemmBatchedArgs {
  const transA = l.transA ?? false, transB = l.transB ?? false;
  const { M, N, K } = l;
  const batch = l.batch ?? 1;
  const aRows = transA ? K : M, aCols = transA ? M : K;
  const bRows = transB ? N : K, bCols = transB ? K : N;
  const lda = aCols + (l.padA ?? 0), ldb = bCols + (l.padB ?? 0), ldc = N + (l.padC ?? 0);
  const strideA = l.strideA ?? aRows * lda + 3;
  const strideB = l.strideB ?? bRows * ldb + 3;
  const strideC = l.strideC ?? M * ldc + 3;
  const oA = l.offsetA ?? 0, oB = l.offsetB ?? 0, oC = l.offsetC ?? 0;
  const outer = l.outer ?? 1;
  const outerStrideA = l.outerStrideA ?? batch * strideA + 7;
  const outerStrideB = l.outerStrideB ?? batch * strideB + 7;
  const outerStrideC = l.outerStrideC ?? batch * strideC + 7;
  const size = (o: number, rows: number, ld: number, stride: number, outerStride: number) =>
    o + (outer - 1) * outerStride + (batch - 1) * stride + rows * ld + 5;
  const rnd = seeded(l.seed ?? 1);
  const fill = (n: number) => Float32Array.from({ length: n }, rnd);
  return {
    transA, transB, M, N, K,
    A: fill(size(oA, aRows, lda, strideA, outerStrideA)), aOffset: oA, lda,
    B: fill(size(oB, bRows, ldb, strideB, outerStrideB)), bOffset: oB, ldb,
    C: fill(size(oC, M, ldc, strideC, outerStrideC)), cOffset: oC, ldc,
    accumulate: l.accumulate ?? false,
    batch, strideA, strideB, strideC,
    ...(outer !== 1 ? { outer, outerStrideA, outerStrideB, outerStrideC } : {}),
  };
}

/** Same arguments with an independent copy of C. */
export function withCopyOfC(args: GemmBatchedArgs): GemmBatchedArgs {
  return { ...args, C: args.C.slice() };
}

/** Where product p (of outer × batch) starts in operand A, B or C. */
function productOffset(args: GemmBatchedArgs, which: 'A' | 'B' | 'C', p: number): number {
  const o = Math.floor(p / args.batch), b = p - o * args.batch;
  const base = which === 'A' ? args.aOffset : which === 'B' ? args.bOffset : args.cOffset;
  const stride = which === 'A' ? args.strideA : which === 'B' ? args.strideB : args.strideC;
  const outerStride = (which === 'A' ? args.outerStrideA : which === 'B' ? args.outerStrideB : args.outerStrideC) ?? 0;
  return base + o * outerStride + b * stride;
}

/** Σ_k |a_ik b_kj| for element (i, j) of product p, in float64. */
function magnitude(args: GemmBatchedArgs, p: number, i: number, j: number): number {
  const { transA, transB, K, A, B, lda, ldb } = args;
  const ao = productOffset(args, 'A', p), bo = productOffset(args, 'B', p);
  let s = 0;
  for (let k = 0; k < K; k++) {
    const a = transA ? A[ao + k * lda + i]! : A[ao + i * lda + k]!;
    const v = transB ? B[bo + j * ldb + k]! : B[bo + k * ldb + j]!;
    s += Math.abs(a * v);
  }
  return s;
}

const U = 2 ** -24;

/**
 * Expects `got` (C after the backend ran on `args`) to equal the reference on `args`
 * within the bound above, and every element outside C's matrices to be untouched.
 * `c0` is C before either ran.
 */
export function expectMatchesReference(args: GemmBatchedArgs, got: ArrayLike<number>, c0: ArrayLike<number>): void {
  const ref = withCopyOfC({ ...args, C: Float32Array.from(c0) });
  gemmBatchedReference(ref);
  const want = ref.C;
  // Batches may share C elements (stride 0): bound each element by all its terms.
  const hits = new Uint32Array(want.length);
  const mag = new Float64Array(want.length);
  const products = (args.outer ?? 1) * args.batch;
  const at = (b: number, i: number, j: number) => productOffset(args, 'C', b) + i * args.ldc + j;
  for (let b = 0; b < products; b++) {
    for (let i = 0; i < args.M; i++) {
      for (let j = 0; j < args.N; j++) {
        hits[at(b, i, j)]++;
        mag[at(b, i, j)] += magnitude(args, b, i, j);
      }
    }
  }
  let checked = 0;
  for (let b = 0; b < products; b++) {
    for (let i = 0; i < args.M; i++) {
      for (let j = 0; j < args.N; j++) {
        const p = at(b, i, j);
        const g = got[p]!, w = want[p]!;
        const where = `C[batch ${b}][${i}][${j}] (M=${args.M} N=${args.N} K=${args.K} transA=${args.transA} transB=${args.transB})`;
        if (Number.isNaN(w) || !Number.isFinite(w)) {
          expect(g, where).toBe(w);
        } else {
          const s = mag[p]! + (args.accumulate ? Math.abs(c0[p]!) : 0);
          const tol = 2 * (args.K * hits[p]! + 2) * U * s + 1e-30;
          if (!(Math.abs(g - w) <= tol)) expect(g, `${where}: |diff| ${Math.abs(g - w)} > tol ${tol}`).toBe(w);
        }
        checked++;
      }
    }
  }
  for (let p = 0; p < want.length; p++) {
    if (hits[p] === 0 && !Object.is(got[p], c0[p])) expect(got[p], `element ${p} outside C changed`).toBe(c0[p]);
  }
  expect(checked).toBe(products * args.M * args.N);
}
