// The register-tiled inner kernel: C[MR x NR] (+)= Ap[kc x MR] * Bp[kc x NR], where Ap
// and Bp are packed micro-panels (k-major, contiguous) produced by pack.ts.

import { MR, NR } from './blocking';

/** acc + a * b, fused when the runtime has relaxed SIMD (one rounding instead of two). */
// @ts-ignore: decorator
@inline function mad(acc: v128, a: v128, b: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, acc);
  return f32x4.add(acc, f32x4.mul(a, b));
}

// @ts-ignore: decorator
@inline function put(p: usize, v: v128, overwrite: bool): void {
  v128.store(p, overwrite ? v : f32x4.add(v128.load(p), v));
}

/**
 * One register tile. `pc` addresses C[0][0] of the tile, `ldcBytes` is the row pitch of
 * C in bytes. With `overwrite` C is written without being read (so stale NaNs in C never
 * leak into a `C = A B` result); otherwise the tile is added to C.
 */
export function microkernel(pa: usize, pb: usize, kc: i32, pc: usize, ldcBytes: usize, overwrite: bool): void {
  if (MR == 4 && NR == 8) kernel4x8(pa, pb, kc, pc, ldcBytes, overwrite);
  else kernel3x12(pa, pb, kc, pc, ldcBytes, overwrite);
}

/**
 * `tiles` register tiles stacked vertically: A panels one after the other from `pa`
 * (kc x MR each), C rows MR apart. One call per column of tiles keeps the call overhead
 * out of the inner loops.
 */
export function microkernelColumn(pa: usize, pb: usize, kc: i32, pc: usize, ldcBytes: usize, overwrite: bool, tiles: i32): void {
  const aStep = <usize>(kc * MR) << 2;
  const cStep = <usize>MR * ldcBytes;
  for (let t = 0; t < tiles; t++) {
    if (MR == 4 && NR == 8) kernel4x8(pa, pb, kc, pc, ldcBytes, overwrite);
    else kernel3x12(pa, pb, kc, pc, ldcBytes, overwrite);
    pa += aStep;
    pc += cStep;
  }
}

// @ts-ignore: decorator
@inline function kernel4x8(pa: usize, pb: usize, kc: i32, pc: usize, ldc: usize, overwrite: bool): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  let a = pa, b = pb;
  const bEnd = pb + (<usize>kc << 5);
  while (b < bEnd) {
    const b0 = v128.load(b), b1 = v128.load(b, 16);
    const a0 = v128.load32_splat(a);
    c00 = mad(c00, a0, b0); c01 = mad(c01, a0, b1);
    const a1 = v128.load32_splat(a, 4);
    c10 = mad(c10, a1, b0); c11 = mad(c11, a1, b1);
    const a2 = v128.load32_splat(a, 8);
    c20 = mad(c20, a2, b0); c21 = mad(c21, a2, b1);
    const a3 = v128.load32_splat(a, 12);
    c30 = mad(c30, a3, b0); c31 = mad(c31, a3, b1);
    a += 16; b += 32;
  }
  put(pc, c00, overwrite); put(pc + 16, c01, overwrite); pc += ldc;
  put(pc, c10, overwrite); put(pc + 16, c11, overwrite); pc += ldc;
  put(pc, c20, overwrite); put(pc + 16, c21, overwrite); pc += ldc;
  put(pc, c30, overwrite); put(pc + 16, c31, overwrite);
}

// @ts-ignore: decorator
@inline function kernel3x12(pa: usize, pb: usize, kc: i32, pc: usize, ldc: usize, overwrite: bool): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c02 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0), c12 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0), c22 = f32x4.splat(0);
  let a = pa, b = pb;
  const bEnd = pb + <usize>kc * 48;
  while (b < bEnd) {
    const b0 = v128.load(b), b1 = v128.load(b, 16), b2 = v128.load(b, 32);
    const a0 = v128.load32_splat(a);
    c00 = mad(c00, a0, b0); c01 = mad(c01, a0, b1); c02 = mad(c02, a0, b2);
    const a1 = v128.load32_splat(a, 4);
    c10 = mad(c10, a1, b0); c11 = mad(c11, a1, b1); c12 = mad(c12, a1, b2);
    const a2 = v128.load32_splat(a, 8);
    c20 = mad(c20, a2, b0); c21 = mad(c21, a2, b1); c22 = mad(c22, a2, b2);
    a += 12; b += 48;
  }
  put(pc, c00, overwrite); put(pc + 16, c01, overwrite); put(pc + 32, c02, overwrite); pc += ldc;
  put(pc, c10, overwrite); put(pc + 16, c11, overwrite); put(pc + 32, c12, overwrite); pc += ldc;
  put(pc, c20, overwrite); put(pc + 16, c21, overwrite); put(pc + 32, c22, overwrite);
}
