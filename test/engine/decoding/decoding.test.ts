/**
 * decoding: sampling with temperature and top-k (exact distributions, and draws that
 * follow them), and beam search (greedy at beam 1, the exact best sequence of a small
 * Markov chain found by enumeration, state reordering, length penalty).
 */
import { describe, expect, it } from 'vitest';
import { decoding, Generator, tensor } from '../../../engine/src/index.js';

describe('decoding.nextTokenProbabilities / sampleNext', () => {
  it('is softmax(logits / T) over the top k', () => {
    const p = decoding.nextTokenProbabilities(tensor([2, 1, 0, -1]), { temperature: 0.5, topK: 2 });
    const e = [Math.exp(4), Math.exp(2)];
    expect(Array.from(p)).toEqual([e[0]! / (e[0]! + e[1]!), e[1]! / (e[0]! + e[1]!), 0, 0].map((x) => expect.closeTo(x, 12)));
    expect(Array.from(decoding.nextTokenProbabilities([1, 3, 3, 0], { topK: 1 }))).toEqual([0, 0.5, 0.5, 0]); // ties with the k-th stay
    expect(Array.from(decoding.nextTokenProbabilities([1, 3, 2], { temperature: 0 }))).toEqual([0, 1, 0]);
    expect(decoding.sampleNext([1, 3, 2], { temperature: 0 })).toBe(1);
  });

  it('draws with those probabilities', () => {
    const g = new Generator(3);
    const logits = [0.5, 1.5, -0.5, 1.0];
    const p = decoding.nextTokenProbabilities(logits, { temperature: 0.7, topK: 3 });
    const counts = [0, 0, 0, 0];
    const n = 20000;
    for (let i = 0; i < n; i++) counts[decoding.sampleNext(logits, { temperature: 0.7, topK: 3, generator: g })]!++;
    expect(counts[2]).toBe(0);
    counts.forEach((c, i) => expect(Math.abs(c / n - p[i]!)).toBeLessThan(4 * Math.sqrt((p[i]! * (1 - p[i]!)) / n) + 1e-9));
  });

  it('names bad input', () => {
    expect(() => decoding.sampleNext(tensor([[1, 2]]))).toThrow('1-D tensor [vocab], got shape [1, 2]');
    expect(() => decoding.sampleNext([1, 2], { temperature: -1 })).toThrow('temperature must be a number ≥ 0');
    expect(() => decoding.sampleNext([1, 2], { topK: 0 })).toThrow('topK must be a positive integer');
    expect(() => decoding.sampleNext([NaN, 2])).toThrow('logit 0 is NaN');
  });
});

/** A Markov chain over tokens 0..V-1 as a step function: the next-token distribution depends on the last token. */
function chain(table: number[][]) {
  return (prefixes: number[][]) => ({ logits: prefixes.map((p) => table[p.at(-1)!]!.map(Math.log)) });
}

describe('decoding.beamSearch', () => {
  // tokens: 0 = <bos>, 1 = <eos>, 2 = A, 3 = B
  const table = [
    [0, 0, 0.6, 0.4], // after <bos>: A 0.6, B 0.4
    [0, 1, 0, 0],
    [0, 0.3, 0.35, 0.35], // after A: flat
    [0, 0.9, 0.05, 0.05], // after B: <eos> 0.9
  ];

  it('is greedy decoding at beam size 1', () => {
    const [h] = decoding.beamSearch(chain(table), { beamSize: 1, bos: 0, eos: 1, maxLength: 4 });
    // Greedy: A (0.6), then A or B tie at 0.35 (the lower id wins), ... up to the length limit.
    expect(h!.tokens).toEqual([2, 2, 2, 2]);
    expect(h!.finished).toBe(false);
  });

  it('finds a more probable sentence than greedy decoding', () => {
    const hyps = decoding.beamSearch(chain(table), { beamSize: 2, bos: 0, eos: 1, maxLength: 4 });
    expect(hyps[0]!.tokens).toEqual([3, 1]); // B <eos>: 0.4 · 0.9 = 0.36
    expect(hyps[0]!.logProb).toBeCloseTo(Math.log(0.36), 12);
    // A B <eos> (0.6 · 0.35 · 0.9 = 0.189) finishes one step later and beats A <eos> (0.18).
    expect(hyps[1]!.tokens).toEqual([2, 3, 1]);
    expect(hyps[1]!.logProb).toBeCloseTo(Math.log(0.189), 12);
    expect(hyps.every((h) => h.finished)).toBe(true);
  });

  it('keeps searching while a live hypothesis can still beat the finished ones', () => {
    // 0 <bos>, 1 <eos>, 2 A, 3 B, 4 D, 5 E. The likely sentence A D E <eos> (0.87) ends late;
    // unlikely ones (B <eos>: 0.099, A D <eos>: 0.009) end early and would fill a beam of 2.
    const t = [
      [0, 0, 0.9, 0.1, 0, 0],
      [0, 1, 0, 0, 0, 0],
      [0, 0.01, 0, 0, 0.99, 0],
      [0, 0.99, 0.01, 0, 0, 0],
      [0, 0.01, 0, 0, 0, 0.99],
      [0, 0.99, 0, 0, 0, 0.01],
    ];
    const [best] = decoding.beamSearch(chain(t), { beamSize: 2, bos: 0, eos: 1, maxLength: 6 });
    expect(best!.tokens).toEqual([2, 4, 5, 1]);
    expect(best!.logProb).toBeCloseTo(Math.log(0.9 * 0.99 * 0.99 * 0.99), 12);
  });

  it('with a wide beam returns the most probable sequence of all (checked by enumeration)', () => {
    const g = new Generator(5);
    const V = 4;
    const random = Array.from({ length: V }, () => {
      const r = Array.from({ length: V }, () => g.random() + 0.05);
      const s = r.reduce((a, b) => a + b, 0);
      return r.map((x) => x / s);
    });
    // Enumerate every sequence of up to 3 tokens after <bos> (0) that ends at <eos> (1) or at length 3.
    let best = { tokens: [] as number[], lp: -Infinity };
    const walk = (tokens: number[], lp: number) => {
      const last = tokens.at(-1);
      if (last === 1 || tokens.length === 3) {
        if (last === 1 && lp > best.lp) best = { tokens, lp };
        return;
      }
      for (let v = 0; v < V; v++) walk([...tokens, v], lp + Math.log(random[tokens.length ? tokens.at(-1)! : 0]![v]!));
    };
    walk([], 0);
    const [h] = decoding.beamSearch(chain(random), { beamSize: 64, bos: 0, eos: 1, maxLength: 3 });
    expect(h!.tokens).toEqual(best.tokens);
    expect(h!.logProb).toBeCloseTo(best.lp, 12);
  });

  it('reorders the state to follow the chosen hypotheses, and normalises by length when asked', () => {
    const seen: number[][] = [];
    // The state records the tokens consumed: every prefix but its last token, which the step consumes.
    decoding.beamSearch(
      (prefixes, state: number[][]) => {
        expect(state).toEqual(prefixes.map((p) => p.slice(1, -1)));
        seen.push(...prefixes);
        return { logits: prefixes.map((p) => table[p.at(-1)!]!.map(Math.log)), state: prefixes.map((p) => p.slice(1)) };
      },
      { beamSize: 3, bos: 0, eos: 1, maxLength: 4, state: [[]], reorder: (s, parents) => parents.map((i) => [...s[i]!]) },
    );
    expect(seen.length).toBeGreaterThan(3);
    // GNMT: score = log P / ((5 + |Y|) / 6)^α
    const [h] = decoding.beamSearch(chain(table), { beamSize: 2, bos: 0, eos: 1, maxLength: 4, lengthPenalty: 1 });
    expect(h!.score).toBeCloseTo(Math.log(0.36) / (7 / 6), 12);
  });

  it('names bad input', () => {
    expect(() => decoding.beamSearch(chain(table), { beamSize: 0, bos: 0, eos: 1 })).toThrow('beamSize must be an integer ≥ 1');
    expect(() => decoding.beamSearch(() => ({ logits: [[0, 0], [0, 0]] }), { beamSize: 2, bos: 0, eos: 1 })).toThrow('got 1 hypotheses but returned 2 rows');
    expect(() => decoding.beamSearch(() => ({ logits: [[0, 0]] }), { beamSize: 2, bos: 0, eos: 1, state: 1 })).toThrow('pass reorder(state, parents)');
    expect(() => decoding.beamSearch(() => ({ logits: [[0, 0]], state: 2 }), { beamSize: 2, bos: 0, eos: 1 })).toThrow('pass reorder(state, parents)');
  });
});
