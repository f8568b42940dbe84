/**
 * F.linear with a bias computes `x Wᵀ + b` with the bias added inside the product
 * (ops/matmul.ts `matmulBias`, kernels/gemm.ts `rowBias`). It must give the same bits as
 * the composition it replaced, `add(matmul(x, Wᵀ), b)` (the product, then one add in the
 * same precision), values and every gradient: on the wasm kernels with 1 and 2 threads,
 * on the TypeScript reference, for float64, batched leading dims, strided inputs, and the
 * paths that stay composed (1-D input, mixed dtypes).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { add, manualSeed, matmul, nn, randn, type Tensor } from '../../../engine/src/index.js';
import * as backend from '../../../engine/src/backend/index.js';
import { gemmBatched, gemmBatchedReference, getGemmBackend } from '../../../engine/src/kernels/gemm.js';
import { matmulBias } from '../../../engine/src/ops/matmul.js';
import { WasmBackend } from '../../../engine/src/backend/wasm/backend.js';
import { detectFeatures } from '../../../engine/src/backend/wasm/features.js';
import { seeded } from '../backend/gemm-check.js';

const F = nn.functional;

function bitsOf(t: Tensor): number[] {
  const a = t.toTypedArray();
  const u = a instanceof Float64Array ? new BigUint64Array(a.buffer, a.byteOffset, a.length) : new Uint32Array(a.buffer, a.byteOffset, a.length);
  return Array.from(u, (v) => Number(v));
}

/** Same shape, dtype and bits; names the first element that differs. */
function expectSameBits(a: Tensor, b: Tensor, what: string): void {
  expect(a.shape, `${what} shape`).toEqual(b.shape);
  expect(a.dtype, `${what} dtype`).toBe(b.dtype);
  const x = bitsOf(a), y = bitsOf(b);
  const va = a.toTypedArray(), vb = b.toTypedArray();
  for (let i = 0; i < y.length; i++) {
    if (x[i] !== y[i]) expect.fail(`${what}[${i}]: ${va[i]} (linear) vs ${vb[i]} (matmul then add)`);
  }
}

interface Case {
  name: string;
  x: number[];
  out: number;
  bias: boolean;
  dtype?: 'float32' | 'float64';
  /** Feed x as a transposed view of its last two dims (a strided operand). */
  transposedX?: boolean;
}

/** linear and the composition on fresh leaves; returns [y, x.grad, W.grad, b.grad?] for each. */
function run(c: Case, seed: number): { fused: Tensor[]; composed: Tensor[] } {
  const inF = c.x[c.x.length - 1]!;
  manualSeed(seed);
  const dtype = c.dtype ?? 'float32';
  const shape = c.transposedX ? [...c.x.slice(0, -2), c.x[c.x.length - 1]!, c.x[c.x.length - 2]!] : c.x;
  const x0 = randn(shape, { dtype });
  const w0 = randn([c.out, inF], { dtype }).mul(0.3);
  const b0 = randn([c.out], { dtype });
  const up = randn([...c.x.slice(0, -1), c.out], { dtype });
  const once = (fused: boolean): Tensor[] => {
    const xl = x0.detach().clone().requiresGrad_();
    const w = w0.detach().clone().requiresGrad_();
    const b = b0.detach().clone().requiresGrad_();
    const x = c.transposedX ? xl.transpose(-1, -2) : xl;
    const y = fused ? F.linear(x, w, c.bias ? b : null) : c.bias ? add(matmul(x, w.mT), b) : matmul(x, w.mT);
    y.mul(up).sum().backward();
    return c.bias ? [y, xl.grad!, w.grad!, b.grad!] : [y, xl.grad!, w.grad!];
  };
  return { fused: once(true), composed: once(false) };
}

const cases: Case[] = [
  { name: 'bias, 2-D input', x: [37, 19], out: 23, bias: true },
  { name: 'no bias, 2-D input', x: [37, 19], out: 23, bias: false },
  { name: 'bias, batched leading dims [4, 6, 33]', x: [4, 6, 33], out: 21, bias: true },
  { name: 'bias, the bench shape [64, 16, 128] -> 384', x: [64, 16, 128], out: 384, bias: true },
  { name: 'bias, K beyond one K block (300)', x: [20, 300], out: 13, bias: true },
  { name: 'bias, transposed (strided) input', x: [3, 10, 12], out: 9, bias: true, transposedX: true },
  { name: 'bias, one output feature', x: [40, 8], out: 1, bias: true },
  { name: 'bias, tiny (reference-sized) product', x: [2, 3], out: 2, bias: true },
  { name: 'bias, float64 (reference path)', x: [5, 7, 11], out: 6, bias: true, dtype: 'float64' },
];

describe('F.linear with the bias inside the product equals matmul then add, bit for bit', () => {
  afterEach(() => {
    backend.use('auto');
  });
  afterAll(async () => {
    await backend.stopWorkers();
  });

  for (const [label, setup] of [
    ['wasm, 1 thread', async () => void backend.use('auto', { threads: 1 })],
    ['wasm, 2 threads (every product on both)', async () => {
      backend.use('auto', { threads: 2, features: { ...detectFeatures(), cores: 2 }, minParallelFlops: 1 });
      expect(await backend.startWorkers()).toBe(1);
    }],
    ['TypeScript reference', async () => void backend.use('reference')],
  ] as const) {
    describe(label, () => {
      for (const [i, c] of cases.entries()) {
        it(`${c.name}: output and gradients`, async () => {
          await setup();
          if (label !== 'TypeScript reference') expect(getGemmBackend(), 'the wasm backend is installed').not.toBeNull();
          const { fused, composed } = run(c, 100 + i);
          const names = ['y', 'x.grad', 'weight.grad', 'bias.grad'];
          fused.forEach((t, j) => expectSameBits(t, composed[j]!, `${c.name}: ${names[j]}`));
        });
      }
    });
  }

  it('records one AddmmBackward node whose inputs are x, Wᵀ and b', () => {
    const x = randn([4, 5], { requiresGrad: true });
    const w = randn([3, 5], { requiresGrad: true });
    const b = randn([3], { requiresGrad: true });
    const y = F.linear(x, w, b);
    expect(y.gradFn?.name).toBe('AddmmBackward');
    expect(F.linear(x, w).gradFn?.name).toBe('MatmulBackward');
  });

  it('a 1-D input and mixed dtypes stay on matmul then add (values and gradients as before)', () => {
    manualSeed(5);
    const w = randn([4, 6], { requiresGrad: true });
    const b = randn([4], { dtype: 'float64', requiresGrad: true });
    const x1 = randn([6]);
    expectSameBits(F.linear(x1, w, b.to('float32')), add(matmul(x1, w.mT), b.to('float32')), '1-D input');
    const x2 = randn([3, 6]);
    const y = F.linear(x2, w, b);
    expect(y.dtype).toBe('float64');
    expectSameBits(y, add(matmul(x2, w.mT), b), 'float32 input, float64 bias');
    y.sum().backward();
    expect(Array.from(b.grad!.toTypedArray())).toEqual([3, 3, 3, 3]);
  });

  it('a bias of the wrong shape or type is named', () => {
    const x = randn([2, 3]);
    const w = randn([4, 3]);
    expect(() => F.linear(x, w, randn([3]))).toThrow(/linear: bias must have shape \[4\], got \[3\]/);
    expect(() => F.linear(x, w, randn([1, 4]))).toThrow(/linear: bias must have shape \[4\], got \[1,4\]/);
    expect(() => F.linear(x, w, 1 as never)).toThrow(/linear.*bias/);
  });

  it('matmulBias checks its arguments', () => {
    expect(() => matmulBias(randn([3]), randn([3, 2]), randn([2]))).toThrow(/matmulBias: expects input \[\.\.\., M, K\]/);
    expect(() => matmulBias(randn([4, 3]), randn([3, 2]), randn([3]))).toThrow(/matmulBias: cannot compute \[4,3\] · \[3,2\] \+ \[3\]/);
    expect(() => matmulBias(randn([4, 3]), randn([3, 2]), randn([2], { dtype: 'float64' }))).toThrow(/matmulBias: .*float32, float32 and float64/);
  });
});

describe('gemm rowBias', () => {
  const features = { ...detectFeatures(), cores: 2 };
  const single = new WasmBackend({ features, threads: 1, minWork: 1 });
  const pair = new WasmBackend({ features, threads: 2, minWork: 1, minParallelFlops: 1, callerClaims: false });

  beforeAll(async () => {
    expect(await pair.startWorkers()).toBe(1);
  });
  afterAll(async () => {
    await pair.stopWorkers();
  });

  /** A strided two-level batch with gaps in C, a bias at an offset: every layout branch of the bias pass. */
  function args(ldcPad: number, seed: number) {
    const r = seeded(seed);
    const M = 7, N = 13, K = 9, inner = 3, outer = 2, ldc = N + ldcPad;
    const fill = (n: number): Float32Array => Float32Array.from({ length: n }, r);
    const sC = M * ldc + 5, oC = inner * sC; // gaps between matrices; groups one after the other so both threads run it
    return {
      transA: false, transB: true, M, N, K,
      A: fill(outer * inner * M * K), aOffset: 0, lda: K, strideA: M * K, outerStrideA: inner * M * K,
      B: fill(N * K), bOffset: 0, ldb: K, strideB: 0, outerStrideB: 0,
      C: fill(outer * oC), cOffset: 0, ldc, strideC: sC, outerStrideC: oC,
      accumulate: false, batch: inner, outer, rowBias: fill(N + 4), rowBiasOffset: 4,
    };
  }

  /** `a` (run with its bias) holds `plain`'s product (run without) plus the bias, one rounding, and the gaps of C untouched. */
  function expectProductThenBias(a: ReturnType<typeof args>, plain: ReturnType<typeof args>, what: string): void {
    const inC = new Set<number>();
    for (let p = 0; p < a.outer * a.batch; p++) {
      const o = Math.floor(p / a.batch), i = p % a.batch;
      for (let m = 0; m < a.M; m++) {
        for (let n = 0; n < a.N; n++) {
          const at = o * a.outerStrideC + i * a.strideC + m * a.ldc + n;
          inC.add(at);
          const want = Math.fround(plain.C[at]! + a.rowBias[a.rowBiasOffset + n]!);
          if (!Object.is(a.C[at], want)) expect.fail(`${what}: C[${at}] = ${a.C[at]}, expected ${plain.C[at]} + bias[${n}] = ${want}`);
        }
      }
    }
    for (let at = 0; at < a.C.length; at++) {
      if (!inC.has(at) && !Object.is(a.C[at], plain.C[at])) expect.fail(`${what}: the gap element C[${at}] changed`);
    }
  }

  for (const ldcPad of [0, 3]) {
    it(`the bias is added after the product, once per row, on the reference and on wasm with 1 and 2 threads (ldc padding ${ldcPad})`, () => {
      const run = (b: WasmBackend | null, what: string): void => {
        const a = args(ldcPad, 9);
        const plain = { ...args(ldcPad, 9), rowBias: null };
        if (b === null) {
          gemmBatchedReference(a);
          gemmBatchedReference(plain);
        } else {
          expect(b.gemmBatched(a)).toBe(true);
          expect(b.gemmBatched(plain)).toBe(true);
        }
        expectProductThenBias(a, plain, what);
      };
      run(null, 'reference');
      run(single, 'wasm 1 thread');
      const before = pair.stats.workerChunks;
      run(pair, 'wasm 2 threads');
      expect(pair.stats.workerChunks).toBeGreaterThan(before);
    });
  }

  it('rejects a bias with accumulate or one that is too short', () => {
    expect(() => gemmBatched({ ...args(0, 1), accumulate: true })).toThrow(/rowBias cannot be combined with accumulate/);
    expect(() => gemmBatched({ ...args(0, 1), rowBiasOffset: 5 })).toThrow(/rowBias holds 17 elements, 18 needed/);
  });
});
