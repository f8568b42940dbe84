/**
 * @seqlab/engine: tensors, reverse-mode autograd and sequence models in TypeScript.
 *
 * The top level reads like `torch`: `tensor`, `zeros`, `randn`, `matmul`, `cat`,
 * `softmax`, `crossEntropy`, `noGrad`, `manualSeed`, ...; the `Tensor` class carries the
 * same operations as methods.
 */
export { Tensor, Storage, type TensorOrNumber, type NestedArray } from './tensor.js';
export type { DType } from './dtype.js';
export { Generator, manualSeed, defaultGenerator } from './random.js';
export { noGrad, enableGrad, isGradEnabled } from './autograd/grad-mode.js';
export { gradcheck, type GradcheckOptions } from './autograd/gradcheck.js';
export type { BackwardOptions } from './autograd/backward.js';
export { setPrintOptions, printOptions, type PrintOptions } from './format.js';

export {
  tensor,
  zeros,
  ones,
  full,
  arange,
  linspace,
  eye,
  rand,
  randn,
  randint,
  zerosLike,
  onesLike,
  fullLike,
  randLike,
  randnLike,
  triu,
  tril,
  type TensorOptions,
  type RandomOptions,
  type ArrayData,
} from './ops/creation.js';
export { add, sub, mul, div, pow, maximum, minimum } from './ops/binary.js';
export { neg, exp, log, sqrt, rsqrt, abs, reciprocal, sin, cos, tanh, sigmoid, relu, gelu, clamp, sign } from './ops/unary.js';
export { matmul } from './ops/matmul.js';
export { sum, maxAll, minAll, maxDim, minDim, argmax, argmin } from './ops/reduce.js';
export { mean, variance, std, logsumexp, norm, type VarianceOptions } from './ops/composite/reductions.js';
export { softmax, logSoftmax } from './ops/softmax.js';
export { crossEntropy, nllLoss, mseLoss, type Reduction, type NllOptions, type CrossEntropyOptions } from './ops/composite/loss.js';
export { cat, stack, split, chunk, unbind } from './ops/join.js';
export { gather, indexSelect, embedding, type EmbeddingOptions } from './ops/indexing.js';
export { where, maskedFill } from './ops/where.js';
export { eq, ne, lt, le, gt, ge, logicalAnd, logicalOr, logicalNot, isnan, isfinite, any, all } from './ops/compare.js';
export { dropout, type DropoutOptions } from './ops/dropout.js';
export { layerNorm } from './ops/layernorm.js';
export { multinomial, topk, type MultinomialOptions } from './ops/sampling.js';
export { reshape, view, transpose, permute, narrow, slice, select, expand, squeeze, unsqueeze, flatten, contiguous } from './ops/view.js';
export { to, clone } from './ops/cast.js';

export * as nn from './nn/index.js';
export * as F from './nn/functional.js';
export * as kernels from './kernels/gemm.js';
export * from './display/index.js';
export { recordAttention, type AttentionKind } from './trace/recorder.js';
export { trace, Trace, type TraceOptions, type AttentionRecord, type RecurrentRecord, type SelectRecurrent, type SelectAttention } from './trace/trace.js';
export * as backend from './backend/index.js';
export * as optim from './optim/index.js';
export * as data from './data/index.js';
export { saveSafetensors, loadSafetensors, readSafetensorsHeader, type SafetensorsHeader, type SafetensorsEntry, type SafetensorsDtype, type SaveSafetensorsOptions } from './io/safetensors.js';
export * as models from './models/index.js';
export * as decoding from './decoding/index.js';
export * as metrics from './metrics/index.js';
export * as exercises from './exercises/index.js';
