/**
 * A recurrent language model: token embedding, a stack of RNN, LSTM or GRU layers and a
 * linear layer to the vocabulary — the char-rnn model (Karpathy, 2015) that the
 * lectures compare with the Transformer.
 */
import { Tensor } from '../tensor.js';
import { describe, fmt } from '../shape.js';
import { Embedding, GRU, LSTM, Linear, Module, RNN } from '../nn/index.js';

/** Sizes of a `RecurrentLM`. */
export interface RecurrentLMConfig {
  vocabSize: number;
  /** Embedding size. */
  embedSize: number;
  /** Hidden units per recurrent layer. */
  hiddenSize: number;
  /** Recurrent layers. Default 1. */
  numLayers?: number;
  /** 'lstm' (default), 'gru' or 'rnn' (tanh). */
  cell?: 'lstm' | 'gru' | 'rnn';
}

/** The recurrent state: h for RNN and GRU, [h, c] for LSTM, each [numLayers, batch, hiddenSize]. */
export type RecurrentLMState = Tensor | [Tensor, Tensor];

/**
 * Embedding → recurrent layers → linear. `forward(ids [batch, T], state?)` returns the
 * logits [batch, T, vocabSize] and the final state (pass it back, detached, to continue
 * a text across batches). Parameters: `embedding.weight`, `rnn.weight_ih_l0`, ...,
 * `out.weight`, `out.bias`.
 * @example
 * const lm = new models.RecurrentLM({ vocabSize: 65, embedSize: 64, hiddenSize: 256 });
 * const [logits] = lm.forward(ids);       // [batch, T, 65]
 */
export class RecurrentLM extends Module {
  readonly config: Required<RecurrentLMConfig>;
  embedding: Embedding;
  rnn: LSTM | GRU | RNN;
  out: Linear;

  constructor(config: RecurrentLMConfig) {
    super();
    if (config === null || typeof config !== 'object') throw new TypeError(`RecurrentLM: expects a config { vocabSize, embedSize, hiddenSize }, got ${describe(config)}`);
    const cell = config.cell ?? 'lstm';
    if (cell !== 'lstm' && cell !== 'gru' && cell !== 'rnn') throw new RangeError(`RecurrentLM: cell must be 'lstm', 'gru' or 'rnn', got ${describe(cell)}`);
    this.config = { numLayers: 1, ...config, cell };
    const { vocabSize, embedSize, hiddenSize, numLayers } = this.config;
    this.embedding = new Embedding(vocabSize, embedSize);
    const Rnn = cell === 'lstm' ? LSTM : cell === 'gru' ? GRU : RNN;
    this.rnn = new Rnn(embedSize, hiddenSize, { numLayers, batchFirst: true });
    this.out = new Linear(hiddenSize, vocabSize);
  }

  forward(ids: Tensor, state: RecurrentLMState | null = null): [Tensor, RecurrentLMState] {
    if (!(ids instanceof Tensor) || ids.ndim !== 2 || ids.dtype !== 'int32') {
      throw new RangeError(`RecurrentLM.forward: expects token ids as an int32 Tensor [batch, T], got ${ids instanceof Tensor ? `${ids.dtype} ${fmt(ids.shape)}` : describe(ids)}`);
    }
    const x = this.embedding.forward(ids);
    let states: Tensor;
    let last: RecurrentLMState;
    if (this.rnn instanceof LSTM) [states, last] = this.rnn.forward(x, state as [Tensor, Tensor] | null);
    else [states, last] = this.rnn.forward(x, state as Tensor | null);
    return [this.out.forward(states), last];
  }
}
