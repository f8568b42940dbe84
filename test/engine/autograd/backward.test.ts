/** Autograd: accumulation, freed graphs, noGrad, detach, retainGrad, hooks, in-place safety. */
import { describe, expect, it } from 'vitest';
import { tensor, noGrad, enableGrad, isGradEnabled, randn, zeros, ones, manualSeed } from '../../../engine/src/index.js';

describe('backward', () => {
  it('computes gradients of a scalar and accumulates across calls', () => {
    const x = tensor([1, 2, 3], { requiresGrad: true });
    x.mul(x).sum().backward();
    expect(x.grad!.toArray()).toEqual([2, 4, 6]);
    x.mul(3).sum().backward();
    expect(x.grad!.toArray()).toEqual([5, 7, 9]);
    x.zeroGrad();
    expect(x.grad).toBeNull();
  });

  it('takes an explicit gradient for non-scalar outputs and explains the scalar rule', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const y = x.mul(2);
    expect(() => y.backward()).toThrow('backward: a gradient can be created implicitly only for scalar outputs, but this tensor has shape [2]');
    y.backward(tensor([1, 10]));
    expect(x.grad!.toArray()).toEqual([2, 20]);
    expect(() => x.mul(2).backward(tensor([1, 2, 3]))).toThrow('backward: gradient has shape [3] but the tensor has shape [2]');
  });

  it('sums the gradient of a tensor used several times (diamond graphs)', () => {
    const x = tensor(3, { requiresGrad: true });
    const a = x.mul(2);
    const b = x.mul(x);
    a.add(b).mul(a).backward(); // (2x + x²)·2x = 4x² + 2x³ -> 8x + 6x² = 24 + 54
    expect(x.grad!.item()).toBe(78);
  });

  it('frees the graph after backward unless retainGraph is set', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const z = x.exp().sum();
    z.backward(undefined, { retainGraph: true });
    z.backward();
    expect(() => z.backward()).toThrow('backward: trying to backward through the graph a second time (SumBackward was already freed)');
  });

  it('records nothing inside noGrad, restores the mode after errors, and rejects async functions', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const y = noGrad(() => x.mul(2));
    expect(y.requiresGrad).toBe(false);
    expect(y.gradFn).toBeNull();
    expect(() => noGrad(() => {
      throw new Error('boom');
    })).toThrow('boom');
    expect(isGradEnabled()).toBe(true);
    expect(() => noGrad(async () => 1)).toThrow('noGrad: the function returned a Promise');
    expect(isGradEnabled()).toBe(true);
    expect(noGrad(() => enableGrad(() => x.mul(2)).requiresGrad)).toBe(true);
  });

  it('detach cuts the graph but shares data', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const d = x.mul(2).detach();
    expect(d.requiresGrad).toBe(false);
    const y = x.mul(d).sum();
    y.backward();
    expect(x.grad!.toArray()).toEqual([2, 4]);
    expect(() => d.backward()).toThrow('backward: this tensor does not require grad');
  });

  it('retainGrad keeps an intermediate gradient; hooks see and may replace it', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const h = x.mul(3).retainGrad();
    const seen: number[][] = [];
    h.registerHook((g) => {
      seen.push(g.toArray() as number[]);
    });
    h.mul(h).sum().backward();
    expect(h.grad!.toArray()).toEqual([6, 12]);
    expect(seen).toEqual([[6, 12]]);
    expect(x.grad!.toArray()).toEqual([18, 36]);
    const y = tensor([1, 1], { requiresGrad: true });
    const z = y.mul(1);
    const remove = z.registerHook((g) => g.mul(10));
    z.sum().backward();
    expect(y.grad!.toArray()).toEqual([10, 10]);
    remove();
  });

  it('gives every leaf its own gradient tensor (safe to modify in place)', () => {
    const a = tensor([1, 2], { requiresGrad: true });
    const b = tensor([3, 4], { requiresGrad: true });
    a.add(b).sum().backward();
    expect(a.grad).not.toBe(b.grad);
    noGrad(() => a.grad!.mul_(5));
    expect(b.grad!.toArray()).toEqual([1, 1]);
  });

  it('refuses in-place changes that would corrupt gradients, and catches saved tensors modified later', () => {
    const w = tensor([1, 2], { requiresGrad: true });
    expect(() => w.add_(1)).toThrow('add_: a leaf tensor that requires grad cannot be modified in place while gradients are recorded; wrap the update in noGrad');
    noGrad(() => w.sub_(tensor([0.5, 0.5])));
    expect(w.toArray()).toEqual([0.5, 1.5]);
    expect(() => w.mul(2).fill_(0)).toThrow('fill_: cannot modify a tensor computed by a recorded operation in place');
    const x = tensor([1, 2], { requiresGrad: true });
    const scale = tensor([3, 4]);
    const y = x.mul(scale).sum();
    scale.fill_(0);
    expect(() => y.backward()).toThrow('a tensor of shape [2] saved by MulBackward was modified in place after it was used (version 0 -> 1)');
  });

  it('handles long chains without recursion limits (backpropagation through many steps)', () => {
    let h = tensor([0.5], { requiresGrad: true });
    const x = h;
    for (let i = 0; i < 20000; i++) h = h.mul(1);
    h.sum().backward();
    expect(x.grad!.item()).toBe(1);
  });

  it('promotes broadcasting gradients back to the input shapes', () => {
    manualSeed(1);
    const a = randn([4, 1, 3], { requiresGrad: true });
    const b = randn([2, 1], { requiresGrad: true });
    a.add(b).mul(a).sum().backward();
    expect(a.grad!.shape).toEqual([4, 1, 3]);
    expect(b.grad!.shape).toEqual([2, 1]);
    const c = zeros(3, { requiresGrad: true } as never);
    expect(c.requiresGrad).toBe(true);
    const d = ones([3], { requiresGrad: true });
    d.expand(2, 3).sum().backward();
    expect(d.grad!.toArray()).toEqual([2, 2, 2]);
  });
});
