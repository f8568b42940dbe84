/**
 * BLEU (Papineni et al., 2002, "BLEU: a Method for Automatic Evaluation of Machine
 * Translation"): the geometric mean of modified n-gram precisions (n = 1..4) times a
 * brevity penalty, computed over a whole corpus, with SacreBLEU's conventions (Post,
 * 2018): the closest reference length (the shorter on ties), scores on a 0–100 scale,
 * and the "exp" smoothing of Chen & Cherry (2014, method 3) for n-gram orders without
 * a match. Inputs are already tokenized (arrays of tokens, or strings split on spaces).
 */
import { describe } from '../shape.js';

/** Options of `bleu` and `sentenceBleu`. */
export interface BleuOptions {
  /** Largest n-gram order. Default 4. */
  maxOrder?: number;
  /**
   * 'exp' (default, SacreBLEU's): an order with no matching n-gram counts as precision
   * 1 / (2^k · total) for the k-th such order; 'none': such an order makes BLEU 0.
   */
  smooth?: 'exp' | 'none';
}

/** A BLEU score with the statistics it is computed from. */
export interface BleuScore {
  /** BLEU on a 0–100 scale. */
  score: number;
  /** Modified n-gram precisions in percent, n = 1..maxOrder (smoothed where a count is 0). */
  precisions: number[];
  /** Matching (clipped) n-gram counts per order. */
  matches: number[];
  /** Candidate n-gram counts per order. */
  totals: number[];
  /** Brevity penalty: 1 if the candidates are at least as long as the references, else exp(1 − r/c). */
  brevityPenalty: number;
  /** Total candidate length c. */
  hypothesisLength: number;
  /** Total effective reference length r (per sentence, the reference length closest to the candidate's). */
  referenceLength: number;
  /** SacreBLEU's one-line summary, e.g. "BLEU = 48.53 82.4/50.0/45.5/37.5 (BP = 0.943 ratio = 0.944 hyp_len = 17 ref_len = 18)". */
  toString(): string;
}

type Sentence = string | readonly string[];

function tokensOf(s: Sentence, who: string, what: string): readonly string[] {
  if (typeof s === 'string') return s.split(' ').filter((t) => t !== '');
  if (Array.isArray(s) && s.every((t) => typeof t === 'string')) return s;
  throw new TypeError(`${who}: ${what} must be a string (tokens separated by spaces) or an array of token strings, got ${describe(s)}`);
}

/** n-gram counts of a token list, keyed by the tokens joined with U+0001 (which no token contains in practice). */
export function ngramCounts(tokens: readonly string[], n: number): Map<string, number> {
  const counts = new Map<string, number>();
  for (let i = 0; i + n <= tokens.length; i++) {
    const key = tokens.slice(i, i + n).join('\u0001');
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

function checkOptions(options: BleuOptions, who: string): { maxOrder: number; smooth: 'exp' | 'none' } {
  const maxOrder = options.maxOrder ?? 4;
  if (!Number.isInteger(maxOrder) || maxOrder < 1) throw new RangeError(`${who}: maxOrder must be a positive integer, got ${describe(options.maxOrder)}`);
  const smooth = options.smooth ?? 'exp';
  if (smooth !== 'exp' && smooth !== 'none') throw new RangeError(`${who}: smooth must be 'exp' or 'none', got ${describe(options.smooth)}`);
  return { maxOrder, smooth };
}

function score(matches: number[], totals: number[], hyp: number, ref: number, maxOrder: number, smooth: 'exp' | 'none'): BleuScore {
  const brevityPenalty = hyp >= ref ? 1 : hyp > 0 ? Math.exp(1 - ref / hyp) : 0;
  const precisions = new Array<number>(maxOrder).fill(0);
  let value = 0;
  if (matches.some((m) => m > 0)) {
    let logSum = 0;
    let halvings = 1;
    for (let n = 0; n < maxOrder; n++) {
      if (totals[n] === 0) {
        // No candidate n-grams of this order at all (every candidate shorter than n): no precision.
        logSum = -Infinity;
        break;
      }
      if (matches[n]! > 0) precisions[n] = (100 * matches[n]!) / totals[n]!;
      else if (smooth === 'exp') {
        halvings *= 2;
        precisions[n] = 100 / (halvings * totals[n]!);
      }
      logSum += Math.log(precisions[n]!);
    }
    value = brevityPenalty * Math.exp(logSum / maxOrder);
  }
  const result: BleuScore = {
    score: value,
    precisions,
    matches,
    totals,
    brevityPenalty,
    hypothesisLength: hyp,
    referenceLength: ref,
    toString() {
      const ratio = ref > 0 ? hyp / ref : 0;
      return `BLEU = ${value.toFixed(2)} ${precisions.map((p) => p.toFixed(1)).join('/')} (BP = ${brevityPenalty.toFixed(3)} ratio = ${ratio.toFixed(3)} hyp_len = ${hyp} ref_len = ${ref})`;
    },
  };
  return result;
}

/**
 * Corpus BLEU of `hypotheses` against `references`: `references[i]` holds the reference
 * translations of hypothesis i (one or more). Matches are counted over the whole corpus
 * before the precisions are formed, as in the paper — not an average of sentence scores.
 *
 * @example
 * metrics.bleu(['the cat sat on the mat'], [['the cat is on the mat', 'there is a cat on the mat']]).score
 */
export function bleu(hypotheses: readonly Sentence[], references: readonly (readonly Sentence[])[], options: BleuOptions = {}): BleuScore {
  const who = 'bleu';
  if (!Array.isArray(hypotheses)) throw new TypeError(`${who}: hypotheses must be an array of sentences, got ${describe(hypotheses)}`);
  if (!Array.isArray(references) || references.length !== hypotheses.length) {
    throw new RangeError(`${who}: references must be an array with one list of references per hypothesis (${hypotheses.length}), got ${Array.isArray(references) ? references.length : describe(references)}`);
  }
  const { maxOrder, smooth } = checkOptions(options, who);
  const matches = new Array<number>(maxOrder).fill(0);
  const totals = new Array<number>(maxOrder).fill(0);
  let hypLen = 0;
  let refLen = 0;
  hypotheses.forEach((h, i) => {
    const hyp = tokensOf(h, who, `hypothesis ${i}`);
    const refsIn = references[i];
    if (!Array.isArray(refsIn) || refsIn.length === 0) throw new RangeError(`${who}: hypothesis ${i} needs a non-empty list of references, got ${describe(refsIn)}`);
    const refs = refsIn.map((r, j) => tokensOf(r, who, `reference ${j} of hypothesis ${i}`));
    hypLen += hyp.length;
    // The closest reference length; the shorter one on ties.
    let best = refs[0]!.length;
    for (const r of refs) {
      const d = Math.abs(r.length - hyp.length);
      const bd = Math.abs(best - hyp.length);
      if (d < bd || (d === bd && r.length < best)) best = r.length;
    }
    refLen += best;
    for (let n = 1; n <= maxOrder; n++) {
      const counts = ngramCounts(hyp, n);
      // Each n-gram counts at most as often as it appears in any single reference (the "clipping").
      const maxRef = new Map<string, number>();
      for (const r of refs) for (const [k, c] of ngramCounts(r, n)) maxRef.set(k, Math.max(maxRef.get(k) ?? 0, c));
      for (const [k, c] of counts) {
        matches[n - 1]! += Math.min(c, maxRef.get(k) ?? 0);
        totals[n - 1]! += c;
      }
    }
  });
  return score(matches, totals, hypLen, refLen, maxOrder, smooth);
}

/** BLEU of one hypothesis against its references (the corpus formula on a corpus of one sentence). */
export function sentenceBleu(hypothesis: Sentence, references: readonly Sentence[], options: BleuOptions = {}): BleuScore {
  return bleu([hypothesis], [references], options);
}
