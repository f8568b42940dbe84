/**
 * The optimizer base: parameter groups, argument errors, zeroGrad, closures, state dicts
 * (resuming gives the same trajectory), and that updates count as in-place writes.
 */
import { describe, expect, it } from 'vitest';
import { nn, optim, manualSeed, randn, tensor, noGrad, type Tensor } from '../../../engine/src/index.js';

function leaf(values: number[]): Tensor {
  return tensor(values, { requiresGrad: true });
}

function quadraticStep(params: Tensor[], opt: optim.Optimizer): void {
  opt.zeroGrad();
  let loss = params[0]!.sub(1).pow(2).sum();
  for (const p of params.slice(1)) loss = loss.add(p.mul(p).mul(p).sum());
  loss.backward();
  opt.step();
}

describe('hyper-parameter errors name the hyper-parameter', () => {
  const p = (): Tensor[] => [leaf([1, 2])];
  it.each([
    ['SGD lr required', () => new optim.SGD(p(), {} as never), /SGD: lr is required/],
    ['SGD negative lr', () => new optim.SGD(p(), { lr: -0.1 }), /SGD: invalid lr -0.1/],
    ['SGD negative momentum', () => new optim.SGD(p(), { lr: 0.1, momentum: -1 }), /invalid momentum -1/],
    ['SGD negative weightDecay', () => new optim.SGD(p(), { lr: 0.1, weightDecay: -1 }), /invalid weightDecay/],
    ['SGD nesterov without momentum', () => new optim.SGD(p(), { lr: 0.1, nesterov: true }), /nesterov momentum requires momentum > 0 and dampening = 0 \(got momentum=0/],
    ['SGD nesterov with dampening', () => new optim.SGD(p(), { lr: 0.1, momentum: 0.9, dampening: 0.1, nesterov: true }), /dampening=0.1/],
    ['Adam beta 0', () => new optim.Adam(p(), { betas: [1, 0.999] }), /Adam: invalid beta parameter at index 0: 1/],
    ['Adam beta 1', () => new optim.Adam(p(), { betas: [0.9, -0.1] }), /invalid beta parameter at index 1: -0.1/],
    ['Adam betas not a pair', () => new optim.Adam(p(), { betas: [0.9] as never }), /betas must be a pair/],
    ['Adam negative eps', () => new optim.Adam(p(), { eps: -1e-8 }), /Adam: invalid eps/],
    ['AdamW NaN lr', () => new optim.AdamW(p(), { lr: NaN }), /AdamW: invalid lr NaN/],
    ['Adam amsgrad not boolean', () => new optim.Adam(p(), { amsgrad: 1 as never }), /amsgrad must be true or false/],
  ])('%s', (_name, make, message) => {
    expect(make).toThrow(message);
  });

  it('checks hyper-parameters of groups too', () => {
    expect(() => new optim.Adam([{ params: [leaf([1])], betas: [0.9, 1.5] }])).toThrow(/index 1: 1.5/);
    const opt = new optim.SGD([leaf([1])], { lr: 0.1 });
    expect(() => opt.addParamGroup({ params: [leaf([2])], lr: -1 })).toThrow(/SGD: invalid lr -1/);
    expect(opt.paramGroups).toHaveLength(1);
  });
});

describe('parameters and groups', () => {
  it('rejects empty lists, non-tensors, integer tensors, non-leaves and duplicates', () => {
    expect(() => new optim.SGD([], { lr: 1 })).toThrow(/empty parameter list/);
    expect(() => new optim.SGD(leaf([1]) as never, { lr: 1 })).toThrow(/single Tensor; wrap it in an array/);
    expect(() => new optim.SGD({} as never, { lr: 1 })).toThrow(/iterable of Tensors/);
    expect(() => new optim.SGD([leaf([1]), 3] as never, { lr: 1 })).toThrow(/params\[1\] is number 3/);
    expect(() => new optim.SGD([tensor([1], { dtype: 'int32' })], { lr: 1 })).toThrow(/floating point/);
    const a = leaf([1]);
    expect(() => new optim.SGD([a.mul(2)], { lr: 1 })).toThrow(/non-leaf/);
    expect(() => new optim.SGD([a, a], { lr: 1 })).toThrow(/appears twice/);
    expect(() => new optim.SGD([{ params: [a] }, { params: [a] }], { lr: 1 })).toThrow(/more than one parameter group/);
  });

  it('takes model.parameters() and per-group options, filling the rest from the defaults', () => {
    manualSeed(0);
    const model = new nn.Sequential(new nn.Linear(3, 4), new nn.Linear(4, 2));
    const [first, second] = Array.from(model.children()) as nn.Linear[];
    const opt = new optim.SGD([{ params: first!.parameters() }, { params: second!.parameters(), lr: 0.5, nesterov: true }], { lr: 0.1, momentum: 0.9 });
    expect(opt.paramGroups.map((g) => [g.lr, g.momentum, g.nesterov, g.params.length])).toEqual([
      [0.1, 0.9, false, 2],
      [0.5, 0.9, true, 2],
    ]);
    expect(String(opt)).toContain('Parameter Group 1\n    dampening: 0\n    lr: 0.5\n    maximize: false\n    momentum: 0.9\n    nesterov: true');
  });

  it('addParamGroup adds parameters that are then trained with their own lr', () => {
    const a = leaf([1]);
    const b = leaf([1]);
    const opt = new optim.SGD([a], { lr: 0.1 });
    opt.addParamGroup({ params: [b], lr: 0.5 });
    a.grad = tensor([1]);
    b.grad = tensor([1]);
    opt.step();
    expect(a.item()).toBeCloseTo(0.9, 7);
    expect(b.item()).toBeCloseTo(0.5, 7);
    expect(() => opt.addParamGroup({ params: [a] })).toThrow(/more than one parameter group/);
  });

  it('skips parameters without a gradient and rejects a gradient of the wrong shape', () => {
    const a = leaf([1, 2]);
    const b = leaf([3]);
    const opt = new optim.Adam([a, b], { lr: 0.1 });
    a.grad = tensor([1, 1]);
    opt.step();
    expect(b.toArray()).toEqual([3]);
    expect(opt.state.has(b)).toBe(false);
    expect(opt.state.get(a)!.step).toBe(1);
    b.grad = tensor([1, 2]);
    expect(() => opt.step()).toThrow(/Adam.step: a parameter of shape \[1\] has a gradient of shape \[2\]/);
  });
});

describe('zeroGrad, closures and autograd', () => {
  it('zeroGrad sets gradients to null by default, or to zeros', () => {
    const a = leaf([1, 2]);
    const opt = new optim.SGD([a], { lr: 0.1 });
    a.mul(a).sum().backward();
    opt.zeroGrad(false);
    expect(a.grad!.toArray()).toEqual([0, 0]);
    opt.zeroGrad();
    expect(a.grad).toBeNull();
  });

  it('step(closure) evaluates the loss with recording on, even inside noGrad, and returns it', () => {
    const a = leaf([3]);
    const opt = new optim.SGD([a], { lr: 0.25 });
    const loss = noGrad(() =>
      opt.step(() => {
        opt.zeroGrad();
        const l = a.mul(a).sum();
        l.backward();
        return l;
      }),
    ) as Tensor;
    expect(loss.item()).toBe(9);
    expect(a.item()).toBeCloseTo(3 - 0.25 * 6, 6);
  });

  it('an update counts as an in-place write: a graph that saved the parameter refuses backward', () => {
    const a = leaf([2]);
    const opt = new optim.SGD([a], { lr: 0.1 });
    const y = a.mul(a).sum();
    a.grad = tensor([1]);
    opt.step();
    expect(() => y.backward()).toThrow(/version/);
  });

  it('updates non-contiguous parameters through their strides', () => {
    const base = tensor([[1, 2], [3, 4]]).transpose(0, 1);
    base.requiresGrad = true;
    const opt = new optim.SGD([base], { lr: 1 });
    base.grad = tensor([[1, 0], [0, 0]]);
    opt.step();
    expect(base.toArray()).toEqual([[0, 3], [2, 4]]);
  });

  it('trains: Adam drives a quadratic to its minimum', () => {
    const a = leaf([5, -3]);
    const opt = new optim.Adam([a], { lr: 0.1 });
    for (let i = 0; i < 300; i++) {
      opt.zeroGrad();
      a.sub(tensor([1, 2])).pow(2).sum().backward();
      opt.step();
    }
    expect(a.toArray()).toEqual([expect.closeTo(1, 2), expect.closeTo(2, 2)]);
  });
});

describe('Adam and AdamW compute the documented update bit for bit on every path', () => {
  /** The update rule of the docs, one element at a time, stored in arrays of the parameter's type. */
  function reference(
    p0: Float32Array | Float64Array, grads: (Float32Array | Float64Array)[],
    o: { lr: number; betas: [number, number]; eps: number; weightDecay: number; amsgrad: boolean; maximize: boolean; decoupled: boolean },
  ): Float32Array | Float64Array {
    const Ctor = p0.constructor as Float32ArrayConstructor | Float64ArrayConstructor;
    const P = new Ctor(p0), M = new Ctor(p0.length), V = new Ctor(p0.length), Vmax = new Ctor(p0.length);
    const [b1, b2] = o.betas;
    grads.forEach((g, t) => {
      const step = t + 1;
      const stepSize = o.lr / (1 - Math.pow(b1, step));
      const bc2Sqrt = Math.sqrt(1 - Math.pow(b2, step));
      for (let i = 0; i < P.length; i++) {
        let gi = o.maximize ? -g[i]! : g[i]!;
        if (o.decoupled) {
          if (o.lr * o.weightDecay !== 0) P[i] = P[i]! * (1 - o.lr * o.weightDecay);
        } else if (o.weightDecay !== 0) gi += o.weightDecay * P[i]!;
        M[i] = b1 * M[i]! + (1 - b1) * gi;
        V[i] = b2 * V[i]! + (1 - b2) * gi * gi;
        let second = V[i]!;
        if (o.amsgrad) {
          if (second > Vmax[i]! || Number.isNaN(second)) Vmax[i] = second;
          second = Vmax[i]!;
        }
        P[i] = P[i]! - (stepSize * M[i]!) / (Math.sqrt(second) / bc2Sqrt + o.eps);
      }
    });
    return P;
  }

  const cases: [string, boolean, Partial<{ weightDecay: number; amsgrad: boolean; maximize: boolean }>][] = [
    ['Adam', false, {}],
    ['Adam, weight decay', false, { weightDecay: 0.1 }],
    ['Adam, amsgrad, maximize', false, { amsgrad: true, maximize: true }],
    ['AdamW (decay 1e-2)', true, {}],
    ['AdamW, no decay', true, { weightDecay: 0 }],
    ['AdamW, amsgrad', true, { amsgrad: true }],
  ];
  for (const dtype of ['float32', 'float64'] as const) {
    for (const [name, decoupled, extra] of cases) {
      it(`${name} (${dtype})`, () => {
        manualSeed(7);
        const p = randn([300], { dtype, requiresGrad: true });
        const p0 = (p.toTypedArray() as Float32Array | Float64Array).slice();
        const grads = Array.from({ length: 6 }, () => randn([300], { dtype }));
        const options = { lr: 0.01, betas: [0.9, 0.99] as [number, number], eps: 1e-8, ...extra };
        const opt = decoupled ? new optim.AdamW([p], options) : new optim.Adam([p], options);
        for (const g of grads) {
          p.grad = g;
          opt.step();
        }
        const want = reference(p0, grads.map((g) => g.toTypedArray() as Float32Array | Float64Array), {
          ...options, weightDecay: extra.weightDecay ?? (decoupled ? 1e-2 : 0), amsgrad: extra.amsgrad ?? false, maximize: extra.maximize ?? false, decoupled,
        });
        expect(Array.from(p.toTypedArray() as Float32Array | Float64Array)).toEqual(Array.from(want));
      });
    }
  }
});

describe('state dicts', () => {
  for (const make of [
    (ps: Tensor[]) => new optim.SGD(ps, { lr: 0.05, momentum: 0.9, nesterov: true }),
    (ps: Tensor[]) => new optim.Adam(ps, { lr: 0.05, amsgrad: true }),
    (ps: Tensor[]) => new optim.AdamW([{ params: [ps[0]!] }, { params: [ps[1]!], lr: 0.01 }], { lr: 0.05 }),
  ]) {
    it(`resuming from stateDict() continues the same trajectory (${make([leaf([0]), leaf([0])]).constructor.name})`, () => {
      manualSeed(3);
      const init = [randn([3]), randn([2, 2])];
      const run = (): Tensor[] => init.map((t) => t.clone().detach().requiresGrad_());
      const straight = run();
      const optA = make(straight);
      for (let i = 0; i < 6; i++) quadraticStep(straight, optA);

      const first = run();
      const optB = make(first);
      for (let i = 0; i < 3; i++) quadraticStep(first, optB);
      const snapshot = optB.stateDict();
      const resumed = first.map((t) => t.clone().detach().requiresGrad_());
      const optC = make(resumed);
      optC.loadStateDict(snapshot);
      // The snapshot is a copy: further steps of optB do not change it.
      quadraticStep(first, optB);
      for (let i = 0; i < 3; i++) quadraticStep(resumed, optC);
      resumed.forEach((t, i) => expect(t.toArray()).toEqual(straight[i]!.toArray()));
    });
  }

  it('the snapshot refers to parameters by position and holds hyper-parameters', () => {
    const a = leaf([1]);
    const b = leaf([2]);
    const opt = new optim.SGD([{ params: [a] }, { params: [b], lr: 0.3 }], { lr: 0.1, momentum: 0.5 });
    b.grad = tensor([1]);
    opt.step();
    const sd = opt.stateDict();
    expect(sd.paramGroups.map((g) => [g.params, g.lr])).toEqual([
      [[0], 0.1],
      [[1], 0.3],
    ]);
    expect(Object.keys(sd.state)).toEqual(['1']);
    expect((sd.state[1]!.momentumBuffer as Tensor).toArray()).toEqual([1]);
  });

  it('loading a mismatched snapshot is an error that leaves the optimizer unchanged', () => {
    const a = leaf([1]);
    const opt = new optim.SGD([a], { lr: 0.1 });
    const two = new optim.SGD([{ params: [leaf([1])] }, { params: [leaf([1])] }], { lr: 0.2 });
    expect(() => opt.loadStateDict(two.stateDict())).toThrow(/2 parameter group\(s\) but this optimizer has 1/);
    const wide = new optim.SGD([leaf([1, 2])], { lr: 0.2, momentum: 0.9 });
    wide.paramGroups[0]!.params[0]!.grad = tensor([1, 1]);
    wide.step();
    expect(() => opt.loadStateDict(wide.stateDict())).toThrow(/state 'momentumBuffer' of parameter 0 has shape \[2\] but the parameter has shape \[1\]/);
    const bad = new optim.SGD([leaf([1])], { lr: 0.2 }).stateDict();
    bad.paramGroups[0]!.lr = -5;
    expect(() => opt.loadStateDict(bad)).toThrow(/invalid lr -5/);
    expect(opt.paramGroups[0]!.lr).toBe(0.1);
    expect(() => opt.loadStateDict({} as never)).toThrow(/expects the object returned by stateDict/);
  });
});

describe('schedulers', () => {
  const opt = (lr = 1): optim.SGD => new optim.SGD([leaf([0])], { lr });

  it('record initialLr on first use, take the first step at construction, and reject bad options', () => {
    const o = opt(0.5);
    const s = new optim.StepLR(o, { stepSize: 2, gamma: 0.1 });
    expect(o.paramGroups[0]!.initialLr).toBe(0.5);
    expect(s.lastEpoch).toBe(0);
    expect(s.getLastLr()).toEqual([0.5]);
    expect(() => new optim.StepLR(o, { stepSize: 0 })).toThrow(/stepSize must be a positive integer, got number 0/);
    expect(() => new optim.StepLR(o, undefined as never)).toThrow(/expects options \{ stepSize, gamma\? \}/);
    expect(() => new optim.CosineAnnealingLR(o, { tMax: 2.5 })).toThrow(/tMax must be a positive integer/);
    expect(() => new optim.LambdaLR(o, [(e) => e, (e) => e])).toThrow(/expected 1 lr lambdas/);
    expect(() => new optim.LambdaLR(o, () => 'x' as never)).toThrow(/returned "x" at epoch 0/);
    expect(() => new optim.StepLR(opt(), { stepSize: 1, lastEpoch: 5 })).toThrow(/needs initialLr in paramGroups\[0\]/);
    expect(() => new optim.StepLR({} as never, { stepSize: 1 })).toThrow(/expects an optimizer/);
    expect(() => new optim.TransformerLR(o, { dModel: 0 })).toThrow(/dModel must be a positive integer/);
    expect(() => (s.step as (epoch: number) => void)(3)).toThrow(/StepLR.step: takes no arguments/);
  });

  it('the Transformer schedule rises linearly to factor·(dModel·warmup)^-0.5 at the warm-up step and then decays as 1/√step', () => {
    expect(optim.transformerLr(4000, 512, 4000)).toBeCloseTo(512 ** -0.5 * 4000 ** -0.5, 15);
    const o = opt();
    const s = new optim.TransformerLR(o, { dModel: 512, warmupSteps: 4000, factor: 2 });
    const lrs = [s.getLastLr()[0]!];
    for (let i = 0; i < 9999; i++) {
      s.step();
      lrs.push(s.getLastLr()[0]!);
    }
    // lrs[k - 1] is the lr of step k.
    expect(lrs[0]).toBeCloseTo((2 * 512 ** -0.5 * 1) / 4000 ** 1.5, 15);
    expect(lrs[1]! / lrs[0]!).toBeCloseTo(2, 12);
    const peak = lrs.indexOf(Math.max(...lrs)) + 1;
    expect(peak).toBe(4000);
    expect(lrs[3999]).toBeCloseTo(2 * (512 * 4000) ** -0.5, 15);
    expect(lrs[9999]! / lrs[3999]!).toBeCloseTo(Math.sqrt(4000 / 10000), 12);
  });

  it('stateDict/loadStateDict resume a schedule', () => {
    const o1 = opt(0.1);
    const s1 = new optim.CosineAnnealingLR(o1, { tMax: 7, etaMin: 0.01 });
    for (let i = 0; i < 3; i++) s1.step();
    const state = s1.stateDict();
    expect(state.lastEpoch).toBe(3);
    const o2 = opt(0.1);
    const s2 = new optim.CosineAnnealingLR(o2, { tMax: 7, etaMin: 0.01 });
    s2.loadStateDict(state);
    o2.paramGroups[0]!.lr = o1.paramGroups[0]!.lr;
    for (let i = 0; i < 5; i++) {
      s1.step();
      s2.step();
      expect(s2.getLastLr()).toEqual(s1.getLastLr());
    }
  });
});
