/**
 * Every op against PyTorch: each fixture case (test/fixtures/ops.json) runs in float32
 * and float64; outputs and input gradients (vector-Jacobian products with PyTorch's
 * random upstream gradient) must match PyTorch's float64 results. Each differentiable
 * case is also checked by finite differences (gradcheck).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { gradcheck, Tensor, type Tensor as T } from '../../../engine/src/index.js';
import { compare, decode, decodeArgs, loadFixtures, type FixtureCase } from '../fixtures.js';
import { OPS } from './op-table.js';

const fixtures = loadFixtures('ops.json');
/**
 * float32 must agree to 1e-5, or to PyTorch's own float32 error on the case where that is
 * larger (ill-conditioned inputs, e.g. a saturated softmax, where no float32 computation
 * can do better; such cases are listed in the summary). float64 must agree to 1e-12: that
 * checks the maths itself, not rounding.
 */
const F32 = 1e-5;
const tolerance = (c: FixtureCase, dtype: 'float32' | 'float64'): number =>
  dtype === 'float64' ? 1e-12 : Math.max(F32, c.torchFloat32Error ?? 0);
const loosened = fixtures.cases.filter((c) => (c.torchFloat32Error ?? 0) > F32);
const worst: Record<string, { error: number; op: string; name: string }> = {};

function run(c: FixtureCase, dtype: 'float32' | 'float64'): { outputs: T[]; grads: (T | null)[] } {
  const inputs = c.inputs.map((e) => decode(e, dtype));
  const result = OPS[c.op]!(inputs, decodeArgs(c.args));
  const outputs = result instanceof Tensor ? [result] : result;
  // Seed backward with PyTorch's upstream gradients: loss = Σ_i <out_i, gradOut_i>.
  let loss: T | null = null;
  c.gradOutputs.forEach((g, i) => {
    if (!g) return;
    const term = outputs[i]!.mul(decode(g, dtype)).sum();
    loss = loss === null ? term : loss.add(term);
  });
  if (loss !== null) (loss as T).backward();
  return { outputs, grads: inputs.map((t) => (t.requiresGrad ? t.grad : null)) };
}

function note(dtype: string, c: FixtureCase, error: number): void {
  const w = worst[dtype];
  if (!w || error > w.error) worst[dtype] = { error, op: c.op, name: c.name };
}

describe('ops match PyTorch (test/fixtures/ops.json)', () => {
  it('covers every op in the table, and every op in the table has fixtures', () => {
    const inFixtures = new Set(fixtures.cases.map((c) => c.op));
    expect([...inFixtures].filter((op) => !(op in OPS))).toEqual([]);
    expect(Object.keys(OPS).filter((op) => !inFixtures.has(op))).toEqual([]);
  });

  for (const c of fixtures.cases) {
    for (const dtype of ['float32', 'float64'] as const) {
      it(`${c.op}: ${c.name} (${dtype})`, () => {
        const { outputs, grads } = run(c, dtype);
        expect(outputs.length).toBe(c.outputs.length);
        c.outputs.forEach((e, i) => {
          const { error, problem } = compare(outputs[i]!, e);
          expect(problem, `output ${i}`).toBeNull();
          note(dtype, c, error);
          expect(error, `output ${i} relative error`).toBeLessThanOrEqual(tolerance(c, dtype));
        });
        c.grads.forEach((e, i) => {
          if (!e) return;
          const g = grads[i];
          expect(g, `gradient of input ${i}`).toBeInstanceOf(Tensor);
          const { error, problem } = compare(g!, e);
          expect(problem, `gradient of input ${i}`).toBeNull();
          note(dtype, c, error);
          expect(error, `gradient of input ${i} relative error`).toBeLessThanOrEqual(tolerance(c, dtype));
        });
      });
    }
  }

  afterAll(() => {
    const cases = fixtures.cases.length;
    const ops = new Set(fixtures.cases.map((c) => c.op)).size;
    console.log(
      `PyTorch ${fixtures.torch} parity: ${ops} ops, ${cases} cases; worst relative error ` +
        Object.entries(worst)
          .map(([d, w]) => `${d} ${w.error.toExponential(2)} (${w.op}: ${w.name})`)
          .join(', ') +
        `; float32 bound above 1e-5 (PyTorch's own float32 error): ${loosened.map((c) => `${c.op}: ${c.name} ${c.torchFloat32Error!.toExponential(1)}`).join('; ') || 'none'}`,
    );
  });
});

describe('every differentiable fixture case passes gradcheck (finite differences, float64)', () => {
  // paddingIdx deliberately withholds the padding row's gradient (it is not trained), so
  // its "gradient" is not the derivative; the parity suite checks it equals PyTorch's.
  const notDerivatives = new Set(['embedding: paddingIdx 0']);
  for (const c of fixtures.cases) {
    if (!c.inputs.some((e) => e.requiresGrad) || !c.gradOutputs.some((g) => g)) continue;
    if (notDerivatives.has(`${c.op}: ${c.name}`)) continue;
    it(`${c.op}: ${c.name}`, () => {
      const inputs = c.inputs.map((e) => decode(e, 'float64'));
      const args = decodeArgs(c.args);
      const fn = (...xs: T[]): T[] => {
        const r = OPS[c.op]!(xs, args);
        return (r instanceof Tensor ? [r] : r).filter((t) => t.dtype === 'float64');
      };
      expect(gradcheck(fn, inputs)).toBe(true);
    });
  }
});
