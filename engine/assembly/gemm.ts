// Single-precision GEMM for seqlab's engine, WebAssembly SIMD128 (relaxed FMA when the
// build enables it). Blocked like GotoBLAS/BLIS: B is packed per (KC x NC) block, A per
// (MC x KC) block, and an MR x NR register tile of C is accumulated for a whole K block.
//
// All pointers are byte addresses in the (imported) linear memory; leading dimensions
// and batch strides are in elements. The caller (engine/src/backend) owns the memory
// layout: it copies operands in, gives each thread its own workspace of
// `workspaceBytes()` bytes, and copies C out. Nothing here allocates, so one module can
// be instantiated per worker on a shared memory without data segments or a heap.

import { MR, NR, KC, MC, NC, PACK_A_BYTES, PACK_B_BYTES, WORKSPACE_BYTES } from './blocking';
import { packA, packB } from './pack';
import { microkernel, microkernelColumn } from './microkernel';

/** Bytes of per-thread workspace `sgemm` needs. */
export function workspaceBytes(): usize { return WORKSPACE_BYTES; }
/** Register tile rows (diagnostics). */
export function tileRows(): i32 { return MR; }
/** Register tile columns (diagnostics). */
export function tileCols(): i32 { return NR; }
/** 1 when this build uses relaxed-SIMD fused multiply-add. */
export function usesRelaxedSimd(): i32 { return ASC_FEATURE_RELAXED_SIMD ? 1 : 0; }

/**
 * C = op(A) op(B) (or C += with `accumulate`), op(A) M x K, op(B) K x N, C M x N.
 */
export function sgemm(
  transA: i32, transB: i32, M: i32, N: i32, K: i32,
  pA: usize, lda: i32, pB: usize, ldb: i32, pC: usize, ldc: i32,
  accumulate: i32, ws: usize,
): void {
  gemm(transA, transB, M, N, K, pA, lda, pB, ldb, 0, pC, ldc, accumulate, ws);
}

/** Bytes `packBFull` writes for an op(B) of K x N: every (KC x NC) block, panels padded to NR. */
export function packedBBytes(K: i32, N: i32): usize {
  return (<usize>((N + NR - 1) / NR) * <usize>NR * <usize>K) << 2;
}

/**
 * Packs all of op(B) (K x N) at `dst`, block after block in the order `sgemmPackedB`
 * reads them, so that a B used by many products (a recurrent weight, once per time
 * step) is packed once.
 */
export function packBFull(pB: usize, ldb: i32, transB: i32, K: i32, N: i32, dst: usize): void {
  for (let jc = 0; jc < N; jc += NC) {
    const nc = min(NC, N - jc);
    const ncPadded = <usize>((nc + NR - 1) / NR) * <usize>NR;
    for (let pc = 0; pc < K; pc += KC) {
      const kc = min(KC, K - pc);
      packB(pB, ldb, transB != 0, pc, jc, kc, nc, dst);
      dst += (ncPadded * <usize>kc) << 2;
    }
  }
}

/** Like `sgemm` with B already packed by `packBFull(..., K, N, pBPacked)`. */
export function sgemmPackedB(
  transA: i32, M: i32, N: i32, K: i32, pA: usize, lda: i32, pBPacked: usize,
  pC: usize, ldc: i32, accumulate: i32, ws: usize,
): void {
  gemm(transA, 0, M, N, K, pA, lda, 0, 0, pBPacked, pC, ldc, accumulate, ws);
}

/** The blocked product; with `packed` != 0, B's blocks are read from there instead of packed. */
function gemm(
  transA: i32, transB: i32, M: i32, N: i32, K: i32,
  pA: usize, lda: i32, pB: usize, ldb: i32, packed: usize, pC: usize, ldc: i32,
  accumulate: i32, ws: usize,
): void {
  if (M <= 0 || N <= 0) return;
  const ldcB = <usize>ldc << 2;
  if (K <= 0) {
    if (!accumulate) for (let i = 0; i < M; i++) memory.fill(pC + <usize>i * ldcB, 0, <usize>N << 2);
    return;
  }
  const pa = ws, tile = ws + PACK_A_BYTES + PACK_B_BYTES;
  let pbNext = packed;
  for (let jc = 0; jc < N; jc += NC) {
    const nc = min(NC, N - jc);
    for (let pc = 0; pc < K; pc += KC) {
      const kc = min(KC, K - pc);
      const overwrite = pc == 0 && !accumulate;
      let pb: usize;
      if (packed != 0) {
        pb = pbNext;
        pbNext += (<usize>((nc + NR - 1) / NR) * <usize>NR * <usize>kc) << 2;
      } else {
        pb = ws + PACK_A_BYTES;
        packB(pB, ldb, transB != 0, pc, jc, kc, nc, pb);
      }
      for (let ic = 0; ic < M; ic += MC) {
        const mc = min(MC, M - ic);
        packA(pA, lda, transA != 0, ic, pc, mc, kc, pa);
        const fullRows = mc / MR;
        for (let jr = 0; jr < nc; jr += NR) {
          const nr = min(NR, nc - jr);
          const bp = pb + ((<usize>jr * <usize>kc) << 2);
          let cp = pC + ((<usize>ic * <usize>ldc + <usize>(jc + jr)) << 2);
          let ir = 0;
          if (nr == NR) {
            microkernelColumn(pa, bp, kc, cp, ldcB, overwrite, fullRows);
            ir = fullRows * MR;
            cp += <usize>ir * ldcB;
          }
          for (; ir < mc; ir += MR) {
            // Edge tiles: compute a full tile aside, then write its valid corner.
            const ap = pa + ((<usize>ir * <usize>kc) << 2);
            microkernel(ap, bp, kc, tile, <usize>NR << 2, true);
            storeEdge(tile, cp, ldcB, min(MR, mc - ir), nr, overwrite);
            cp += <usize>MR * ldcB;
          }
        }
      }
    }
  }
}

/** Writes the valid mr x nr corner of a full tile to C (edges of C). */
function storeEdge(tile: usize, cp: usize, ldcB: usize, mr: i32, nr: i32, overwrite: bool): void {
  for (let i = 0; i < mr; i++) {
    const t = tile + <usize>(i * NR) * 4;
    const c = cp + <usize>i * ldcB;
    for (let j = 0; j < nr; j++) {
      const o = <usize>j << 2;
      const v = load<f32>(t + o);
      store<f32>(c + o, overwrite ? v : load<f32>(c + o) + v);
    }
  }
}

/**
 * `batch` products; matrix b of each operand starts `b * stride` elements after the
 * first. Products run in order, so overlapping C blocks (stride 0) behave as in a loop.
 */
export function sgemmBatched(
  transA: i32, transB: i32, M: i32, N: i32, K: i32,
  pA: usize, lda: i32, strideA: i32, pB: usize, ldb: i32, strideB: i32,
  pC: usize, ldc: i32, strideC: i32, batch: i32, accumulate: i32, ws: usize,
): void {
  sgemmStrided(transA, transB, M, N, K, pA, lda, strideA, 0, pB, ldb, strideB, 0, pC, ldc, strideC, 0, max(batch, 1), 0, batch, accumulate, ws);
}

/**
 * Products `first` .. `first + count - 1` of a two-level batch: product p = o * inner + i
 * (i < inner) reads each operand at `o * outerStride + i * stride` elements past its
 * start, so a [batch, heads] grid of matrices inside a [seq, batch, 3 * d] tensor needs
 * no copy. Products run in order.
 */
export function sgemmStrided(
  transA: i32, transB: i32, M: i32, N: i32, K: i32,
  pA: usize, lda: i32, strideA: i32, outerA: i32, pB: usize, ldb: i32, strideB: i32, outerB: i32,
  pC: usize, ldc: i32, strideC: i32, outerC: i32, inner: i32, first: i32, count: i32, accumulate: i32, ws: usize,
): void {
  for (let p = first; p < first + count; p++) {
    const o = <usize>(p / inner), i = <usize>(p % inner);
    sgemm(transA, transB, M, N, K,
      pA + ((o * <usize>outerA + i * <usize>strideA) << 2), lda,
      pB + ((o * <usize>outerB + i * <usize>strideB) << 2), ldb,
      pC + ((o * <usize>outerC + i * <usize>strideC) << 2), ldc, accumulate, ws);
  }
}
