/**
 * Minibatches for language models from one long token sequence (a corpus of indices),
 * as Dive into Deep Learning's `seq_data_iter_random` and `seq_data_iter_sequential`:
 * X holds `numSteps` consecutive tokens per row and Y the same tokens shifted by one
 * (the next token to predict).
 */
import { describe, fmt, positiveInt } from '../shape.js';
import { Tensor } from '../tensor.js';
import { defaultGenerator, Generator } from '../random.js';

/** A corpus: token indices as an array, an Int32Array, or a 1-D int32 tensor. */
export type Corpus = readonly number[] | Int32Array | Tensor;

/** The corpus as an Int32Array (no copy for an Int32Array), checked to hold integer indices. */
export function corpusArray(corpus: Corpus, who: string): Int32Array {
  if (corpus instanceof Int32Array) return corpus;
  if (corpus instanceof Tensor) {
    if (corpus.dtype !== 'int32') throw new TypeError(`${who}: the corpus tensor must be int32 token indices, got ${corpus.dtype}`);
    if (corpus.ndim !== 1) throw new RangeError(`${who}: the corpus tensor must be 1-D, got shape ${fmt(corpus.shape)}`);
    return corpus.toTypedArray() as Int32Array;
  }
  if (!Array.isArray(corpus)) throw new TypeError(`${who}: the corpus must be an array of token indices, an Int32Array or a 1-D int32 tensor, got ${describe(corpus)}`);
  const out = new Int32Array(corpus.length);
  for (let i = 0; i < corpus.length; i++) {
    const v = corpus[i];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < -2147483648 || v > 2147483647) {
      throw new TypeError(`${who}: corpus[${i}] is ${describe(v)}, not an integer token index`);
    }
    out[i] = v;
  }
  return out;
}

export interface SeqIterOptions {
  /** Random source for the offset (and the shuffle); the default generator otherwise. */
  generator?: Generator;
  /**
   * Where the first window starts, instead of a random offset: 0..numSteps-1 for random
   * partitioning, 0..numSteps for sequential (D2L's ranges).
   */
  offset?: number;
}

function chooseOffset(options: SeqIterOptions, max: number, who: string): number {
  if (options.generator !== undefined && !(options.generator instanceof Generator)) {
    throw new TypeError(`${who}: generator must be a Generator (new Generator(seed)), got ${describe(options.generator)}`);
  }
  if (options.offset === undefined) return (options.generator ?? defaultGenerator).int(0, max + 1);
  const o = options.offset;
  if (typeof o !== 'number' || !Number.isInteger(o) || o < 0 || o > max) throw new RangeError(`${who}: offset must be an integer in [0, ${max}], got ${describe(o)}`);
  return o;
}

function batchTensor(rows: Int32Array, batchSize: number, numSteps: number): Tensor {
  return new Tensor(rows, [batchSize, numSteps]);
}

/**
 * Random partitioning: after a random offset in [0, numSteps), the corpus is cut into
 * non-overlapping windows of `numSteps` tokens; the windows are shuffled and grouped
 * `batchSize` at a time, so neighbouring rows of consecutive batches are not
 * neighbours in the text (reset the hidden state for every batch). Yields int32
 * `[X, Y]`, each [batchSize, numSteps], with Y = X shifted by one token.
 *
 * @example
 * for (const [X, Y] of seqDataIterRandom(corpus, 32, 35, { generator: new Generator(0) })) { ... }
 */
export function seqDataIterRandom(corpus: Corpus, batchSize: number, numSteps: number, options: SeqIterOptions = {}): IterableIterator<[Tensor, Tensor]> {
  const who = 'seqDataIterRandom';
  const data = corpusArray(corpus, who);
  positiveInt(batchSize, who, 'batchSize');
  positiveInt(numSteps, who, 'numSteps');
  const offset = chooseOffset(options, numSteps - 1, who);
  const numSubseqs = Math.max(Math.floor((data.length - offset - 1) / numSteps), 0);
  const numBatches = randomBatchCount(data.length, batchSize, numSteps, offset);
  if (numBatches === 0) throw tooShort(who, data.length, batchSize, numSteps, offset);
  const starts = Array.from({ length: numSubseqs }, (_, i) => offset + i * numSteps);
  const g = options.generator ?? defaultGenerator;
  for (let i = starts.length - 1; i > 0; i--) {
    const j = g.int(0, i + 1);
    [starts[i], starts[j]] = [starts[j]!, starts[i]!];
  }
  return (function* (): IterableIterator<[Tensor, Tensor]> {
    for (let b = 0; b < numBatches; b++) {
      const X = new Int32Array(batchSize * numSteps);
      const Y = new Int32Array(batchSize * numSteps);
      for (let r = 0; r < batchSize; r++) {
        const s = starts[b * batchSize + r]!;
        X.set(data.subarray(s, s + numSteps), r * numSteps);
        Y.set(data.subarray(s + 1, s + 1 + numSteps), r * numSteps);
      }
      yield [batchTensor(X, batchSize, numSteps), batchTensor(Y, batchSize, numSteps)];
    }
  })();
}

/**
 * Sequential partitioning: after a random offset in [0, numSteps], the corpus is split
 * into `batchSize` equal streams (rows), and the batches walk along them, so row r of a
 * batch continues row r of the previous batch in the text (the hidden state can be
 * carried across batches, detached). Yields int32 `[X, Y]`, each [batchSize, numSteps].
 *
 * @example
 * for (const [X, Y] of seqDataIterSequential(corpus, 32, 35)) { ... }
 */
export function seqDataIterSequential(corpus: Corpus, batchSize: number, numSteps: number, options: SeqIterOptions = {}): IterableIterator<[Tensor, Tensor]> {
  const who = 'seqDataIterSequential';
  const data = corpusArray(corpus, who);
  positiveInt(batchSize, who, 'batchSize');
  positiveInt(numSteps, who, 'numSteps');
  const offset = chooseOffset(options, numSteps, who);
  const streamLength = Math.floor(Math.max(data.length - offset - 1, 0) / batchSize);
  const numBatches = sequentialBatchCount(data.length, batchSize, numSteps, offset);
  if (numBatches === 0) throw tooShort(who, data.length, batchSize, numSteps, offset);
  return (function* (): IterableIterator<[Tensor, Tensor]> {
    for (let b = 0; b < numBatches; b++) {
      const X = new Int32Array(batchSize * numSteps);
      const Y = new Int32Array(batchSize * numSteps);
      for (let r = 0; r < batchSize; r++) {
        const s = offset + r * streamLength + b * numSteps;
        X.set(data.subarray(s, s + numSteps), r * numSteps);
        Y.set(data.subarray(s + 1, s + 1 + numSteps), r * numSteps);
      }
      yield [batchTensor(X, batchSize, numSteps), batchTensor(Y, batchSize, numSteps)];
    }
  })();
}

function randomBatchCount(n: number, batchSize: number, numSteps: number, offset: number): number {
  return Math.floor(Math.max(Math.floor((n - offset - 1) / numSteps), 0) / batchSize);
}

function sequentialBatchCount(n: number, batchSize: number, numSteps: number, offset: number): number {
  return Math.floor(Math.floor(Math.max(n - offset - 1, 0) / batchSize) / numSteps);
}

function tooShort(who: string, n: number, batchSize: number, numSteps: number, offset: number): RangeError {
  return new RangeError(
    `${who}: a corpus of ${n} tokens is too short for one batch of ${batchSize} × ${numSteps} tokens (after offset ${offset}, plus one target token); ` +
      'use a smaller batchSize or numSteps',
  );
}

export interface SeqDataLoaderOptions {
  batchSize: number;
  numSteps: number;
  /** 'random' (default) or 'sequential' partitioning; see `seqDataIterRandom` / `seqDataIterSequential`. */
  partition?: 'random' | 'sequential';
  /** Random source (a fresh offset, and shuffle, each epoch). */
  generator?: Generator;
}

/**
 * Language-model minibatches, one epoch per iteration (each with a new random offset),
 * as D2L's `SeqDataLoader`.
 * @example
 * const loader = new SeqDataLoader(corpus, { batchSize: 32, numSteps: 35, partition: 'sequential' });
 * for (let epoch = 0; epoch < 10; epoch++) for (const [X, Y] of loader) { ... }
 */
export class SeqDataLoader implements Iterable<[Tensor, Tensor]> {
  readonly batchSize: number;
  readonly numSteps: number;
  readonly partition: 'random' | 'sequential';
  private readonly corpus: Int32Array;
  private readonly generator: Generator | undefined;

  constructor(corpus: Corpus, options: SeqDataLoaderOptions) {
    const who = 'SeqDataLoader';
    if (options === null || typeof options !== 'object') throw new TypeError(`${who}: expects options { batchSize, numSteps, partition? }, got ${describe(options)}`);
    this.corpus = corpusArray(corpus, who);
    this.batchSize = positiveInt(options.batchSize, who, 'batchSize');
    this.numSteps = positiveInt(options.numSteps, who, 'numSteps');
    const p = options.partition ?? 'random';
    if (p !== 'random' && p !== 'sequential') throw new RangeError(`${who}: partition must be 'random' or 'sequential', got ${describe(p)}`);
    this.partition = p;
    this.generator = options.generator;
    // Fail now, not at some later epoch, if the corpus cannot fill a batch at every offset.
    const worst = p === 'random' ? this.numSteps - 1 : this.numSteps;
    const count = p === 'random' ? randomBatchCount : sequentialBatchCount;
    if (count(this.corpus.length, this.batchSize, this.numSteps, worst) === 0) {
      throw tooShort(who, this.corpus.length, this.batchSize, this.numSteps, worst);
    }
  }

  [Symbol.iterator](): Iterator<[Tensor, Tensor]> {
    const iter = this.partition === 'random' ? seqDataIterRandom : seqDataIterSequential;
    return iter(this.corpus, this.batchSize, this.numSteps, this.generator ? { generator: this.generator } : {});
  }
}

/**
 * Splits a corpus into a training part and a validation part that follows it (no
 * window of one part overlaps the other). Give `valFraction` (default 0.1) or `numVal`
 * tokens. The parts are views of one Int32Array.
 * @example const { train, val } = splitCorpus(corpus, { valFraction: 0.1 });
 */
export function splitCorpus(corpus: Corpus, options: { valFraction?: number; numVal?: number } = {}): { train: Int32Array; val: Int32Array } {
  const who = 'splitCorpus';
  const data = corpusArray(corpus, who);
  if (options.valFraction !== undefined && options.numVal !== undefined) throw new TypeError(`${who}: give valFraction or numVal, not both`);
  let numVal: number;
  if (options.numVal !== undefined) {
    const n = options.numVal;
    if (typeof n !== 'number' || !Number.isInteger(n) || n <= 0 || n >= data.length) {
      throw new RangeError(`${who}: numVal must be an integer in [1, ${data.length - 1}] for a corpus of ${data.length} tokens, got ${describe(n)}`);
    }
    numVal = n;
  } else {
    const f = options.valFraction ?? 0.1;
    if (typeof f !== 'number' || !(f > 0 && f < 1)) throw new RangeError(`${who}: valFraction must be a number in (0, 1), got ${describe(f)}`);
    numVal = Math.round(data.length * f);
    if (numVal < 1 || numVal >= data.length) throw new RangeError(`${who}: valFraction ${f} of a corpus of ${data.length} tokens leaves an empty part`);
  }
  const cut = data.length - numVal;
  return { train: data.subarray(0, cut), val: data.subarray(cut) };
}
