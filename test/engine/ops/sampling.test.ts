/** Random ops: dropout, multinomial and topk behaviour that fixtures cannot pin down. */
import { describe, expect, it } from 'vitest';
import * as E from '../../../engine/src/index.js';
import { tensor, ones, randn, manualSeed, Generator } from '../../../engine/src/index.js';

describe('dropout', () => {
  it('zeroes about p of the elements, scales the rest by 1/(1-p), and is the identity in eval', () => {
    manualSeed(0);
    const x = ones([10000]);
    const y = E.dropout(x, { p: 0.3 });
    const v = y.toTypedArray();
    const kept = v.filter((a) => a !== 0);
    expect(Math.abs(kept.length / v.length - 0.7)).toBeLessThan(0.02);
    for (const a of kept) expect(a).toBeCloseTo(1 / 0.7, 6);
    expect(E.dropout(x, { p: 0.3, training: false })).toBe(x);
    expect(() => E.dropout(x, { p: 1.5 })).toThrow('dropout: p must be a probability in [0, 1], got 1.5');
  });

  it('is reproducible with a seed or generator, and its gradient uses the same mask', () => {
    const x = randn([50], { requiresGrad: true });
    const a = E.dropout(x, { p: 0.5, generator: new Generator(3) });
    const b = E.dropout(x, { p: 0.5, generator: new Generator(3) });
    expect(a.toArray()).toEqual(b.toArray());
    a.sum().backward();
    const g = x.grad!.toTypedArray();
    const out = a.toTypedArray();
    for (let i = 0; i < 50; i++) expect(g[i]).toBe(out[i] === 0 ? 0 : 2);
  });
});

describe('multinomial', () => {
  it('samples in proportion to the weights, reproducibly', () => {
    manualSeed(5);
    const w = tensor([0.1, 0.0, 0.6, 0.3]);
    const s = E.multinomial(w, 20000, { replacement: true }).toTypedArray();
    const counts = [0, 0, 0, 0];
    for (const i of s) counts[i]!++;
    expect(counts[1]).toBe(0);
    expect(Math.abs(counts[2]! / 20000 - 0.6)).toBeLessThan(0.02);
    expect(Math.abs(counts[3]! / 20000 - 0.3)).toBeLessThan(0.02);
    manualSeed(5);
    expect(Array.from(E.multinomial(w, 20000, { replacement: true }).toTypedArray())).toEqual(Array.from(s));
  });

  it('draws without replacement by default and explains impossible requests', () => {
    const s = E.multinomial(tensor([[1, 1, 1], [5, 0, 1]]), 2).toArray() as number[][];
    expect(new Set(s[0]).size).toBe(2);
    expect(s[1]!.sort()).toEqual([0, 2]);
    expect(() => E.multinomial(tensor([1, 1]), 3)).toThrow('multinomial: cannot draw 3 samples without replacement from 2 categories');
    expect(() => E.multinomial(tensor([0, 0]), 1)).toThrow('multinomial: row 0 of the weights sums to 0');
    expect(() => E.multinomial(tensor([1, -1]), 1)).toThrow('multinomial: weights must be finite and non-negative; row 0 has -1 at 1');
  });
});

describe('topk', () => {
  it('returns sorted values and indices', () => {
    const [v, i] = E.topk(tensor([3, 1, 4, 1, 5, 9, 2]), 3);
    expect(v.toArray()).toEqual([9, 5, 4]);
    expect(i.toArray()).toEqual([5, 4, 2]);
    expect(i.dtype).toBe('int32');
  });
});
