/**
 * General matrix multiply on row-major float storage, the one kernel every matmul,
 * linear layer and attention product in the engine goes through:
 *
 *   C[m, n] = sum_k op(A)[m, k] * op(B)[k, n]          (accumulate = false)
 *   C[m, n] += sum_k op(A)[m, k] * op(B)[k, n]         (accumulate = true)
 *   C[m, n] = (sum_k op(A)[m, k] * op(B)[k, n]) + bias[n]   (rowBias, accumulate = false)
 *
 * where op(A) is A ([M, K], leading dimension lda) or, with transA, A^T for A stored as
 * [K, M]. Likewise for B ([K, N] or, with transB, [N, K]). C is [M, N] with leading
 * dimension ldc. Offsets let callers address one matrix inside a batched buffer.
 *
 * This file holds the reference implementation in plain TypeScript and the dispatch
 * point: a faster backend registers itself with `setGemmBackend`, and every caller keeps
 * calling `gemm`. The reference is what faster backends are tested against.
 */

export type FloatArray = Float32Array | Float64Array;

export interface GemmArgs {
  transA: boolean;
  transB: boolean;
  M: number;
  N: number;
  K: number;
  A: FloatArray;
  aOffset: number;
  lda: number;
  B: FloatArray;
  bOffset: number;
  ldb: number;
  C: FloatArray;
  cOffset: number;
  ldc: number;
  accumulate: boolean;
  /**
   * Optional bias [N] (same element type as C, read from `rowBiasOffset`) added to every
   * row of every C matrix after its product, rounded once in C's precision: the same bits
   * as computing the product and then adding the bias (a linear layer's `x Wᵀ + b`
   * without a second pass over a fresh result). Only with `accumulate` false.
   */
  rowBias?: FloatArray | null;
  rowBiasOffset?: number;
}

/**
 * Batched form: `batch` products, matrix i at offsets `aOffset + i * strideA`, etc.
 * Optionally a second, outer level: `outer` groups of `batch` products, group o at
 * `o * outerStrideA` further (so [batch, heads] matrices laid out with two unrelated
 * strides, as attention heads viewed inside a [seq, batch, 3·d] tensor, need no copy).
 */
export interface GemmBatchedArgs extends GemmArgs {
  batch: number;
  strideA: number;
  strideB: number;
  strideC: number;
  /** Groups of `batch` products (default 1). */
  outer?: number;
  outerStrideA?: number;
  outerStrideB?: number;
  outerStrideC?: number;
}

export interface GemmBackend {
  /** Short name shown in diagnostics, e.g. "wasm-simd x2". */
  readonly name: string;
  /**
   * Runs the batched product and returns true, or returns false to let the reference
   * implementation handle this call (for example float64 data or tiny sizes).
   */
  gemmBatched(args: GemmBatchedArgs): boolean;
}

/**
 * Products computed in place on the arrays given, with no fallback of their own: what the
 * native backend offers the wasm kernels for products on their own memory.
 */
export interface InPlaceProducts {
  /** Runs the product and returns true, or returns false having written nothing. */
  tryGemm(args: GemmBatchedArgs): boolean;
}

let backend: GemmBackend | null = null;

/** Installs (or with null removes) the accelerated backend. Returns the previous one. */
export function setGemmBackend(next: GemmBackend | null): GemmBackend | null {
  const prev = backend;
  backend = next;
  return prev;
}

/** The backend in use, or null when the reference implementation runs. */
export function getGemmBackend(): GemmBackend | null {
  return backend;
}

/** One product; see the file comment. */
export function gemm(args: GemmArgs): void {
  gemmBatched({ ...args, batch: 1, strideA: 0, strideB: 0, strideC: 0 });
}

/** `batch` products with fixed strides between consecutive matrices. */
export function gemmBatched(args: GemmBatchedArgs): void {
  if (args.M === 0 || args.N === 0 || args.batch === 0 || args.outer === 0) return;
  if (args.rowBias != null) {
    if (args.accumulate) throw new Error('gemm: rowBias cannot be combined with accumulate');
    if ((args.rowBiasOffset ?? 0) + args.N > args.rowBias.length) {
      throw new RangeError(`gemm: rowBias holds ${args.rowBias.length} elements, ${(args.rowBiasOffset ?? 0) + args.N} needed`);
    }
  }
  if (backend !== null && backend.gemmBatched(args)) return;
  gemmBatchedReference(args);
}

/** The plain TypeScript implementation (i-k-j order so the inner loop is unit-stride). */
export function gemmBatchedReference(args: GemmBatchedArgs): void {
  const { transA, transB, M, N, K, A, lda, B, ldb, C, ldc, accumulate, batch } = args;
  const outer = args.outer ?? 1;
  for (let p = 0; p < outer * batch; p++) {
    const o = Math.floor(p / batch);
    const bi = p - o * batch;
    const ao = args.aOffset + o * (args.outerStrideA ?? 0) + bi * args.strideA;
    const bo = args.bOffset + o * (args.outerStrideB ?? 0) + bi * args.strideB;
    const co = args.cOffset + o * (args.outerStrideC ?? 0) + bi * args.strideC;
    if (!accumulate) {
      for (let m = 0; m < M; m++) C.fill(0, co + m * ldc, co + m * ldc + N);
    }
    if (!transB) {
      // C[m, :] += a(m, k) * B[k, :]
      for (let m = 0; m < M; m++) {
        const crow = co + m * ldc;
        for (let k = 0; k < K; k++) {
          const a = transA ? A[ao + k * lda + m]! : A[ao + m * lda + k]!;
          const brow = bo + k * ldb;
          for (let n = 0; n < N; n++) C[crow + n]! += a * B[brow + n]!;
        }
      }
    } else {
      // B is [N, K]: C[m, n] = dot(a(m, :), B[n, :])
      for (let m = 0; m < M; m++) {
        const crow = co + m * ldc;
        for (let n = 0; n < N; n++) {
          const brow = bo + n * ldb;
          let s = 0;
          if (transA) {
            for (let k = 0; k < K; k++) s += A[ao + k * lda + m]! * B[brow + k]!;
          } else {
            const arow = ao + m * lda;
            for (let k = 0; k < K; k++) s += A[arow + k]! * B[brow + k]!;
          }
          C[crow + n]! += s;
        }
      }
    }
    const bias = args.rowBias;
    if (bias != null) {
      const bo = args.rowBiasOffset ?? 0;
      for (let m = 0; m < M; m++) {
        const crow = co + m * ldc;
        for (let n = 0; n < N; n++) C[crow + n]! += bias[bo + n]!;
      }
    }
  }
}
