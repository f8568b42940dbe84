/**
 * `nn.functional` (imported as `F`): the stateless maths behind the layers, as
 * `torch.nn.functional`. Modules hold parameters and call these.
 */
export { dropout, type DropoutOptions } from '../ops/dropout.js';
export { embedding, type EmbeddingOptions } from '../ops/indexing.js';
export { layerNorm } from '../ops/layernorm.js';
export { softmax, logSoftmax } from '../ops/softmax.js';
export { crossEntropy, nllLoss, mseLoss } from '../ops/composite/loss.js';
export { relu, gelu, tanh, sigmoid } from '../ops/unary.js';
export { linear } from './functional-linear.js';

export { rnnCell, lstmCell, gruCell, rnnStep, lstmStep, gruStep, type LstmStep, type GruStep, type RnnStep } from './functional-rnn.js';
export {
  scaledDotProductAttention,
  multiHeadAttentionForward,
  maskedSoftmax,
  type ScaledDotProductAttentionOptions,
  type MultiHeadAttentionForwardOptions,
} from './functional-attention.js';
