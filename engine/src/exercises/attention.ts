/** Exercises of lectures 4–5: attention pooling, masks, additive scores; BLEU and beam search. */
import { Tensor } from '../tensor.js';
import { describe } from '../shape.js';
import type { Generator } from '../random.js';
import { randn } from '../ops/creation.js';
import { ngramCounts } from '../metrics/bleu.js';
import type { Exercise } from './framework.js';

const rand = (g: Generator, ...shape: number[]) => randn(shape, { generator: g });

function pool(q: Tensor, K: Tensor, V: Tensor, scale: boolean, dim: -1 | 0 = -1): Tensor {
  const s = K.matmul(q).div(scale ? Math.sqrt(q.shape[0]!) : 1); // [n]
  const w = dim === -1 ? s.softmax(-1) : s.unsqueeze(1).softmax(1).squeeze(1);
  return w.matmul(V);
}

function masked(scores: number[], validLen: number, fill: number): number[] {
  const z = scores.map((s, i) => (i < validLen ? s : fill));
  const m = Math.max(...z);
  const e = z.map((v) => (v === -Infinity ? 0 : Math.exp(v - m)));
  const total = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / total);
}

function precision(candidate: string[], references: string[][], n: number, clipped: boolean): [number, number] {
  const c = ngramCounts(candidate, n);
  let matches = 0;
  let total = 0;
  for (const [k, count] of c) {
    const most = Math.max(0, ...references.map((r) => ngramCounts(r, n).get(k) ?? 0));
    matches += clipped ? Math.min(count, most) : most > 0 ? count : 0;
    total += count;
  }
  return [matches, total];
}

interface Beam {
  tokens: number[];
  logProb: number;
}

function extend(beams: Beam[], logProbs: number[][], beamSize: number, mode: 'right' | 'no-parent' | 'per-beam'): Beam[] {
  const all: Beam[] = [];
  beams.forEach((b, i) => {
    const mine = logProbs[i]!.map((lp, t) => ({ tokens: [...b.tokens, t], logProb: (mode === 'no-parent' ? 0 : b.logProb) + lp }));
    if (mode === 'per-beam') all.push(...mine.sort((x, y) => y.logProb - x.logProb).slice(0, beamSize));
    else all.push(...mine);
  });
  const sorted = all.sort((x, y) => y.logProb - x.logProb);
  return mode === 'per-beam' ? sorted : sorted.slice(0, beamSize);
}

export const attentionExercises: Exercise[] = [
  {
    id: 'attention-pooling',
    notebook: '04-attention',
    fn: 'attend',
    title: 'scaled dot-product attention of one query: Σ_i softmax(q·k_i/√d) v_i',
    cases: (g) => [[rand(g, 4), rand(g, 5, 4), rand(g, 5, 2)], [rand(g, 8).mul(3), rand(g, 3, 8), rand(g, 3, 3)]],
    expected: (q: Tensor, K: Tensor, V: Tensor) => pool(q, K, V, true),
    describeArgs: (q: Tensor, K: Tensor, V: Tensor) => `q [${q.shape}], K [${K.shape}], V [${V.shape}]`,
    mistakes: [
      { hint: 'The scores are not scaled: divide q·k by √d.', wrong: (q: Tensor, K: Tensor, V: Tensor) => pool(q, K, V, false) },
      { hint: 'This returns the weights; the output is their weighted sum of the values (the context vector).', wrong: (q: Tensor, K: Tensor) => K.matmul(q).div(Math.sqrt(q.shape[0]!)).softmax(-1) },
    ],
  },
  {
    id: 'masked-softmax',
    notebook: '04-attention',
    fn: 'maskedSoftmax',
    title: 'softmax over the first validLen scores; the rest get weight exactly 0',
    cases: () => [[[1, 2, 3, 4], 2], [[0.5, -1, 2], 3], [[3, 1, 4, 1, 5], 1]],
    expected: (scores: number[], validLen: number) => masked(scores, validLen, -Infinity),
    mistakes: [
      { hint: 'Setting a masked score to 0 still gives it weight (exp(0) = 1): masked scores must become −∞ (or a very negative number) before the softmax.', wrong: (scores: number[], validLen: number) => masked(scores, validLen, 0) },
      { hint: 'Nothing is masked.', wrong: (scores: number[]) => masked(scores, scores.length, 0) },
      {
        hint: 'The weights were zeroed after the softmax, so the valid ones no longer sum to 1: mask the scores before the softmax.',
        wrong: (scores: number[], validLen: number) => masked(scores, scores.length, 0).map((w, i) => (i < validLen ? w : 0)),
      },
    ],
    tolerance: 1e-9,
  },
  {
    id: 'additive-score',
    notebook: '04-attention',
    fn: 'additiveScore',
    title: 'the additive score a(q, k) = w_vᵀ tanh(W_q q + W_k k)',
    cases: (g) => [[rand(g, 2), rand(g, 3), rand(g, 4, 2), rand(g, 4, 3), rand(g, 4)], [rand(g, 5), rand(g, 5), rand(g, 6, 5), rand(g, 6, 5), rand(g, 6)]],
    expected: (q: Tensor, k: Tensor, Wq: Tensor, Wk: Tensor, wv: Tensor) => wv.mul(Wq.matmul(q).add(Wk.matmul(k)).tanh()).sum(),
    normalize: (v) => (v instanceof Tensor && v.numel() === 1 ? v.item() : v),
    describeArgs: (q: Tensor, k: Tensor, Wq: Tensor) => `q of size ${q.shape[0]}, k of size ${k.shape[0]}, ${Wq.shape[0]} hidden units`,
    mistakes: [
      { hint: 'The tanh is missing: without it the score is linear in q and k, and the hidden layer adds nothing.', wrong: (q: Tensor, k: Tensor, Wq: Tensor, Wk: Tensor, wv: Tensor) => wv.mul(Wq.matmul(q).add(Wk.matmul(k))).sum() },
      { hint: 'The result should be one number (a score): w_vᵀ turns the hidden vector into it.', wrong: (q: Tensor, k: Tensor, Wq: Tensor, Wk: Tensor) => Wq.matmul(q).add(Wk.matmul(k)).tanh() },
    ],
  },
  {
    id: 'brevity-penalty',
    notebook: '05-encoder-decoder-attention',
    fn: 'brevityPenalty',
    title: "BLEU's brevity penalty for a candidate length c and reference length r",
    cases: () => [[10, 12], [12, 10], [7, 7], [3, 9]],
    expected: (c: number, r: number) => (c >= r ? 1 : Math.exp(1 - r / c)),
    mistakes: [
      { hint: 'Candidates longer than the reference are not penalised: the penalty is 1 when c ≥ r.', wrong: (c: number, r: number) => Math.exp(1 - r / c) },
      { hint: 'The ratio is upside down: it is exp(1 − r/c).', wrong: (c: number, r: number) => (c >= r ? 1 : Math.exp(1 - c / r)) },
      { hint: 'A short candidate must be penalised: exp(1 − r/c) when c < r.', wrong: () => 1 },
    ],
    tolerance: 1e-12,
  },
  {
    id: 'clipped-precision',
    notebook: '05-encoder-decoder-attention',
    fn: 'clippedPrecision',
    title: "BLEU's modified n-gram precision: [clipped matches, candidate n-grams]",
    cases: () => [
      [['the', 'the', 'the', 'the', 'the', 'the', 'the'], [['the', 'cat', 'is', 'on', 'the', 'mat'], ['there', 'is', 'a', 'cat', 'on', 'the', 'mat']], 1],
      [['je', 'ne', 'suis', 'pas', 'malade', '.'], [['je', 'ne', 'suis', 'pas', 'triste', '.']], 2],
      [['a', 'b', 'a', 'b', 'a'], [['a', 'b', 'c'], ['b', 'a', 'b']], 2],
    ],
    expected: (cand: string[], refs: string[][], n: number) => precision(cand, refs, n, true),
    describeArgs: (cand: string[], refs: string[][], n: number) => `"${cand.join(' ')}", ${refs.length} reference${refs.length > 1 ? 's' : ''}, n = ${n}`,
    mistakes: [
      { hint: 'The counts are not clipped: an n-gram counts at most as often as it occurs in a single reference (the paper\'s "the the the …" example).', wrong: (cand: string[], refs: string[][], n: number) => precision(cand, refs, n, false) },
    ],
    tolerance: 0,
  },
  {
    id: 'beam-extend',
    notebook: '05-encoder-decoder-attention',
    fn: 'extendBeams',
    title: 'one step of beam search: the beamSize best extensions of all hypotheses',
    cases: () => [
      [[{ tokens: [2], logProb: Math.log(0.6) }, { tokens: [3], logProb: Math.log(0.4) }], [[-2, -1.2, -1.0], [-0.1, -3, -3]], 2],
      [[{ tokens: [], logProb: 0 }], [[-1.5, -0.3, -2.0, -0.9]], 3],
      [[{ tokens: [1, 1], logProb: -1 }, { tokens: [0, 2], logProb: -1.1 }, { tokens: [2, 2], logProb: -3 }], [[-0.5, -1, -3], [-0.2, -2, -2], [-0.01, -5, -5]], 3],
    ],
    expected: (beams: Beam[], logProbs: number[][], beamSize: number) => extend(beams, logProbs, beamSize, 'right'),
    normalize: (v) => {
      if (!Array.isArray(v) || !v.every((b) => b !== null && typeof b === 'object' && Array.isArray(b.tokens) && typeof b.logProb === 'number')) {
        throw new TypeError(`it returned ${describe(v)}; expected an array of hypotheses { tokens, logProb }, best first`);
      }
      return v.map((b: Beam) => [b.tokens, b.logProb]);
    },
    describeArgs: (beams: Beam[], _lp: number[][], beamSize: number) => `${beams.length} hypothes${beams.length > 1 ? 'es' : 'is'}, beam size ${beamSize}`,
    mistakes: [
      { hint: "An extension's score is the hypothesis' log-probability plus the new token's: without the first, every hypothesis starts from scratch at each step.", wrong: (beams: Beam[], lp: number[][], k: number) => extend(beams, lp, k, 'no-parent') },
      { hint: 'This keeps beamSize extensions of every hypothesis; the beam keeps beamSize in all, the best over all hypotheses.', wrong: (beams: Beam[], lp: number[][], k: number) => extend(beams, lp, k, 'per-beam') },
    ],
  },
];

