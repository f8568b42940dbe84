/**
 * `nn`: modules with PyTorch's names and semantics (camelCase options).
 * @example const lstm = new nn.LSTM(64, 256, { numLayers: 2, batchFirst: true });
 */
export { Module, type LoadResult } from './module.js';
export { Parameter } from './parameter.js';
export { Linear, Embedding, Dropout, LayerNorm, ReLU, GELU, Tanh, Sigmoid, Softmax } from './layers.js';
export { Sequential, ModuleList } from './container.js';
export * as init from './init.js';
export * as functional from './functional.js';
export { RNN, LSTM, GRU, RNNCell, LSTMCell, GRUCell, type RNNOptions } from './rnn.js';
export * as utils from './utils.js';
export { MultiheadAttention, AdditiveAttention, type MultiheadAttentionOptions, type MultiheadAttentionForwardOptions } from './attention.js';
export { PositionalEncoding, type PositionalEncodingOptions } from './positional-encoding.js';
export { PositionwiseFeedForward, TransformerEncoderLayer, TransformerDecoderLayer, type Activation, type TransformerLayerOptions } from './transformer-layers.js';
export { TransformerEncoder, TransformerDecoder, Transformer, type TransformerOptions } from './transformer.js';
export { generateSquareSubsequentMask } from './attention-masks.js';
export { cloneModule } from './clone.js';
export { Seq2Seq, Seq2SeqEncoder, AttentionDecoder, type Seq2SeqOptions, type GreedyDecodeOptions, type GreedyDecodeResult, type RecurrentState } from './seq2seq.js';
