// Packing: copies a block of op(A) or op(B) into the contiguous, k-major micro-panels the
// micro-kernel streams through. The transpose flags are absorbed here, so one
// micro-kernel serves all four variants (NN, NT, TN, TT). Partial panels at the right or
// bottom edge are zero-padded to a full MR or NR width.

import { MR, NR } from './blocking';

/** 4x4 transpose of rows r0..r3 (lanes = columns); returns column `c` as a vector. */
// @ts-ignore: decorator
@inline function lo(a: v128, b: v128): v128 { return i32x4.shuffle(a, b, 0, 4, 1, 5); }
// @ts-ignore: decorator
@inline function hi(a: v128, b: v128): v128 { return i32x4.shuffle(a, b, 2, 6, 3, 7); }
// @ts-ignore: decorator
@inline function lo64(a: v128, b: v128): v128 { return i32x4.shuffle(a, b, 0, 1, 4, 5); }
// @ts-ignore: decorator
@inline function hi64(a: v128, b: v128): v128 { return i32x4.shuffle(a, b, 2, 3, 6, 7); }

/**
 * Stores the transpose of the 4x4 block whose rows start at s, s + ld, s + 2ld, s + 3ld
 * (bytes) as 4 vectors at d, d + dstep, d + 2dstep, d + 3dstep.
 */
// @ts-ignore: decorator
@inline function transpose4(s: usize, ld: usize, d: usize, dstep: usize): void {
  const r0 = v128.load(s), r1 = v128.load(s + ld), r2 = v128.load(s + 2 * ld), r3 = v128.load(s + 3 * ld);
  const t0 = lo(r0, r1), t1 = hi(r0, r1), t2 = lo(r2, r3), t3 = hi(r2, r3);
  v128.store(d, lo64(t0, t2));
  v128.store(d + dstep, hi64(t0, t2));
  v128.store(d + 2 * dstep, lo64(t1, t3));
  v128.store(d + 3 * dstep, hi64(t1, t3));
}

/**
 * Packs op(A)[i0 .. i0+mc, k0 .. k0+kc] into ceil(mc / MR) panels of kc x MR floats.
 * op(A)[i][k] is A[i * lda + k], or A[k * lda + i] when transA.
 */
export function packA(pA: usize, lda: i32, transA: bool, i0: i32, k0: i32, mc: i32, kc: i32, dst: usize): void {
  const ldaB = <usize>lda << 2;
  for (let ir = 0; ir < mc; ir += MR) {
    const mr = min(MR, mc - ir);
    let d = dst + ((<usize>ir * <usize>kc) << 2);
    if (transA) {
      // Storage row k holds consecutive i: copy MR floats per k.
      let s = pA + ((<usize>k0 * <usize>lda + <usize>(i0 + ir)) << 2);
      if (mr == MR && MR == 4) {
        for (let k = 0; k < kc; k++) { v128.store(d, v128.load(s)); s += ldaB; d += 16; }
      } else {
        for (let k = 0; k < kc; k++) {
          for (let i = 0; i < MR; i++) store<f32>(d + (<usize>i << 2), i < mr ? load<f32>(s + (<usize>i << 2)) : 0);
          s += ldaB; d += <usize>MR << 2;
        }
      }
    } else {
      // Storage rows i are contiguous in k: transpose 4x4 blocks when the panel is full.
      const s = pA + ((<usize>(i0 + ir) * <usize>lda + <usize>k0) << 2);
      let k = 0;
      if (mr == MR && MR == 4) {
        for (; k + 4 <= kc; k += 4) transpose4(s + (<usize>k << 2), ldaB, d + (<usize>k << 4), 16);
      }
      for (; k < kc; k++) {
        const dk = d + <usize>(k * MR) * 4;
        for (let i = 0; i < MR; i++) {
          store<f32>(dk + (<usize>i << 2), i < mr ? load<f32>(s + <usize>i * ldaB + (<usize>k << 2)) : 0);
        }
      }
    }
  }
}

/**
 * Packs op(B)[k0 .. k0+kc, j0 .. j0+nc] into ceil(nc / NR) panels of kc x NR floats.
 * op(B)[k][j] is B[k * ldb + j], or B[j * ldb + k] when transB.
 */
export function packB(pB: usize, ldb: i32, transB: bool, k0: i32, j0: i32, kc: i32, nc: i32, dst: usize): void {
  const ldbB = <usize>ldb << 2;
  const rowB = <usize>NR << 2;
  for (let jr = 0; jr < nc; jr += NR) {
    const nr = min(NR, nc - jr);
    let d = dst + ((<usize>jr * <usize>kc) << 2);
    if (!transB) {
      // Storage row k holds consecutive j: copy NR floats per k.
      let s = pB + ((<usize>k0 * <usize>ldb + <usize>(j0 + jr)) << 2);
      if (nr == NR) {
        for (let k = 0; k < kc; k++) {
          for (let v: usize = 0; v < rowB; v += 16) v128.store(d + v, v128.load(s + v));
          s += ldbB; d += rowB;
        }
      } else {
        for (let k = 0; k < kc; k++) {
          for (let j = 0; j < NR; j++) store<f32>(d + (<usize>j << 2), j < nr ? load<f32>(s + (<usize>j << 2)) : 0);
          s += ldbB; d += rowB;
        }
      }
    } else {
      // Storage rows j are contiguous in k: transpose 4 rows x 4 k at a time.
      const s = pB + ((<usize>(j0 + jr) * <usize>ldb + <usize>k0) << 2);
      let k = 0;
      if (nr == NR) {
        for (; k + 4 <= kc; k += 4) {
          for (let g = 0; g < NR; g += 4) {
            transpose4(s + <usize>g * ldbB + (<usize>k << 2), ldbB, d + <usize>k * rowB + (<usize>g << 2), rowB);
          }
        }
      }
      for (; k < kc; k++) {
        const dk = d + <usize>k * rowB;
        for (let j = 0; j < NR; j++) {
          store<f32>(dk + (<usize>j << 2), j < nr ? load<f32>(s + <usize>j * ldbB + (<usize>k << 2)) : 0);
        }
      }
    }
  }
}
