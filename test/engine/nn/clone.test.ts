/**
 * cloneModule: deep copies of module trees (what TransformerEncoder/Decoder stack), as
 * Python's copy.deepcopy gives PyTorch.
 */
import { describe, expect, it } from 'vitest';
import { nn, Tensor, randn, manualSeed, tensor } from '../../../engine/src/index.js';

class Shared extends nn.Module {
  a: nn.Linear;
  b: nn.Linear;
  extra: { sizes: number[]; scale: number };
  act: (x: Tensor) => Tensor;
  constructor() {
    super();
    this.a = new nn.Linear(3, 3);
    this.b = this.a; // the same module twice (tied weights)
    this.extra = { sizes: [1, 2], scale: 0.5 };
    this.act = (x) => x.relu();
    this.registerBuffer('counts', tensor([1, 2, 3]));
    this.registerBuffer('scratch', tensor([0]), false);
  }
  forward(x: Tensor): Tensor {
    return this.act(this.b.forward(this.a.forward(x))).mul(this.extra.scale);
  }
}

describe('cloneModule', () => {
  it('copies parameters: same values and requiresGrad, own storage, no grad', () => {
    manualSeed(1);
    const lin = new nn.Linear(4, 2);
    lin.bias!.requiresGrad = false;
    lin.forward(randn([3, 4])).sum().backward();
    const c = nn.cloneModule(lin);
    expect(c).toBeInstanceOf(nn.Linear);
    expect(c).not.toBe(lin);
    expect(c.weight).toBeInstanceOf(nn.Parameter);
    expect(c.weight.toArray()).toEqual(lin.weight.toArray());
    expect(c.weight.storage).not.toBe(lin.weight.storage);
    expect(c.weight.grad).toBeNull();
    expect(lin.weight.grad).not.toBeNull();
    expect(c.bias!.requiresGrad).toBe(false);
    expect([c.inFeatures, c.outFeatures]).toEqual([4, 2]);
  });

  it('the copy trains independently of the original', () => {
    const lin = new nn.Linear(2, 2);
    const c = nn.cloneModule(lin);
    const before = lin.weight.toArray();
    c.weight.data.fill(7);
    expect(lin.weight.toArray()).toEqual(before);
    c.forward(randn([1, 2])).sum().backward();
    expect(lin.weight.grad).toBeNull();
    expect(c.weight.grad).not.toBeNull();
  });

  it('copies buffers (persistent or not), keeps sharing inside the tree, plain data and functions', () => {
    const m = new Shared();
    const c = nn.cloneModule(m);
    expect(c.b).toBe(c.a);
    expect(c.a).not.toBe(m.a);
    expect(c.parameters().length).toBe(2);
    expect(Object.keys(c.stateDict())).toEqual(Object.keys(m.stateDict()));
    expect(Object.keys(c.stateDict())).not.toContain('scratch');
    const counts = (c as unknown as { counts: Tensor }).counts;
    expect(counts.toArray()).toEqual([1, 2, 3]);
    expect(counts.storage).not.toBe((m as unknown as { counts: Tensor }).counts.storage);
    expect(c.extra).toEqual(m.extra);
    expect(c.extra).not.toBe(m.extra);
    expect(c.extra.sizes).not.toBe(m.extra.sizes);
    expect(c.act).toBe(m.act);
    const x = randn([2, 3]);
    expect(c.forward(x).toArray()).toEqual(m.forward(x).toArray());
  });

  it('keeps the training mode and the class of every submodule', () => {
    const layer = new nn.TransformerEncoderLayer(8, 2, { dimFeedforward: 16 });
    layer.eval();
    const c = nn.cloneModule(layer);
    expect(c).toBeInstanceOf(nn.TransformerEncoderLayer);
    expect(c.self_attn).toBeInstanceOf(nn.MultiheadAttention);
    expect(Array.from(c.modules()).every((m) => !m.training)).toBe(true);
    c.train();
    expect(layer.training).toBe(false);
    const x = randn([3, 2, 8]);
    c.eval();
    expect(c.forward(x).toArray()).toEqual(layer.forward(x).toArray());
  });

  it('copies the positional encoding table (a buffer) and module state in load order', () => {
    const pe = new nn.PositionalEncoding(4, { maxLen: 6 });
    const c = nn.cloneModule(pe);
    expect(c.pe.toArray()).toEqual(pe.pe.toArray());
    expect(c.pe.storage).not.toBe(pe.pe.storage);
    expect(Object.keys(c.stateDict())).toEqual(['pe']);
  });

  it('rejects what is not a module', () => {
    expect(() => nn.cloneModule({} as nn.Module)).toThrow('cloneModule: expects a Module');
  });
});
