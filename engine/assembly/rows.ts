// Row-wise kernels over contiguous [rows][n] float32 blocks: softmax and log-softmax
// forward and backward, layer normalisation forward and backward. Same maths as the
// TypeScript loops in engine/src/ops (the reference), in float32 SIMD with float32
// exp (simd-math.ts); reductions along a row use four partial sums.

import { expNeg4, expNeg1 } from './simd-math';

// @ts-ignore: decorator
@inline function hsum(v: v128): f32 {
  return f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1) + f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3);
}

/** The maximum of a row, NaN if any element is NaN (as the reference). */
function rowMax(x: usize, n: i32): f32 {
  // pmax is one instruction (max is a dozen in V8); it skips NaN, so NaN is tracked aside.
  let m = f32x4.splat(-Infinity);
  let nan = i32x4.splat(0);
  let j = 0;
  for (; j + 4 <= n; j += 4) {
    const v = v128.load(x + (<usize>j << 2));
    m = f32x4.pmax(m, v);
    nan = v128.or(nan, f32x4.ne(v, v));
  }
  let r = max(max(f32x4.extract_lane(m, 0), f32x4.extract_lane(m, 1)), max(f32x4.extract_lane(m, 2), f32x4.extract_lane(m, 3)));
  if (v128.any_true(nan)) r = NaN;
  for (; j < n; j++) {
    const v = load<f32>(x + (<usize>j << 2));
    if (v > r || v != v) r = v;
  }
  return r;
}

/**
 * softmax (log = 0) or log-softmax (log = 1) of every row of x into out (which may be x).
 * A row of all -Infinity (fully masked) gives NaN, as in PyTorch.
 */
export function softmaxRows(x: usize, out: usize, rows: i32, n: i32, log: i32): void {
  const rowB = <usize>n << 2;
  for (let r = 0; r < rows; r++) {
    const m = rowMax(x, n);
    const vm = f32x4.splat(m);
    let s4 = f32x4.splat(0);
    let j = 0;
    for (; j + 4 <= n; j += 4) {
      const o = <usize>j << 2;
      const e = expNeg4(f32x4.sub(v128.load(x + o), vm));
      if (!log) v128.store(out + o, e);
      s4 = f32x4.add(s4, e);
    }
    let s = hsum(s4);
    for (; j < n; j++) {
      const o = <usize>j << 2;
      const e = expNeg1(load<f32>(x + o) - m);
      if (!log) store<f32>(out + o, e);
      s += e;
    }
    if (log) {
      const lse = f32x4.splat(m + Mathf.log(s));
      j = 0;
      for (; j + 4 <= n; j += 4) {
        const o = <usize>j << 2;
        v128.store(out + o, f32x4.sub(v128.load(x + o), lse));
      }
      const l = m + Mathf.log(s);
      for (; j < n; j++) store<f32>(out + (<usize>j << 2), load<f32>(x + (<usize>j << 2)) - l);
    } else {
      const inv: f32 = 1 / s;
      const vi = f32x4.splat(inv);
      j = 0;
      for (; j + 4 <= n; j += 4) {
        const o = <usize>j << 2;
        v128.store(out + o, f32x4.mul(v128.load(out + o), vi));
      }
      for (; j < n; j++) store<f32>(out + (<usize>j << 2), load<f32>(out + (<usize>j << 2)) * inv);
    }
    x += rowB;
    out += rowB;
  }
}

/**
 * Backward of softmaxRows from its output y and the output gradient g, into gx (which
 * may be g): softmax gx = y (g - Σ g y); log-softmax gx = g - exp(y) Σ g.
 */
export function softmaxBackwardRows(y: usize, g: usize, gx: usize, rows: i32, n: i32, log: i32): void {
  const rowB = <usize>n << 2;
  for (let r = 0; r < rows; r++) {
    let s4 = f32x4.splat(0);
    let j = 0;
    for (; j + 4 <= n; j += 4) {
      const o = <usize>j << 2;
      const gv = v128.load(g + o);
      s4 = f32x4.add(s4, log ? gv : f32x4.mul(gv, v128.load(y + o)));
    }
    let s = hsum(s4);
    for (; j < n; j++) {
      const o = <usize>j << 2;
      s += log ? load<f32>(g + o) : load<f32>(g + o) * load<f32>(y + o);
    }
    const vs = f32x4.splat(s);
    j = 0;
    for (; j + 4 <= n; j += 4) {
      const o = <usize>j << 2;
      const gv = v128.load(g + o), yv = v128.load(y + o);
      v128.store(gx + o, log ? f32x4.sub(gv, f32x4.mul(expNeg4(yv), vs)) : f32x4.mul(yv, f32x4.sub(gv, vs)));
    }
    for (; j < n; j++) {
      const o = <usize>j << 2;
      const gv = load<f32>(g + o), yv = load<f32>(y + o);
      store<f32>(gx + o, log ? gv - expNeg1(yv) * s : yv * (gv - s));
    }
    y += rowB;
    g += rowB;
    gx += rowB;
  }
}
