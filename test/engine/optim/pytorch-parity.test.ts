/**
 * Optimizers, schedulers and gradient clipping against PyTorch (fixtures written by
 * test/fixtures/generators/optim.py). Every optimizer case runs in float32 and float64:
 * the parameters after each step must match PyTorch's float64 trajectory to 1e-5
 * (float32; or PyTorch's own float32 error on the case if larger) and 1e-12 (float64).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { optim, nn, Tensor, tensor, type Tensor as T } from '../../../engine/src/index.js';
import { compare, decode, decodeNumber, loadFixtures, type EncodedTensor } from '../fixtures.js';

interface OptimCase {
  name: string;
  optimizer: 'SGD' | 'Adam' | 'AdamW';
  options: Record<string, unknown>;
  groups: { params: number[]; options: Record<string, unknown> }[] | null;
  mode: 'grads' | 'mlp';
  stepLR: { stepSize: number; gamma: number } | null;
  params: EncodedTensor[];
  grads: (EncodedTensor | null)[][] | null;
  data: { x: EncodedTensor; y: EncodedTensor } | null;
  trajectory: EncodedTensor[][];
  losses: number[];
  torchFloat32Error: number;
}

interface SchedulerCase {
  name: string;
  lrs: number[];
  scheduler: 'StepLR' | 'CosineAnnealingLR' | 'LambdaLR';
  options: Record<string, unknown>;
  sequence: number[][];
}

interface ClipCase {
  name: string;
  maxNorm: number;
  normType: number | string | null;
  grads: EncodedTensor[];
  clipped: EncodedTensor[];
  totalNorm: number | null;
}

const optimCases = loadFixtures('optim.json').cases as unknown as OptimCase[];
const schedulerCases = loadFixtures('lr_scheduler.json').cases as unknown as SchedulerCase[];
const clipCases = loadFixtures('clip_grad.json').cases as unknown as ClipCase[];

const worst: Record<string, { error: number; name: string }> = {};
function note(key: string, name: string, error: number): void {
  if (!worst[key] || error > worst[key]!.error) worst[key] = { error, name };
}

function makeOptimizer(c: OptimCase, params: T[]): optim.Optimizer {
  const spec = c.groups === null ? params : c.groups.map((g) => ({ params: g.params.map((i) => params[i]!), ...g.options }));
  const options = c.options as never;
  switch (c.optimizer) {
    case 'SGD':
      return new optim.SGD(spec as never, options);
    case 'Adam':
      return new optim.Adam(spec as never, options);
    case 'AdamW':
      return new optim.AdamW(spec as never, options);
  }
}

function mlpLoss(params: T[], x: T, y: T): T {
  const [w1, b1, w2] = params as [T, T, T];
  return x.matmul(w1.mT).add(b1).tanh().matmul(w2.mT).sub(y).pow(2).mean();
}

describe('optimizers match PyTorch (test/fixtures/optim.json)', () => {
  it('covers SGD, Adam and AdamW with every option', () => {
    expect(new Set(optimCases.map((c) => c.optimizer))).toEqual(new Set(['SGD', 'Adam', 'AdamW']));
    const used = new Set(optimCases.flatMap((c) => [...Object.keys(c.options), ...(c.groups ?? []).flatMap((g) => Object.keys(g.options))]));
    for (const k of ['lr', 'momentum', 'dampening', 'weightDecay', 'nesterov', 'maximize', 'betas', 'eps', 'amsgrad']) expect(used).toContain(k);
  });

  for (const c of optimCases) {
    for (const dtype of ['float32', 'float64'] as const) {
      it(`${c.name} (${dtype})`, () => {
        const params = c.params.map((e) => decode(e, dtype, true));
        const opt = makeOptimizer(c, params);
        const sched = c.stepLR ? new optim.StepLR(opt, c.stepLR) : null;
        const x = c.data ? decode(c.data.x, dtype) : null;
        const y = c.data ? decode(c.data.y, dtype) : null;
        const tol = dtype === 'float64' ? 1e-12 : Math.max(1e-5, c.torchFloat32Error);
        c.trajectory.forEach((expected, step) => {
          opt.zeroGrad();
          if (c.mode === 'mlp') {
            const loss = mlpLoss(params, x!, y!);
            loss.backward();
            note(`loss ${dtype}`, c.name, Math.abs(loss.item() - c.losses[step]!) / Math.abs(c.losses[step]!));
            expect(Math.abs(loss.item() - c.losses[step]!) / Math.abs(c.losses[step]!)).toBeLessThanOrEqual(tol);
          } else {
            c.grads![step]!.forEach((g, i) => {
              params[i]!.grad = g === null ? null : decode(g, dtype);
            });
          }
          opt.step();
          sched?.step();
          expected.forEach((e, i) => {
            const { error, problem } = compare(params[i]!, e);
            expect(problem).toBeNull();
            note(dtype, c.name, error);
            expect(error, `parameter ${i} after step ${step + 1}`).toBeLessThanOrEqual(tol);
          });
        });
      });
    }
  }

  afterAll(() => {
    const f = (k: string): string => (worst[k] ? `${worst[k]!.error.toExponential(2)} (${worst[k]!.name})` : 'n/a');
    console.log(`optimizers vs PyTorch, ${optimCases.length} cases: worst relative error float32 ${f('float32')}, float64 ${f('float64')}`);
  });
});

const LAMBDAS: Record<string, optim.LrLambda> = {
  exp95: (e) => 0.95 ** e,
  inverse: (e) => 1 / (e + 1),
  pow09: (e) => 0.9 ** e,
  'transformer-d16-w5-f2': (e) => optim.transformerLr(e + 1, 16, 5, 2),
};

describe('learning-rate schedulers match PyTorch (test/fixtures/lr_scheduler.json)', () => {
  for (const c of schedulerCases) {
    it(c.name, () => {
      const opt = new optim.SGD(
        c.lrs.map((lr) => ({ params: [tensor([0, 0], { requiresGrad: true })], lr })),
        { lr: c.lrs[0]! },
      );
      const o = c.options;
      let sched: optim.LRScheduler;
      if (c.scheduler === 'StepLR') sched = new optim.StepLR(opt, o as { stepSize: number });
      else if (c.scheduler === 'CosineAnnealingLR') sched = new optim.CosineAnnealingLR(opt, o as { tMax: number });
      else sched = new optim.LambdaLR(opt, o.lambdas ? (o.lambdas as string[]).map((n) => LAMBDAS[n]!) : LAMBDAS[o.lambda as string]!);
      const got = [sched.getLastLr()];
      for (let i = 1; i < c.sequence.length; i++) {
        opt.step();
        sched.step();
        got.push(sched.getLastLr());
      }
      got.forEach((lrs, step) =>
        lrs.forEach((lr, g) => {
          const want = c.sequence[step]![g]!;
          expect(Math.abs(lr - want), `group ${g} at step ${step}: ${lr} vs PyTorch ${want}`).toBeLessThanOrEqual(1e-15 * Math.max(1, Math.abs(want)));
        }),
      );
      // The groups carry the lr the schedule reports.
      expect(opt.paramGroups.map((g) => g.lr)).toEqual(got[got.length - 1]);
    });
  }

  it('TransformerLR follows the same curve as the LambdaLR form (with base lr 1)', () => {
    const c = schedulerCases.find((s) => s.name === 'transformer-warmup')!;
    const opt = new optim.Adam([tensor([1], { requiresGrad: true })], { lr: 123 });
    const sched = new optim.TransformerLR(opt, { dModel: 16, warmupSteps: 5, factor: 2 });
    const got = [sched.getLastLr()[0]];
    for (let i = 1; i < c.sequence.length; i++) {
      sched.step();
      got.push(sched.getLastLr()[0]);
    }
    got.forEach((lr, i) => expect(lr).toBeCloseTo(c.sequence[i]![0]!, 15));
  });
});

describe('gradient clipping matches PyTorch (test/fixtures/clip_grad.json)', () => {
  for (const c of clipCases) {
    for (const dtype of ['float32', 'float64'] as const) {
      it(`${c.name} (${dtype})`, () => {
        const params = c.grads.map((g) => {
          const p = decode(g, dtype).mul(0).requiresGrad_();
          p.grad = decode(g, dtype);
          return p;
        });
        const tol = dtype === 'float64' ? 1e-12 : 1e-6;
        if (c.normType === null) {
          nn.utils.clipGradValue_(params, c.maxNorm);
        } else {
          const total = nn.utils.clipGradNorm_(params, c.maxNorm, { normType: decodeNumber(c.normType) });
          expect(total).toBeInstanceOf(Tensor);
          expect(total.shape).toEqual([]);
          expect(total.dtype).toBe(dtype);
          expect(Math.abs(total.item() - c.totalNorm!) / c.totalNorm!).toBeLessThanOrEqual(tol);
        }
        c.clipped.forEach((e, i) => {
          const { error } = compare(params[i]!.grad!, e);
          expect(error, `gradient ${i}`).toBeLessThanOrEqual(tol);
        });
      });
    }
  }
});
