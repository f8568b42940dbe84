/**
 * Loading a text corpus from a file into tokens, a vocabulary and a corpus of indices,
 * with Dive into Deep Learning's Time Machine setup as a one-liner.
 *
 * Loading is asynchronous so that the same call works in Node (the file is read with `fs`,
 * relative to the working directory: the notebook's folder in the kernel) and in a browser
 * (fetched relative to the notebook's folder in the site; see io/files.ts).
 */
import { describe } from '../shape.js';
import { readText } from '../io/files.js';
import { lettersOnly, tokenize, type TokenLevel } from './tokenizers.js';
import { Vocab, type VocabOptions } from './vocab.js';

/**
 * The public-domain corpora the course uses, with the SHA-1 of the byte-identical copies
 * that Dive into Deep Learning and char-rnn/nanoGPT download.
 */
export const CORPORA = Object.freeze({
  timemachine: Object.freeze({ file: 'timemachine.txt', bytes: 178979, sha1: '090b5e7e70c295757f55df93cb0a180b9691891a' }),
  tinyshakespeare: Object.freeze({ file: 'tinyshakespeare.txt', bytes: 1115394, sha1: '04486597058d11dcc2c556b1d0433891eb639d2e' }),
});

export interface CorpusOptions {
  /** Character (default) or word tokens. */
  level?: TokenLevel;
  /** 'letters' (D2L: lower-case letters and spaces only), 'none' (default), or a function of the text. */
  preprocess?: 'letters' | 'none' | ((text: string) => string);
  /** Options of the vocabulary built from the tokens, or an existing vocabulary to use. */
  vocab?: VocabOptions | Vocab;
  /** Keep only the first `maxTokens` tokens. */
  maxTokens?: number;
  /** Expected SHA-1 of the file (see `readText`). */
  sha1?: string;
}

/** A loaded corpus: the (preprocessed) text, its tokens, the vocabulary and the indices. */
export interface LoadedCorpus {
  text: string;
  tokens: string[];
  vocab: Vocab;
  /** Token indices, one per token. */
  corpus: Int32Array;
}

/** Tokens, vocabulary and indices of a text (what `loadCorpus` does after reading the file). */
export function buildCorpus(text: string, options: Omit<CorpusOptions, 'sha1'> = {}): LoadedCorpus {
  const who = 'buildCorpus';
  if (typeof text !== 'string') throw new TypeError(`${who}: expects the text as a string, got ${describe(text)}`);
  const pre = options.preprocess ?? 'none';
  let processed: string;
  if (pre === 'letters') processed = lettersOnly(text);
  else if (pre === 'none') processed = text;
  else if (typeof pre === 'function') processed = pre(text);
  else throw new RangeError(`${who}: preprocess must be 'letters', 'none' or a function, got ${describe(pre)}`);
  if (typeof processed !== 'string') throw new TypeError(`${who}: the preprocess function returned ${describe(processed)}, expected a string`);
  let tokens = tokenize(processed, options.level ?? 'char');
  if (options.maxTokens !== undefined) {
    const m = options.maxTokens;
    if (typeof m !== 'number' || !Number.isInteger(m) || m <= 0) throw new RangeError(`${who}: maxTokens must be a positive integer, got ${describe(m)}`);
    tokens = tokens.slice(0, m);
  }
  const vocab = options.vocab instanceof Vocab ? options.vocab : new Vocab(tokens, options.vocab ?? {});
  return { text: processed, tokens, vocab, corpus: Int32Array.from(vocab.encode(tokens)) };
}

/**
 * Reads a text file and turns it into tokens, a vocabulary and a corpus of indices.
 * @example
 * const { corpus, vocab } = await loadCorpus('data/tinyshakespeare.txt', { vocab: { unk: false, order: 'alphabetical' } });
 * vocab.length   // 65, nanoGPT's character indices
 */
export async function loadCorpus(path: string, options: CorpusOptions = {}): Promise<LoadedCorpus> {
  const { sha1, ...rest } = options;
  return buildCorpus(await readText(path, sha1 === undefined ? {} : { sha1 }), rest);
}

/**
 * The Time Machine as Dive into Deep Learning 1.0 prepares it (`d2l.TimeMachine`):
 * letters and spaces only, lower-cased, character tokens, and an alphabetical
 * vocabulary with `<unk>` (28 tokens: ' ' = 0, '<unk>' = 1, 'a' = 2, ..., 'z' = 27), so
 * the corpus (173,428 indices for the D2L copy of the file) equals D2L's.
 * @example const { corpus, vocab } = await loadTimeMachine('data/timemachine.txt', { sha1: CORPORA.timemachine.sha1 });
 */
export function loadTimeMachine(path: string, options: { maxTokens?: number; sha1?: string } = {}): Promise<LoadedCorpus> {
  return loadCorpus(path, { ...options, level: 'char', preprocess: 'letters', vocab: { order: 'alphabetical' } });
}
