// The multi-threaded path: worker threads on a shared memory compute exactly what one
// thread computes (bit for bit: every C element is the same sum in the same order, only
// on another thread), for each way a job is cut (batches, rows, columns), and the
// workers neither keep a process alive nor outlive `stopWorkers`.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WasmBackend } from '../../../engine/src/backend/wasm/backend.js';
import { detectFeatures } from '../../../engine/src/backend/wasm/features.js';
import { workerUrl } from '../../../engine/src/backend/host/node.js';
import { gruBackwardReference, gruForwardReference, rnnBackwardReference, rnnForwardReference } from '../../../engine/src/kernels/recurrent.js';
import { makeArgs, expectMatchesReference, seeded, withCopyOfC, type Layout } from './gemm-check.js';

// Two threads even where the machine has one core: the protocol is what is under test.
const features = { ...detectFeatures(), cores: 2 };
const engineDist = fileURLToPath(new URL('../../../engine/dist/', import.meta.url));

/** max |a - b| / max |b|. */
function relDiff(a: Float32Array, b: Float32Array): number {
  let d = 0, m = 0;
  for (let i = 0; i < a.length; i++) {
    d = Math.max(d, Math.abs(a[i]! - b[i]!));
    m = Math.max(m, Math.abs(b[i]!));
  }
  return d / Math.max(m, 1e-30);
}

function bits(a: Float32Array): Uint32Array {
  return new Uint32Array(a.buffer, a.byteOffset, a.length);
}

describe('wasm GEMM backend on two threads', () => {
  const single = new WasmBackend({ features, threads: 1, minWork: 1 });
  // Every product goes to the workers, and the calling thread leaves all chunks to them.
  const workersOnly = new WasmBackend({ features, threads: 2, minWork: 1, minParallelFlops: 1, callerClaims: false });
  const shared = new WasmBackend({ features, threads: 2, minWork: 1, minParallelFlops: 1 });

  beforeAll(async () => {
    expect(features.threads, 'this runtime must support SharedArrayBuffer, wasm threads and worker_threads').toBe(true);
    expect(existsSync(fileURLToPath(workerUrl())), `built worker script ${workerUrl().pathname} (run npm run build)`).toBe(true);
    expect(await workersOnly.startWorkers()).toBe(1);
    expect(await shared.startWorkers()).toBe(1);
  });

  afterAll(async () => {
    await workersOnly.stopWorkers();
    await shared.stopWorkers();
  });

  const layouts: [string, Layout][] = [
    ['rows split (tall)', { M: 301, N: 40, K: 77 }],
    ['columns split (wide)', { M: 9, N: 517, K: 130, transB: true }],
    ['rows split, transposed A, accumulate', { M: 200, N: 150, K: 300, transA: true, accumulate: true, padA: 3, padC: 5 }],
    ['batch split', { M: 33, N: 31, K: 29, batch: 7, padB: 2, offsetA: 4 }],
    ['batch split, broadcast A', { M: 64, N: 48, K: 32, batch: 6, strideA: 0, transA: true, transB: true }],
    ['shared B folded into rows', { M: 16, N: 96, K: 64, batch: 12, strideA: 16 * 64, strideB: 0, strideC: 16 * 96 }],
    ['stride-0 C accumulated over the batch (rows split)', { M: 40, N: 36, K: 20, batch: 5, strideC: 0, accumulate: true }],
    ['interleaved heads (batch split)', { M: 32, N: 8, K: 16, batch: 4, padC: 24, strideC: 8 }],
    ['two-level batch (batch split across groups)', { M: 17, N: 19, K: 32, batch: 4, outer: 3, strideA: 32, outerStrideA: 4 * 32 + 300, padA: 600, strideC: 17 * 19, outerStrideC: 4 * 17 * 19 }],
    ['two-level batch of single products (a one-level batch)', { M: 150, N: 40, K: 30, batch: 1, outer: 2, strideC: 150 * 40, outerStrideC: 150 * 40 }],
  ];

  for (const [name, layout] of layouts) {
    it(`${name}: workers alone, and workers with the caller, equal one thread bit for bit`, () => {
      const args = makeArgs({ ...layout, seed: 99 });
      const c0 = args.C.slice();
      const one = withCopyOfC(args);
      expect(single.gemmBatched(one)).toBe(true);
      expectMatchesReference(args, one.C, c0);

      const before = workersOnly.stats.workerChunks;
      const w = withCopyOfC(args);
      expect(workersOnly.gemmBatched(w)).toBe(true);
      expect(workersOnly.stats.workerChunks - before, 'chunks run by the worker').toBeGreaterThanOrEqual(2);
      expect(bits(w.C)).toEqual(bits(one.C));

      const s = withCopyOfC(args);
      const parallelBefore = shared.stats.parallel;
      expect(shared.gemmBatched(s)).toBe(true);
      expect(shared.stats.parallel).toBe(parallelBefore + 1);
      expect(bits(s.C)).toEqual(bits(one.C));
    });
  }

  for (const [S, B, H, reverse] of [[9, 5, 40, false], [4, 3, 22, true], [3, 2, 9, false]] as const) {
    it(`an LSTM layer (S=${S}, B=${B}, H=${H}${reverse ? ', reverse' : ''}) split by hidden units over two threads equals one thread bit for bit`, () => {
      const rnd = seeded(S * 31 + H);
      const f = (n: number, scale = 1) => Float32Array.from({ length: n }, () => rnd() * scale);
      const G = 4 * H;
      const base = { S, B, H, reverse, xProj: f(S * B * G, 2), bias: f(G), inputBias: null, weight: f(G * H, 0.3), h0: f(B * H), c0: f(B * H) };
      const fwd = () => ({ ...base, hOut: new Float32Array(S * B * H), c: new Float32Array((S + 1) * B * H), gates: new Float32Array(S * B * G) });
      const dhOut = f(S * B * H), dcN = f(B * H);
      const bwd = (a: ReturnType<typeof fwd>) => ({
        S, B, H, reverse, weight: a.weight, h0: a.h0, hOut: a.hOut, c: a.c, gates: a.gates, dhOut, dcN,
        dPre: new Float32Array(S * B * G), dWeight: new Float32Array(G * H), dBias: new Float32Array(G),
        dh0: new Float32Array(B * H), dc0: new Float32Array(B * H),
      });
      const a1 = fwd();
      expect(single.lstmForward(a1)).toBe(true);
      const b1 = bwd(a1);
      expect(single.lstmBackward(b1)).toBe(true);
      for (const be of [workersOnly, shared]) {
        const chunksBefore = be.stats.workerChunks;
        const a2 = fwd();
        expect(be.lstmForward(a2)).toBe(true);
        const b2 = bwd(a2);
        expect(be.lstmBackward(b2)).toBe(true);
        if (be === workersOnly) expect(be.stats.workerChunks - chunksBefore, 'unit ranges run by the worker').toBeGreaterThanOrEqual(2 * (2 * S + 1));
        for (const [x, y] of [[a1.hOut, a2.hOut], [a1.c, a2.c], [a1.gates, a2.gates], [b1.dPre, b2.dPre], [b1.dWeight, b2.dWeight], [b1.dBias, b2.dBias], [b1.dh0, b2.dh0], [b1.dc0, b2.dc0]] as const) {
          expect(bits(y)).toEqual(bits(x));
        }
      }
    });
  }

  for (const [S, B, H, reverse, relu] of [[9, 5, 40, false, false], [4, 3, 22, true, true], [3, 2, 9, false, true], [6, 4, 30, true, false]] as const) {
    it(`an Elman RNN layer (S=${S}, B=${B}, H=${H}, ${relu ? 'relu' : 'tanh'}${reverse ? ', reverse' : ''}) split by hidden units over two threads equals one thread bit for bit, and the reference`, () => {
      const rnd = seeded(S * 37 + H);
      const f = (n: number, scale = 1) => Float32Array.from({ length: n }, () => rnd() * scale);
      const base = { S, B, H, reverse, relu, xProj: f(S * B * H, 2), bias: f(H), inputBias: f(H), weight: f(H * H, 0.3), h0: f(B * H) };
      const fwd = () => ({ ...base, hOut: new Float32Array(S * B * H) });
      const dhOut = f(S * B * H);
      const bwd = (a: ReturnType<typeof fwd>) => ({
        S, B, H, reverse, relu, weight: a.weight, h0: a.h0, hOut: a.hOut, dhOut,
        dPre: new Float32Array(S * B * H), dWeight: new Float32Array(H * H), dBias: new Float32Array(H), dh0: new Float32Array(B * H),
      });
      const a1 = fwd();
      expect(single.rnnForward(a1)).toBe(true);
      const b1 = bwd(a1);
      expect(single.rnnBackward(b1)).toBe(true);
      const ar = fwd();
      rnnForwardReference(ar);
      const br = bwd(ar);
      rnnBackwardReference(br);
      for (const [x, y, tol] of [[a1.hOut, ar.hOut, 2e-6], [b1.dPre, br.dPre, 1e-5], [b1.dWeight, br.dWeight, 1e-5], [b1.dBias, br.dBias, 1e-5], [b1.dh0, br.dh0, 1e-5]] as const) {
        expect(relDiff(x, y)).toBeLessThan(tol);
      }
      for (const be of [workersOnly, shared]) {
        const chunksBefore = be.stats.workerChunks;
        const a2 = fwd();
        expect(be.rnnForward(a2)).toBe(true);
        const b2 = bwd(a2);
        expect(be.rnnBackward(b2)).toBe(true);
        if (be === workersOnly) expect(be.stats.workerChunks - chunksBefore, 'unit ranges run by the worker').toBeGreaterThanOrEqual(2 * (2 * S + 1));
        for (const [x, y] of [[a1.hOut, a2.hOut], [b1.dPre, b2.dPre], [b1.dWeight, b2.dWeight], [b1.dBias, b2.dBias], [b1.dh0, b2.dh0]] as const) {
          expect(bits(y)).toEqual(bits(x));
        }
      }
    });
  }

  for (const [S, B, H, reverse, bias] of [[9, 5, 40, false, true], [4, 3, 22, true, true], [3, 2, 9, false, false], [6, 4, 30, true, false]] as const) {
    it(`a GRU layer (S=${S}, B=${B}, H=${H}${reverse ? ', reverse' : ''}${bias ? '' : ', no b_hh'}) split by hidden units over two threads equals one thread bit for bit, and the reference`, () => {
      const rnd = seeded(S * 41 + H);
      const f = (n: number, scale = 1) => Float32Array.from({ length: n }, () => rnd() * scale);
      const G = 3 * H;
      const base = { S, B, H, reverse, xProj: f(S * B * G, 2), bias: bias ? f(G) : null, inputBias: f(G), weight: f(G * H, 0.3), h0: f(B * H) };
      const fwd = () => ({ ...base, hOut: new Float32Array(S * B * H), gates: new Float32Array(S * B * G), hn: new Float32Array(S * B * H) });
      const dhOut = f(S * B * H);
      const bwd = (a: ReturnType<typeof fwd>) => ({
        S, B, H, reverse, weight: a.weight, h0: a.h0, hOut: a.hOut, gates: a.gates, hn: a.hn, dhOut,
        dPre: new Float32Array(S * B * G), dWeight: new Float32Array(G * H), dBias: bias ? new Float32Array(G) : null,
        dInputBias: new Float32Array(G), dh0: new Float32Array(B * H),
      });
      const a1 = fwd();
      expect(single.gruForward(a1)).toBe(true);
      const b1 = bwd(a1);
      expect(single.gruBackward(b1)).toBe(true);
      const ar = fwd();
      gruForwardReference(ar);
      const br = bwd(ar);
      gruBackwardReference(br);
      const pairs: [Float32Array, Float32Array, number][] = [
        [a1.hOut, ar.hOut, 2e-6], [a1.gates, ar.gates, 2e-6], [a1.hn, ar.hn, 2e-6],
        [b1.dPre, br.dPre, 1e-5], [b1.dWeight, br.dWeight, 1e-5], [b1.dInputBias, br.dInputBias, 1e-5], [b1.dh0, br.dh0, 1e-5],
      ];
      if (bias) pairs.push([b1.dBias!, br.dBias!, 1e-5]);
      for (const [x, y, tol] of pairs) expect(relDiff(x, y)).toBeLessThan(tol);
      for (const be of [workersOnly, shared]) {
        const chunksBefore = be.stats.workerChunks;
        const a2 = fwd();
        expect(be.gruForward(a2)).toBe(true);
        const b2 = bwd(a2);
        expect(be.gruBackward(b2)).toBe(true);
        if (be === workersOnly) expect(be.stats.workerChunks - chunksBefore, 'unit ranges run by the worker').toBeGreaterThanOrEqual(2 * (2 * S + 1));
        const same: [Float32Array | null, Float32Array | null][] = [
          [a1.hOut, a2.hOut], [a1.gates, a2.gates], [a1.hn, a2.hn], [b1.dPre, b2.dPre], [b1.dWeight, b2.dWeight],
          [b1.dBias, b2.dBias], [b1.dInputBias, b2.dInputBias], [b1.dh0, b2.dh0],
        ];
        for (const [x, y] of same) {
          if (x === null || y === null) expect(y).toBe(x);
          else expect(bits(y)).toEqual(bits(x));
        }
      }
    });
  }

  it('keeps products with overlapping C batches on one thread', () => {
    const args = makeArgs({ M: 30, N: 30, K: 30, batch: 3, strideC: 10, accumulate: true });
    const c0 = args.C.slice();
    const before = shared.stats.parallel;
    expect(shared.gemmBatched(args)).toBe(true);
    expect(shared.stats.parallel).toBe(before);
    expectMatchesReference(args, args.C, c0);
  });

  it('stopWorkers ends the threads; later products still run (on one thread until they restart)', async () => {
    const be = new WasmBackend({ features, threads: 2, minWork: 1, minParallelFlops: 1 });
    expect(await be.startWorkers()).toBe(1);
    await be.stopWorkers();
    expect(be.workersReady).toBe(0);
    const args = makeArgs({ M: 50, N: 60, K: 70 });
    const c0 = args.C.slice();
    expect(be.gemmBatched(args)).toBe(true);
    expectMatchesReference(args, args.C, c0);
    await be.stopWorkers();
  });

  it('workers do not keep a Node process alive', () => {
    // A script that starts the workers, runs a parallel product and just ends: it must
    // exit on its own (the workers are unref'd), well within the timeout.
    const script = `
      import { WasmBackend } from ${JSON.stringify(`${engineDist}backend/wasm/backend.js`)};
      const be = new WasmBackend({ threads: 2, minParallelFlops: 1, features: { simd: true, relaxedSimd: false, threads: true, cores: 2 } });
      const ready = await be.startWorkers();
      const n = 256, A = new Float32Array(n * n).fill(1), C = new Float32Array(n * n);
      be.gemmBatched({ transA: false, transB: false, M: n, N: n, K: n, A, aOffset: 0, lda: n, B: A, bOffset: 0, ldb: n,
        C, cOffset: 0, ldc: n, accumulate: false, batch: 1, strideA: 0, strideB: 0, strideC: 0 });
      console.log(JSON.stringify({ ready, parallel: be.stats.parallel, c: C[n * n - 1] }));
    `;
    const dir = mkdtempSync(join(tmpdir(), 'seqlab-threads-'));
    try {
      const file = join(dir, 'script.mjs');
      writeFileSync(file, script);
      const out = execFileSync(process.execPath, [file], { encoding: 'utf8', timeout: 20_000 });
      expect(JSON.parse(out.trim())).toEqual({ ready: 1, parallel: 1, c: 256 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
