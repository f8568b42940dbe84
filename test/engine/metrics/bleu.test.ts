/**
 * metrics.bleu against published numbers: SacreBLEU's README (github.com/mjpost/sacrebleu,
 * README.md, "Using SacreBLEU from Python", v2.x: BLEU = 48.53 and, with a missing
 * reference, 29.44), the worked example of modified unigram precision in Papineni et al.
 * (2002, §2.1.1: 2/7), and torchtext's documented `bleu_score` example (0.8408964276313782).
 * SacreBLEU's default 13a tokenizer splits the final full stop, so the sentences are
 * written here with it split off.
 */
import { describe, expect, it } from 'vitest';
import { metrics } from '../../../engine/src/index.js';

const sys = ['The dog bit the man .', "It wasn't surprising .", 'The man had just bitten him .'];
const refs1 = ['The dog bit the man .', 'It was not unexpected .', 'The man bit him first .'];
const refs2 = ['The dog had bit the man .', 'No one was surprised .', 'The man had bitten the dog .'];

describe('metrics.bleu', () => {
  it("gives SacreBLEU's README example: BLEU = 48.53", () => {
    const s = metrics.bleu(sys, sys.map((_, i) => [refs1[i]!, refs2[i]!]));
    expect(s.toString()).toBe('BLEU = 48.53 82.4/50.0/45.5/37.5 (BP = 0.943 ratio = 0.944 hyp_len = 17 ref_len = 18)');
    expect(s.matches).toEqual([14, 7, 5, 3]);
    expect(s.totals).toEqual([17, 14, 11, 8]);
  });

  it("gives SacreBLEU's example with one reference missing: BLEU = 29.44", () => {
    const s = metrics.bleu(sys, [[refs2[0]!], [refs1[1]!, refs2[1]!], [refs1[2]!, refs2[2]!]]);
    expect(s.toString()).toBe('BLEU = 29.44 82.4/42.9/27.3/12.5 (BP = 0.889 ratio = 0.895 hyp_len = 17 ref_len = 19)');
  });

  it('clips counts as in Papineni et al. (2002): "the the the the the the the" has modified unigram precision 2/7', () => {
    const s = metrics.sentenceBleu('the the the the the the the', ['the cat is on the mat', 'there is a cat on the mat'], { smooth: 'none' });
    expect(s.matches[0]).toBe(2);
    expect(s.totals[0]).toBe(7);
    expect(s.precisions[0]).toBeCloseTo((100 * 2) / 7, 10);
    expect(s.score).toBe(0); // no matching bigram, and no smoothing
  });

  it("gives torchtext's documented example (0.8408964276313782), token arrays in, corpus-level counts", () => {
    const s = metrics.bleu([['My', 'full', 'pytorch', 'test'], ['Another', 'Sentence']], [[['My', 'full', 'pytorch', 'test'], ['Completely', 'Different']], [['No', 'Match']]], { smooth: 'none' });
    // torchtext computes in float32: its value is 0.5^(1/4) rounded to float32.
    expect(s.score / 100).toBeCloseTo(0.8408964276313782, 7);
    expect(s.score / 100).toBeCloseTo(Math.pow(0.5, 0.25), 12);
  });

  it('is 100 for exact matches, penalises short output, smooths missing orders', () => {
    expect(metrics.sentenceBleu('a b c d e', ['a b c d e']).score).toBeCloseTo(100, 10);
    const short = metrics.sentenceBleu('a b c d', ['a b c d e f']);
    expect(short.brevityPenalty).toBeCloseTo(Math.exp(1 - 6 / 4), 12);
    // 'exp' smoothing: the k-th order without a match counts as 1 / (2^k · total).
    const smoothed = metrics.sentenceBleu('a b x c', ['a b c d']);
    expect(smoothed.matches).toEqual([3, 1, 0, 0]);
    expect(smoothed.precisions[2]).toBeCloseTo(100 / (2 * 2), 12);
    expect(smoothed.precisions[3]).toBeCloseTo(100 / (4 * 1), 12);
    expect(metrics.sentenceBleu('a b x c', ['a b c d'], { smooth: 'none' }).score).toBe(0);
    expect(metrics.sentenceBleu('', ['a b']).score).toBe(0);
    // The closest reference length, the shorter one on ties.
    expect(metrics.sentenceBleu('a b c', ['a b', 'a b c d']).referenceLength).toBe(2);
  });

  it('names bad input', () => {
    expect(() => metrics.bleu(['a'], [])).toThrow('one list of references per hypothesis (1), got 0');
    expect(() => metrics.bleu(['a'], [[]])).toThrow('hypothesis 0 needs a non-empty list of references');
    expect(() => metrics.bleu([3 as never], [['a']])).toThrow('hypothesis 0 must be a string');
    expect(() => metrics.bleu(['a'], [['a']], { maxOrder: 0 })).toThrow('maxOrder must be a positive integer');
  });
});
