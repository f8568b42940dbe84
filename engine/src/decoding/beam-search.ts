/**
 * Beam search for any left-to-right decoder: it keeps the `beamSize` most probable
 * prefixes at every step instead of the single most probable token (greedy decoding).
 * The model enters through a step function, so the same search serves recurrent
 * decoders (which carry a state) and Transformer decoders (which read the whole prefix).
 */
import { Tensor } from '../tensor.js';
import { describe } from '../shape.js';
import { noGrad } from '../autograd/grad-mode.js';

/** What a step function returns for the live hypotheses. */
export interface BeamStep<S> {
  /** Next-token scores [live, vocab] (logits or log-probabilities: a log-softmax is applied to each row). */
  logits: Tensor | ArrayLike<number>[];
  /**
   * The state after this step, one row per live hypothesis in their order (e.g. a recurrent
   * state): the step gets the state that has consumed each prefix but its last token,
   * consumes that token, and returns the state that has consumed the whole prefix. Omit
   * it if there is none (a Transformer decoder that re-reads the prefix).
   */
  state?: S;
}

/** Options of `beamSearch`. */
export interface BeamSearchOptions<S> {
  /** Hypotheses kept at every step (1 = greedy decoding). */
  beamSize: number;
  /** First token of every hypothesis (e.g. `<bos>`). */
  bos: number;
  /** Token that ends a hypothesis. */
  eos: number;
  /** Longest output, in tokens after `bos` (`eos` included). Default 32. */
  maxLength?: number;
  /**
   * Length normalisation α of GNMT (Wu et al., 2016, eq. 14): hypotheses are ranked by
   * log P / ((5 + length) / 6)^α. Default 0: by log P alone.
   */
  lengthPenalty?: number;
  /** The state before the first step (with the single hypothesis [bos]). */
  state?: S;
  /**
   * Takes the state rows of the chosen parents: called with the state and, for each new
   * hypothesis, the index of the live hypothesis it extends. Needed when there is a state;
   * e.g. `(h, parents) => h.indexSelect(1, tensor(parents, { dtype: 'int32' }))` for a
   * GRU state [layers, batch, hidden].
   */
  reorder?: (state: S, parents: number[]) => S;
}

/** One hypothesis of a beam search. */
export interface Hypothesis {
  /** Generated tokens after `bos` (ending with `eos` if finished). */
  tokens: number[];
  /** Sum of the log-probabilities of the tokens. */
  logProb: number;
  /** What the search ranks by: `logProb`, length-normalised if `lengthPenalty` > 0. */
  score: number;
  /** Whether it ended with `eos` (else it stopped at `maxLength`). */
  finished: boolean;
}

function rowsOf(logits: Tensor | ArrayLike<number>[], n: number, who: string): Float64Array[] {
  let rows: Float64Array[];
  if (logits instanceof Tensor) {
    if (logits.ndim !== 2) throw new RangeError(`${who}: the step function must return logits [live hypotheses, vocab], got shape [${logits.shape.join(', ')}]`);
    const V = logits.shape[1]!;
    const flat = logits.toTypedArray() as ArrayLike<number>;
    rows = Array.from({ length: logits.shape[0]! }, (_, i) => Float64Array.from({ length: V }, (_, j) => flat[i * V + j]!));
  } else if (Array.isArray(logits)) rows = logits.map((r) => Float64Array.from(r));
  else throw new TypeError(`${who}: the step function must return { logits } as a Tensor [live, vocab] or an array of rows, got ${describe(logits)}`);
  if (rows.length !== n) throw new RangeError(`${who}: the step function got ${n} hypotheses but returned ${rows.length} rows of logits`);
  for (const r of rows) {
    let max = -Infinity;
    for (const v of r) if (v > max) max = v;
    let sum = 0;
    for (const v of r) sum += Math.exp(v - max);
    const lse = max + Math.log(sum);
    for (let j = 0; j < r.length; j++) r[j] = r[j]! - lse;
  }
  return rows;
}

/**
 * Beam search. `step(prefixes, state)` receives the live hypotheses (each a token list
 * starting with `bos`) and the state whose rows belong to them, and returns next-token
 * logits, one row per hypothesis, and the new state. At every step each live hypothesis
 * is extended by every token; the `beamSize` best extensions that do not end in `eos` stay
 * live, and an extension ending in `eos` that ranks among the `beamSize` best is finished.
 * The search stops when no live hypothesis can beat the `beamSize` best finished ones,
 * when none is live, or at `maxLength`. Returns up to `beamSize` hypotheses, best first
 * (finished ones, then unfinished ones if too few finished). Runs without gradients. With
 * `beamSize: 1` it is greedy decoding.
 *
 * @example
 * // a Transformer decoder that re-reads the whole prefix at every step
 * const [best] = decoding.beamSearch((prefixes) => {
 *   const h = model.decode(memory.expand(prefixes.length, -1, -1), tensor(prefixes, { dtype: 'int32' }));
 *   return { logits: model.generator.forward(h.select(1, h.shape[1] - 1)) };
 * }, { beamSize: 4, bos: BOS, eos: EOS, maxLength: 10 });
 * best.tokens   // [...ids, EOS]
 */
export function beamSearch<S = undefined>(step: (prefixes: number[][], state: S) => BeamStep<S>, options: BeamSearchOptions<S>): Hypothesis[] {
  const who = 'beamSearch';
  if (typeof step !== 'function') throw new TypeError(`${who}: expects a step function (prefixes, state) => { logits, state }, got ${describe(step)}`);
  if (options === null || typeof options !== 'object') throw new TypeError(`${who}: expects options { beamSize, bos, eos, ... }, got ${describe(options)}`);
  const { beamSize, bos, eos } = options;
  const maxLength = options.maxLength ?? 32;
  const alpha = options.lengthPenalty ?? 0;
  for (const [name, v, min] of [['beamSize', beamSize, 1], ['maxLength', maxLength, 1], ['bos', bos, 0], ['eos', eos, 0]] as const) {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min) throw new RangeError(`${who}: ${name} must be an integer ≥ ${min}, got ${describe(v)}`);
  }
  if (typeof alpha !== 'number' || !(alpha >= 0)) throw new RangeError(`${who}: lengthPenalty must be ≥ 0, got ${describe(alpha)}`);
  const reorder = options.reorder;
  const needReorder = () => new TypeError(`${who}: the step function returns a state: pass reorder(state, parents), which takes the state rows of the chosen hypotheses`);
  if (options.state !== undefined && typeof reorder !== 'function') throw needReorder();
  const scoreOf = (logProb: number, length: number) => (alpha === 0 ? logProb : logProb / Math.pow((5 + length) / 6, alpha));

  return noGrad(() => {
    let live: { tokens: number[]; logProb: number }[] = [{ tokens: [], logProb: 0 }];
    let state = options.state as S;
    const finished: Hypothesis[] = [];
    for (let t = 0; t < maxLength && live.length > 0; t++) {
      const out = step(live.map((h) => [bos, ...h.tokens]), state);
      if (out === null || typeof out !== 'object') throw new TypeError(`${who}: the step function must return { logits, state? }, got ${describe(out)}`);
      const rows = rowsOf(out.logits, live.length, who);
      // Every extension of every live hypothesis, best first.
      const candidates: { parent: number; token: number; logProb: number }[] = [];
      rows.forEach((r, parent) => r.forEach((lp, token) => candidates.push({ parent, token, logProb: live[parent]!.logProb + lp })));
      candidates.sort((a, b) => b.logProb - a.logProb || a.parent - b.parent || a.token - b.token);
      const next: { tokens: number[]; logProb: number }[] = [];
      const parents: number[] = [];
      for (let rank = 0; rank < candidates.length && next.length < beamSize; rank++) {
        const c = candidates[rank]!;
        if (c.logProb === -Infinity) break;
        const tokens = [...live[c.parent]!.tokens, c.token];
        if (c.token === eos) {
          // An ending counts only if it ranks among the beamSize best extensions (as in Hugging Face's and fairseq's beam search).
          if (rank < beamSize) finished.push({ tokens, logProb: c.logProb, score: scoreOf(c.logProb, tokens.length), finished: true });
          continue;
        }
        next.push({ tokens, logProb: c.logProb });
        parents.push(c.parent);
      }
      live = next;
      if (out.state !== undefined && live.length > 0) {
        if (typeof reorder !== 'function') throw needReorder();
        state = reorder(out.state, parents);
      }
      // Done when beamSize hypotheses have ended and no live one can still beat them: a live
      // log-probability only falls as tokens are added (with a length penalty this is the
      // usual heuristic, comparing the current normalised scores).
      if (finished.length >= beamSize && live.length > 0) {
        const kept = finished.map((h) => h.score).sort((a, b) => b - a)[beamSize - 1]!;
        const bestLive = Math.max(...live.map((h) => scoreOf(h.logProb, h.tokens.length)));
        if (bestLive <= kept) break;
      }
    }
    const unfinished = live.map((h) => ({ ...h, score: scoreOf(h.logProb, h.tokens.length), finished: false }));
    const byScore = (a: Hypothesis, b: Hypothesis) => b.score - a.score;
    return [...finished.sort(byScore), ...unfinished.sort(byScore)].slice(0, beamSize);
  });
}
