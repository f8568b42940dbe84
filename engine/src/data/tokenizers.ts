/**
 * Tokenizers: text to tokens (characters or whitespace-separated words), and with a
 * vocabulary, text to indices and back. Preprocessing as Dive into Deep Learning does
 * for The Time Machine.
 */
import { describe } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { Vocab, type VocabOptions } from './vocab.js';

export type TokenLevel = 'char' | 'word';

function expectText(text: unknown, who: string): string {
  if (typeof text !== 'string') throw new TypeError(`${who}: expects a string of text, got ${describe(text)}`);
  return text;
}

/**
 * Splits text into tokens: 'char' gives every character (by code point, so an emoji is
 * one token, as Python's `list(text)`), 'word' the whitespace-separated words (as
 * Python's `text.split()`: runs of whitespace separate, no empty tokens).
 * @example tokenize('to be', 'char')   // ['t', 'o', ' ', 'b', 'e']
 */
export function tokenize(text: string, level: TokenLevel = 'char'): string[] {
  expectText(text, 'tokenize');
  if (level === 'char') return Array.from(text);
  if (level === 'word') return text.split(/\s+/u).filter((w) => w.length > 0);
  throw new RangeError(`tokenize: level must be 'char' or 'word', got ${describe(level)}`);
}

/**
 * Dive into Deep Learning's preprocessing of The Time Machine: every run of characters
 * other than the ASCII letters becomes one space, then everything is lower-cased, so
 * 26 letters and the space remain (with `<unk>`, a character vocabulary of 28).
 * @example lettersOnly('The Time-Machine, 1898!')   // 'the time machine '
 */
export function lettersOnly(text: string): string {
  return expectText(text, 'lettersOnly').replace(/[^A-Za-z]+/g, ' ').toLowerCase();
}

export interface EncodeOptions {
  /** Put `<bos>` first (the vocabulary must have it). */
  bos?: boolean;
  /** Put `<eos>` last (the vocabulary must have it). */
  eos?: boolean;
}

export interface DecodeOptions {
  /** Leave out `<pad>`, `<bos>` and `<eos>` (default false). */
  skipSpecial?: boolean;
}

/**
 * A tokenizer with its vocabulary: `encode(text)` gives indices, `decode(indices)` text.
 * Build one from a training text with `fromText`, or around an existing vocabulary.
 */
export abstract class Tokenizer {
  abstract readonly level: TokenLevel;
  protected abstract readonly separator: string;

  constructor(readonly vocab: Vocab) {
    if (!(vocab instanceof Vocab)) throw new TypeError(`${new.target.name}: expects a Vocab, got ${describe(vocab)}`);
  }

  /** The tokens of `text`. */
  tokenize(text: string): string[] {
    return tokenize(text, this.level);
  }

  /** The indices of the tokens of `text` (unknown tokens map to `<unk>`). */
  encode(text: string, options: EncodeOptions = {}): number[] {
    const ids = this.vocab.encode(this.tokenize(text));
    const special = (name: 'bos' | 'eos'): number => {
      const i = this.vocab[name];
      if (i === null) throw new RangeError(`${this.constructor.name}.encode: { ${name}: true } needs a vocabulary with <${name}> (build it with { ${name}: true })`);
      return i;
    };
    if (options.bos) ids.unshift(special('bos'));
    if (options.eos) ids.push(special('eos'));
    return ids;
  }

  /** The text of `indices` (tokens joined by '' for characters, ' ' for words). */
  decode(indices: Iterable<number> | Tensor, options: DecodeOptions = {}): string {
    let tokens = this.vocab.decode(indices);
    if (options.skipSpecial) {
      const skip = new Set([this.vocab.pad, this.vocab.bos, this.vocab.eos].filter((i): i is number => i !== null).map((i) => this.vocab.idxToToken(i)));
      tokens = tokens.filter((t) => !skip.has(t));
    }
    return tokens.join(this.separator);
  }
}

/**
 * Character-level tokenizer.
 * @example
 * const tok = CharTokenizer.fromText(lettersOnly(text), { order: 'alphabetical' });
 * tok.encode('time')            // indices
 * tok.decode(tok.encode('time')) // 'time'
 */
export class CharTokenizer extends Tokenizer {
  readonly level = 'char' as const;
  protected readonly separator = '';
  /** A tokenizer whose vocabulary holds the characters of `text` (see `VocabOptions`). */
  static fromText(text: string, options: VocabOptions = {}): CharTokenizer {
    return new CharTokenizer(new Vocab(tokenize(text, 'char'), options));
  }
}

/**
 * Word-level tokenizer (whitespace-separated words; preprocess punctuation first if it
 * should not stick to words).
 * @example
 * const tok = WordTokenizer.fromText(lettersOnly(text), { minFreq: 2 });
 */
export class WordTokenizer extends Tokenizer {
  readonly level = 'word' as const;
  protected readonly separator = ' ';
  /** A tokenizer whose vocabulary holds the words of `text` (see `VocabOptions`). */
  static fromText(text: string, options: VocabOptions = {}): WordTokenizer {
    return new WordTokenizer(new Vocab(tokenize(text, 'word'), options));
  }
}
