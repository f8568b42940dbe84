/**
 * Ops that use the installed fast kernels (kernels/fast.ts) equal the same ops on their
 * TypeScript reference loops (kernels removed), values and gradients, including the
 * awkward cases: row lengths that are not a multiple of 4, fully masked (-Infinity) rows,
 * NaN, large magnitudes. The references themselves are checked against PyTorch elsewhere
 * (pytorch-parity.test.ts).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { cat, manualSeed, randn, tensor, type Tensor } from '../../../engine/src/index.js';
import { layerNorm } from '../../../engine/src/ops/layernorm.js';
import { sumTo } from '../../../engine/src/ops/raw/reduce.js';
import { fastKernels, setFastKernels, type FastKernels } from '../../../engine/src/kernels/fast.js';

const installed: FastKernels | null = fastKernels();

afterEach(() => {
  setFastKernels(installed);
});

/** Runs `f` with and without the fast kernels on fresh leaf copies of `inputs`; returns both results and gradients. */
function both(inputs: Tensor[], f: (...xs: Tensor[]) => Tensor): { fast: Tensor[]; ref: Tensor[] } {
  expect(installed, 'the wasm kernels are installed (WebAssembly SIMD is required)').not.toBeNull();
  const run = (on: boolean): Tensor[] => {
    setFastKernels(on ? installed : null);
    const xs = inputs.map((t) => t.detach().clone().requiresGrad_(t.requiresGrad));
    const y = f(...xs);
    const up = randnLike(y, 17);
    y.mul(up).sum().backward();
    return [y, ...xs.filter((x) => x.requiresGrad).map((x) => x.grad!)];
  };
  return { fast: run(true), ref: run(false) };
}

function randnLike(t: Tensor, seed: number): Tensor {
  manualSeed(seed);
  return randn(t.shape.slice());
}

/** Element-wise |a - b| <= tol * (1 + |b|); NaN and infinities must match exactly. Reports the first offender. */
function expectClose(a: Tensor, b: Tensor, tol: number, what: string): void {
  expect(a.shape).toEqual(b.shape);
  const x = a.toTypedArray();
  const y = b.toTypedArray();
  for (let i = 0; i < y.length; i++) {
    const xi = x[i]!, yi = y[i]!;
    const ok = Number.isNaN(yi) ? Number.isNaN(xi) : !Number.isFinite(yi) ? xi === yi : Math.abs(xi - yi) <= tol * (1 + Math.abs(yi));
    if (!ok) expect.fail(`${what}[${i}]: ${xi} (fast kernel) vs ${yi} (reference), tolerance ${tol}`);
  }
}

describe('softmax and logSoftmax on the fast kernels', () => {
  for (const log of [false, true]) {
    const name = log ? 'logSoftmax' : 'softmax';
    for (const shape of [[40, 7], [16, 64], [3, 5, 65], [2, 1000]]) {
      it(`${name} over the last dim of ${JSON.stringify(shape)}: values and gradients`, () => {
        manualSeed(shape.length * 10 + shape[shape.length - 1]!);
        const x = randn(shape).mul(4).requiresGrad_();
        const r = both([x], (t) => (log ? t.logSoftmax(-1) : t.softmax(-1)));
        r.fast.forEach((t, i) => expectClose(t, r.ref[i]!, 2e-6, `${name} ${i ? 'grad' : 'value'}`));
      });
    }
    it(`${name}: masked (-Infinity) entries, fully masked rows (NaN, as PyTorch), NaN inputs, large values`, () => {
      const rows = tensor([
        [1, 2, -Infinity, 3, 4, 5, 6],
        [-Infinity, -Infinity, -Infinity, -Infinity, -Infinity, -Infinity, -Infinity],
        [NaN, 1, 2, 3, 4, 5, 6],
        [80, -80, 30, 0, 1e-3, 88, -100],
      ]);
      const x = cat(Array.from({ length: 40 }, () => rows), 0).requiresGrad_();
      const r = both([x], (t) => (log ? t.logSoftmax(-1) : t.softmax(-1)));
      r.fast.forEach((t, i) => expectClose(t, r.ref[i]!, 2e-6, `${name} ${i ? 'grad' : 'value'}`));
      const y = r.fast[0]!.toArray() as number[][];
      expect(y[0]![2]).toBe(log ? -Infinity : 0); // exactly zero weight for a masked key
    });
  }
  it('softmax over a non-last dim keeps the reference loop (and agrees)', () => {
    manualSeed(5);
    const x = randn([6, 50, 3]).requiresGrad_();
    const r = both([x], (t) => t.softmax(1));
    r.fast.forEach((t, i) => expectClose(t, r.ref[i]!, 1e-7, 'softmax dim 1'));
  });
});

describe('relu, tanh and sigmoid on the fast kernels', () => {
  for (const op of ['relu', 'tanh', 'sigmoid'] as const) {
    it(`${op}: values and gradients, with NaN, infinities, zeros and a tail that is not a multiple of 4`, () => {
      manualSeed(11);
      const special = tensor([NaN, Infinity, -Infinity, 0, -0, 1e-30, -1e-30, 0.39, 0.41, -0.4, 9, -9, 20, -20, 88, -88, 1e-4]);
      const x = cat([randn([1021]).mul(3), special]).requiresGrad_();
      const r = both([x], (t) => t[op]());
      r.fast.forEach((t, i) => expectClose(t, r.ref[i]!, 1e-6, `${op} ${i ? 'grad' : 'value'}`));
    });
  }
  it('relu of -0 is +0 and its gradient is 0 where the input is <= 0 or NaN, even for infinite upstream gradients', () => {
    const x = cat([tensor([-0, -1, NaN, 2]), randn([300])]).requiresGrad_();
    const y = x.relu();
    expect(Object.is(y.get(0), 0)).toBe(true);
    y.backward(cat([tensor([Infinity, -Infinity, Infinity, 5]), randn([300])]));
    expect(x.grad!.toArray().slice(0, 4)).toEqual([0, 0, 0, 5]);
  });
});

describe('layerNorm on the fast kernels', () => {
  for (const [shape, D, affine] of [[[64, 16, 128], 128, true], [[300, 7], 7, true], [[50, 33], 33, false], [[4, 5, 6], 30, true]] as const) {
    it(`[${shape}] over the last ${D === 30 ? 'two dims' : 'dim'}${affine ? ' with weight and bias' : ''}: values and all gradients`, () => {
      manualSeed(D);
      const x = randn(shape.slice()).mul(2).add(0.5).requiresGrad_();
      const norm = D === 30 ? [5, 6] : [D];
      const w = randn(norm).requiresGrad_();
      const b = randn(norm).requiresGrad_();
      const inputs = affine ? [x, w, b] : [x];
      const r = both(inputs, (t, ww, bb) => layerNorm(t, norm, ww ?? null, bb ?? null));
      r.fast.forEach((t, i) => expectClose(t, r.ref[i]!, 2e-5, `layerNorm ${i ? `grad ${i}` : 'value'}`));
    });
  }
});

describe('sums of broadcast gradients on the fast kernels', () => {
  it('a bias gradient (sum over leading dims) has the reference bits: float64 sums in the same order', () => {
    manualSeed(21);
    for (const [shape, target] of [[[64, 16, 33], [33]], [[300, 5], [1, 5]], [[7, 300, 4], [300, 4]], [[3, 4, 5], [4, 1]]] as [number[], number[]][]) {
      const g = randn(shape).mul(100);
      setFastKernels(installed);
      const fast = sumTo(g, target);
      setFastKernels(null);
      const ref = sumTo(g, target);
      expect(fast.shape).toEqual(target);
      expect(Array.from(fast.toTypedArray())).toEqual(Array.from(ref.toTypedArray()));
    }
  });
});
