/**
 * `models`: complete models built from `nn` blocks, and how to measure them. `GPT`, a
 * decoder-only Transformer language model with a key/value cache for generation;
 * `RecurrentLM`, the char-rnn language model (embedding, LSTM/GRU/RNN, linear);
 * `languageModelLoss`, their mean cross-entropy on held-out text.
 * @example const gpt = new models.GPT({ vocabSize: 65, blockSize: 128, nLayer: 4, nHead: 4, nEmbd: 128 });
 */
export { GPT, Block, CausalSelfAttention, MLP, KVCache, type GPTConfig, type GenerateOptions, type LayerKV } from './gpt.js';
export { RecurrentLM, type RecurrentLMConfig, type RecurrentLMState } from './recurrent-lm.js';
export { languageModelLoss, type LanguageModelLossOptions } from './evaluate.js';
