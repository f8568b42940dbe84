/**
 * The fused LSTM and GRU pointwise ops against the same maths composed from primitive
 * ops: values and gradients of every input, plus finite-difference gradchecks. (The
 * modules built on them are checked against PyTorch in test/engine/nn/rnn.test.ts.)
 */
import { describe, expect, it } from 'vitest';
import { gradcheck, randn, manualSeed, cat, type Tensor } from '../../../engine/src/index.js';
import { gruPointwise, lstmPointwise } from '../../../engine/src/ops/recurrent.js';

function lstmComposed(pre: Tensor, c: Tensor): Tensor {
  const [pi, pf, pg, po] = pre.chunk(4, 1) as [Tensor, Tensor, Tensor, Tensor];
  const i = pi.sigmoid();
  const f = pf.sigmoid();
  const g = pg.tanh();
  const o = po.sigmoid();
  const cn = f.mul(c).add(i.mul(g));
  return cat([o.mul(cn.tanh()), cn, i, f, g, o], 1);
}

function gruComposed(x: Tensor, hp: Tensor, h: Tensor): Tensor {
  const [xr, xz, xn] = x.chunk(3, 1) as [Tensor, Tensor, Tensor];
  const [hr, hz, hn] = hp.chunk(3, 1) as [Tensor, Tensor, Tensor];
  const r = xr.add(hr).sigmoid();
  const z = xz.add(hz).sigmoid();
  const n = xn.add(r.mul(hn)).tanh();
  return cat([z.neg().add(1).mul(n).add(z.mul(h)), r, z, n], 1);
}

function compareBoth(fused: (...t: Tensor[]) => Tensor, composed: (...t: Tensor[]) => Tensor, shapes: number[][], outCols: number): void {
  for (const dtype of ['float32', 'float64'] as const) {
    const a = shapes.map((s) => randn(s, { dtype, requiresGrad: true }).mul(2).detach().requiresGrad_());
    const b = a.map((t) => t.detach().clone().requiresGrad_());
    const up = randn([shapes[0]![0]!, outCols], { dtype });
    const yf = fused(...a);
    const yc = composed(...b);
    const tol = dtype === 'float32' ? 1e-6 : 1e-13;
    const diff = (p: Tensor, q: Tensor): number => p.sub(q).abs().max().item() / Math.max(q.abs().max().item(), 1e-30);
    expect(diff(yf, yc)).toBeLessThan(tol);
    yf.mul(up).sum().backward();
    yc.mul(up).sum().backward();
    a.forEach((t, i) => expect(diff(t.grad!, b[i]!.grad!), `gradient of input ${i} (${dtype})`).toBeLessThan(tol * 10));
  }
}

describe('fused recurrent pointwise ops equal their composition from primitives', () => {
  it('lstmPointwise: [h | c | i | f | g | o] and the gradients of pre and c', () => {
    manualSeed(1);
    compareBoth(lstmPointwise, lstmComposed, [[5, 12], [5, 3]], 18);
  });
  it('gruPointwise: [h | r | z | n] and the gradients of both projections and h', () => {
    manualSeed(2);
    compareBoth(gruPointwise, gruComposed, [[4, 9], [4, 9], [4, 3]], 12);
  });
  it('pass gradcheck, including gradients flowing into the gate blocks directly', () => {
    manualSeed(3);
    expect(gradcheck((p, c) => lstmPointwise(p, c), [randn([2, 8], { requiresGrad: true }), randn([2, 2], { requiresGrad: true })])).toBe(true);
    expect(gradcheck((x, hp, h) => gruPointwise(x, hp, h), [randn([2, 6], { requiresGrad: true }), randn([2, 6], { requiresGrad: true }), randn([2, 2], { requiresGrad: true })])).toBe(true);
  });
  it('name the argument and shape on bad input', () => {
    expect(() => lstmPointwise(randn([2, 7]), randn([2, 2]))).toThrow('lstmPointwise: pre must be [batch, 8], got [2,7]');
    expect(() => gruPointwise(randn([2, 6]), randn([3, 6]), randn([2, 2]))).toThrow('gruPointwise: xProj, hProj and h differ in batch size');
  });
});
