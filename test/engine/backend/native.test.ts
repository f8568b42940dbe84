// The native product backend (engine/native/seqlab_blas.c on OpenBLAS, backend/native/
// native.ts) against the TypeScript reference, layout by layout, as the wasm backend is
// tested; its refusals (the addon validates every call and writes nothing it refuses); and
// its place in the engine (installed by default where built, the wasm kernels behind it).
//
// `npm test` builds the addon (its pretest installs gcc and libopenblas-dev and runs the
// build), so it must be here: a missing addon fails this suite with the command to run.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as backend from '../../../engine/src/backend/index.js';
import { nodeHost } from '../../../engine/src/backend/host/node.js';
import { checkNativeBlas, NativeGemm, tuneMalloc, type NativeBlas } from '../../../engine/src/backend/native/native.js';
import { gemmBatchedReference, type GemmBackend, type GemmBatchedArgs } from '../../../engine/src/kernels/gemm.js';
import { matmul, randn, manualSeed, nn, type Tensor } from '../../../engine/src/index.js';
import { expectMatchesReference, makeArgs, seeded, withCopyOfC, type Layout } from './gemm-check.js';

const addonPath = fileURLToPath(new URL('../../../engine/dist/native/seqlab_blas.node', import.meta.url));

let blas: NativeBlas;

/** A fallback that records what it was given and declines it. */
function recorder(): GemmBackend & { seen: GemmBatchedArgs[] } {
  const seen: GemmBatchedArgs[] = [];
  return { name: 'recorder', seen, gemmBatched: (a) => (seen.push(a), false) };
}

function runNative(args: GemmBatchedArgs, threads = 1): { got: Float32Array; c0: Float32Array; native: NativeGemm } {
  const native = new NativeGemm(blas, null, threads, 0);
  const c0 = (args.C as Float32Array).slice();
  expect(native.gemmBatched(args), 'the addon took the product').toBe(true);
  return { got: args.C as Float32Array, c0, native };
}

function check(l: Layout, threads = 1): void {
  const args = makeArgs(l);
  const { got, c0 } = runNative(args, threads);
  expectMatchesReference(args, got, c0);
}

describe('native product backend (OpenBLAS)', () => {
  beforeAll(() => {
    expect(existsSync(addonPath), `${addonPath} is built (bash scripts/system-deps.sh && npm run build)`).toBe(true);
    blas = checkNativeBlas(nodeHost.nativeBlas!());
  });
  afterAll(() => {
    blas.setThreads(1);
    backend.use('auto');
  });

  it('loads, and says which OpenBLAS and CPU kernels it runs', () => {
    const info = blas.info();
    expect(info.config).toMatch(/^OpenBLAS \d+\.\d+/);
    expect(info.core.length).toBeGreaterThan(0);
  });

  for (const [transA, transB] of [[false, false], [true, false], [false, true], [true, true]] as const) {
    const tag = `${transA ? 'Aᵀ' : 'A'}·${transB ? 'Bᵀ' : 'B'}`;
    it(`${tag}: sizes around OpenBLAS's blocks, leading dimensions, offsets and accumulate`, () => {
      for (const [M, N, K] of [[17, 33, 16], [64, 64, 64], [1, 70, 40], [70, 1, 40], [130, 97, 257], [5, 300, 3]]) {
        check({ transA, transB, M: M!, N: N!, K: K!, seed: M! * 7 + N! });
        check({ transA, transB, M: M!, N: N!, K: K!, padA: 3, padB: 5, padC: 2, offsetA: 11, offsetB: 2, offsetC: 9, accumulate: true, seed: K! });
      }
    });
  }

  it('batched with gaps, broadcast (stride 0) operands, stride-0 C accumulating in order, and two-level batches', () => {
    check({ M: 20, N: 24, K: 18, batch: 5 });
    check({ M: 20, N: 24, K: 18, batch: 4, strideB: 0, transB: true });
    check({ M: 16, N: 16, K: 32, batch: 6, strideC: 0, accumulate: true });
    check({ M: 12, N: 8, K: 24, batch: 4, outer: 3, transA: true, accumulate: true });
    check({ M: 12, N: 8, K: 24, batch: 4, outer: 3, outerStrideB: 0 });
  });

  it('two threads agree with the reference, and repeat their own bits exactly (OpenBLAS splits the work, so not bit for bit one thread\'s)', () => {
    for (const l of [{ M: 300, N: 280, K: 260 }, { M: 64, N: 512, K: 128, transB: true }, { M: 40, N: 40, K: 40, batch: 20 }] as Layout[]) {
      check(l, 2);
      const first = makeArgs(l), again = withCopyOfC(first);
      runNative(first, 2);
      runNative(again, 2);
      expect(Array.from(again.C)).toEqual(Array.from(first.C));
    }
  });

  it('a row bias: the product, then the bias added once per row (the same bits as adding it after)', () => {
    const args = makeArgs({ M: 33, N: 47, K: 29, batch: 3, padC: 4 });
    const bias = Float32Array.from({ length: 47 + 5 }, seeded(9));
    const plain = withCopyOfC(args);
    runNative({ ...args, rowBias: bias, rowBiasOffset: 5 });
    runNative(plain);
    for (let p = 0; p < 3; p++) {
      for (let m = 0; m < 33; m++) {
        for (let n = 0; n < 47; n++) {
          const i = p * args.strideC + m * args.ldc + n;
          expect(args.C[i]).toBe(Math.fround(plain.C[i]! + bias[5 + n]!));
        }
      }
    }
  });

  it('K = 0 writes zeros (or leaves C when accumulating); NaN and infinities propagate; stale NaN in C does not leak', () => {
    const z = makeArgs({ M: 40, N: 40, K: 0 });
    new NativeGemm(blas, null, 1, 0).gemmBatched(z);
    for (let m = 0; m < 40; m++) for (let n = 0; n < 40; n++) expect(z.C[m * z.ldc + n]).toBe(0);
    const acc = makeArgs({ M: 40, N: 40, K: 0, accumulate: true });
    const before = acc.C.slice();
    new NativeGemm(blas, null, 1, 0).gemmBatched(acc);
    expect(Array.from(acc.C)).toEqual(Array.from(before));

    const args = makeArgs({ M: 24, N: 24, K: 24 });
    args.A[3] = NaN;
    args.A[30] = Infinity;
    args.B[5 * args.ldb + 7] = -Infinity;
    args.C.fill(NaN);
    const { got, c0 } = runNative(args);
    expectMatchesReference(args, got, c0);
  });

  it('float64 products run on dgemm, to float64 rounding', () => {
    const rnd = seeded(4);
    const M = 37, N = 29, K = 41;
    const A = Float64Array.from({ length: M * K }, rnd), B = Float64Array.from({ length: K * N }, rnd);
    const C = new Float64Array(M * N), R = new Float64Array(M * N);
    const args = { transA: false, transB: false, M, N, K, A, aOffset: 0, lda: K, B, bOffset: 0, ldb: N, C, cOffset: 0, ldc: N, accumulate: false, batch: 1, strideA: 0, strideB: 0, strideC: 0 };
    expect(new NativeGemm(blas, null, 1).gemmBatched(args)).toBe(true);
    gemmBatchedReference({ ...args, C: R });
    for (let i = 0; i < C.length; i++) expect(Math.abs(C[i]! - R[i]!)).toBeLessThan(1e-13 * K);
  });

  it('passes on what it does not take: tiny products and mixed element types', () => {
    const fallback = recorder();
    const native = new NativeGemm(blas, fallback, 1);
    expect(native.gemmBatched(makeArgs({ M: 4, N: 4, K: 4 }))).toBe(false);
    const mixed = { ...makeArgs({ M: 64, N: 64, K: 64 }), C: new Float64Array(64 * 64) };
    expect(native.gemmBatched(mixed)).toBe(false);
    expect(fallback.seen).toHaveLength(2);
    expect(native.stats).toEqual({ calls: 0, declined: 2 });
  });

  it('the addon refuses a layout that reaches past an array, writing nothing, and the product goes to the fallback', () => {
    const args = makeArgs({ M: 32, N: 32, K: 32 });
    const short = { ...args, C: new Float32Array(32 * 32 - 1).fill(7) };
    const fallback = recorder();
    expect(new NativeGemm(blas, fallback, 1).gemmBatched(short)).toBe(false);
    expect(fallback.seen).toEqual([short]);
    expect(short.C.every((v) => v === 7)).toBe(true);
    const params = new Float64Array(blas.paramCount);
    expect(() => blas.gemm(params.fill(1.5), args.A, args.B, args.C, null)).toThrow(/every parameter must be an integer/);
    expect(() => blas.gemm(params, args.A, args.B, [] as never, null)).toThrow(/must be typed arrays/);
    expect(() => blas.gemm(new Float64Array(3), args.A, args.B, args.C, null)).toThrow(/parameter block/);
    expect(() => blas.setThreads(0)).toThrow(/positive integer/);
  });

  it("an addon from another build is refused with what to do", () => {
    expect(() => checkNativeBlas({ paramCount: 20, gemm: blas.gemm, setThreads: blas.setThreads, info: blas.info, tuneMalloc: blas.tuneMalloc })).toThrow(/rebuild it with `npm run build`/);
    expect(() => checkNativeBlas({ paramCount: blas.paramCount, gemm: blas.gemm, setThreads: blas.setThreads, info: blas.info })).toThrow(/does not export .*tuneMalloc/);
    expect(() => checkNativeBlas({})).toThrow(/does not export gemm/);
  });

  it("sets glibc's malloc thresholds for tensor buffers, unless told not to or the user set glibc's own", () => {
    const calls: number[][] = [];
    const fake = { ...blas, tuneMalloc: (...a: number[]) => (calls.push(a), true) } as unknown as NativeBlas;
    const env = (vars: Record<string, string>) => (name: string) => vars[name];
    expect(tuneMalloc(fake, env({}))).toBe(true);
    expect(calls).toEqual([[32 << 20, 128 << 20, 16 << 20]]);
    expect(tuneMalloc(fake, env({ SEQLAB_MALLOC_TUNING: '0' }))).toBe(false);
    expect(tuneMalloc(fake, env({ MALLOC_TRIM_THRESHOLD_: '1000000' }))).toBe(false);
    expect(tuneMalloc(fake, env({ GLIBC_TUNABLES: 'glibc.malloc.mmap_threshold=4096' }))).toBe(false);
    expect(calls).toHaveLength(1);
    // The real addon, on this glibc system (Debian), applies them; bad arguments are refused.
    expect(blas.tuneMalloc(32 << 20, 128 << 20, 16 << 20)).toBe(true);
    expect(() => blas.tuneMalloc(-1, 0, 0)).toThrow(/byte counts/);
  });

  it('recurrent layers large enough run each step\'s product on it (pointwise parts on wasm), and agree with the wasm kernels', () => {
    type Layer = { forward(x: Tensor): [Tensor, unknown]; parameters(): Tensor[] };
    // [name, layer, layer directions]; B·G·H is at least 2^15 for each, the native step threshold.
    const layers: [string, () => Layer, number][] = [
      ['LSTM, 2 layers, bidirectional', () => new nn.LSTM(24, 64, { numLayers: 2, bidirectional: true }) as unknown as Layer, 4],
      ['GRU, bidirectional', () => new nn.GRU(24, 64, { bidirectional: true }) as unknown as Layer, 2],
      ['RNN relu, 2 layers', () => new nn.RNN(24, 128, { numLayers: 2, nonlinearity: 'relu' }) as unknown as Layer, 2],
    ];
    const S = 9, B = 8;
    for (const [name, make, directions] of layers) {
      const run = (choice: 'auto' | 'wasm') => {
        backend.use(choice);
        manualSeed(11);
        const layer = make();
        const x = randn([S, B, 24], { requiresGrad: true });
        const before = backend.info().native.stats?.calls ?? 0;
        const [out] = layer.forward(x);
        out.mul(randn(out.shape)).sum().backward();
        const calls = (backend.info().native.stats?.calls ?? 0) - before;
        return { results: [out, x.grad!, ...layer.parameters().map((p) => p.grad!)].map((t) => Array.from(t.toTypedArray() as Float32Array)), calls };
      };
      const viaNative = run('auto');
      const viaWasm = run('wasm');
      // Each layer direction: S products forward, S backward (dh), one weight gradient.
      expect(viaNative.calls, `${name}: products on OpenBLAS`).toBeGreaterThanOrEqual(directions * (2 * S + 1));
      expect(viaWasm.calls).toBe(0);
      viaNative.results.forEach((r, i) => {
        const w = viaWasm.results[i]!;
        let worst = 0, scale = 1e-6;
        for (let j = 0; j < r.length; j++) {
          worst = Math.max(worst, Math.abs(r[j]! - w[j]!));
          scale = Math.max(scale, Math.abs(w[j]!));
        }
        expect(worst / scale, `${name}: result ${i}`).toBeLessThan(2e-5);
      });
    }
  });

  it('the engine runs products on it by default, with the wasm kernels for the rest; SEQLAB_BACKEND=wasm-like use(\'wasm\') turns it off', () => {
    expect(backend.use('auto')).toMatch(/^openblas x\d$/);
    const info = backend.info();
    expect(info).toMatchObject({ active: true, native: { active: true, loadError: null, mallocTuned: true } });
    expect(info.kernels).toMatch(/^wasm-simd128 x\d$/);
    expect(info.native.library?.config).toMatch(/^OpenBLAS/);
    manualSeed(3);
    const a = randn([96, 80]), b = randn([80, 72]);
    const before = backend.info().native.stats!.calls;
    const viaNative = matmul(a, b).toArray() as number[][];
    expect(backend.info().native.stats!.calls).toBe(before + 1);
    backend.use('wasm');
    expect(backend.info().native.active).toBe(false);
    const viaWasm = matmul(a, b).toArray() as number[][];
    for (let i = 0; i < 96; i++) for (let j = 0; j < 72; j++) expect(Math.abs(viaNative[i]![j]! - viaWasm[i]![j]!)).toBeLessThan(2e-5);
    expect(backend.use('native')).toMatch(/^openblas/);
    backend.setThreads(1);
    expect(backend.info().name).toBe('openblas x1');
  });
});
