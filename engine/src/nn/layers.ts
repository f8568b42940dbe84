/** Basic layers: Linear, Embedding, Dropout, LayerNorm and activation modules. */
import { Tensor } from '../tensor.js';
import { noGrad } from '../autograd/grad-mode.js';
import { empty } from '../ops/helpers.js';
import { embedding } from '../ops/indexing.js';
import { dropout } from '../ops/dropout.js';
import { layerNorm } from '../ops/layernorm.js';
import { relu, gelu, tanh, sigmoid } from '../ops/unary.js';
import { softmax } from '../ops/softmax.js';
import { Module } from './module.js';
import { Parameter } from './parameter.js';
import { linear } from './functional-linear.js';
import * as init from './init.js';

/** A number as Python prints it in module summaries: 1e-05, 0.1. */
function pyFloat(x: number): string {
  return x !== 0 && Math.abs(x) < 1e-4 ? x.toExponential().replace(/e([+-])(\d)$/, 'e$10$2') : String(x);
}

function positiveInt(v: unknown, cls: string, arg: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) throw new RangeError(`${cls}: ${arg} must be a positive integer, got ${String(v)}`);
  return v;
}

/**
 * Fully connected layer y = x Wᵀ + b (`torch.nn.Linear`), weight [out, in],
 * initialised as PyTorch: U(-1/√in, 1/√in) for weight and bias.
 */
export class Linear extends Module {
  weight: Parameter;
  bias: Parameter | null;
  constructor(
    readonly inFeatures: number,
    readonly outFeatures: number,
    options: { bias?: boolean } = {},
  ) {
    super();
    positiveInt(inFeatures, 'Linear', 'inFeatures');
    positiveInt(outFeatures, 'Linear', 'outFeatures');
    this.weight = new Parameter(empty([outFeatures, inFeatures], 'float32'));
    this.bias = options.bias === false ? null : new Parameter(empty([outFeatures], 'float32'));
    this.resetParameters();
  }
  resetParameters(): void {
    init.kaimingUniform_(this.weight, Math.sqrt(5));
    if (this.bias) {
      const bound = 1 / Math.sqrt(this.inFeatures);
      init.uniform_(this.bias, -bound, bound);
    }
  }
  forward(x: Tensor): Tensor {
    return linear(x, this.weight, this.bias);
  }
  override extraRepr(): string {
    return `in_features=${this.inFeatures}, out_features=${this.outFeatures}, bias=${this.bias !== null ? "True" : "False"}`;
  }
}

/** A lookup table of `numEmbeddings` vectors of size `embeddingDim`, initialised N(0, 1). */
export class Embedding extends Module {
  weight: Parameter;
  readonly paddingIdx: number | null;
  constructor(
    readonly numEmbeddings: number,
    readonly embeddingDim: number,
    options: { paddingIdx?: number | null } = {},
  ) {
    super();
    positiveInt(numEmbeddings, 'Embedding', 'numEmbeddings');
    positiveInt(embeddingDim, 'Embedding', 'embeddingDim');
    let pad = options.paddingIdx ?? null;
    if (pad !== null) {
      if (!Number.isInteger(pad) || pad < -numEmbeddings || pad >= numEmbeddings) {
        throw new RangeError(`Embedding: paddingIdx ${pad} must be within the ${numEmbeddings} embeddings`);
      }
      if (pad < 0) pad += numEmbeddings;
    }
    this.paddingIdx = pad;
    this.weight = new Parameter(empty([numEmbeddings, embeddingDim], 'float32'));
    this.resetParameters();
  }
  resetParameters(): void {
    init.normal_(this.weight);
    const pad = this.paddingIdx;
    // The row is taken inside noGrad so that the view is not part of a graph.
    if (pad !== null) noGrad(() => this.weight.select(0, pad).zero_());
  }
  /** ids: int32 of any shape -> [...ids.shape, embeddingDim]. */
  forward(ids: Tensor): Tensor {
    return embedding(this.weight, ids, { paddingIdx: this.paddingIdx });
  }
  override extraRepr(): string {
    return `${this.numEmbeddings}, ${this.embeddingDim}${this.paddingIdx !== null ? `, padding_idx=${this.paddingIdx}` : ''}`;
  }
}

/** Zeroes elements with probability p during training (scaling the rest by 1/(1-p)); identity in eval. */
export class Dropout extends Module {
  constructor(readonly p = 0.5) {
    super();
    if (typeof p !== 'number' || !(p >= 0 && p <= 1)) throw new RangeError(`Dropout: p must be a probability in [0, 1], got ${p}`);
  }
  forward(x: Tensor): Tensor {
    return dropout(x, { p: this.p, training: this.training });
  }
  override extraRepr(): string {
    return `p=${this.p}`;
  }
}

/** Layer normalisation over the trailing `normalizedShape` dims, with learnable weight and bias. */
export class LayerNorm extends Module {
  readonly normalizedShape: number[];
  weight: Parameter | null;
  bias: Parameter | null;
  constructor(
    normalizedShape: number | readonly number[],
    readonly eps = 1e-5,
    options: { elementwiseAffine?: boolean; bias?: boolean } = {},
  ) {
    super();
    this.normalizedShape = typeof normalizedShape === 'number' ? [normalizedShape] : normalizedShape.slice();
    this.normalizedShape.forEach((d) => positiveInt(d, 'LayerNorm', 'normalizedShape'));
    const affine = options.elementwiseAffine ?? true;
    this.weight = affine ? new Parameter(empty(this.normalizedShape, 'float32')) : null;
    this.bias = affine && options.bias !== false ? new Parameter(empty(this.normalizedShape, 'float32')) : null;
    if (this.weight) init.ones_(this.weight);
    if (this.bias) init.zeros_(this.bias);
  }
  forward(x: Tensor): Tensor {
    return layerNorm(x, this.normalizedShape, this.weight, this.bias, this.eps);
  }
  override extraRepr(): string {
    return `(${this.normalizedShape.join(', ')}${this.normalizedShape.length === 1 ? ',' : ''}), eps=${pyFloat(this.eps)}, elementwise_affine=${this.weight !== null ? "True" : "False"}`;
  }
}

export class ReLU extends Module {
  forward(x: Tensor): Tensor {
    return relu(x);
  }
}
export class GELU extends Module {
  constructor(readonly approximate: 'none' | 'tanh' = 'none') {
    super();
  }
  forward(x: Tensor): Tensor {
    return gelu(x, this.approximate);
  }
  override extraRepr(): string {
    return this.approximate === 'none' ? '' : `approximate='${this.approximate}'`;
  }
}
export class Tanh extends Module {
  forward(x: Tensor): Tensor {
    return tanh(x);
  }
}
export class Sigmoid extends Module {
  forward(x: Tensor): Tensor {
    return sigmoid(x);
  }
}
export class Softmax extends Module {
  constructor(readonly dim: number) {
    super();
  }
  forward(x: Tensor): Tensor {
    return softmax(x, this.dim);
  }
  override extraRepr(): string {
    return `dim=${this.dim}`;
  }
}
