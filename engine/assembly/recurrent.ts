// Whole-sequence recurrent layers (LSTM, GRU, Elman RNN), forward and backward, for one
// layer in one direction: every time step's matrix product and pointwise part run here,
// on buffers the caller laid out in this memory, so nothing crosses into JavaScript per
// step. The recurrent weight is packed once per sequence (packBFull) and every step's
// product reads the packed panels.
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

/**
 * LSTM pointwise step for one row of the batch, in place on the gate block: pre-activations
 * [i f g o] (4H at g) become σ(i) σ(f) tanh(g) σ(o); c' = f c + i g, h' = o tanh(c').
 */
function lstmCellRow(g: usize, c: usize, cn: usize, hn: usize, H: i32): void {
  const hB = <usize>H << 2;
  let j = 0;
  for (; j + 4 <= H; j += 4) {
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
  for (; j < H; j++) {
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
 * LSTM forward over S steps. `pre` holds x W_ihᵀ + b_ih + b_hh per step (overwritten by
 * the activated gates), `wPacked` is W_hhᵀ (H x 4H) packed by packBFull, h and c hold
 * the initial state in slot 0 and receive the rest.
 */
export function lstmForward(S: i32, B: i32, H: i32, pre: usize, wPacked: usize, h: usize, c: usize, ws: usize): void {
  const G = 4 * H;
  const stateB = (<usize>B * <usize>H) << 2;
  const gateB = (<usize>B * <usize>G) << 2;
  for (let k = 0; k < S; k++) {
    const gk = pre + <usize>k * gateB;
    const hk = h + <usize>k * stateB, ck = c + <usize>k * stateB;
    sgemmPackedB(0, B, G, H, hk, H, wPacked, gk, G, 1, ws);
    for (let b = 0; b < B; b++) {
      const rs = (<usize>b * <usize>H) << 2;
      lstmCellRow(gk + ((<usize>b * <usize>G) << 2), ck + rs, ck + stateB + rs, hk + stateB + rs, H);
    }
  }
}

/**
 * LSTM backward pointwise step for one row: from the gradient reaching h' (dh) and c'
 * (dc, updated in place to the gradient of c), the gate pre-activation gradients.
 */
function lstmCellBackRow(g: usize, c: usize, cn: usize, dh: usize, dc: usize, d: usize, H: i32): void {
  const hB = <usize>H << 2;
  let j = 0;
  for (; j + 4 <= H; j += 4) {
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
  for (; j < H; j++) {
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
 * LSTM backward over S steps (k from S-1 down to 0). `gates` and `c` are what
 * lstmForward left; `dhOut` [S][B][H] is the gradient of every step's output h (the
 * final state's gradient already added to the last step's). `dh` [B][H] is scratch and
 * ends as the gradient of h0; `dc` [B][H] holds the gradient of the final c and ends as
 * that of c0. `wPacked` is W_hh (4H x H) packed by packBFull; `dpre` [S][B][4H]
 * receives the gradients of the pre-activations.
 */
export function lstmBackward(
  S: i32, B: i32, H: i32, gates: usize, c: usize, dhOut: usize, dh: usize, dc: usize,
  wPacked: usize, dpre: usize, ws: usize,
): void {
  const G = 4 * H;
  const stateB = (<usize>B * <usize>H) << 2;
  const gateB = (<usize>B * <usize>G) << 2;
  memory.fill(dh, 0, stateB);
  for (let k = S - 1; k >= 0; k--) {
    const gk = gates + <usize>k * gateB, dk = dpre + <usize>k * gateB;
    const ck = c + <usize>k * stateB;
    const dho = dhOut + <usize>k * stateB;
    for (let b = 0; b < B; b++) {
      const rs = (<usize>b * <usize>H) << 2;
      // dh (recurrent part) += the output's own gradient.
      addInto(dh + rs, dho + rs, H);
      const gs = (<usize>b * <usize>G) << 2;
      lstmCellBackRow(gk + gs, ck + rs, ck + stateB + rs, dh + rs, dc + rs, dk + gs, H);
    }
    // dh for the previous step: dpre_k W_hh.
    sgemmPackedB(0, B, H, G, dk, G, wPacked, dh, H, 0, ws);
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
