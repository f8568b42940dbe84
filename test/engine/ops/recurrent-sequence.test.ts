/**
 * The whole-sequence LSTM, GRU and Elman RNN ops (ops/recurrent-sequence.ts) on the wasm
 * kernels equal their TypeScript references (kernels/recurrent.ts), and nn.LSTM / nn.GRU /
 * nn.RNN on them equal the same modules on the per-step composition (nn/functional-rnn.ts, the
 * path without fast kernels): outputs, final states and every gradient, for both
 * directions, several layers, odd sizes. The step path itself is checked against PyTorch
 * in test/engine/nn/rnn.test.ts.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { manualSeed, nn, noGrad, randn, stack, type Tensor } from '../../../engine/src/index.js';
import * as backend from '../../../engine/src/backend/index.js';
import {
  fastKernels, setFastKernels, type GruBackwardArgs, type GruForwardArgs, type LstmBackwardArgs, type LstmForwardArgs, type RnnBackwardArgs,
  type RnnForwardArgs,
} from '../../../engine/src/kernels/fast.js';
import {
  gruBackwardReference, gruForwardReference, lstmBackwardReference, lstmForwardReference, rnnBackwardReference, rnnForwardReference,
} from '../../../engine/src/kernels/recurrent.js';
import { gruSequence, lstmSequence, rnnSequence } from '../../../engine/src/ops/recurrent-sequence.js';
import { gruStep } from '../../../engine/src/nn/functional-rnn.js';
import { seeded } from '../backend/gemm-check.js';

/** max |a - b| / max |b|: relative to the largest value, so near-zero entries do not dominate. */
function relDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let d = 0;
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    d = Math.max(d, Math.abs(a[i]! - b[i]!));
    m = Math.max(m, Math.abs(b[i]!));
  }
  expect(Number.isFinite(d)).toBe(true);
  return d / Math.max(m, 1e-30);
}

function tensorDiff(a: Tensor, b: Tensor): number {
  expect(a.shape).toEqual(b.shape);
  return relDiff(a.toTypedArray(), b.toTypedArray());
}

/** Forward and backward arguments with seeded values (the backward from the forward's results). */
function lstmCase(S: number, B: number, H: number, reverse: boolean, bias: boolean, seed: number) {
  const rnd = seeded(seed);
  const fill = (n: number, scale = 1) => Float32Array.from({ length: n }, () => rnd() * scale);
  const G = 4 * H;
  const fwd = (): LstmForwardArgs => ({
    S, B, H, reverse,
    xProj: fill(S * B * G, 2), bias: bias ? fill(G) : null, inputBias: bias ? fill(G) : null, weight: fill(G * H, 1 / Math.sqrt(H)),
    h0: fill(B * H), c0: fill(B * H),
    hOut: new Float32Array(S * B * H), c: new Float32Array((S + 1) * B * H), gates: new Float32Array(S * B * G),
  });
  const bwd = (f: LstmForwardArgs, dhOut: Float32Array, dcN: Float32Array): LstmBackwardArgs => ({
    S, B, H, reverse, weight: f.weight, h0: f.h0, hOut: f.hOut, c: f.c, gates: f.gates!,
    dhOut, dcN,
    dPre: new Float32Array(S * B * G), dWeight: new Float32Array(G * H), dBias: bias ? new Float32Array(G) : null,
    dh0: new Float32Array(B * H), dc0: new Float32Array(B * H),
  });
  return { fwd, bwd, grads: () => [fill(S * B * H), fill(B * H)] as const };
}

describe('LSTM sequence kernels: wasm equals the TypeScript reference', () => {
  const shapes: [number, number, number][] = [
    [1, 1, 1],
    [5, 3, 7],
    [9, 4, 16],
    [3, 2, 33],
    [17, 8, 64],
  ];
  for (const [S, B, H] of shapes) {
    for (const reverse of [false, true]) {
      it(`S=${S} B=${B} H=${H}${reverse ? ' reverse' : ''}: states, gates and every gradient`, () => {
        const fast = fastKernels();
        expect(fast, 'the wasm kernels are installed (WebAssembly SIMD is required)').not.toBeNull();
        const c = lstmCase(S, B, H, reverse, (S + H) % 2 === 0, S * 100 + H);
        const a = c.fwd();
        const r = { ...a, hOut: a.hOut.slice(), c: a.c.slice(), gates: a.gates!.slice() };
        expect(fast!.lstmForward(a)).toBe(true);
        lstmForwardReference(r);
        // float32 SIMD exp/tanh and a different summation order: a few units in the last place.
        expect(relDiff(a.hOut, r.hOut)).toBeLessThan(2e-6);
        expect(relDiff(a.c, r.c)).toBeLessThan(2e-6);
        expect(relDiff(a.gates!, r.gates!)).toBeLessThan(2e-6);
        const [dh, dc] = c.grads();
        const ba = c.bwd(a, dh, dc);
        const br = c.bwd(r, dh, dc);
        expect(fast!.lstmBackward(ba)).toBe(true);
        lstmBackwardReference(br);
        for (const key of ['dPre', 'dWeight', 'dBias', 'dh0', 'dc0'] as const) {
          if (ba[key] === null) continue;
          expect(relDiff(ba[key]!, br[key]!), key).toBeLessThan(1e-5);
        }
      });
    }
  }

  it('the forward without a gates buffer (no backward to come) gives the same states', () => {
    const c = lstmCase(6, 3, 10, false, true, 7);
    const a = c.fwd();
    const b = { ...a, hOut: new Float32Array(a.hOut.length), c: new Float32Array(a.c.length), gates: null };
    expect(fastKernels()!.lstmForward(a)).toBe(true);
    expect(fastKernels()!.lstmForward(b)).toBe(true);
    expect(Array.from(b.hOut)).toEqual(Array.from(a.hOut));
    const r = { ...a, hOut: new Float32Array(a.hOut.length), c: new Float32Array(a.c.length), gates: null };
    lstmForwardReference(r);
    expect(relDiff(r.hOut, a.hOut)).toBeLessThan(2e-6);
  });
});

/** Runs an LSTM (outputs, final states, all gradients) with or without the fast kernels. */
function runLstm(fast: boolean, options: nn.RNNOptions, S: number, B: number, I: number, H: number, seed: number): Tensor[] {
  manualSeed(seed);
  const lstm = new nn.LSTM(I, H, options);
  const L = (options.numLayers ?? 1) * (options.bidirectional ? 2 : 1);
  const x = randn(options.batchFirst ? [B, S, I] : [S, B, I], { requiresGrad: true });
  const h0 = randn([L, B, H], { requiresGrad: true });
  const c0 = randn([L, B, H], { requiresGrad: true });
  const saved = setFastKernels(fast ? fastKernels() : null);
  try {
    const [out, [hN, cN]] = lstm.forward(x, [h0, c0]);
    const up = randn(out.shape);
    out.mul(up).sum().add(hN.mul(hN).sum()).add(cN.mul(1.5).sum()).backward();
    return [out, hN, cN, x.grad!, h0.grad!, c0.grad!, ...lstm.parameters().map((p) => p.grad!)];
  } finally {
    setFastKernels(saved);
  }
}

describe('nn.LSTM on the sequence op equals nn.LSTM step by step', () => {
  afterEach(() => {
    backend.use('auto');
  });

  const configs: [string, nn.RNNOptions, number, number, number, number][] = [
    ['one layer', {}, 12, 4, 5, 9],
    ['two layers, bidirectional', { numLayers: 2, bidirectional: true }, 7, 3, 6, 8],
    ['batchFirst, no bias', { batchFirst: true, bias: false }, 5, 2, 3, 4],
    ['the bench shape (hidden 256)', {}, 8, 32, 64, 256],
  ];
  for (const [name, options, S, B, I, H] of configs) {
    it(`${name}: outputs, final states and every gradient`, () => {
      const a = runLstm(true, options, S, B, I, H, 5);
      const b = runLstm(false, options, S, B, I, H, 5);
      a.forEach((t, i) => expect(tensorDiff(t, b[i]!), `result ${i}`).toBeLessThan(i < 3 ? 2e-6 : 2e-5));
    });
  }

  it('takes the sequence op on the fast kernels (one call per layer direction), not the steps', () => {
    manualSeed(1);
    const lstm = new nn.LSTM(4, 8, { bidirectional: true });
    const before = backend.info().stats!.calls;
    const [out] = lstm.forward(randn([20, 2, 4]));
    // Two input projections may or may not be large enough for wasm; the recurrences are one call each.
    const calls = backend.info().stats!.calls - before;
    expect(calls).toBeGreaterThanOrEqual(2);
    expect(calls).toBeLessThanOrEqual(4);
    expect(out.shape).toEqual([20, 2, 16]);
  });

  it('under noGrad records nothing and gives the same outputs', () => {
    manualSeed(2);
    const lstm = new nn.LSTM(3, 5);
    const x = randn([6, 2, 3]);
    const [withGrad] = lstm.forward(x);
    const [without] = noGrad(() => lstm.forward(x));
    expect(without.requiresGrad).toBe(false);
    expect(tensorDiff(without, withGrad)).toBe(0);
  });

  it('a weight changed in place before backward is an error, as on the step path', () => {
    manualSeed(3);
    const lstm = new nn.LSTM(3, 4);
    const [out] = lstm.forward(randn([5, 2, 3]));
    noGrad(() => lstm.weight_hh_l0.mul_(2));
    expect(() => out.sum().backward()).toThrow(/modified in place/);
  });

  it('the backward falls back to the reference when the kernels are removed after the forward', () => {
    manualSeed(4);
    const x = randn([6, 3, 8], { requiresGrad: true });
    const w = randn([8, 2], { requiresGrad: true });
    const h0 = randn([3, 2]);
    const c0 = randn([3, 2]);
    const y1 = lstmSequence(x, w, null, h0, c0, false);
    y1.sum().backward();
    const g1 = [x.grad!, w.grad!];
    x.grad = null;
    w.grad = null;
    const y2 = lstmSequence(x, w, null, h0, c0, false);
    backend.use('reference');
    y2.sum().backward();
    expect(tensorDiff(x.grad!, g1[0]!)).toBeLessThan(1e-5);
    expect(tensorDiff(w.grad!, g1[1]!)).toBeLessThan(1e-5);
  });

  it('names the argument and shape on bad input', () => {
    const x = randn([4, 2, 8]);
    expect(() => lstmSequence(x, randn([8, 3]), null, randn([2, 2]), randn([2, 2]), false)).toThrow('lstmSequence: wHh must have shape [8,2], got [8,3]');
    expect(() => lstmSequence(randn([4, 2, 6]), randn([6, 1]), null, randn([2, 1]), randn([2, 1]), false)).toThrow("lstmSequence: xProj's last dimension (6) must be 4 * hidden");
    expect(() => lstmSequence(x.double(), randn([8, 2]), null, randn([2, 2]), randn([2, 2]), false)).toThrow('lstmSequence: xProj must be float32, got float64');
  });
});

/** GRU forward and backward arguments with seeded values (the backward from the forward's results). */
function gruCase(S: number, B: number, H: number, reverse: boolean, bias: boolean, inputBias: boolean, seed: number) {
  const rnd = seeded(seed);
  const fill = (n: number, scale = 1) => Float32Array.from({ length: n }, () => rnd() * scale);
  const G = 3 * H;
  const fwd = (): GruForwardArgs => ({
    S, B, H, reverse,
    xProj: fill(S * B * G, 2), bias: bias ? fill(G) : null, inputBias: inputBias ? fill(G) : null, weight: fill(G * H, 1 / Math.sqrt(H)),
    h0: fill(B * H), hOut: new Float32Array(S * B * H), gates: new Float32Array(S * B * G), hn: new Float32Array(S * B * H),
  });
  const bwd = (f: GruForwardArgs, dhOut: Float32Array): GruBackwardArgs => ({
    S, B, H, reverse, weight: f.weight, h0: f.h0, hOut: f.hOut, gates: f.gates!, hn: f.hn!, dhOut,
    dPre: new Float32Array(S * B * G), dWeight: new Float32Array(G * H),
    dBias: bias ? new Float32Array(G) : null, dInputBias: inputBias ? new Float32Array(G) : null, dh0: new Float32Array(B * H),
  });
  return { fwd, bwd, grad: () => fill(S * B * H) };
}

describe('GRU sequence kernels: wasm equals the TypeScript reference', () => {
  const shapes: [number, number, number][] = [
    [1, 1, 1],
    [5, 3, 7],
    [9, 4, 16],
    [3, 2, 33],
    [17, 8, 64],
    [6, 5, 130],
  ];
  for (const [S, B, H] of shapes) {
    for (const reverse of [false, true]) {
      const bias = (S + H) % 2 === 0, inputBias = (S + H + (reverse ? 1 : 0)) % 3 !== 0;
      it(`S=${S} B=${B} H=${H}${reverse ? ' reverse' : ''}${bias ? '' : ' no b_hh'}${inputBias ? '' : ' no b_ih'}: outputs, gates and every gradient`, () => {
        const fast = fastKernels();
        expect(fast, 'the wasm kernels are installed (WebAssembly SIMD is required)').not.toBeNull();
        const c = gruCase(S, B, H, reverse, bias, inputBias, S * 100 + H + 3);
        const a = c.fwd();
        const r = { ...a, hOut: a.hOut.slice(), gates: a.gates!.slice(), hn: a.hn!.slice() };
        expect(fast!.gruForward(a)).toBe(true);
        gruForwardReference(r);
        // float32 SIMD exp/tanh and a different summation order: a few units in the last place.
        expect(relDiff(a.hOut, r.hOut)).toBeLessThan(2e-6);
        expect(relDiff(a.gates!, r.gates!)).toBeLessThan(2e-6);
        expect(relDiff(a.hn!, r.hn!)).toBeLessThan(2e-6);
        const dh = c.grad();
        const ba = c.bwd(a, dh);
        const br = c.bwd(r, dh);
        expect(fast!.gruBackward(ba)).toBe(true);
        gruBackwardReference(br);
        for (const key of ['dPre', 'dWeight', 'dBias', 'dInputBias', 'dh0'] as const) {
          expect(ba[key] === null, key).toBe(br[key] === null);
          if (ba[key] === null) continue;
          expect(relDiff(ba[key]!, br[key]!), key).toBeLessThan(1e-5);
        }
        if (bias && inputBias && H > 1) {
          // b_hh's gradient is b_ih's in the r and z blocks, and r times it in the n block.
          expect(Array.from(ba.dBias!.subarray(0, 2 * H))).toEqual(Array.from(ba.dInputBias!.subarray(0, 2 * H)));
          expect(relDiff(ba.dBias!.subarray(2 * H), ba.dInputBias!.subarray(2 * H))).toBeGreaterThan(1e-3);
        }
      });
    }
  }

  it('the forward without gates and a_n buffers (no backward to come) gives the same states', () => {
    const c = gruCase(6, 3, 10, true, true, true, 7);
    const a = c.fwd();
    const b = { ...a, hOut: new Float32Array(a.hOut.length), gates: null, hn: null };
    expect(fastKernels()!.gruForward(a)).toBe(true);
    expect(fastKernels()!.gruForward(b)).toBe(true);
    expect(Array.from(b.hOut)).toEqual(Array.from(a.hOut));
    const r = { ...a, hOut: new Float32Array(a.hOut.length), gates: null, hn: null };
    gruForwardReference(r);
    expect(relDiff(r.hOut, a.hOut)).toBeLessThan(2e-6);
  });
});

describe('gruSequence equals the per-step composition (gruStep for each t)', () => {
  afterEach(() => {
    backend.use('auto');
  });

  for (const kernels of ['wasm', 'reference'] as const) {
    for (const reverse of [false, true]) {
      it(`${kernels}${reverse ? ', reverse' : ''}: outputs and the gradients of xProj, W_hh, b_hh, h0`, () => {
        if (kernels === 'reference') backend.use('reference');
        expect(fastKernels() === null).toBe(kernels === 'reference');
        manualSeed(21);
        const S = 7, B = 3, H = 10, G = 3 * H;
        const x = randn([S, B, G], { requiresGrad: true });
        const w = randn([G, H], { requiresGrad: true }).mul(0.3).detach().requiresGrad_();
        const bHh = randn([G], { requiresGrad: true });
        const h0 = randn([B, H], { requiresGrad: true });
        const up = randn([S, B, H]);
        const grads = (y: Tensor): Tensor[] => {
          for (const t of [x, w, bHh, h0]) t.grad = null;
          y.mul(up).sum().backward();
          return [y.detach(), x.grad!, w.grad!, bHh.grad!, h0.grad!];
        };
        const seq = grads(gruSequence(x, w, bHh, h0, reverse));
        const hs: Tensor[] = new Array(S);
        let h = h0;
        for (let k = 0; k < S; k++) {
          const t = reverse ? S - 1 - k : k;
          h = gruStep(x.select(0, t), h, w, bHh).h;
          hs[t] = h;
        }
        const steps = grads(stack(hs, 0));
        seq.forEach((t, i) => expect(tensorDiff(t, steps[i]!), `result ${i}`).toBeLessThan(i === 0 ? 2e-6 : 2e-5));
      });
    }
  }
});

/** Runs a GRU (outputs, final states, all gradients) with or without the fast kernels. */
function runGru(fast: boolean, options: nn.RNNOptions, S: number, B: number, I: number, H: number, seed: number): Tensor[] {
  manualSeed(seed);
  const gru = new nn.GRU(I, H, options);
  const L = (options.numLayers ?? 1) * (options.bidirectional ? 2 : 1);
  const x = randn(options.batchFirst ? [B, S, I] : [S, B, I], { requiresGrad: true });
  const h0 = randn([L, B, H], { requiresGrad: true });
  const saved = setFastKernels(fast ? fastKernels() : null);
  try {
    const [out, hN] = gru.forward(x, h0);
    const up = randn(out.shape);
    out.mul(up).sum().add(hN.mul(hN).sum()).backward();
    return [out, hN, x.grad!, h0.grad!, ...gru.parameters().map((p) => p.grad!)];
  } finally {
    setFastKernels(saved);
  }
}

describe('nn.GRU on the sequence op equals nn.GRU step by step', () => {
  afterEach(() => {
    backend.use('auto');
  });

  const configs: [string, nn.RNNOptions, number, number, number, number][] = [
    ['one layer', {}, 12, 4, 5, 9],
    ['two layers, bidirectional', { numLayers: 2, bidirectional: true }, 7, 3, 6, 8],
    ['three layers, dropout between them', { numLayers: 3, dropout: 0.3 }, 6, 4, 5, 12],
    ['batchFirst, bidirectional, no bias', { batchFirst: true, bidirectional: true, bias: false }, 5, 2, 3, 4],
    ['the bench shape (hidden 256)', {}, 8, 32, 64, 256],
  ];
  for (const [name, options, S, B, I, H] of configs) {
    it(`${name}: outputs, final states and every gradient`, () => {
      const a = runGru(true, options, S, B, I, H, 5);
      const b = runGru(false, options, S, B, I, H, 5);
      expect(a.length).toBe(b.length);
      a.forEach((t, i) => expect(tensorDiff(t, b[i]!), `result ${i}`).toBeLessThan(i < 2 ? 2e-6 : 2e-5));
    });
  }

  it('takes the sequence op on the fast kernels (one call per layer direction), not the steps', () => {
    manualSeed(1);
    const gru = new nn.GRU(4, 8, { bidirectional: true });
    const before = backend.info().stats!.calls;
    const [out, hN] = gru.forward(randn([20, 2, 4]));
    // Two input projections may or may not be large enough for wasm; the recurrences are one call each.
    const calls = backend.info().stats!.calls - before;
    expect(calls).toBeGreaterThanOrEqual(2);
    expect(calls).toBeLessThanOrEqual(4);
    expect(out.shape).toEqual([20, 2, 16]);
    // The final states: the forward direction's last step, the reverse direction's first.
    expect(tensorDiff(hN.select(0, 0), out.select(0, 19).narrow(1, 0, 8))).toBe(0);
    expect(tensorDiff(hN.select(0, 1), out.select(0, 0).narrow(1, 8, 8))).toBe(0);
  });

  it('float64 stays on the steps and agrees with float32 on the sequence op', () => {
    manualSeed(6);
    const gru = new nn.GRU(3, 5, { numLayers: 2 });
    const x = randn([6, 2, 3]);
    const before = backend.info().stats!.calls;
    const [out32] = gru.forward(x);
    expect(backend.info().stats!.calls - before, 'the float32 recurrences ran on wasm').toBeGreaterThanOrEqual(2);
    const [out64] = gru.double().forward(x.double());
    expect(out64.dtype).toBe('float64');
    expect(tensorDiff(out32, out64.float())).toBeLessThan(2e-6);
  });

  it('under noGrad records nothing and gives the same outputs', () => {
    manualSeed(2);
    const gru = new nn.GRU(3, 5);
    const x = randn([6, 2, 3]);
    const [withGrad] = gru.forward(x);
    expect(withGrad.requiresGrad).toBe(true);
    const [without] = noGrad(() => gru.forward(x));
    expect(without.requiresGrad).toBe(false);
    expect(tensorDiff(without, withGrad)).toBe(0);
  });

  it('a weight or the output changed in place before backward is an error, as on the step path', () => {
    manualSeed(3);
    const gru = new nn.GRU(3, 4);
    const [out] = gru.forward(randn([5, 2, 3]));
    noGrad(() => gru.weight_hh_l0.mul_(2));
    expect(() => out.sum().backward()).toThrow(/modified in place/);
    const y = gruSequence(randn([5, 2, 12]), randn([12, 4], { requiresGrad: true }), null, randn([2, 4]), false);
    y.detach().mul_(2);
    expect(() => y.sum().backward()).toThrow(/modified in place/);
  });

  it('the forward and the backward fall back to the reference when the kernels are removed', () => {
    manualSeed(4);
    const x = randn([6, 3, 15], { requiresGrad: true });
    const w = randn([15, 5], { requiresGrad: true });
    const b = randn([15], { requiresGrad: true });
    const h0 = randn([3, 5]);
    const calls = backend.info().stats!.calls;
    const y1 = gruSequence(x, w, b, h0, true);
    y1.sum().backward();
    expect(backend.info().stats!.calls - calls, 'forward and backward on wasm').toBe(2);
    const g1 = [x.grad!, w.grad!, b.grad!];
    x.grad = null;
    w.grad = null;
    b.grad = null;
    // The forward on wasm, the backward on the reference.
    const y2 = gruSequence(x, w, b, h0, true);
    backend.use('reference');
    expect(fastKernels()).toBeNull();
    y2.sum().backward();
    [x.grad!, w.grad!, b.grad!].forEach((g, i) => expect(tensorDiff(g, g1[i]!), `gradient ${i}`).toBeLessThan(1e-5));
    // Both on the reference.
    x.grad = null;
    const y3 = gruSequence(x, w, b, h0, true);
    expect(tensorDiff(y3, y1)).toBeLessThan(2e-6);
    y3.sum().backward();
    expect(tensorDiff(x.grad!, g1[0]!)).toBeLessThan(1e-5);
  });

  it('names the argument and shape on bad input', () => {
    const x = randn([4, 2, 9]);
    expect(() => gruSequence(x, randn([9, 2]), null, randn([2, 3]), false)).toThrow('gruSequence: wHh must have shape [9,3], got [9,2]');
    expect(() => gruSequence(x, randn([9, 3]), randn([6]), randn([2, 3]), false)).toThrow('gruSequence: bHh must have shape [9], got [6]');
    expect(() => gruSequence(x, randn([9, 3]), null, randn([3, 3]), false)).toThrow('gruSequence: h0 must have shape [2,3], got [3,3]');
    expect(() => gruSequence(x, randn([9, 3]), null, randn([2, 3]), false, randn([3]))).toThrow('gruSequence: bIh must have shape [9], got [3]');
    expect(() => gruSequence(randn([4, 2, 8]), randn([8, 2]), null, randn([2, 2]), false)).toThrow("gruSequence: xProj's last dimension (8) must be 3 * hidden");
    expect(() => gruSequence(randn([4, 9]), randn([9, 3]), null, randn([2, 3]), false)).toThrow('gruSequence: xProj must be [seq, batch, 3 * hidden], got [4,9]');
    expect(() => gruSequence(x.double(), randn([9, 3]), null, randn([2, 3]), false)).toThrow('gruSequence: xProj must be float32, got float64');
  });
});

/** Elman RNN forward and backward arguments with seeded values (the backward from the forward's outputs). */
function rnnCase(S: number, B: number, H: number, reverse: boolean, relu: boolean, bias: boolean, seed: number) {
  const rnd = seeded(seed);
  const fill = (n: number, scale = 1) => Float32Array.from({ length: n }, () => rnd() * scale);
  const fwd = (): RnnForwardArgs => ({
    S, B, H, reverse, relu,
    xProj: fill(S * B * H, 2), bias: bias ? fill(H) : null, inputBias: bias ? null : fill(H), weight: fill(H * H, 1 / Math.sqrt(H)), h0: fill(B * H),
    hOut: new Float32Array(S * B * H),
  });
  const bwd = (f: RnnForwardArgs, dhOut: Float32Array): RnnBackwardArgs => ({
    S, B, H, reverse, relu, weight: f.weight, h0: f.h0, hOut: f.hOut, dhOut,
    dPre: new Float32Array(S * B * H), dWeight: new Float32Array(H * H), dBias: bias ? new Float32Array(H) : null,
    dh0: new Float32Array(B * H),
  });
  return { fwd, bwd, grad: () => fill(S * B * H) };
}

describe('Elman RNN sequence kernels: wasm equals the TypeScript reference', () => {
  const shapes: [number, number, number][] = [
    [1, 1, 1],
    [5, 3, 7],
    [9, 4, 16],
    [3, 2, 33],
    [17, 8, 64],
    [6, 5, 130],
  ];
  for (const [S, B, H] of shapes) {
    for (const relu of [false, true]) {
      for (const reverse of [false, true]) {
        it(`S=${S} B=${B} H=${H} ${relu ? 'relu' : 'tanh'}${reverse ? ' reverse' : ''}: outputs and every gradient`, () => {
          const fast = fastKernels();
          expect(fast, 'the wasm kernels are installed (WebAssembly SIMD is required)').not.toBeNull();
          const c = rnnCase(S, B, H, reverse, relu, (S + H) % 2 === 0, S * 100 + H + (relu ? 7 : 0));
          const a = c.fwd();
          const r = { ...a, hOut: a.hOut.slice() };
          expect(fast!.rnnForward(a)).toBe(true);
          rnnForwardReference(r);
          expect(relDiff(a.hOut, r.hOut)).toBeLessThan(2e-6);
          if (relu && S * B * H >= 16) expect(a.hOut.some((v) => v === 0) && a.hOut.some((v) => v > 0), 'both relu branches taken').toBe(true);
          const dh = c.grad();
          const ba = c.bwd(a, dh);
          const br = c.bwd(r, dh);
          expect(fast!.rnnBackward(ba)).toBe(true);
          rnnBackwardReference(br);
          for (const key of ['dPre', 'dWeight', 'dBias', 'dh0'] as const) {
            if (ba[key] === null) continue;
            expect(relDiff(ba[key]!, br[key]!), key).toBeLessThan(1e-5);
          }
        });
      }
    }
  }

  it('the reference keeps relu of NaN as NaN, as the elementwise op does', () => {
    const a: RnnForwardArgs = {
      S: 1, B: 1, H: 2, reverse: false, relu: true, xProj: Float32Array.from([Number.NaN, -1]), bias: null, inputBias: null,
      weight: new Float32Array(4), h0: new Float32Array(2), hOut: new Float32Array(2),
    };
    rnnForwardReference(a);
    expect(Number.isNaN(a.hOut[0]!)).toBe(true);
    expect(Object.is(a.hOut[1], 0)).toBe(true);
  });
});

/** Runs an RNN (outputs, final states, all gradients) with or without the fast kernels. */
function runRnn(fast: boolean, options: nn.RNNOptions & { nonlinearity?: 'tanh' | 'relu' }, S: number, B: number, I: number, H: number, seed: number): Tensor[] {
  manualSeed(seed);
  const rnn = new nn.RNN(I, H, options);
  const L = (options.numLayers ?? 1) * (options.bidirectional ? 2 : 1);
  const x = randn(options.batchFirst ? [B, S, I] : [S, B, I], { requiresGrad: true });
  const h0 = randn([L, B, H], { requiresGrad: true });
  const saved = setFastKernels(fast ? fastKernels() : null);
  try {
    const [out, hN] = rnn.forward(x, h0);
    const up = randn(out.shape);
    out.mul(up).sum().add(hN.mul(hN).sum()).backward();
    return [out, hN, x.grad!, h0.grad!, ...rnn.parameters().map((p) => p.grad!)];
  } finally {
    setFastKernels(saved);
  }
}

describe('nn.RNN on the sequence op equals nn.RNN step by step', () => {
  afterEach(() => {
    backend.use('auto');
  });

  const configs: [string, nn.RNNOptions & { nonlinearity?: 'tanh' | 'relu' }, number, number, number, number][] = [
    ['one layer, tanh', {}, 12, 4, 5, 9],
    ['one layer, relu', { nonlinearity: 'relu' }, 12, 4, 5, 9],
    ['two layers, bidirectional, tanh', { numLayers: 2, bidirectional: true }, 7, 3, 6, 8],
    ['two layers, bidirectional, relu', { numLayers: 2, bidirectional: true, nonlinearity: 'relu' }, 7, 3, 6, 11],
    ['batchFirst, no bias', { batchFirst: true, bias: false }, 5, 2, 3, 4],
    ['the bench shape (hidden 256)', {}, 8, 32, 64, 256],
  ];
  for (const [name, options, S, B, I, H] of configs) {
    it(`${name}: outputs, final states and every gradient`, () => {
      const a = runRnn(true, options, S, B, I, H, 5);
      const b = runRnn(false, options, S, B, I, H, 5);
      a.forEach((t, i) => expect(tensorDiff(t, b[i]!), `result ${i}`).toBeLessThan(i < 2 ? 2e-6 : 2e-5));
    });
  }

  it('takes the sequence op on the fast kernels (one call per layer direction), not the steps', () => {
    manualSeed(1);
    const rnn = new nn.RNN(4, 8, { bidirectional: true, nonlinearity: 'relu' });
    const before = backend.info().stats!.calls;
    const [out, hN] = rnn.forward(randn([20, 2, 4]));
    // Two input projections may or may not be large enough for wasm; the recurrences are one call each.
    const calls = backend.info().stats!.calls - before;
    expect(calls).toBeGreaterThanOrEqual(2);
    expect(calls).toBeLessThanOrEqual(4);
    expect(out.shape).toEqual([20, 2, 16]);
    // The final states: the forward direction's last step, the reverse direction's first.
    expect(tensorDiff(hN.select(0, 0), out.select(0, 19).narrow(1, 0, 8))).toBe(0);
    expect(tensorDiff(hN.select(0, 1), out.select(0, 0).narrow(1, 8, 8))).toBe(0);
  });

  it('under noGrad records nothing and gives the same outputs', () => {
    manualSeed(2);
    const rnn = new nn.RNN(3, 5);
    const x = randn([6, 2, 3]);
    const [withGrad] = rnn.forward(x);
    expect(withGrad.requiresGrad).toBe(true);
    const [without] = noGrad(() => rnn.forward(x));
    expect(without.requiresGrad).toBe(false);
    expect(tensorDiff(without, withGrad)).toBe(0);
  });

  it('a weight or the output changed in place before backward is an error, as on the step path', () => {
    manualSeed(3);
    const rnn = new nn.RNN(3, 4);
    const [out] = rnn.forward(randn([5, 2, 3]));
    noGrad(() => rnn.weight_hh_l0.mul_(2));
    expect(() => out.sum().backward()).toThrow(/modified in place/);
    const y = rnnSequence(randn([5, 2, 4]), randn([4, 4], { requiresGrad: true }), null, randn([2, 4]), false, 'tanh');
    // Through a detached alias of the same storage (the output itself refuses in-place ops).
    y.detach().mul_(2);
    expect(() => y.sum().backward()).toThrow(/modified in place/);
  });

  it('the forward and the backward fall back to the reference when the kernels are removed', () => {
    manualSeed(4);
    const x = randn([6, 3, 5], { requiresGrad: true });
    const w = randn([5, 5], { requiresGrad: true });
    const b = randn([5], { requiresGrad: true });
    const h0 = randn([3, 5]);
    const calls = backend.info().stats!.calls;
    const y1 = rnnSequence(x, w, b, h0, true, 'tanh');
    y1.sum().backward();
    expect(backend.info().stats!.calls - calls, 'forward and backward on wasm').toBe(2);
    const g1 = [x.grad!, w.grad!, b.grad!];
    x.grad = null;
    w.grad = null;
    b.grad = null;
    // The forward on wasm, the backward on the reference.
    const y2 = rnnSequence(x, w, b, h0, true, 'tanh');
    backend.use('reference');
    expect(fastKernels()).toBeNull();
    y2.sum().backward();
    [x.grad!, w.grad!, b.grad!].forEach((g, i) => expect(tensorDiff(g, g1[i]!), `gradient ${i}`).toBeLessThan(1e-5));
    // Both on the reference.
    x.grad = null;
    const y3 = rnnSequence(x, w, b, h0, true, 'tanh');
    expect(tensorDiff(y3, y1)).toBeLessThan(2e-6);
    y3.sum().backward();
    expect(tensorDiff(x.grad!, g1[0]!)).toBeLessThan(1e-5);
  });

  it('names the argument and shape on bad input', () => {
    const x = randn([4, 2, 3]);
    expect(() => rnnSequence(x, randn([3, 2]), null, randn([2, 3]), false, 'tanh')).toThrow('rnnSequence: wHh must have shape [3,3], got [3,2]');
    expect(() => rnnSequence(x, randn([3, 3]), randn([4]), randn([2, 3]), false, 'tanh')).toThrow('rnnSequence: bHh must have shape [3], got [4]');
    expect(() => rnnSequence(x, randn([3, 3]), null, randn([3, 3]), false, 'tanh')).toThrow('rnnSequence: h0 must have shape [2,3], got [3,3]');
    expect(() => rnnSequence(randn([4, 3]), randn([3, 3]), null, randn([2, 3]), false, 'tanh')).toThrow('rnnSequence: xProj must be [seq, batch, hidden], got [4,3]');
    expect(() => rnnSequence(x.double(), randn([3, 3]), null, randn([2, 3]), false, 'tanh')).toThrow('rnnSequence: xProj must be float32, got float64');
    expect(() => rnnSequence(x, randn([3, 3]), null, randn([2, 3]), false, 'sigmoid' as 'tanh')).toThrow(`rnnSequence: nonlinearity must be 'tanh' or 'relu', got "sigmoid"`);
  });
});

describe('b_ih passed to the sequence ops (added inside with b_hh)', () => {
  const cases: [string, (x: Tensor, w: Tensor, bHh: Tensor | null, h0: Tensor, bIh: Tensor | null) => Tensor, number][] = [
    ['lstmSequence', (x, w, bHh, h0, bIh) => lstmSequence(x, w, bHh, h0, h0.mul(0.5), true, bIh), 4],
    ['rnnSequence', (x, w, bHh, h0, bIh) => rnnSequence(x, w, bHh, h0, false, 'relu', bIh), 1],
    ['gruSequence', (x, w, bHh, h0, bIh) => gruSequence(x, w, bHh, h0, true, bIh), 3],
  ];
  for (const [name, run, gates] of cases) {
    for (const withHh of [true, false]) {
      it(`${name}${withHh ? '' : ' without b_hh'}: equals b_ih added to xProj first, outputs and every gradient`, () => {
        manualSeed(11);
        const H = 6, G = gates * H;
        const x = randn([5, 3, G], { requiresGrad: true });
        const w = randn([G, H], { requiresGrad: true });
        const bHh = withHh ? randn([G], { requiresGrad: true }) : null;
        const bIh = randn([G], { requiresGrad: true });
        const h0 = randn([3, H], { requiresGrad: true });
        const up = randn(run(x, w, bHh, h0, bIh).shape);
        const grads = (y: Tensor): Tensor[] => {
          for (const t of [x, w, bHh, bIh, h0]) if (t) t.grad = null;
          y.mul(up).sum().backward();
          return [y.detach(), x.grad!, w.grad!, ...(bHh ? [bHh.grad!] : []), bIh.grad!, h0.grad!];
        };
        const inside = grads(run(x, w, bHh, h0, bIh));
        const outside = grads(run(x.add(bIh), w, bHh, h0, null));
        inside.forEach((t, i) => expect(tensorDiff(t, outside[i]!), `result ${i}`).toBeLessThan(i === 0 ? 2e-6 : 2e-5));
        if (bHh && name !== 'gruSequence') {
          // Both biases get the same gradient (the column sums of the pre-activation gradients).
          expect(tensorDiff(inside[3]!, inside[4]!)).toBe(0);
        } else if (bHh) {
          // The GRU's differ in the n block (b_hh's is inside the product with r).
          expect(tensorDiff(inside[3]!.narrow(0, 0, 2 * H), inside[4]!.narrow(0, 0, 2 * H))).toBe(0);
          expect(tensorDiff(inside[3]!.narrow(0, 2 * H, H), inside[4]!.narrow(0, 2 * H, H))).toBeGreaterThan(1e-3);
        }
      });
    }
  }

  it('names b_ih on a bad shape', () => {
    expect(() => rnnSequence(randn([4, 2, 3]), randn([3, 3]), null, randn([2, 3]), false, 'tanh', randn([2]))).toThrow('rnnSequence: bIh must have shape [3], got [2]');
  });
});
