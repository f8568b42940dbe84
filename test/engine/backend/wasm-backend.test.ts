// The wasm GEMM backend on one thread equals the TypeScript reference (within the bound
// stated in gemm-check.ts) for every transpose variant, awkward sizes, leading
// dimensions, offsets, batch strides (0 included), accumulate on and off, and special
// values; and declines what it must leave to the reference. Both kernel builds are
// checked: SIMD128 mul+add and relaxed-SIMD FMA (Node 20 hides relaxed SIMD behind a V8
// flag, which this test process turns on for itself; Node 22+ has it by default).
import { setFlagsFromString } from 'node:v8';
import { describe, expect, it } from 'vitest';
import { WasmBackend } from '../../../engine/src/backend/wasm/backend.js';
import { detectFeatures } from '../../../engine/src/backend/wasm/features.js';
import type { GemmBatchedArgs } from '../../../engine/src/kernels/gemm.js';
import { expectMatchesReference, makeArgs, type Layout } from './gemm-check.js';

if (!detectFeatures().relaxedSimd) setFlagsFromString('--experimental-wasm-relaxed-simd');
const features = detectFeatures();

function makeBackend(relaxedSimd: boolean): WasmBackend {
  const b = new WasmBackend({ threads: 1, minWork: 1, relaxedSimd });
  if (!b.load()) throw new Error(`wasm kernels did not load: ${b.failure?.message}`);
  expect(b.relaxed).toBe(relaxedSimd);
  return b;
}

function check(be: WasmBackend, layout: Layout): void {
  const args = makeArgs(layout);
  const c0 = args.C.slice();
  expect(be.gemmBatched(args), 'backend accepted the call').toBe(true);
  expectMatchesReference(args, args.C, c0);
}

const VARIANTS = [
  [false, false],
  [false, true],
  [true, false],
  [true, true],
] as const;

describe.each([
  ['SIMD128', false],
  ['relaxed-SIMD FMA', true],
])('wasm GEMM backend, one thread, %s kernels', (_kernel, relaxedSimd) => {
  const backend = () => makeBackend(relaxedSimd);

  it('runs on this runtime (WebAssembly SIMD is required)', () => {
    expect(features.simd).toBe(true);
    expect(features.relaxedSimd).toBe(true);
    const be = backend();
    expect(be.name).toBe(relaxedSimd ? 'wasm-relaxed-simd x1' : 'wasm-simd128 x1');
  });

  for (const [transA, transB] of VARIANTS) {
    const tag = `${transA ? 'T' : 'N'}${transB ? 'T' : 'N'}`;
    it(`${tag}: every size class around the register tiles and cache blocks`, () => {
      const be = backend();
      const sizes = [1, 3, 4, 5, 8, 12, 17, 63, 65, 127, 129];
      let n = 0;
      for (const M of sizes) {
        for (const N of sizes) {
          // K crosses the 256-deep K block for a few shapes only (cost).
          const K = (M * 7 + N * 3) % 2 === 0 ? sizes[(M + N) % sizes.length]! : 300;
          check(be, { transA, transB, M, N, K, seed: M * 1000 + N });
          n++;
        }
      }
      expect(n).toBe(sizes.length * sizes.length);
    });

    it(`${tag}: leading dimensions, offsets and accumulate`, () => {
      const be = backend();
      for (const accumulate of [false, true]) {
        check(be, { transA, transB, M: 33, N: 47, K: 29, padA: 5, padB: 3, padC: 7, offsetA: 11, offsetB: 2, offsetC: 9, accumulate });
        check(be, { transA, transB, M: 130, N: 67, K: 257, padA: 1, padB: 17, padC: 2, offsetA: 1, offsetB: 31, offsetC: 5, accumulate });
      }
    });

    it(`${tag}: batched, with gaps between matrices and broadcast (stride 0) operands`, () => {
      const be = backend();
      const base: Layout = { transA, transB, M: 19, N: 21, K: 23, batch: 5, padA: 2, padB: 1, padC: 3 };
      check(be, base);
      check(be, { ...base, accumulate: true, offsetA: 3, offsetB: 4, offsetC: 5 });
      check(be, { ...base, strideA: 0 });
      check(be, { ...base, strideB: 0 });
      check(be, { ...base, strideA: 0, strideB: 0 });
    });
  }

  it('stride-0 C: batches add into one matrix in order, as the reference loop does', () => {
    const be = backend();
    check(be, { M: 9, N: 10, K: 11, batch: 4, strideC: 0, accumulate: true });
    check(be, { M: 9, N: 10, K: 11, batch: 4, strideC: 0, accumulate: false, transA: true });
  });

  it('batches side by side within rows (interleaved heads)', () => {
    const be = backend();
    // 4 heads of width 8 in a [T, 32] row layout: C_h = Q_h K_h^T style strides.
    check(be, { M: 16, N: 8, K: 12, batch: 4, padC: 24, strideC: 8, strideA: 16 * 12, strideB: 12 * 8 });
  });

  it('two-level batches: [batch, heads] matrices inside one [seq, batch, 3·d]-like buffer, broadcast groups, accumulate', () => {
    const be = backend();
    for (const [transA, transB] of VARIANTS) {
      // 3 groups of 4 heads, heads d = 8 apart, groups 3·4·8 apart, rows 12·… apart: no gap-free layout.
      check(be, { transA, transB, M: 9, N: 11, K: 8, batch: 4, outer: 3, strideA: 8, outerStrideA: 96, padA: 300, strideB: 13, outerStrideB: 500 });
      check(be, { transA, transB, M: 6, N: 5, K: 7, batch: 3, outer: 4, outerStrideA: 0, accumulate: true, seed: 3 });
      check(be, { transA, transB, M: 5, N: 6, K: 4, batch: 1, outer: 5, outerStrideB: 0 });
    }
  });

  it('[batch, M, K] x shared [K, N] folds into one product and stays equal', () => {
    const be = backend();
    const l: Layout = { M: 7, N: 33, K: 20, batch: 6, strideB: 0 };
    l.strideA = l.M * l.K;
    l.strideC = l.M * l.N;
    check(be, l);
    check(be, { ...l, accumulate: true });
  });

  it('K = 1 (outer products) and M = 1 / N = 1 (vector products)', () => {
    const be = backend();
    for (const [transA, transB] of VARIANTS) {
      check(be, { transA, transB, M: 70, N: 90, K: 1 });
      check(be, { transA, transB, M: 1, N: 200, K: 150 });
      check(be, { transA, transB, M: 150, N: 1, K: 99 });
      check(be, { transA, transB, M: 1, N: 1, K: 1000 });
    }
  });

  it('propagates NaN and infinities like the reference', () => {
    const be = backend();
    for (const [transA, transB] of VARIANTS) {
      const args = makeArgs({ transA, transB, M: 13, N: 17, K: 19, seed: 7 });
      const { A, B } = args;
      // A NaN in A poisons its row of C; +Inf in B poisons a column with ±Inf (or NaN
      // where the matching A value is 0); -Inf in another place of A.
      const aAt = (i: number, k: number) => (transA ? k * args.lda + i : i * args.lda + k);
      const bAt = (k: number, j: number) => (transB ? j * args.ldb + k : k * args.ldb + j);
      A[aAt(2, 5)] = NaN;
      B[bAt(3, 4)] = Infinity;
      A[aAt(7, 3)] = 0;
      A[aAt(9, 11)] = -Infinity;
      const c0 = args.C.slice();
      expect(be.gemmBatched(args)).toBe(true);
      expectMatchesReference(args, args.C, c0);
      expect(Number.isNaN(args.C[2 * args.ldc]!)).toBe(true);
      expect(args.C[7 * args.ldc + 4]).toBeNaN();
    }
  });

  it('C = A B ignores what C held (stale NaN does not leak); C += A B keeps it', () => {
    const be = backend();
    const args = makeArgs({ M: 20, N: 20, K: 20 });
    args.C.fill(NaN);
    expect(be.gemmBatched(args)).toBe(true);
    expect(args.C.slice(0, 400).every(Number.isFinite)).toBe(true);
    const acc = makeArgs({ M: 20, N: 20, K: 20, accumulate: true });
    acc.C[5] = NaN;
    expect(be.gemmBatched(acc)).toBe(true);
    expect(acc.C[5]).toBeNaN();
    expect(acc.C[6]).not.toBeNaN();
  });

  it('declines float64 data, tiny products and layouts the kernels do not take', () => {
    const be = new WasmBackend({ threads: 1, relaxedSimd });
    const f64: GemmBatchedArgs = { ...makeArgs({ M: 64, N: 64, K: 64 }) };
    f64.A = Float64Array.from(f64.A);
    expect(be.gemmBatched(f64)).toBe(false);
    const tiny = makeArgs({ M: 2, N: 3, K: 4 });
    expect(be.gemmBatched(tiny)).toBe(false);
    const badLd = { ...makeArgs({ M: 40, N: 40, K: 40 }), lda: 10 };
    expect(be.gemmBatched(badLd)).toBe(false);
    const negStride = { ...makeArgs({ M: 40, N: 40, K: 40, batch: 2 }), strideA: -1 };
    expect(be.gemmBatched(negStride)).toBe(false);
    const outOfRange = { ...makeArgs({ M: 40, N: 40, K: 40 }), aOffset: 100_000 };
    expect(be.gemmBatched(outOfRange)).toBe(false);
    expect(be.stats.declined).toBe(5);
    expect(be.stats.calls).toBe(0);
  });

  it('reuses and grows its memory across calls of different sizes', () => {
    const be = backend();
    check(be, { M: 600, N: 500, K: 300, transB: true });
    check(be, { M: 5, N: 6, K: 7 });
    check(be, { M: 129, N: 65, K: 17, batch: 40 });
    expect(be.stats.calls).toBe(3);
  });
});
