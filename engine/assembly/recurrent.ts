// Whole-sequence recurrent layers (LSTM, GRU, Elman RNN), forward and backward, for one
// layer in one direction: every time step's matrix product and pointwise part run here,
// on buffers the caller laid out in this memory, so nothing crosses into JavaScript per
// step. The recurrent weight is packed once per sequence (packBFull) and every step's
// product reads the packed panels. A step called with wPacked = 0 skips its product: the
// caller made it already (the native backend's GEMM on this memory), into pre (LSTM, RNN),
// scratch (GRU forward: h W_hhᵀ) or dh (backward: dh = dpreNext W_hh, GRU: dh += ...).
//
// Layout (float32, row-major), with k the processing step (time t = k, or S-1-k for a
// reverse direction; the caller orders the buffers):
//   pre/gates  [S][B][G*H]  G = 4 (LSTM: i f g o), 3 (GRU: r z n), 1 (RNN)
//   h, c       [S+1][B][H]  slot 0 is the initial state, slot k+1 the state after step k
// Pointers are byte addresses; the pointwise maths is float32 SIMD (simd-math.ts).

import { sigmoid4, tanh4, sigmoid1, tanh1 } from './simd-math';
import { sgemmPackedB, sgemm } from './gemm';

// ---------------------------------------------------------------------------- helpers

/** rows x cols at p += bias (cols) on every row. */
export function addRowBias(p: usize, rows: i32, cols: i32, bias: usize): void {
  for (let r = 0; r < rows; r++) {
    let j = 0;
    for (; j + 4 <= cols; j += 4) {
      const o = <usize>j << 2;
      v128.store(p + o, f32x4.add(v128.load(p + o), v128.load(bias + o)));
    }
    for (; j < cols; j++) {
      const o = <usize>j << 2;
      store<f32>(p + o, load<f32>(p + o) + load<f32>(bias + o));
    }
    p += <usize>cols << 2;
  }
}

/** out[j] = sum over rows of p[r][j] (sums in float32, 4 independent lanes). */
export function columnSums(p: usize, rows: i32, cols: i32, out: usize): void {
  memory.fill(out, 0, <usize>cols << 2);
  for (let r = 0; r < rows; r++) {
    let j = 0;
    for (; j + 4 <= cols; j += 4) {
      const o = <usize>j << 2;
      v128.store(out + o, f32x4.add(v128.load(out + o), v128.load(p + o)));
    }
    for (; j < cols; j++) {
      const o = <usize>j << 2;
      store<f32>(out + o, load<f32>(out + o) + load<f32>(p + o));
    }
    p += <usize>cols << 2;
  }
}

// @ts-ignore: decorator
@inline function one(): v128 { return f32x4.splat(1); }

// ---------------------------------------------------------------------------- LSTM
//
// The layer runs one step at a time (the caller loops, so that steps can be shared
// between threads): step k of units [u0, u1) only needs h_k and its own columns, so
// threads split the hidden units and meet once per step.

/**
 * LSTM pointwise step for `n` units of one batch row, in place on the gate block: the
 * pre-activations i f g o (blocks H floats apart, from g) become σ(i) σ(f) tanh(g) σ(o);
 * c' = f c + i g, h' = o tanh(c').
 */
function lstmCellRow(g: usize, c: usize, cn: usize, hn: usize, H: i32, n: i32): void {
  const hB = <usize>H << 2;
  let j = 0;
  for (; j + 4 <= n; j += 4) {
    const o = <usize>j << 2;
    const vi = sigmoid4(v128.load(g + o));
    const vf = sigmoid4(v128.load(g + hB + o));
    const vg = tanh4(v128.load(g + 2 * hB + o));
    const vo = sigmoid4(v128.load(g + 3 * hB + o));
    const c1 = f32x4.add(f32x4.mul(vf, v128.load(c + o)), f32x4.mul(vi, vg));
    v128.store(g + o, vi);
    v128.store(g + hB + o, vf);
    v128.store(g + 2 * hB + o, vg);
    v128.store(g + 3 * hB + o, vo);
    v128.store(cn + o, c1);
    v128.store(hn + o, f32x4.mul(vo, tanh4(c1)));
  }
  for (; j < n; j++) {
    const o = <usize>j << 2;
    const si = sigmoid1(load<f32>(g + o));
    const sf = sigmoid1(load<f32>(g + hB + o));
    const tg = tanh1(load<f32>(g + 2 * hB + o));
    const so = sigmoid1(load<f32>(g + 3 * hB + o));
    const c1 = sf * load<f32>(c + o) + si * tg;
    store<f32>(g + o, si);
    store<f32>(g + hB + o, sf);
    store<f32>(g + 2 * hB + o, tg);
    store<f32>(g + 3 * hB + o, so);
    store<f32>(cn + o, c1);
    store<f32>(hn + o, so * tanh1(c1));
  }
}

/**
 * One LSTM step for units [u0, u1). `pre` is the step's [B][4H] block holding
 * x W_ihᵀ + b_ih + b_hh (overwritten by the activated gates of these units); `wPacked`
 * holds four packBFull blocks `blockBytes` apart, W_hhᵀ's columns of these units for
 * gates i, f, g, o; h, c are the state before the step, hNext, cNext after it ([B][H]).
 */
export function lstmForwardStep(
  B: i32, H: i32, u0: i32, u1: i32, pre: usize, wPacked: usize, blockBytes: usize,
  h: usize, c: usize, hNext: usize, cNext: usize, ws: usize,
): void {
  const G = 4 * H, w = u1 - u0;
  if (w <= 0) return;
  for (let g = 0; wPacked != 0 && g < 4; g++) {
    sgemmPackedB(0, B, w, H, h, H, wPacked + <usize>g * blockBytes, pre + (<usize>(g * H + u0) << 2), G, 1, ws);
  }
  for (let b = 0; b < B; b++) {
    const rs = (<usize>(b * H + u0)) << 2;
    lstmCellRow(pre + (<usize>(b * G + u0) << 2), c + rs, cNext + rs, hNext + rs, H, w);
  }
}

/**
 * LSTM backward pointwise step for `n` units of one row: from the gradient reaching h'
 * (dh) and c' (dc, updated in place to the gradient of c), the gate pre-activation
 * gradients (blocks H floats apart from d).
 */
function lstmCellBackRow(g: usize, c: usize, cn: usize, dh: usize, dc: usize, d: usize, H: i32, n: i32): void {
  const hB = <usize>H << 2;
  let j = 0;
  for (; j + 4 <= n; j += 4) {
    const o = <usize>j << 2;
    const vi = v128.load(g + o), vf = v128.load(g + hB + o), vg = v128.load(g + 2 * hB + o), vo = v128.load(g + 3 * hB + o);
    const th = tanh4(v128.load(cn + o));
    const gh = v128.load(dh + o);
    const gc = f32x4.add(v128.load(dc + o), f32x4.mul(f32x4.mul(gh, vo), f32x4.sub(one(), f32x4.mul(th, th))));
    v128.store(d + o, f32x4.mul(f32x4.mul(f32x4.mul(gc, vg), vi), f32x4.sub(one(), vi)));
    v128.store(d + hB + o, f32x4.mul(f32x4.mul(f32x4.mul(gc, v128.load(c + o)), vf), f32x4.sub(one(), vf)));
    v128.store(d + 2 * hB + o, f32x4.mul(f32x4.mul(gc, vi), f32x4.sub(one(), f32x4.mul(vg, vg))));
    v128.store(d + 3 * hB + o, f32x4.mul(f32x4.mul(f32x4.mul(gh, th), vo), f32x4.sub(one(), vo)));
    v128.store(dc + o, f32x4.mul(gc, vf));
  }
  for (; j < n; j++) {
    const o = <usize>j << 2;
    const vi = load<f32>(g + o), vf = load<f32>(g + hB + o), vg = load<f32>(g + 2 * hB + o), vo = load<f32>(g + 3 * hB + o);
    const th = tanh1(load<f32>(cn + o));
    const gh = load<f32>(dh + o);
    const gc = load<f32>(dc + o) + gh * vo * (1 - th * th);
    store<f32>(d + o, gc * vg * vi * (1 - vi));
    store<f32>(d + hB + o, gc * load<f32>(c + o) * vf * (1 - vf));
    store<f32>(d + 2 * hB + o, gc * vi * (1 - vg * vg));
    store<f32>(d + 3 * hB + o, gh * th * vo * (1 - vo));
    store<f32>(dc + o, gc * vf);
  }
}

/**
 * One LSTM backward step for units [u0, u1) (steps run from S-1 down to 0). First the
 * recurrent gradient of these units' h: dh = dpreNext W_hh[:, u0:u1] (`wPacked`:
 * packBFull of those columns, K = 4H), or 0 when `dpreNext` is 0 (the last step). Then,
 * unless `dpre` is 0 (the final call, which only leaves dh = the gradient of h0), with
 * dh += dhOut (the step output's own gradient) and dc (the gradient reaching c after the
 * step, updated to the one before it) the gate gradients of these units into `dpre`.
 * gates: the step's activated [B][4H]; c, cNext: the cell state before and after it.
 */
export function lstmBackwardStep(
  B: i32, H: i32, u0: i32, u1: i32, dpreNext: usize, wPacked: usize,
  gates: usize, c: usize, cNext: usize, dhOut: usize, dh: usize, dc: usize, dpre: usize, ws: usize,
): void {
  const G = 4 * H, w = u1 - u0;
  if (w <= 0) return;
  if (wPacked == 0) {
    // dh was computed by the caller.
  } else if (dpreNext != 0) sgemmPackedB(0, B, w, G, dpreNext, G, wPacked, dh + (<usize>u0 << 2), H, 0, ws);
  else for (let b = 0; b < B; b++) memory.fill(dh + (<usize>(b * H + u0) << 2), 0, <usize>w << 2);
  if (dpre == 0) return;
  for (let b = 0; b < B; b++) {
    const rs = (<usize>(b * H + u0)) << 2;
    addInto(dh + rs, dhOut + rs, w);
    const gs = (<usize>(b * G + u0)) << 2;
    lstmCellBackRow(gates + gs, c + rs, cNext + rs, dh + rs, dc + rs, dpre + gs, H, w);
  }
}

// ---------------------------------------------------------------------------- GRU
//
// As the LSTM, one step at a time over ranges of hidden units. The recurrent product
// a = h W_hhᵀ goes to a [B][3H] scratch (not onto the pre-activations: b_hh's and the
// product's n block are multiplied by r before they meet x_n), b_hh is added to it in
// the pointwise part.

/**
 * GRU pointwise step for `n` units of one batch row: x (r z n blocks H floats apart,
 * x W_ihᵀ + b_ih) becomes σ(r) σ(z) tanh(n) in place, from a = h W_hhᵀ (blocks H apart)
 * and b_hh (`bias`, blocks H apart); an gets a_n + b_hn, hn h' = n + z (h - n).
 */
function gruCellRow(x: usize, a: usize, bias: usize, h: usize, hn: usize, an: usize, H: i32, n: i32): void {
  const hB = <usize>H << 2;
  let j = 0;
  for (; j + 4 <= n; j += 4) {
    const o = <usize>j << 2;
    const ar = f32x4.add(v128.load(a + o), v128.load(bias + o));
    const az = f32x4.add(v128.load(a + hB + o), v128.load(bias + hB + o));
    const aN = f32x4.add(v128.load(a + 2 * hB + o), v128.load(bias + 2 * hB + o));
    const vr = sigmoid4(f32x4.add(v128.load(x + o), ar));
    const vz = sigmoid4(f32x4.add(v128.load(x + hB + o), az));
    const vn = tanh4(f32x4.add(v128.load(x + 2 * hB + o), f32x4.mul(vr, aN)));
    v128.store(x + o, vr);
    v128.store(x + hB + o, vz);
    v128.store(x + 2 * hB + o, vn);
    v128.store(an + o, aN);
    v128.store(hn + o, f32x4.add(vn, f32x4.mul(vz, f32x4.sub(v128.load(h + o), vn))));
  }
  for (; j < n; j++) {
    const o = <usize>j << 2;
    const ar = load<f32>(a + o) + load<f32>(bias + o);
    const az = load<f32>(a + hB + o) + load<f32>(bias + hB + o);
    const aN = load<f32>(a + 2 * hB + o) + load<f32>(bias + 2 * hB + o);
    const sr = sigmoid1(load<f32>(x + o) + ar);
    const sz = sigmoid1(load<f32>(x + hB + o) + az);
    const tn = tanh1(load<f32>(x + 2 * hB + o) + sr * aN);
    store<f32>(x + o, sr);
    store<f32>(x + hB + o, sz);
    store<f32>(x + 2 * hB + o, tn);
    store<f32>(an + o, aN);
    store<f32>(hn + o, tn + sz * (load<f32>(h + o) - tn));
  }
}

/**
 * One GRU step for units [u0, u1). `pre` is the step's [B][3H] block of x W_ihᵀ + b_ih
 * (overwritten by the activated gates of these units); `wPacked` holds three packBFull
 * blocks `blockBytes` apart (W_hhᵀ's columns of these units for gates r, z, n); `bias`
 * b_hh [3H] (zeros when the layer has none); `scratch` [B][3H] for h W_hhᵀ; h the state
 * before the step, hNext after it, an [B][H] a_n = h W_hnᵀ + b_hn (kept for backward).
 */
export function gruForwardStep(
  B: i32, H: i32, u0: i32, u1: i32, pre: usize, wPacked: usize, blockBytes: usize, bias: usize,
  h: usize, hNext: usize, an: usize, scratch: usize, ws: usize,
): void {
  const G = 3 * H, w = u1 - u0;
  if (w <= 0) return;
  for (let g = 0; wPacked != 0 && g < 3; g++) {
    sgemmPackedB(0, B, w, H, h, H, wPacked + <usize>g * blockBytes, scratch + (<usize>(g * H + u0) << 2), G, 0, ws);
  }
  const bu = bias + (<usize>u0 << 2);
  for (let b = 0; b < B; b++) {
    const rs = (<usize>(b * H + u0)) << 2;
    const gs = (<usize>(b * G + u0)) << 2;
    gruCellRow(pre + gs, scratch + gs, bu, h + rs, hNext + rs, an + rs, H, w);
  }
}

/**
 * GRU backward pointwise step for `n` units of one row: from the gradient reaching h'
 * (dh, replaced by the direct part of the gradient of h, dh' ⊙ z), the gradients of the
 * x pre-activations (dx) and of a = h W_hhᵀ + b_hh (da: the same but n times r).
 */
function gruCellBackRow(g: usize, an: usize, h: usize, dh: usize, dx: usize, da: usize, H: i32, n: i32): void {
  const hB = <usize>H << 2;
  let j = 0;
  for (; j + 4 <= n; j += 4) {
    const o = <usize>j << 2;
    const vr = v128.load(g + o), vz = v128.load(g + hB + o), vn = v128.load(g + 2 * hB + o);
    const gh = v128.load(dh + o);
    const dn = f32x4.mul(f32x4.mul(gh, f32x4.sub(one(), vz)), f32x4.sub(one(), f32x4.mul(vn, vn)));
    const dz = f32x4.mul(f32x4.mul(f32x4.mul(gh, f32x4.sub(v128.load(h + o), vn)), vz), f32x4.sub(one(), vz));
    const dr = f32x4.mul(f32x4.mul(f32x4.mul(dn, v128.load(an + o)), vr), f32x4.sub(one(), vr));
    v128.store(dx + o, dr);
    v128.store(dx + hB + o, dz);
    v128.store(dx + 2 * hB + o, dn);
    v128.store(da + o, dr);
    v128.store(da + hB + o, dz);
    v128.store(da + 2 * hB + o, f32x4.mul(dn, vr));
    v128.store(dh + o, f32x4.mul(gh, vz));
  }
  for (; j < n; j++) {
    const o = <usize>j << 2;
    const vr = load<f32>(g + o), vz = load<f32>(g + hB + o), vn = load<f32>(g + 2 * hB + o);
    const gh = load<f32>(dh + o);
    const dn = gh * (1 - vz) * (1 - vn * vn);
    const dz = gh * (load<f32>(h + o) - vn) * vz * (1 - vz);
    const dr = dn * load<f32>(an + o) * vr * (1 - vr);
    store<f32>(dx + o, dr);
    store<f32>(dx + hB + o, dz);
    store<f32>(dx + 2 * hB + o, dn);
    store<f32>(da + o, dr);
    store<f32>(da + hB + o, dz);
    store<f32>(da + 2 * hB + o, dn * vr);
    store<f32>(dh + o, gh * vz);
  }
}

/**
 * One GRU backward step for units [u0, u1) (steps from S-1 down to 0). First the
 * gradient of these units' h after the step: dh[:, u0:u1] += daNext W_hh[:, u0:u1]
 * (`wPacked`: packBFull of those columns, K = 3H; dh holds the direct part the later step
 * left), or 0 when `daNext` is 0 (the last step). Then, unless `dx` is 0 (the final
 * call, which only leaves dh = the gradient of h0), with dh += dhOut the gate gradients
 * of these units into dx and da, and dh the direct part for the step before.
 * gates: the step's activated [B][3H]; an: its a_n [B][H]; h: the state before it.
 */
export function gruBackwardStep(
  B: i32, H: i32, u0: i32, u1: i32, daNext: usize, wPacked: usize,
  gates: usize, an: usize, h: usize, dhOut: usize, dh: usize, dx: usize, da: usize, ws: usize,
): void {
  const G = 3 * H, w = u1 - u0;
  if (w <= 0) return;
  if (wPacked == 0) {
    // dh was computed by the caller.
  } else if (daNext != 0) sgemmPackedB(0, B, w, G, daNext, G, wPacked, dh + (<usize>u0 << 2), H, 1, ws);
  else for (let b = 0; b < B; b++) memory.fill(dh + (<usize>(b * H + u0) << 2), 0, <usize>w << 2);
  if (dx == 0) return;
  for (let b = 0; b < B; b++) {
    const rs = (<usize>(b * H + u0)) << 2;
    addInto(dh + rs, dhOut + rs, w);
    const gs = (<usize>(b * G + u0)) << 2;
    gruCellBackRow(gates + gs, an + rs, h + rs, dh + rs, dx + gs, da + gs, H, w);
  }
}

// ---------------------------------------------------------------------------- Elman RNN

/**
 * One Elman RNN step for units [u0, u1): pre[:, u0:u1] (the step's [B][H] block of
 * x W_ihᵀ + b_ih + b_hh) += h W_hhᵀ[:, u0:u1] (`wPacked`: packBFull of those columns),
 * then h' = tanh(pre) (or relu), written to hNext and over pre.
 */
export function rnnForwardStep(
  B: i32, H: i32, u0: i32, u1: i32, pre: usize, wPacked: usize, h: usize, hNext: usize, relu: i32, ws: usize,
): void {
  const w = u1 - u0;
  if (w <= 0) return;
  if (wPacked != 0) sgemmPackedB(0, B, w, H, h, H, wPacked, pre + (<usize>u0 << 2), H, 1, ws);
  const zero = f32x4.splat(0);
  for (let b = 0; b < B; b++) {
    const p = pre + (<usize>(b * H + u0) << 2), q = hNext + (<usize>(b * H + u0) << 2);
    let j = 0;
    for (; j + 4 <= w; j += 4) {
      const o = <usize>j << 2;
      const x = v128.load(p + o);
      // relu as the reference: x where x > 0 or NaN, else +0.
      const y = relu ? v128.and(x, v128.or(f32x4.gt(x, zero), f32x4.ne(x, x))) : tanh4(x);
      v128.store(p + o, y);
      v128.store(q + o, y);
    }
    for (; j < w; j++) {
      const o = <usize>j << 2;
      const x = load<f32>(p + o);
      const y: f32 = relu ? (x > 0 || x != x ? x : 0) : tanh1(x);
      store<f32>(p + o, y);
      store<f32>(q + o, y);
    }
  }
}

/**
 * One Elman RNN backward step for units [u0, u1) (steps from S-1 down to 0): dh[:, u0:u1]
 * = dpreNext W_hh[:, u0:u1] (`wPacked`, K = H), or 0 for the last step; unless `dpre` is
 * 0 (the final call, leaving dh = the gradient of h0), dpre[:, u0:u1] = (dh + dhOut) ·
 * tanh'(pre) from the step's output y (1 - y², or [y > 0] for relu).
 */
export function rnnBackwardStep(
  B: i32, H: i32, u0: i32, u1: i32, dpreNext: usize, wPacked: usize, y: usize, dhOut: usize, dh: usize, dpre: usize,
  relu: i32, ws: usize,
): void {
  const w = u1 - u0;
  if (w <= 0) return;
  if (wPacked == 0) {
    // dh was computed by the caller.
  } else if (dpreNext != 0) sgemmPackedB(0, B, w, H, dpreNext, H, wPacked, dh + (<usize>u0 << 2), H, 0, ws);
  else for (let b = 0; b < B; b++) memory.fill(dh + (<usize>(b * H + u0) << 2), 0, <usize>w << 2);
  if (dpre == 0) return;
  const zero = f32x4.splat(0), one = f32x4.splat(1);
  for (let b = 0; b < B; b++) {
    const rs = <usize>(b * H + u0) << 2;
    let j = 0;
    for (; j + 4 <= w; j += 4) {
      const o = rs + (<usize>j << 2);
      const g = f32x4.add(v128.load(dh + o), v128.load(dhOut + o));
      const yv = v128.load(y + o);
      v128.store(dpre + o, relu ? v128.and(g, f32x4.gt(yv, zero)) : f32x4.mul(g, f32x4.sub(one, f32x4.mul(yv, yv))));
    }
    for (; j < w; j++) {
      const o = rs + (<usize>j << 2);
      const g = load<f32>(dh + o) + load<f32>(dhOut + o);
      const yv = load<f32>(y + o);
      store<f32>(dpre + o, relu ? (yv > 0 ? g : 0) : g * (1 - yv * yv));
    }
  }
}

/** a[0..n) += b[0..n) */
function addInto(a: usize, b: usize, n: i32): void {
  let j = 0;
  for (; j + 4 <= n; j += 4) {
    const o = <usize>j << 2;
    v128.store(a + o, f32x4.add(v128.load(a + o), v128.load(b + o)));
  }
  for (; j < n; j++) {
    const o = <usize>j << 2;
    store<f32>(a + o, load<f32>(a + o) + load<f32>(b + o));
  }
}

/**
 * The weight gradient of a recurrence, one product over all steps:
 * dW (G x H) = dpreᵀ [G x S·B] · hPrev [S·B x H], where hPrev is h's slots 0..S-1.
 */
export function recurrentWeightGrad(S: i32, B: i32, H: i32, G: i32, dpre: usize, h: usize, dW: usize, ws: usize): void {
  sgemm(1, 0, G, H, S * B, dpre, G, h, H, dW, H, 0, ws);
}
