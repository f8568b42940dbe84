/** The Tensor class: creation, dtypes, views sharing storage, reading values, printing. */
import { describe, expect, it } from 'vitest';
import * as E from '../../engine/src/index.js';
import { Tensor, tensor, zeros, ones, full, arange, linspace, eye, rand, randn, randint, zerosLike, onesLike, fullLike, randnLike, triu, tril, manualSeed } from '../../engine/src/index.js';

describe('creation', () => {
  it('infers shape and dtype from nested arrays', () => {
    const t = tensor([[1, 2, 3], [4, 5, 6]]);
    expect(t.shape).toEqual([2, 3]);
    expect(t.dtype).toBe('float32');
    expect(t.toArray()).toEqual([[1, 2, 3], [4, 5, 6]]);
    expect(tensor([true, false]).dtype).toBe('bool');
    expect(tensor([true, false]).toArray()).toEqual([true, false]);
    expect(tensor([1, 2], { dtype: 'int32' }).dtype).toBe('int32');
    expect(tensor(3.5).shape).toEqual([]);
    expect(tensor(3.5).item()).toBe(3.5);
    expect(tensor([]).shape).toEqual([0]);
  });

  it('rejects ragged and non-numeric data, naming the position', () => {
    expect(() => tensor([[1, 2], [3]])).toThrow('tensor: ragged nested array: the array at [1] has length 1, expected 2');
    expect(() => tensor([[1, 2], 3] as never)).toThrow('expected an array of length 2 at [1]');
    expect(() => tensor([1, 'a'] as never)).toThrow('tensor: element at [1] is "a", expected a number or boolean');
    expect(() => tensor([1.5], { dtype: 'int32' })).toThrow('tensor: value 1.5 is not an integer but dtype is int32');
    expect(() => tensor([1], { dtype: 'int64' as never })).toThrow('tensor: unknown dtype "int64"');
  });

  it('copies typed arrays, with an explicit shape', () => {
    const src = new Float32Array([1, 2, 3, 4, 5, 6]);
    const t = tensor(src, { shape: [2, 3] });
    src[0] = 100;
    expect(t.get(0, 0)).toBe(1);
    expect(tensor(new Float64Array(2)).dtype).toBe('float64');
    expect(tensor(new Int32Array(2)).dtype).toBe('int32');
    expect(() => tensor(new Float32Array(5), { shape: [2, 3] })).toThrow('tensor: shape [2,3] holds 6 elements but the typed array has 5');
  });

  it('builds constant, range and identity tensors like PyTorch', () => {
    expect(zeros(2, 3).toArray()).toEqual([[0, 0, 0], [0, 0, 0]]);
    expect(zeros([2], { dtype: 'int32' }).dtype).toBe('int32');
    expect(ones([2, 1]).toArray()).toEqual([[1], [1]]);
    expect(full([2], 7).toArray()).toEqual([7, 7]);
    expect(arange(5).toArray()).toEqual([0, 1, 2, 3, 4]);
    expect(arange(5).dtype).toBe('int32');
    expect(arange(1, 2, 0.25).toArray()).toEqual([1, 1.25, 1.5, 1.75]);
    expect(arange(1, 2, 0.25).dtype).toBe('float32');
    expect(arange(5, 0, -2).toArray()).toEqual([5, 3, 1]);
    expect(linspace(0, 1, 5).toArray()).toEqual([0, 0.25, 0.5, 0.75, 1]);
    expect(eye(2, 3).toArray()).toEqual([[1, 0, 0], [0, 1, 0]]);
    expect(zerosLike(ones([2, 2], { dtype: 'float64' })).dtype).toBe('float64');
    expect(onesLike(zeros(3)).toArray()).toEqual([1, 1, 1]);
    expect(fullLike(zeros(2), 4).toArray()).toEqual([4, 4]);
    expect(triu(ones(3, 3)).toArray()).toEqual([[1, 1, 1], [0, 1, 1], [0, 0, 1]]);
    expect(tril(ones(3, 3), -1).toArray()).toEqual([[0, 0, 0], [1, 0, 0], [1, 1, 0]]);
    expect(() => arange(0, 5, 0)).toThrow('arange: step must not be zero');
    expect(() => zeros(2, -1)).toThrow('zeros: invalid shape [2,-1]');
  });

  it('draws reproducible random tensors from the seeded generator', () => {
    manualSeed(42);
    const a = randn(3, 4).toArray();
    const u = rand([5]).toArray() as number[];
    manualSeed(42);
    expect(randn(3, 4).toArray()).toEqual(a);
    expect(rand([5]).toArray()).toEqual(u);
    for (const v of u) expect(v >= 0 && v < 1).toBe(true);
    const r = randint(3, 7, [1000]).toTypedArray();
    expect(Math.min(...r)).toBe(3);
    expect(Math.max(...r)).toBe(6);
    expect(randnLike(zeros([2, 2], { dtype: 'float64' })).dtype).toBe('float64');
  });

  it('has the right moments for many samples (fixed seed, so not flaky)', () => {
    manualSeed(7);
    const x = randn([20000]);
    expect(Math.abs(x.mean().item())).toBeLessThan(0.03);
    expect(Math.abs(x.std().item() - 1)).toBeLessThan(0.03);
    const u = rand([20000]);
    expect(Math.abs(u.mean().item() - 0.5)).toBeLessThan(0.01);
  });

  it('refuses requiresGrad on integer tensors', () => {
    expect(() => tensor([1, 2], { dtype: 'int32', requiresGrad: true })).toThrow('requiresGrad: only floating point tensors can require gradients (this tensor is int32)');
  });
});

describe('views share storage and copy only when needed', () => {
  const base = (): Tensor => arange(24).float().reshape(2, 3, 4);

  it('reshape/view, transpose, permute, narrow, slice, select, expand, squeeze, unsqueeze are views', () => {
    const x = base();
    for (const v of [
      x.reshape(6, 4),
      x.view(4, 6),
      x.transpose(0, 2),
      x.permute(2, 0, 1),
      x.narrow(2, 1, 2),
      x.slice(1, 0, 3, 2),
      x.select(1, 2),
      x.unsqueeze(0),
      x.unsqueeze(0).squeeze(0),
      tensor([[1], [2]]).expand(2, 3),
    ]) {
      expect(v instanceof Tensor).toBe(true);
    }
    expect(x.reshape(6, 4).storage).toBe(x.storage);
    expect(x.transpose(0, 2).storage).toBe(x.storage);
    expect(x.select(1, 2).toArray()).toEqual([[8, 9, 10, 11], [20, 21, 22, 23]]);
    expect(x.slice(2, 1, undefined, 2).toArray()).toEqual([[[1, 3], [5, 7], [9, 11]], [[13, 15], [17, 19], [21, 23]]]);
    expect(x.slice(2, -1).toArray()).toEqual([[[3], [7], [11]], [[15], [19], [23]]]);
    expect(x.narrow(1, 1, 1).shape).toEqual([2, 1, 4]);
    const e = tensor([[1], [2]]).expand(2, 3);
    expect(e.strides).toEqual([1, 0]);
    expect(e.toArray()).toEqual([[1, 1, 1], [2, 2, 2]]);
  });

  it('reshape of a transposed tensor copies; view refuses with advice', () => {
    const t = base().transpose(1, 2);
    expect(t.isContiguous()).toBe(false);
    const r = t.reshape(2, 12);
    expect(r.storage).not.toBe(t.storage);
    expect(r.toArray()).toEqual([[0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11], [12, 16, 20, 13, 17, 21, 14, 18, 22, 15, 19, 23]]);
    expect(() => t.view(2, 12)).toThrow('use reshape(), or contiguous() first');
    // Merging dims that are contiguous with each other stays a view, as in PyTorch.
    const p = base().permute(1, 2, 0);
    expect(p.reshape(12, 2).storage).toBe(p.storage);
  });

  it('writes through a view reach the base, and contiguous() returns itself when it can', () => {
    const x = zeros(3, 3);
    x.select(0, 1).fill_(5);
    expect(x.toArray()).toEqual([[0, 0, 0], [5, 5, 5], [0, 0, 0]]);
    expect(x.contiguous()).toBe(x);
    const t = x.t();
    const c = t.contiguous();
    expect(c).not.toBe(t);
    expect(c.isContiguous()).toBe(true);
  });

  it('validates view arguments with clear messages', () => {
    const x = base();
    expect(() => x.reshape(5, 5)).toThrow('reshape: cannot reshape a tensor of shape [2,3,4] (24 elements) into [5,5] (25 elements)');
    expect(() => x.reshape(-1, -1)).toThrow('reshape: only one dimension can be -1');
    expect(() => x.permute(0, 1)).toThrow('permute: got 2 dims [0,1] for a tensor with 3 dimensions [2,3,4]');
    expect(() => x.transpose(0, 3)).toThrow('transpose: dim1=3 is out of range for a tensor with 3 dimensions (expected -3..2)');
    expect(() => x.narrow(2, 3, 2)).toThrow('narrow: start 3 and length 2 exceed dimension 2 of size 4 (shape [2,3,4])');
    expect(() => x.select(0, 2)).toThrow('select: index 2 is out of range for dimension 0 of size 2 (shape [2,3,4])');
    expect(() => x.expand(2, 5, 4)).toThrow('expand: the expanded size 5 must match the existing size 3 at dimension 1');
    expect(() => x.slice(0, 0, 2, 0)).toThrow('slice: step must be a positive integer, got 0');
  });
});

describe('reading values', () => {
  it('item, get and toArray', () => {
    const x = tensor([[1, 2], [3, 4]]);
    expect(x.get(1, 0)).toBe(3);
    expect(x.get(-1, -1)).toBe(4);
    expect(() => x.get(2, 0)).toThrow('get: index 2 is out of bounds for dimension 0 with size 2');
    expect(() => x.item()).toThrow('item: only one-element tensors can be converted to a number, this one has shape [2,2]');
    expect(x.sum().item()).toBe(10);
    expect(x.t().toArray()).toEqual([[1, 3], [2, 4]]);
    expect(Array.from(x.t().toTypedArray())).toEqual([1, 3, 2, 4]);
    expect(x.size()).toEqual([2, 2]);
    expect(x.size(-1)).toBe(2);
    expect(x.numel()).toBe(4);
  });
});

describe('printing like PyTorch', () => {
  it('aligns fixed-point values and appends shape, dtype and grad information', () => {
    expect(String(tensor([[1.5, -2], [3.25, 4]]))).toBe('tensor([[ 1.5000, -2.0000],\n        [ 3.2500,  4.0000]], shape=[2, 2])');
    expect(String(tensor([1, 2, 3]))).toBe('tensor([1., 2., 3.], shape=[3])');
    expect(String(tensor([1, 2], { dtype: 'int32' }))).toBe('tensor([1, 2], shape=[2], dtype=int32)');
    expect(String(tensor([true, false]))).toBe('tensor([ True, False], shape=[2], dtype=bool)');
    expect(String(tensor(2.5))).toBe('tensor(2.5000)');
    expect(String(tensor([1e-5, 1, 1000]))).toBe('tensor([1.0000e-05, 1.0000e+00, 1.0000e+03], shape=[3])');
    expect(String(tensor([1, NaN, Infinity]))).toBe('tensor([1., nan, inf], shape=[3])');
    const x = tensor([1, 2], { requiresGrad: true });
    expect(String(x)).toBe('tensor([1., 2.], shape=[2], requires_grad=True)');
    expect(String(x.mul(2))).toBe('tensor([2., 4.], shape=[2], grad_fn=<MulBackward>)');
    expect(String(zeros(0, 3))).toBe('tensor([], shape=[0, 3])');
  });

  it('summarises large tensors with ... and keeps the shape', () => {
    const s = String(arange(2000).reshape(40, 50));
    expect(s).toContain('[   0,    1,    2, ...,   47,   48,   49]');
    expect(s).toContain('...,');
    expect(s.split('\n').length).toBe(7);
    expect(s.endsWith('shape=[40, 50], dtype=int32)')).toBe(true);
  });

  it('shows itself in notebooks through the Jupyter display protocol', () => {
    const bundle = (tensor([1, 2]) as unknown as Record<symbol, () => Record<string, unknown>>)[Symbol.for('Jupyter.display')]!();
    expect(bundle['text/plain']).toBe('tensor([1., 2.], shape=[2])');
  });
});

describe('the random generator', () => {
  it('continues a stream exactly from a saved state, including a pending normal deviate', () => {
    const { Generator } = E;
    const g = new Generator(5);
    g.normal(); // leaves the second Box-Muller value pending
    const state = g.getState();
    const a = [g.normal(), g.random(), g.nextUint32()];
    const h = new Generator(0);
    h.setState(state);
    expect([h.normal(), h.random(), h.nextUint32()]).toEqual(a);
  });
  it('gives well-spread 32-bit words (each bit set about half the time)', () => {
    const g = new E.Generator(9);
    const counts = new Array(32).fill(0);
    for (let i = 0; i < 20000; i++) {
      const w = g.nextUint32();
      for (let b = 0; b < 32; b++) if ((w >>> b) & 1) counts[b]++;
    }
    for (const c of counts) expect(Math.abs(c / 20000 - 0.5)).toBeLessThan(0.02);
  });
});
