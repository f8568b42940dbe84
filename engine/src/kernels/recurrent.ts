/**
 * Whole-sequence LSTM layers (one layer, one direction), forward and backward, in plain
 * TypeScript: the reference that the installed fast kernels (kernels/fast.ts) are tested
 * against, and the path when none is installed. The maths is the per-step composition
 * of nn/functional-rnn.ts (products, then ops/recurrent.ts's pointwise step), with the
 * weight gradient taken as one product over all steps.
 */
import { gemmBatchedReference } from './gemm.js';
import type { LstmBackwardArgs, LstmForwardArgs } from './fast.js';

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

/** See `LstmForwardArgs`. */
export function lstmForwardReference(a: LstmForwardArgs): void {
  const { S, B, H, xProj, bias, weight, reverse, hOut, c } = a;
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
      for (let j = 0; j < G; j++) gates[go + b * G + j] = xProj[(t * B + b) * G + j]! + (bias ? bias[j]! : 0);
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
  // dW = Σ_t dPre_tᵀ h_prev(t), one product per step (h_prev is h0 or another step's h).
  a.dWeight.fill(0);
  for (let k = 0; k < S; k++) {
    const t = reverse ? S - 1 - k : k;
    const prev = k === 0 ? a.h0 : a.hOut;
    const prevOff = k === 0 ? 0 : (reverse ? t + 1 : t - 1) * BH;
    product(true, false, G, H, B, dPre, t * B * G, G, prev, prevOff, H, a.dWeight, 0, H, true);
  }
  if (a.dBias !== null) {
    const db = new Float64Array(G);
    for (let r = 0; r < S * B; r++) for (let j = 0; j < G; j++) db[j]! += dPre[r * G + j]!;
    for (let j = 0; j < G; j++) a.dBias[j] = db[j]!;
  }
}
