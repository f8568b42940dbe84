/**
 * Whole-sequence LSTM, GRU and Elman RNN layers (one layer, one direction), forward and backward, in plain
 * TypeScript: the reference that the installed fast kernels (kernels/fast.ts) are tested
 * against, and the path when none is installed. The maths is the per-step composition
 * of nn/functional-rnn.ts (products, then ops/recurrent.ts's pointwise step), with the
 * weight gradient taken as one product over all steps.
 */
import { gemmBatchedReference } from './gemm.js';
import type { GruBackwardArgs, GruForwardArgs, LstmBackwardArgs, LstmForwardArgs, RnnBackwardArgs, RnnForwardArgs } from './fast.js';

function sigmoid(x: number): number {
  return x >= 0 ? 1 / (1 + Math.exp(-x)) : 1 - 1 / (1 + Math.exp(x));
}

function product(
  transA: boolean, transB: boolean, M: number, N: number, K: number,
  A: Float32Array, aOffset: number, lda: number, B: Float32Array, bOffset: number, ldb: number,
  C: Float32Array, cOffset: number, ldc: number, accumulate: boolean,
): void {
  gemmBatchedReference({
    transA, transB, M, N, K, A, aOffset, lda, B, bOffset, ldb, C, cOffset, ldc, accumulate,
    batch: 1, strideA: 0, strideB: 0, strideC: 0,
  });
}

/** The column sums of `rows` x `cols` floats of `src` (summed in float64) into `out`. */
function columnSums(src: Float32Array, rows: number, cols: number, out: Float32Array): void {
  const db = new Float64Array(cols);
  for (let r = 0; r < rows; r++) for (let j = 0; j < cols; j++) db[j]! += src[r * cols + j]!;
  for (let j = 0; j < cols; j++) out[j] = db[j]!;
}

/**
 * dW = Σ_t dPre_tᵀ h_prev(t) over the steps (dPre [S, B, G], dW [G, H], G the width of all
 * gate blocks), one product per step: h_prev is h0 for the first processed step, else the
 * output of the step processed before.
 */
function recurrentWeightGrad(
  S: number, B: number, H: number, G: number, reverse: boolean,
  dPre: Float32Array, h0: Float32Array, hOut: Float32Array, dW: Float32Array,
): void {
  const BH = B * H;
  dW.fill(0);
  for (let k = 0; k < S; k++) {
    const t = reverse ? S - 1 - k : k;
    const prev = k === 0 ? h0 : hOut;
    const prevOff = k === 0 ? 0 : (reverse ? t + 1 : t - 1) * BH;
    product(true, false, G, H, B, dPre, t * B * G, G, prev, prevOff, H, dW, 0, H, true);
  }
}

/** x + b_ih[j] rounded to float32 (as the input projection would have stored it), or x. */
function withInputBias(x: number, inputBias: Float32Array | null, j: number): number {
  return inputBias === null ? x : Math.fround(x + inputBias[j]!);
}

/** See `LstmForwardArgs`. */
export function lstmForwardReference(a: LstmForwardArgs): void {
  const { S, B, H, xProj, bias, inputBias, weight, reverse, hOut, c } = a;
  const G = 4 * H;
  // Without a gates buffer to fill, one step's worth of scratch.
  const gates = a.gates ?? new Float32Array(B * G);
  c.set(a.c0, 0);
  let h = a.h0;
  let hOff = 0;
  for (let k = 0; k < S; k++) {
    const t = reverse ? S - 1 - k : k;
    const go = a.gates !== null ? k * B * G : 0;
    // pre = xProj_t + b_hh + h W_hhᵀ, into this step's gate block.
    for (let b = 0; b < B; b++) {
      for (let j = 0; j < G; j++) gates[go + b * G + j] = withInputBias(xProj[(t * B + b) * G + j]!, inputBias, j) + (bias ? bias[j]! : 0);
    }
    product(false, true, B, G, H, h, hOff, H, weight, 0, H, gates, go, G, true);
    const cPrev = k * B * H;
    const cNext = (k + 1) * B * H;
    const ho = t * B * H;
    for (let b = 0; b < B; b++) {
      for (let j = 0; j < H; j++) {
        const g0 = go + b * G + j;
        const i = sigmoid(gates[g0]!);
        const f = sigmoid(gates[g0 + H]!);
        const g = Math.tanh(gates[g0 + 2 * H]!);
        const o = sigmoid(gates[g0 + 3 * H]!);
        const cn = f * c[cPrev + b * H + j]! + i * g;
        gates[g0] = i;
        gates[g0 + H] = f;
        gates[g0 + 2 * H] = g;
        gates[g0 + 3 * H] = o;
        c[cNext + b * H + j] = cn;
        hOut[ho + b * H + j] = o * Math.tanh(cn);
      }
    }
    h = hOut;
    hOff = ho;
  }
}

/** See `LstmBackwardArgs`. */
export function lstmBackwardReference(a: LstmBackwardArgs): void {
  const { S, B, H, weight, reverse, c, gates, dhOut, dPre, dh0, dc0 } = a;
  const G = 4 * H;
  const BH = B * H;
  const dh = new Float32Array(BH);
  const dc = Float32Array.from(a.dcN);
  for (let k = S - 1; k >= 0; k--) {
    const t = reverse ? S - 1 - k : k;
    const go = k * B * G;
    const dOff = t * B * G;
    for (let b = 0; b < B; b++) {
      for (let j = 0; j < H; j++) {
        const s = b * H + j;
        const g0 = go + b * G + j;
        const i = gates[g0]!, f = gates[g0 + H]!, g = gates[g0 + 2 * H]!, o = gates[g0 + 3 * H]!;
        const th = Math.tanh(c[(k + 1) * BH + s]!);
        const gh = dh[s]! + dhOut[t * BH + s]!;
        const gc = dc[s]! + gh * o * (1 - th * th);
        const d0 = dOff + b * G + j;
        dPre[d0] = gc * g * i * (1 - i);
        dPre[d0 + H] = gc * c[k * BH + s]! * f * (1 - f);
        dPre[d0 + 2 * H] = gc * i * (1 - g * g);
        dPre[d0 + 3 * H] = gh * th * o * (1 - o);
        dc[s] = gc * f;
      }
    }
    // Gradient of the previous h: dPre_t W_hh.
    product(false, false, B, H, G, dPre, dOff, G, weight, 0, H, dh, 0, H, false);
  }
  dh0.set(dh);
  dc0.set(dc);
  recurrentWeightGrad(S, B, H, G, reverse, dPre, a.h0, a.hOut, a.dWeight);
  if (a.dBias !== null) columnSums(dPre, S * B, G, a.dBias);
}

/** See `GruForwardArgs`. */
export function gruForwardReference(a: GruForwardArgs): void {
  const { S, B, H, xProj, bias, inputBias, weight, reverse, hOut } = a;
  const G = 3 * H;
  const BH = B * H;
  // a = h W_hhᵀ + b_hh of one step; without buffers to fill, one step's worth of scratch.
  const hh = new Float32Array(B * G);
  const gates = a.gates ?? new Float32Array(B * G);
  const hn = a.hn ?? new Float32Array(BH);
  let h = a.h0;
  let hOff = 0;
  for (let k = 0; k < S; k++) {
    const t = reverse ? S - 1 - k : k;
    const go = a.gates !== null ? k * B * G : 0;
    const no = a.hn !== null ? k * BH : 0;
    for (let b = 0; b < B; b++) {
      for (let j = 0; j < G; j++) hh[b * G + j] = bias ? bias[j]! : 0;
    }
    product(false, true, B, G, H, h, hOff, H, weight, 0, H, hh, 0, G, true);
    const ho = t * BH;
    for (let b = 0; b < B; b++) {
      const xo = (t * B + b) * G;
      for (let j = 0; j < H; j++) {
        const r = sigmoid(withInputBias(xProj[xo + j]!, inputBias, j) + hh[b * G + j]!);
        const z = sigmoid(withInputBias(xProj[xo + H + j]!, inputBias, H + j) + hh[b * G + H + j]!);
        const an = hh[b * G + 2 * H + j]!;
        const n = Math.tanh(withInputBias(xProj[xo + 2 * H + j]!, inputBias, 2 * H + j) + r * an);
        const g0 = go + b * G + j;
        gates[g0] = r;
        gates[g0 + H] = z;
        gates[g0 + 2 * H] = n;
        hn[no + b * H + j] = an;
        hOut[ho + b * H + j] = n + z * (h[hOff + b * H + j]! - n);
      }
    }
    h = hOut;
    hOff = ho;
  }
}

/** See `GruBackwardArgs`. */
export function gruBackwardReference(a: GruBackwardArgs): void {
  const { S, B, H, weight, reverse, gates, hn, hOut, dhOut, dPre } = a;
  const G = 3 * H;
  const BH = B * H;
  // dA [S, B, 3H], time order: the gradient of a = h W_hhᵀ + b_hh (dPre with the n block times r).
  const dA = new Float32Array(S * B * G);
  // The gradient reaching the state after the step being processed.
  const dh = new Float32Array(BH);
  for (let k = S - 1; k >= 0; k--) {
    const t = reverse ? S - 1 - k : k;
    const go = k * B * G;
    const dOff = t * B * G;
    const prev = k === 0 ? a.h0 : hOut;
    const prevOff = k === 0 ? 0 : (reverse ? t + 1 : t - 1) * BH;
    for (let b = 0; b < B; b++) {
      for (let j = 0; j < H; j++) {
        const s = b * H + j;
        const g0 = go + b * G + j;
        const r = gates[g0]!, z = gates[g0 + H]!, n = gates[g0 + 2 * H]!;
        const gh = dh[s]! + dhOut[t * BH + s]!;
        const dn = gh * (1 - z) * (1 - n * n);
        const dz = gh * (prev[prevOff + s]! - n) * z * (1 - z);
        const dr = dn * hn[k * BH + s]! * r * (1 - r);
        const d0 = dOff + b * G + j;
        dPre[d0] = dA[d0] = dr;
        dPre[d0 + H] = dA[d0 + H] = dz;
        dPre[d0 + 2 * H] = dn;
        dA[d0 + 2 * H] = dn * r;
        // The direct path h -> h' (z ⊙ h); the recurrent product is added below.
        dh[s] = gh * z;
      }
    }
    // Gradient of the previous h: dA_t W_hh + the direct path.
    product(false, false, B, H, G, dA, dOff, G, weight, 0, H, dh, 0, H, true);
  }
  a.dh0.set(dh);
  recurrentWeightGrad(S, B, H, G, reverse, dA, a.h0, hOut, a.dWeight);
  if (a.dBias !== null) columnSums(dA, S * B, G, a.dBias);
  if (a.dInputBias !== null) columnSums(dPre, S * B, G, a.dInputBias);
}

/** relu as the elementwise op computes it: NaN stays NaN, everything not above 0 is +0. */
function reluValue(x: number): number {
  return x > 0 ? x : x !== x ? x : 0;
}

/** See `RnnForwardArgs`. */
export function rnnForwardReference(a: RnnForwardArgs): void {
  const { S, B, H, xProj, bias, inputBias, weight, reverse, relu, hOut } = a;
  const BH = B * H;
  let h = a.h0;
  let hOff = 0;
  for (let k = 0; k < S; k++) {
    const t = reverse ? S - 1 - k : k;
    const ho = t * BH;
    // pre = xProj_t + b_hh + h W_hhᵀ, in this step's output block, then activated in place.
    for (let b = 0; b < B; b++) {
      for (let j = 0; j < H; j++) hOut[ho + b * H + j] = withInputBias(xProj[ho + b * H + j]!, inputBias, j) + (bias ? bias[j]! : 0);
    }
    product(false, true, B, H, H, h, hOff, H, weight, 0, H, hOut, ho, H, true);
    for (let i = ho; i < ho + BH; i++) hOut[i] = relu ? reluValue(hOut[i]!) : Math.tanh(hOut[i]!);
    h = hOut;
    hOff = ho;
  }
}

/** See `RnnBackwardArgs`. */
export function rnnBackwardReference(a: RnnBackwardArgs): void {
  const { S, B, H, weight, reverse, relu, hOut, dhOut, dPre, dh0 } = a;
  const BH = B * H;
  const dh = new Float32Array(BH);
  for (let k = S - 1; k >= 0; k--) {
    const t = reverse ? S - 1 - k : k;
    const o = t * BH;
    for (let s = 0; s < BH; s++) {
      const g = dh[s]! + dhOut[o + s]!;
      const y = hOut[o + s]!;
      // The activation's derivative from its output: relu passes where y > 0, tanh' = 1 - y².
      dPre[o + s] = relu ? (y > 0 ? g : 0) : g * (1 - y * y);
    }
    // Gradient of the previous h: dPre_t W_hh.
    product(false, false, B, H, H, dPre, o, H, weight, 0, H, dh, 0, H, false);
  }
  dh0.set(dh);
  recurrentWeightGrad(S, B, H, H, reverse, dPre, a.h0, hOut, a.dWeight);
  if (a.dBias !== null) columnSums(dPre, S * B, H, a.dBias);
}
