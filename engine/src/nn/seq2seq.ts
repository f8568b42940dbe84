/**
 * The encoder-decoder with additive (Bahdanau) attention of the lectures, as Dive into
 * Deep Learning builds it: a recurrent encoder reads the source; at every target step the
 * decoder's top hidden state queries the encoder's outputs, and the context vector (their
 * attention-weighted sum) is fed into the decoder's recurrent layer with the previous
 * target token. Tensors are batch-first: tokens [batch, steps].
 */
import { Tensor } from '../tensor.js';
import { fmt } from '../shape.js';
import { noGrad } from '../autograd/grad-mode.js';
import { cat, stack } from '../ops/join.js';
import { expectIndex, expectTensor } from '../ops/helpers.js';
import { Module } from './module.js';
import { Embedding, Linear, Dropout } from './layers.js';
import { GRU, LSTM } from './rnn.js';
import { AdditiveAttention } from './attention.js';

export type RecurrentKind = 'gru' | 'lstm';

/** A recurrent state: h for GRU, [h, c] for LSTM, each [numLayers, batch, hidden]. */
export type RecurrentState = Tensor | [Tensor, Tensor];

export interface Seq2SeqOptions {
  /** Embedding size (default 32). */
  embedSize?: number;
  /** Hidden size of encoder and decoder (default 64). */
  hiddenSize?: number;
  /** Recurrent layers in each (default 2). */
  numLayers?: number;
  /** 'gru' (default, as D2L) or 'lstm'. */
  cell?: RecurrentKind;
  /** Dropout between recurrent layers and on embeddings (default 0). */
  dropout?: number;
  /** Index of the padding token in both vocabularies; its embedding is not trained. */
  padIndex?: number | null;
  /**
   * Read the source in both directions (Bahdanau et al.): each direction has hiddenSize / 2
   * units, the annotations concatenate them ([batch, steps, hiddenSize]) and so do the final
   * states that start the decoder, layer by layer. Default false (D2L's encoder).
   */
  bidirectional?: boolean;
}

const OPTIONS = ['embedSize', 'hiddenSize', 'numLayers', 'cell', 'dropout', 'padIndex', 'bidirectional'];

function checkIds(ids: Tensor, cls: string, arg: string): void {
  expectTensor(ids, cls, arg);
  expectIndex(ids, cls, arg);
  if (ids.ndim !== 2) throw new RangeError(`${cls}: expected ${arg} [batch, steps] of token ids, got ${fmt(ids.shape)}`);
}

function top(state: RecurrentState): Tensor {
  const h = Array.isArray(state) ? state[0] : state;
  return h.select(0, h.shape[0]! - 1);
}

/** Sizes with their defaults, and the recurrent layer both halves use. */
function resolve(options: Seq2SeqOptions, cls: string) {
  const unknown = Object.keys(options).filter((k) => !OPTIONS.includes(k));
  if (unknown.length > 0) throw new TypeError(`${cls}: unknown option ${unknown.map((k) => `'${k}'`).join(', ')} (known: ${OPTIONS.join(', ')})`);
  const embed = options.embedSize ?? 32;
  const hidden = options.hiddenSize ?? 64;
  const layers = options.numLayers ?? 2;
  const dropout = options.dropout ?? 0;
  const Rnn = (options.cell ?? 'gru') === 'lstm' ? LSTM : GRU;
  const bidirectional = options.bidirectional ?? false;
  if (bidirectional && (!Number.isInteger(hidden) || hidden % 2 !== 0)) {
    throw new RangeError(`${cls}: bidirectional needs an even hiddenSize (hiddenSize / 2 units per direction), got ${hidden}`);
  }
  const recurrent = (inputSize: number, both = false): GRU | LSTM =>
    new Rnn(inputSize, both ? hidden / 2 : hidden, { numLayers: layers, dropout: layers > 1 ? dropout : 0, batchFirst: true, bidirectional: both });
  return { embed, hidden, dropout, recurrent, bidirectional, padIndex: options.padIndex ?? null };
}

/** [numLayers * 2, batch, h] (directions interleaved per layer) -> [numLayers, batch, 2h]: both directions side by side. */
function joinDirections(state: Tensor): Tensor {
  const [LD, B, h] = state.shape as [number, number, number];
  return state.reshape(LD / 2, 2, B, h).permute(0, 2, 1, 3).reshape(LD / 2, B, 2 * h);
}

/** Embedding + recurrent layers over the source: outputs [batch, steps, hidden] and the final state. */
export class Seq2SeqEncoder extends Module {
  embedding: Embedding;
  rnn: GRU | LSTM;
  dropout: Dropout;
  constructor(vocabSize: number, options: Seq2SeqOptions = {}) {
    super();
    const o = resolve(options, 'Seq2SeqEncoder');
    this.embedding = new Embedding(vocabSize, o.embed, { paddingIdx: o.padIndex });
    this.rnn = o.recurrent(o.embed, o.bidirectional);
    this.dropout = new Dropout(o.dropout);
  }
  /**
   * src [batch, steps] -> the annotations [batch, steps, hiddenSize] and the final state
   * ([numLayers, batch, hiddenSize]; with `bidirectional`, each layer's two directions
   * concatenated, forward first).
   */
  forward(src: Tensor): [Tensor, RecurrentState] {
    checkIds(src, 'Seq2SeqEncoder', 'src');
    const x = this.dropout.forward(this.embedding.forward(src));
    const both = this.rnn.bidirectional;
    if (this.rnn instanceof LSTM) {
      const [out, [h, c]] = this.rnn.forward(x);
      return [out, both ? [joinDirections(h), joinDirections(c)] : [h, c]];
    }
    const [out, h] = this.rnn.forward(x);
    return [out, both ? joinDirections(h) : h];
  }
}

/**
 * Decoder with additive attention: one step per target token. The query of each step is
 * the top layer's previous hidden state; keys and values are the encoder outputs.
 */
export class AttentionDecoder extends Module {
  embedding: Embedding;
  attention: AdditiveAttention;
  rnn: GRU | LSTM;
  dense: Linear;
  dropout: Dropout;
  constructor(vocabSize: number, options: Seq2SeqOptions = {}) {
    super();
    const o = resolve(options, 'AttentionDecoder');
    this.embedding = new Embedding(vocabSize, o.embed, { paddingIdx: o.padIndex });
    this.attention = new AdditiveAttention(o.hidden, o.hidden, o.hidden, o.dropout);
    this.rnn = o.recurrent(o.embed + o.hidden);
    this.dense = new Linear(o.hidden, vocabSize);
    this.dropout = new Dropout(o.dropout);
  }

  /**
   * Runs the decoder over `tgtIn` ([batch, steps], the target shifted right: <bos> first)
   * from the encoder's outputs and state. `srcValidLens` masks source padding.
   * Returns logits [batch, steps, vocab] and the final state.
   */
  forward(tgtIn: Tensor, encOutputs: Tensor, state: RecurrentState, srcValidLens: Tensor | readonly number[] | null = null): [Tensor, RecurrentState] {
    checkIds(tgtIn, 'AttentionDecoder', 'tgtIn');
    const emb = this.dropout.forward(this.embedding.forward(tgtIn)); // [B, T, E]
    const outs: Tensor[] = [];
    let s = state;
    for (const xt of emb.unbind(1)) {
      const query = top(s).unsqueeze(1); // [B, 1, H]
      const context = this.attention.forward(query, encOutputs, encOutputs, srcValidLens); // [B, 1, H]
      const input = cat([context, xt.unsqueeze(1)], -1); // [B, 1, H + E]
      let out: Tensor;
      if (this.rnn instanceof LSTM) [out, s] = this.rnn.forward(input, s as [Tensor, Tensor]);
      else [out, s] = this.rnn.forward(input, s as Tensor);
      outs.push(out.squeeze(1));
    }
    return [this.dense.forward(stack(outs, 1)), s];
  }
}

export interface GreedyDecodeOptions {
  /** Token id that starts every target sequence. */
  bos: number;
  /** Token id that ends a sequence; decoding of that sequence stops there. */
  eos: number;
  /** Longest output (default 32). */
  maxLength?: number;
  srcValidLens?: Tensor | readonly number[] | null;
}

export interface GreedyDecodeResult {
  /** Generated ids per sequence, without <bos>, up to and including <eos> when reached. */
  ids: number[][];
  /** Attention weights per sequence: [step][source position]. */
  attention: number[][][];
}

/**
 * Encoder-decoder with additive attention (D2L's Seq2Seq with Bahdanau attention).
 * @example
 * const model = new nn.Seq2Seq(srcVocab.length, tgtVocab.length, { hiddenSize: 64 });
 * const logits = model.forward(src, tgtIn, srcLens);      // [batch, steps, tgtVocab]
 * const { ids, attention } = model.greedyDecode(src, { bos, eos });
 */
export class Seq2Seq extends Module {
  encoder: Seq2SeqEncoder;
  decoder: AttentionDecoder;
  constructor(
    readonly srcVocabSize: number,
    readonly tgtVocabSize: number,
    options: Seq2SeqOptions = {},
  ) {
    super();
    this.encoder = new Seq2SeqEncoder(srcVocabSize, options);
    this.decoder = new AttentionDecoder(tgtVocabSize, options);
  }

  /** Teacher-forced training pass: logits [batch, tgtSteps, tgtVocab]. */
  forward(src: Tensor, tgtIn: Tensor, srcValidLens: Tensor | readonly number[] | null = null): Tensor {
    const [encOut, state] = this.encoder.forward(src);
    return this.decoder.forward(tgtIn, encOut, state, srcValidLens)[0];
  }

  /**
   * Greedy decoding, one token at a time (each step feeds back the most likely token),
   * without gradients and in evaluation mode (restored afterwards).
   */
  greedyDecode(src: Tensor, options: GreedyDecodeOptions): GreedyDecodeResult {
    checkIds(src, 'Seq2Seq.greedyDecode', 'src');
    const maxLength = options.maxLength ?? 32;
    const wasTraining = this.training;
    this.eval();
    try {
      return noGrad(() => {
        const B = src.shape[0]!;
        const [encOut, state0] = this.encoder.forward(src);
        let state = state0;
        let prev = new Tensor(new Int32Array(B).fill(options.bos), [B, 1]);
        const ids: number[][] = Array.from({ length: B }, () => []);
        const attention: number[][][] = Array.from({ length: B }, () => []);
        const done = new Array<boolean>(B).fill(false);
        for (let t = 0; t < maxLength && done.includes(false); t++) {
          const [logits, next] = this.decoder.forward(prev, encOut, state, options.srcValidLens ?? null);
          state = next;
          const pick = logits.select(1, 0).argmax(-1).toTypedArray();
          const w = this.decoder.attention.attentionWeights; // [B, 1, srcSteps]
          for (let b = 0; b < B; b++) {
            if (done[b]) continue;
            ids[b]!.push(pick[b]!);
            if (w) attention[b]!.push(Array.from(w.select(0, b).select(0, 0).toTypedArray()));
            if (pick[b] === options.eos) done[b] = true;
          }
          prev = new Tensor(Int32Array.from(pick), [B, 1]);
        }
        return { ids, attention };
      });
    } finally {
      this.train(wasTraining);
    }
  }
}
