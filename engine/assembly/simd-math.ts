// Float32 exp, sigmoid and tanh on four lanes at once, accurate to a few units in the
// last place (float32), for the elementwise kernels. Plain multiply and add throughout
// (never relaxed FMA), so every build of the module computes the same bits.
//
// Only exp of non-positive arguments is needed: softmax subtracts the row maximum, and
// sigmoid and tanh are written in terms of exp(-|x|), which cannot overflow.

// @ts-ignore: decorator
@inline const LOG2E: f32 = 1.44269504;
// ln 2 split in two (Cody-Waite): LN2_HI has few significant bits, so n * LN2_HI is exact.
// @ts-ignore: decorator
@inline const LN2_HI: f32 = 0.693359375;
// @ts-ignore: decorator
@inline const LN2_LO: f32 = -2.12194440e-4;
/** Below this, exp(x) is under float32's normal range: the result is flushed to 0. */
// @ts-ignore: decorator
@inline const EXP_MIN: f32 = -87.3365448;

/** 1.5 * 2^23: adding it rounds a float below 2^22 in magnitude to an integer held in the low mantissa bits. */
// @ts-ignore: decorator
@inline const SHIFTER: f32 = 12582912.0;

/**
 * exp(x) for x <= 0 (larger x are treated as 0): x = n ln2 + r with |r| <= ln2 / 2,
 * e^r by its Taylor polynomial to r^7 (truncation error below 1e-8 relative), times 2^n
 * built in the exponent bits. Exactly 0 below EXP_MIN (so -Infinity gives 0); NaN stays NaN.
 *
 * Written for V8's code generator: pmin/pmax (one instruction each, NaN in x passes
 * through by their definition) instead of min/max (a dozen, for IEEE signed zeros and NaN
 * payloads), and n rounded with the shifter constant, whose sum with x·log2(e) also holds
 * n as an integer in its low bits (no float-to-int conversion, which V8 expands too).
 */
// @ts-ignore: decorator
@inline export function expNeg4(x: v128): v128 {
  const xc = f32x4.pmax(f32x4.pmin(x, f32x4.splat(0)), f32x4.splat(EXP_MIN));
  const t = f32x4.add(f32x4.mul(xc, f32x4.splat(LOG2E)), f32x4.splat(SHIFTER));
  const n = f32x4.sub(t, f32x4.splat(SHIFTER));
  let r = f32x4.sub(xc, f32x4.mul(n, f32x4.splat(LN2_HI)));
  r = f32x4.sub(r, f32x4.mul(n, f32x4.splat(LN2_LO)));
  let p = f32x4.splat(<f32>(1.0 / 5040.0));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(<f32>(1.0 / 720.0)));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(<f32>(1.0 / 120.0)));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(<f32>(1.0 / 24.0)));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(<f32>(1.0 / 6.0)));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(<f32>0.5));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(<f32>1));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(<f32>1));
  // 2^n for n in [-126, 0]: t's low bits hold n; (n + 127) << 23 is 2^n's bit pattern
  // (the shifter's own bits are shifted out).
  const scale = i32x4.shl(i32x4.add(t, i32x4.splat(127)), 23);
  const e = f32x4.mul(p, scale);
  return v128.andnot(e, f32x4.lt(x, f32x4.splat(EXP_MIN)));
}

/** 1 / (1 + e^-x), from e = exp(-|x|): 1 / (1 + e) for x >= 0, e / (1 + e) below. */
// @ts-ignore: decorator
@inline export function sigmoid4(x: v128): v128 {
  const e = expNeg4(f32x4.neg(f32x4.abs(x)));
  const d = f32x4.add(f32x4.splat(1), e);
  const pos = f32x4.div(f32x4.splat(1), d);
  const neg = f32x4.div(e, d);
  return v128.bitselect(pos, neg, f32x4.ge(x, f32x4.splat(0)));
}

/**
 * tanh(x): below |x| = 0.4 its Taylor series to x^13 (error below 1e-8 relative), above
 * (1 - e) / (1 + e) with e = exp(-2|x|) (no cancellation there), with the sign of x.
 */
// @ts-ignore: decorator
@inline export function tanh4(x: v128): v128 {
  const a = f32x4.abs(x);
  const e = expNeg4(f32x4.mul(a, f32x4.splat(-2)));
  const big = f32x4.div(f32x4.sub(f32x4.splat(1), e), f32x4.add(f32x4.splat(1), e));
  const a2 = f32x4.mul(a, a);
  let p = f32x4.splat(<f32>(21844.0 / 6081075.0));
  p = f32x4.add(f32x4.mul(p, a2), f32x4.splat(<f32>(-1382.0 / 155925.0)));
  p = f32x4.add(f32x4.mul(p, a2), f32x4.splat(<f32>(62.0 / 2835.0)));
  p = f32x4.add(f32x4.mul(p, a2), f32x4.splat(<f32>(-17.0 / 315.0)));
  p = f32x4.add(f32x4.mul(p, a2), f32x4.splat(<f32>(2.0 / 15.0)));
  p = f32x4.add(f32x4.mul(p, a2), f32x4.splat(<f32>(-1.0 / 3.0)));
  const small = f32x4.add(a, f32x4.mul(f32x4.mul(p, a2), a));
  const t = v128.bitselect(small, big, f32x4.lt(a, f32x4.splat(<f32>0.4)));
  // |tanh| with the sign bit of x (NaN keeps its own bits through `big`).
  return v128.or(t, v128.and(x, i32x4.splat(0x80000000)));
}

/** The scalar forms, through lane 0 (for row tails that are not a multiple of 4). */
// @ts-ignore: decorator
@inline export function expNeg1(x: f32): f32 { return f32x4.extract_lane(expNeg4(f32x4.splat(x)), 0); }
// @ts-ignore: decorator
@inline export function sigmoid1(x: f32): f32 { return f32x4.extract_lane(sigmoid4(f32x4.splat(x)), 0); }
// @ts-ignore: decorator
@inline export function tanh1(x: f32): f32 { return f32x4.extract_lane(tanh4(f32x4.splat(x)), 0); }
