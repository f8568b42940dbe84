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

/** Like transpose4 for 3 rows: stores columns k..k+3 at d, d + 12, d + 24, d + 36 (16 bytes each). */
// @ts-ignore: decorator
@inline function transpose3(s: usize, ld: usize, d: usize): void {
  const r0 = v128.load(s), r1 = v128.load(s + ld), r2 = v128.load(s + 2 * ld);
  const t0 = lo(r0, r1), t1 = hi(r0, r1), t2 = lo(r2, r2), t3 = hi(r2, r2);
  v128.store(d, lo64(t0, t2));
  v128.store(d + 12, hi64(t0, t2));
  v128.store(d + 24, lo64(t1, t3));
  v128.store(d + 36, hi64(t1, t3));
}

/**
 * Transposed A, 3-row panels: from 12 consecutive floats of each storage row k, fills
 * four consecutive panels (kc x 3 each, starting at d). 16-byte stores write a spare 4th
 * lane into the next k's slot, which the next k overwrites; the last k is stored by lanes
 * so it cannot spill into the following panel.
 */
function packA3x4(s: usize, ldaB: usize, kc: i32, d: usize): void {
  const panel = <usize>kc * 12;
  let o: usize = 0;
  for (let k = 0; k < kc - 1; k++) {
    const v0 = v128.load(s), v1 = v128.load(s, 16), v2 = v128.load(s, 32);
    v128.store(d + o, v0);
    v128.store(d + panel + o, i32x4.shuffle(v0, v1, 3, 4, 5, 6));
    v128.store(d + 2 * panel + o, i32x4.shuffle(v1, v2, 2, 3, 4, 5));
    v128.store(d + 3 * panel + o, i32x4.shuffle(v2, v2, 1, 2, 3, 3));
    s += ldaB;
    o += 12;
  }
  for (let p: usize = 0; p < 4; p++) {
    for (let i: usize = 0; i < 3; i++) store<f32>(d + p * panel + o + (i << 2), load<f32>(s + ((p * 3 + i) << 2)));
  }
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
      } else if (mr == MR && MR == 3 && ir + 12 <= mc) {
        // Four 3-row panels at once from 12 consecutive floats per k (see packA3x4).
        packA3x4(s, ldaB, kc, d);
        ir += 9;
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
      } else if (mr == MR && MR == 3) {
        // Transpose 3 rows x 4 k (the third row doubles as a fourth) and store each 3-float
        // column with a 16-byte store; the 4th lane spills into the next k's slot, which
        // the next store overwrites (the last spill lands in the slack after the block).
        for (; k + 4 <= kc; k += 4) transpose3(s + (<usize>k << 2), ldaB, d + <usize>k * 12);
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
 * Non-transposed B: `panels` full NR-wide panels (kc x NR each, starting at d) from rows
 * of B starting at s, reading each row of B left to right.
 */
function packBRows(s: usize, ldbB: usize, kc: i32, panels: i32, d: usize): void {
  const rowB = <usize>NR << 2;
  const panel = <usize>kc * rowB;
  for (let k = 0; k < kc; k++) {
    let src = s, dst = d + <usize>k * rowB;
    for (let p = 0; p < panels; p++) {
      v128.store(dst, v128.load(src));
      v128.store(dst, v128.load(src, 16), 16);
      if (NR == 12) v128.store(dst, v128.load(src, 32), 32);
      src += rowB;
      dst += panel;
    }
    s += ldbB;
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
      // Storage row k holds consecutive j: copy NR floats per k. Full panels are packed
      // row by row (packBRows) so B is read sequentially.
      let s = pB + ((<usize>k0 * <usize>ldb + <usize>(j0 + jr)) << 2);
      if (nr == NR) {
        const full = (nc - jr) / NR;
        packBRows(s, ldbB, kc, full, d);
        jr += (full - 1) * NR;
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
