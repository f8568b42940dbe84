/**
 * A vocabulary: the map between tokens and integer indices, built from token counts,
 * with reserved tokens for unknown words, padding and sequence boundaries.
 */
import { describe } from '../shape.js';
import { Tensor } from '../tensor.js';
import { compareCodePoints } from './code-point-order.js';
import { JUPYTER_DISPLAY } from '../display/protocol.js';

/** The reserved tokens' spellings (as D2L and torchtext write them). */
export const UNK = '<unk>';
export const PAD = '<pad>';
export const BOS = '<bos>';
export const EOS = '<eos>';

export interface VocabOptions {
  /** Tokens seen fewer times are left out (and map to `<unk>`). Default 1: keep every token. */
  minFreq?: number;
  /** Include `<unk>`, the index of every unknown token (default true). Without it, unknown tokens are an error. */
  unk?: boolean;
  /** Include `<pad>` (default false). */
  pad?: boolean;
  /** Include `<bos>`, begin of sequence (default false). */
  bos?: boolean;
  /** Include `<eos>`, end of sequence (default false). */
  eos?: boolean;
  /** Further reserved tokens, always present whatever their count. */
  reservedTokens?: readonly string[];
  /**
   * Index order. 'frequency' (default): the reserved tokens first (`<unk>`, `<pad>`,
   * `<bos>`, `<eos>`, then `reservedTokens`), then the other tokens by decreasing count,
   * ties by first appearance (Dive into Deep Learning 0.x, torchtext). 'alphabetical':
   * all tokens, reserved ones included, sorted by code point (Dive into Deep Learning
   * 1.0's `Vocab`, so indices match its corpora).
   */
  order?: 'frequency' | 'alphabetical';
}

/** A plain-data form of a vocabulary (`toJSON()`), to save next to model weights. */
export interface VocabJSON {
  tokens: string[];
  unk: string | null;
  tokenFreqs?: [string, number][];
}

/**
 * Maps tokens to indices and back.
 *
 * Built from a token list (or a list of token lists, e.g. one per line): tokens are
 * counted, rare ones dropped (`minFreq`), and the rest numbered in the chosen `order`.
 *
 * @example
 * const vocab = new Vocab(Array.from('hello world'), { pad: true });
 * vocab.length                 // 10: <unk> <pad> l o h e ' ' w r d
 * vocab.encode(['h', 'i'])     // [4, 0]  ('i' is unknown)
 * vocab.decode([4, 5])         // ['h', 'e']
 */
export class Vocab {
  /** [token, count] of every counted token, by decreasing count (ties by first appearance), as D2L's `token_freqs`. */
  readonly tokenFreqs: readonly (readonly [string, number])[];
  private list: readonly string[] = [];
  private index = new Map<string, number>();
  private unkToken: string | null = null;

  constructor(tokens: Iterable<string> | Iterable<Iterable<string>> = [], options: VocabOptions = {}) {
    if (options === null || typeof options !== 'object') throw new TypeError(`Vocab: options must be an object, got ${describe(options)}`);
    const minFreq = options.minFreq ?? 1;
    if (typeof minFreq !== 'number' || !Number.isFinite(minFreq) || minFreq < 0) {
      throw new RangeError(`Vocab: minFreq must be a number >= 0, got ${describe(minFreq)}`);
    }
    const order = options.order ?? 'frequency';
    if (order !== 'frequency' && order !== 'alphabetical') {
      throw new RangeError(`Vocab: order must be 'frequency' or 'alphabetical', got ${describe(order)}`);
    }
    const counts = countTokens(tokens);
    this.tokenFreqs = Object.freeze(
      Array.from(counts.entries())
        .map(([t, c], i) => ({ t, c, i }))
        .sort((a, b) => b.c - a.c || a.i - b.i)
        .map(({ t, c }) => Object.freeze([t, c] as const)),
    );
    const reserved: string[] = [];
    if (options.unk ?? true) reserved.push(UNK);
    if (options.pad) reserved.push(PAD);
    if (options.bos) reserved.push(BOS);
    if (options.eos) reserved.push(EOS);
    const extra = options.reservedTokens ?? [];
    if (!Array.isArray(extra)) throw new TypeError(`Vocab: reservedTokens must be an array of strings, got ${describe(extra)}`);
    extra.forEach((t, i) => {
      if (typeof t !== 'string') throw new TypeError(`Vocab: reservedTokens[${i}] must be a string, got ${describe(t)}`);
      reserved.push(t);
    });
    const list: string[] = [];
    const seen = new Set<string>();
    const add = (t: string): void => {
      if (!seen.has(t)) {
        seen.add(t);
        list.push(t);
      }
    };
    for (const t of reserved) add(t);
    for (const [t, c] of this.tokenFreqs) if (c >= minFreq) add(t);
    if (order === 'alphabetical') list.sort(compareCodePoints);
    this.setTokens(list, (options.unk ?? true) ? UNK : null);
  }

  private setTokens(list: readonly string[], unk: string | null): void {
    this.list = Object.freeze(list.slice());
    this.index = new Map(list.map((t, i) => [t, i]));
    this.unkToken = unk;
  }

  /** Token of each index (PyTorch/D2L: `idx_to_token`). */
  get idxToTokenList(): readonly string[] {
    return this.list;
  }

  /** A vocabulary with exactly these tokens at these indices (e.g. from `toJSON()`). */
  static fromTokens(tokens: readonly string[], options: { unk?: string | null } = {}): Vocab {
    if (!Array.isArray(tokens)) throw new TypeError(`Vocab.fromTokens: expects an array of tokens, got ${describe(tokens)}`);
    const seen = new Set<string>();
    tokens.forEach((t, i) => {
      if (typeof t !== 'string') throw new TypeError(`Vocab.fromTokens: tokens[${i}] must be a string, got ${describe(t)}`);
      if (seen.has(t)) throw new RangeError(`Vocab.fromTokens: the token ${JSON.stringify(t)} appears twice (at index ${i} and before)`);
      seen.add(t);
    });
    const unk = options.unk === undefined ? (seen.has(UNK) ? UNK : null) : options.unk;
    if (unk !== null && !seen.has(unk)) throw new RangeError(`Vocab.fromTokens: the unknown token ${JSON.stringify(unk)} is not among the tokens`);
    const v = new Vocab([], { unk: false });
    v.setTokens(tokens, unk);
    return v;
  }

  /** Rebuilds a vocabulary saved with `toJSON()`. */
  static fromJSON(json: VocabJSON): Vocab {
    if (json === null || typeof json !== 'object' || !Array.isArray(json.tokens)) {
      throw new TypeError('Vocab.fromJSON: expects the object returned by vocab.toJSON() ({ tokens, unk })');
    }
    return Vocab.fromTokens(json.tokens, { unk: json.unk ?? null });
  }

  /** Number of tokens (PyTorch users: `len(vocab)`). */
  get length(): number {
    return this.list.length;
  }

  /** Index of `<unk>`, or null when the vocabulary has none. */
  get unk(): number | null {
    return this.unkToken === null ? null : this.index.get(this.unkToken)!;
  }
  /** Index of `<pad>`, or null. */
  get pad(): number | null {
    return this.index.get(PAD) ?? null;
  }
  /** Index of `<bos>`, or null. */
  get bos(): number | null {
    return this.index.get(BOS) ?? null;
  }
  /** Index of `<eos>`, or null. */
  get eos(): number | null {
    return this.index.get(EOS) ?? null;
  }

  /** Whether `token` has its own index. */
  has(token: string): boolean {
    return this.index.has(token);
  }

  /** Index of `token`: the `<unk>` index for unknown tokens, or an error if there is no `<unk>`. */
  tokenToIdx(token: string): number {
    const i = this.index.get(token);
    if (i !== undefined) return i;
    if (typeof token !== 'string') throw new TypeError(`Vocab.tokenToIdx: tokens are strings, got ${describe(token)}`);
    if (this.unkToken === null) {
      throw new RangeError(`Vocab: unknown token ${JSON.stringify(token)}, and the vocabulary has no <unk> (build it with { unk: true })`);
    }
    return this.index.get(this.unkToken)!;
  }

  /** Token at index `idx`. */
  idxToToken(idx: number): string {
    if (!Number.isInteger(idx) || idx < 0 || idx >= this.list.length) {
      throw new RangeError(`Vocab: index ${describe(idx)} is out of range for a vocabulary of ${this.list.length} tokens`);
    }
    return this.list[idx]!;
  }

  /** Indices of `tokens`. */
  encode(tokens: Iterable<string>): number[] {
    if (typeof tokens === 'string') {
      throw new TypeError('Vocab.encode: expects a list of tokens, got a string; split it first (tokenize(text, "char") or a tokenizer)');
    }
    return Array.from(tokens, (t) => this.tokenToIdx(t));
  }

  /** Tokens of `indices` (an array, typed array, or int32 tensor of any shape, read row-major). */
  decode(indices: Iterable<number> | Tensor): string[] {
    const flat = indices instanceof Tensor ? Array.from(indices.toTypedArray()) : Array.from(indices);
    return flat.map((i) => this.idxToToken(i));
  }

  /** Saved form: the token list and the unknown token (counts included for reference). */
  toJSON(): VocabJSON {
    return { tokens: this.list.slice(), unk: this.unkToken, tokenFreqs: this.tokenFreqs.map(([t, c]) => [t, c]) };
  }

  toString(): string {
    const shown = this.list.slice(0, 10).map((t) => JSON.stringify(t));
    return `Vocab(${this.length} tokens: ${shown.join(', ')}${this.length > 10 ? ', ...' : ''})`;
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }

  [JUPYTER_DISPLAY](): Record<string, unknown> {
    return { 'text/plain': this.toString() };
  }
}

/** Counts tokens in a flat list or a list of lists (Map keeps first-appearance order). */
function countTokens(tokens: Iterable<string> | Iterable<Iterable<string>>): Map<string, number> {
  if (typeof tokens === 'string') {
    throw new TypeError('Vocab: expects a list of tokens, got a string; split it first (tokenize(text, "char") or tokenize(text, "word"))');
  }
  if (tokens === null || typeof (tokens as Iterable<unknown>)[Symbol.iterator] !== 'function') {
    throw new TypeError(`Vocab: expects a list of tokens (or of token lists), got ${describe(tokens)}`);
  }
  const counts = new Map<string, number>();
  const count = (t: unknown): void => {
    if (typeof t !== 'string') throw new TypeError(`Vocab: tokens must be strings, got ${describe(t)}`);
    counts.set(t, (counts.get(t) ?? 0) + 1);
  };
  for (const item of tokens as Iterable<unknown>) {
    if (typeof item === 'string') count(item);
    else if (item !== null && typeof item === 'object' && typeof (item as Iterable<unknown>)[Symbol.iterator] === 'function') {
      for (const t of item as Iterable<unknown>) count(t);
    } else count(item);
  }
  return counts;
}
