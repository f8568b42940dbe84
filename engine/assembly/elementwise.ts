// Elementwise maps over contiguous float32 arrays, for the ops whose JavaScript loops are
// slow: branches on the sign of random data (relu and its gradient mispredict half the
// time) and transcendental functions. `kind` selects the function once per call.

import { sigmoid4, tanh4 } from './simd-math';

/** unaryMap kinds. */
export const RELU = 0;
export const TANH = 1;
export const SIGMOID = 2;

/** binaryMap kinds: a is the upstream gradient, b the saved input (relu) or output (tanh, sigmoid). */
export const RELU_GRAD = 0;
export const TANH_GRAD = 1;
export const SIGMOID_GRAD = 2;

// @ts-ignore: decorator
@inline function unary4(kind: i32, x: v128): v128 {
  if (kind == RELU) {
    // x where x > 0 or x is NaN, else +0 (as the reference: relu(NaN) = NaN, relu(-0) = 0).
    return v128.and(x, v128.or(f32x4.gt(x, f32x4.splat(0)), f32x4.ne(x, x)));
  }
  if (kind == TANH) return tanh4(x);
  return sigmoid4(x);
}

// @ts-ignore: decorator
@inline function binary4(kind: i32, g: v128, y: v128): v128 {
  if (kind == RELU_GRAD) return v128.and(g, f32x4.gt(y, f32x4.splat(0)));
  const one = f32x4.splat(1);
  if (kind == TANH_GRAD) return f32x4.mul(g, f32x4.sub(one, f32x4.mul(y, y)));
  return f32x4.mul(f32x4.mul(g, y), f32x4.sub(one, y));
}

/** out[i] = f(x[i]) for i < n (out may be x). */
export function unaryMap(kind: i32, x: usize, out: usize, n: i32): void {
  let i = 0;
  if (kind == RELU) for (; i + 4 <= n; i += 4) { const o = <usize>i << 2; v128.store(out + o, unary4(RELU, v128.load(x + o))); }
  else if (kind == TANH) for (; i + 4 <= n; i += 4) { const o = <usize>i << 2; v128.store(out + o, unary4(TANH, v128.load(x + o))); }
  else for (; i + 4 <= n; i += 4) { const o = <usize>i << 2; v128.store(out + o, unary4(SIGMOID, v128.load(x + o))); }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(out + o, f32x4.extract_lane(unary4(kind, f32x4.splat(load<f32>(x + o))), 0));
  }
}

/** out[i] = f(a[i], b[i]) for i < n (out may be a or b). */
export function binaryMap(kind: i32, a: usize, b: usize, out: usize, n: i32): void {
  let i = 0;
  if (kind == RELU_GRAD) for (; i + 4 <= n; i += 4) { const o = <usize>i << 2; v128.store(out + o, binary4(RELU_GRAD, v128.load(a + o), v128.load(b + o))); }
  else if (kind == TANH_GRAD) for (; i + 4 <= n; i += 4) { const o = <usize>i << 2; v128.store(out + o, binary4(TANH_GRAD, v128.load(a + o), v128.load(b + o))); }
  else for (; i + 4 <= n; i += 4) { const o = <usize>i << 2; v128.store(out + o, binary4(SIGMOID_GRAD, v128.load(a + o), v128.load(b + o))); }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(out + o, f32x4.extract_lane(binary4(kind, f32x4.splat(load<f32>(a + o)), f32x4.splat(load<f32>(b + o))), 0));
  }
}

