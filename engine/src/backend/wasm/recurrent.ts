/**
 * The recurrent family's driver (kernels in engine/assembly/recurrent.ts; reference in
 * kernels/recurrent.ts): one layer in one direction over a whole sequence, forward and
 * backward, for every cell the kernels know. A cell is its number of gates per hidden
 * unit (LSTM 4: i, f, g, o; Elman RNN 1) and, for the LSTM, the cell state; everything
 * else (packing W_hh, the biases, the step loop, splitting the hidden units over the
 * threads, the weight gradient of the whole sequence) is one code path. The GRU (3 gates:
 * r, z, n) keeps h W_hhᵀ + b_hh apart from the pre-activations (its n block is multiplied
 * by r), so it has passes of its own on the same helpers.
 *
 * Each time step is one job (protocol.ts STEP words): chunk t computes hidden units
 * [t·units, (t+1)·units) of that step, on the pool when the layer is large enough, else
 * the single chunk on this thread.
 *
 * With the native backend installed (`rt.memoryProducts`) and a layer large enough, each
 * step's recurrent product runs on it instead, in place on this memory (unpacked W_hh, its
 * own threads), and the step kernel, called with W = 0, does only the pointwise part on
 * this thread. `stepProducts` says which way a layer goes.
 */
import type {
  GruBackwardArgs, GruForwardArgs, LstmBackwardArgs, LstmForwardArgs, RecurrentBackwardArgs, RecurrentForwardArgs, RnnBackwardArgs,
  RnnForwardArgs,
} from '../../kernels/fast.js';
import type { Arena } from './arena.js';
import type { KernelExports } from './kernel-module.js';
import {
  JOB, KIND_GRU_BACKWARD, KIND_GRU_FORWARD, KIND_LSTM_BACKWARD, KIND_LSTM_FORWARD, KIND_RNN_BACKWARD, KIND_RNN_FORWARD, STEP,
} from './protocol.js';
import { product } from './gemm.js';
import type { WasmRuntime } from './runtime.js';

/** What differs between the cells of a forward pass. */
interface ForwardCell {
  /** Gates per hidden unit: the pre-activations are [S, B, gates·H]. */
  gates: number;
  kind: number;
  relu: boolean;
  /** LSTM: the initial cell state [B, H], and where the cell states and activated gates go. */
  lstm: { c0: Float32Array; c: Float32Array; gatesOut: Float32Array | null } | null;
}

/** What differs between the cells of a backward pass. */
interface BackwardCell {
  gates: number;
  kind: number;
  relu: boolean;
  /**
   * What each step saved for its backward, [S, B, gates·H] in processing order (the LSTM's
   * activated gates), or null for the outputs themselves (Elman: y is all it needs).
   */
  saved: Float32Array | null;
  lstm: { c: Float32Array; dcN: Float32Array; dc0: Float32Array } | null;
}

export function lstmForward(rt: WasmRuntime, a: LstmForwardArgs): boolean {
  return recurrentForward(rt, a, { gates: 4, kind: KIND_LSTM_FORWARD, relu: false, lstm: { c0: a.c0, c: a.c, gatesOut: a.gates } });
}

export function rnnForward(rt: WasmRuntime, a: RnnForwardArgs): boolean {
  return recurrentForward(rt, a, { gates: 1, kind: KIND_RNN_FORWARD, relu: a.relu, lstm: null });
}

export function lstmBackward(rt: WasmRuntime, a: LstmBackwardArgs): boolean {
  return recurrentBackward(rt, a, { gates: 4, kind: KIND_LSTM_BACKWARD, relu: false, saved: a.gates, lstm: { c: a.c, dcN: a.dcN, dc0: a.dc0 } });
}

export function rnnBackward(rt: WasmRuntime, a: RnnBackwardArgs): boolean {
  return recurrentBackward(rt, a, { gates: 1, kind: KIND_RNN_BACKWARD, relu: a.relu, saved: null, lstm: null });
}

/**
 * Below this many multiply-adds per step (B · G · H) the packed wasm step is faster than a
 * call into the native backend.
 */
const NATIVE_STEP_WORK = 1 << 15;

/** Whether the steps' recurrent products go to the native backend (see the file comment). */
function stepProducts(rt: WasmRuntime, B: number, G: number, H: number): boolean {
  return rt.memoryProducts !== null && B * G * H >= NATIVE_STEP_WORK;
}

/**
 * C (+)= op(A) · op(B) on operands in this memory: the native backend when it takes it,
 * else the wasm GEMM on this thread.
 */
function stepProduct(rt: WasmRuntime, transB: boolean, M: number, N: number, K: number, pA: number, pB: number, ldb: number, pC: number, accumulate: boolean): void {
  product(rt, false, transB, M, N, K, pA, K, 0, 0, pB, ldb, 0, 0, pC, N, 0, 0, 1, 1, accumulate, false, () => undefined);
}

/**
 * What a pass over a layer with `gates` gates per hidden unit starts with: the kernels,
 * the sizes, how many threads share the steps (the hidden units are split into that many
 * ranges, each a multiple of 4, and `blockBytes` holds one range's packed W_hh columns, K
 * rows), an empty arena holding W_hh [G, H] at `pW`, and the job words every step shares.
 */
function begin(rt: WasmRuntime, a: { S: number; B: number; H: number; weight: Float32Array }, gates: number, K: number, kind: number, relu: boolean) {
  const loaded = rt.load();
  if (loaded === null) return null;
  const { B, H } = a;
  const G = gates * H;
  const native = stepProducts(rt, B, G, H);
  const par = H >= 8 && !native ? rt.parallel(2 * B * G * H) : null;
  const T = par === null ? 1 : Math.min(par.threads, Math.floor(H / 4));
  const units = Math.ceil(H / T / 4) * 4;
  const { kernel, arena } = loaded;
  arena.reset();
  const pW = arena.floats(G * H);
  if (pW < 0) return null;
  arena.put(pW, a.weight);
  const job = rt.job;
  job[JOB.KIND] = kind;
  job[STEP.B] = B; job[STEP.H] = H; job[STEP.UNITS] = units; job[STEP.RELU] = relu ? 1 : 0;
  return {
    k: kernel, arena, job, H, G, BH: B * H, BG: B * G, T, pool: par?.pool ?? null, units, blockBytes: kernel.packedBBytes(K, units), pW, native,
  };
}

/**
 * Packs W_hh (at `L.pW`) for the step kernels' own products, one block per thread's range
 * of hidden units: forward, W_hhᵀ's columns of those units for each of the `gates` gates
 * (K = H); backward, W_hh's columns of those units (K = G). Returns where the blocks start,
 * 0 when the steps' products run on the native backend (nothing packed: the step kernels
 * then skip their products), or -1 when the memory cannot grow.
 */
function packWeights(L: NonNullable<ReturnType<typeof begin>>, gates: number, forward: boolean): number {
  const { k, arena, H, T, units, blockBytes, pW } = L;
  if (L.native) return 0;
  const p = arena.alloc((forward ? gates : 1) * T * blockBytes);
  if (p < 0) return -1;
  forUnitRanges(H, T, units, (t, u0, w) => {
    if (!forward) k.packBFull(pW + u0 * 4, H, 0, L.G, w, p + t * blockBytes);
    else for (let g = 0; g < gates; g++) k.packBFull(pW + (g * H + u0) * H * 4, H, 1, H, w, p + (gates * t + g) * blockBytes);
  });
  return p;
}

/** Calls `pack(t, u0, w)` for each thread t's non-empty range of hidden units [u0, u0 + w). */
function forUnitRanges(H: number, T: number, units: number, pack: (t: number, u0: number, w: number) => void): void {
  for (let t = 0; t < T; t++) {
    const u0 = Math.min(H, t * units), w = Math.min(H, u0 + units) - u0;
    if (w > 0) pack(t, u0, w);
  }
}

/**
 * rows x G pre-activations at `p` += b_ih, then += b_hh (each that is not null; two
 * roundings, as adding b_ih in the input projection and b_hh after it). `pBias` has room for 2G floats.
 */
function addBiases(k: KernelExports, arena: Arena, p: number, rows: number, G: number, pBias: number, first: Float32Array | null, second: Float32Array | null): void {
  for (const [i, b] of [first, second].entries()) {
    if (b === null) continue;
    arena.put(pBias + i * G * 4, b);
    k.addRowBias(p, rows, G, pBias + i * G * 4);
  }
}

/** Copies S blocks of `n` floats from time order in `src` to processing order at `p`. */
function putSteps(arena: Arena, p: number, src: Float32Array, S: number, n: number, reverse: boolean): void {
  if (!reverse) arena.put(p, src, 0, S * n);
  else for (let k = 0; k < S; k++) arena.put(p + k * n * 4, src, (S - 1 - k) * n, n);
}

/** Copies S blocks of `n` floats from processing order at `p` to time order in `dst`. */
function getSteps(arena: Arena, p: number, dst: Float32Array, S: number, n: number, reverse: boolean): void {
  if (!reverse) arena.get(p, S * n, dst);
  else for (let k = 0; k < S; k++) arena.get(p + k * n * 4, n, dst, (S - 1 - k) * n);
}

function recurrentForward(rt: WasmRuntime, a: RecurrentForwardArgs, cell: ForwardCell): boolean {
  const { S, B, H, reverse } = a;
  const gates = cell.gates, lstm = cell.lstm;
  const L = begin(rt, a, gates, H, cell.kind, cell.relu);
  if (L === null) return false;
  const { k, arena, job, G, BH, BG, T, pool, blockBytes, pW, native } = L;
  const pWp = packWeights(L, gates, true);
  const pPre = arena.floats(S * BG);
  const pH = arena.floats((S + 1) * BH);
  const pC = lstm !== null ? arena.floats((S + 1) * BH) : 0;
  const pBias = arena.floats(2 * G);
  if (pWp < 0 || pPre < 0 || pH < 0 || pC < 0 || pBias < 0) return false;
  putSteps(arena, pPre, a.xProj, S, BG, reverse);
  addBiases(k, arena, pPre, S * B, G, pBias, a.inputBias, a.bias);
  arena.put(pH, a.h0);
  if (lstm !== null) arena.put(pC, lstm.c0);
  job[STEP.W] = pWp; job[STEP.W_STRIDE] = gates * blockBytes; job[STEP.BLOCK] = blockBytes;
  for (let s = 0; s < S; s++) {
    const h = pH + s * BH * 4, c = pC + s * BH * 4;
    // pre += h W_hhᵀ
    if (native) stepProduct(rt, true, B, G, H, h, pW, H, pPre + s * BG * 4, true);
    job[STEP.PRE] = pPre + s * BG * 4; job[STEP.H_PREV] = h; job[STEP.H_NEXT] = h + BH * 4;
    if (lstm !== null) {
      job[STEP.C_PREV] = c; job[STEP.C_NEXT] = c + BH * 4;
    }
    if (!rt.runJob(pool, T)) return false;
  }
  if (lstm !== null) {
    if (lstm.gatesOut !== null) arena.get(pPre, S * BG, lstm.gatesOut);
    arena.get(pC, (S + 1) * BH, lstm.c);
  }
  getSteps(arena, pH + BH * 4, a.hOut, S, BH, reverse);
  rt.counters.calls++;
  return true;
}

function recurrentBackward(rt: WasmRuntime, a: RecurrentBackwardArgs, cell: BackwardCell): boolean {
  const { S, B, H, reverse } = a;
  const gates = cell.gates, lstm = cell.lstm;
  const L = begin(rt, a, gates, gates * H, cell.kind, cell.relu);
  if (L === null) return false;
  const { k, arena, job, G, BH, BG, T, pool, blockBytes, pW, native } = L;
  const pWp = packWeights(L, gates, false);
  // (pC and pdc: LSTM only; a zero-size block otherwise)
  const blocks = arena.floatBlocks([S * BG, lstm !== null ? (S + 1) * BH : 0, S * BH, BH, lstm !== null ? BH : 0, S * BG, S * BH, G * H, G]);
  if (pWp < 0 || blocks === null) return false;
  const [pSaved, pC, pdhOut, pdh, pdc, pdPre, pPrev, pdW, pdb] = blocks;
  if (cell.saved !== null) arena.put(pSaved, cell.saved);
  else putSteps(arena, pSaved, a.hOut, S, BH, reverse);
  if (lstm !== null) {
    arena.put(pC, lstm.c);
    arena.put(pdc, lstm.dcN);
  }
  putSteps(arena, pdhOut, a.dhOut, S, BH, reverse);
  job[STEP.W] = pWp; job[STEP.W_STRIDE] = blockBytes;
  job[STEP.DH] = pdh; job[STEP.DC] = pdc;
  // Steps S-1 .. 0, then one call that only turns step 0's pre-activation gradients into dh0.
  for (let s = S - 1; s >= -1; s--) {
    const last = s < 0;
    const c = last || lstm === null ? 0 : pC + s * BH * 4;
    job[STEP.DPRE_NEXT] = s < S - 1 ? pdPre + (s + 1) * BG * 4 : 0;
    // dh = dpreNext W_hh (0 for the last step)
    if (native) {
      if (s < S - 1) stepProduct(rt, false, B, H, G, pdPre + (s + 1) * BG * 4, pW, H, pdh, false);
      else arena.zero(pdh, BH * 4);
      if (last) break;
    }
    job[STEP.GATES] = last ? 0 : pSaved + s * BG * 4;
    job[STEP.C_PREV] = c; job[STEP.C_NEXT] = c === 0 ? 0 : c + BH * 4;
    job[STEP.DH_OUT] = last ? 0 : pdhOut + s * BH * 4;
    job[STEP.DPRE] = last ? 0 : pdPre + s * BG * 4;
    if (!rt.runJob(pool, T)) return false;
  }
  // The state before each step, in processing order: h0, then the outputs of steps 0..S-2.
  putPrevStates(arena, pPrev, a.h0, a.hOut, S, BH, reverse);
  // dW_hh = dPreᵀ · hPrev as one product over all steps (on every thread), db_hh the column sums of dPre.
  product(rt, true, false, G, H, S * B, pdPre, G, 0, 0, pPrev, H, 0, 0, pdW, H, 0, 0, 1, 1, false, true, () => undefined);
  arena.get(pdW, G * H, a.dWeight);
  if (a.dBias !== null) {
    k.columnSums(pdPre, S * B, G, pdb);
    arena.get(pdb, G, a.dBias);
  }
  getSteps(arena, pdPre, a.dPre, S, BG, reverse);
  arena.get(pdh, BH, a.dh0);
  if (lstm !== null) arena.get(pdc, BH, lstm.dc0);
  rt.counters.calls++;
  return true;
}

/** The state before each step, in processing order, at `p`: h0, then the outputs of steps 0..S-2. */
function putPrevStates(arena: Arena, p: number, h0: Float32Array, hOut: Float32Array, S: number, BH: number, reverse: boolean): void {
  arena.put(p, h0);
  if (S < 2) return;
  if (!reverse) arena.put(p + BH * 4, hOut, 0, (S - 1) * BH);
  else for (let s = 1; s < S; s++) arena.put(p + s * BH * 4, hOut, (S - s) * BH, BH);
}

export function gruForward(rt: WasmRuntime, a: GruForwardArgs): boolean {
  const { S, B, H, reverse } = a;
  const L = begin(rt, a, 3, H, KIND_GRU_FORWARD, false);
  if (L === null) return false;
  const { k, arena, job, G, BH, BG, T, pool, blockBytes, pW, native } = L;
  const pWp = packWeights(L, 3, true);
  const blocks = arena.floatBlocks([S * BG, (S + 1) * BH, S * BH, BG, 2 * G]);
  if (pWp < 0 || blocks === null) return false;
  const [pPre, pH, pAn, pA, pBias] = blocks;
  putSteps(arena, pPre, a.xProj, S, BG, reverse);
  // b_ih onto the pre-activations; b_hh (or zeros) to the step, which adds it to h W_hhᵀ.
  addBiases(k, arena, pPre, S * B, G, pBias, a.inputBias, null);
  const pHh = pBias + G * 4;
  arena.put(pHh, a.bias ?? new Float32Array(G));
  arena.put(pH, a.h0);
  job[STEP.W] = pWp; job[STEP.W_STRIDE] = 3 * blockBytes; job[STEP.BLOCK] = blockBytes;
  job[STEP.A] = pA; job[STEP.BIAS] = pHh;
  for (let s = 0; s < S; s++) {
    const h = pH + s * BH * 4;
    // a = h W_hhᵀ (the step adds b_hh)
    if (native) stepProduct(rt, true, B, G, H, h, pW, H, pA, false);
    job[STEP.PRE] = pPre + s * BG * 4; job[STEP.H_PREV] = h; job[STEP.H_NEXT] = h + BH * 4;
    job[STEP.AN] = pAn + s * BH * 4;
    if (!rt.runJob(pool, T)) return false;
  }
  if (a.gates !== null) arena.get(pPre, S * BG, a.gates);
  if (a.hn !== null) arena.get(pAn, S * BH, a.hn);
  getSteps(arena, pH + BH * 4, a.hOut, S, BH, reverse);
  rt.counters.calls++;
  return true;
}

export function gruBackward(rt: WasmRuntime, a: GruBackwardArgs): boolean {
  const { S, B, H, reverse } = a;
  const L = begin(rt, a, 3, 3 * H, KIND_GRU_BACKWARD, false);
  if (L === null) return false;
  const { k, arena, job, G, BH, BG, T, pool, blockBytes, pW, native } = L;
  const pWp = packWeights(L, 3, false);
  const blocks = arena.floatBlocks([S * BG, S * BH, S * BH, S * BH, BH, S * BG, S * BG, G * H, G]);
  if (pWp < 0 || blocks === null) return false;
  const [pGates, pAn, pPrev, pdhOut, pdh, pdPre, pdA, pdW, pdb] = blocks;
  arena.put(pGates, a.gates);
  arena.put(pAn, a.hn);
  putPrevStates(arena, pPrev, a.h0, a.hOut, S, BH, reverse);
  putSteps(arena, pdhOut, a.dhOut, S, BH, reverse);
  job[STEP.W] = pWp; job[STEP.W_STRIDE] = blockBytes;
  job[STEP.DH] = pdh;
  // Steps S-1 .. 0, then one call that only turns step 0's gradient of a into dh0.
  for (let s = S - 1; s >= -1; s--) {
    const last = s < 0;
    job[STEP.DPRE_NEXT] = s < S - 1 ? pdA + (s + 1) * BG * 4 : 0;
    // dh += daNext W_hh (dh holds the direct part the later step left; 0 for the last step)
    if (native) {
      if (s < S - 1) stepProduct(rt, false, B, H, G, pdA + (s + 1) * BG * 4, pW, H, pdh, true);
      else arena.zero(pdh, BH * 4);
      if (last) break;
    }
    job[STEP.GATES] = last ? 0 : pGates + s * BG * 4;
    job[STEP.AN] = last ? 0 : pAn + s * BH * 4;
    job[STEP.H_PREV] = last ? 0 : pPrev + s * BH * 4;
    job[STEP.DH_OUT] = last ? 0 : pdhOut + s * BH * 4;
    job[STEP.DPRE] = last ? 0 : pdPre + s * BG * 4;
    job[STEP.A] = last ? 0 : pdA + s * BG * 4;
    if (!rt.runJob(pool, T)) return false;
  }
  // dW_hh = dAᵀ · hPrev as one product over all steps (on every thread); db_hh, db_ih the column sums of dA, dPre.
  product(rt, true, false, G, H, S * B, pdA, G, 0, 0, pPrev, H, 0, 0, pdW, H, 0, 0, 1, 1, false, true, () => undefined);
  arena.get(pdW, G * H, a.dWeight);
  if (a.dBias !== null) {
    k.columnSums(pdA, S * B, G, pdb);
    arena.get(pdb, G, a.dBias);
  }
  if (a.dInputBias !== null) {
    k.columnSums(pdPre, S * B, G, pdb);
    arena.get(pdb, G, a.dInputBias);
  }
  getSteps(arena, pdPre, a.dPre, S, BG, reverse);
  arena.get(pdh, BH, a.dh0);
  rt.counters.calls++;
  return true;
}
