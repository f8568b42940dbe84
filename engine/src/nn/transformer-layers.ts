/**
 * The Transformer's building blocks: the position-wise feed-forward network and the
 * encoder and decoder layers of `torch.nn` (post-norm as in the paper by default,
 * pre-norm with `normFirst`), with PyTorch's submodule names so that weights load across.
 */
import type { Tensor } from '../tensor.js';
import { describe, fmt, positiveInt } from '../shape.js';
import { relu, gelu } from '../ops/unary.js';
import { expectTensor } from '../ops/helpers.js';
import { Module } from './module.js';
import { Dropout, LayerNorm, Linear } from './layers.js';
import { MultiheadAttention } from './attention.js';

/** An activation: 'relu', 'gelu', a function of a tensor, or a module (which becomes the child `activation`). */
export type Activation = 'relu' | 'gelu' | ((x: Tensor) => Tensor) | Module;

/** The activation as PyTorch stores it: the function for a name, else what was given. */
function resolveActivation(a: Activation, cls: string): ((x: Tensor) => Tensor) | Module {
  if (a === 'relu') return relu;
  if (a === 'gelu') return (x: Tensor) => gelu(x);
  if (typeof a === 'function' || a instanceof Module) return a;
  throw new RangeError(`${cls}: activation should be 'relu', 'gelu', a function or a Module, not ${describe(a)}`);
}

function applyActivation(a: ((x: Tensor) => Tensor) | Module, x: Tensor): Tensor {
  return typeof a === 'function' ? a(x) : (a.forward as (t: Tensor) => Tensor)(x);
}

/** linear2(dropout(activation(linear1(x)))): the feed-forward block, shared by all three modules. */
function feedForward(x: Tensor, linear1: Linear, activation: ((x: Tensor) => Tensor) | Module, dropout: Dropout, linear2: Linear): Tensor {
  return linear2.forward(dropout.forward(applyActivation(activation, linear1.forward(x))));
}

/** Checks a [seq, batch, dModel] / [batch, seq, dModel] / unbatched [seq, dModel] input. */
function expectSequence(x: Tensor, cls: string, arg: string, dModel: number, batchFirst: boolean): void {
  expectTensor(x, cls, arg);
  if ((x.ndim !== 3 && x.ndim !== 2) || x.shape[x.ndim - 1] !== dModel) {
    const layout = batchFirst ? `[batch, seq, ${dModel}]` : `[seq, batch, ${dModel}]`;
    throw new RangeError(`${cls}: expected ${arg} ${layout} (batchFirst=${batchFirst}) or unbatched [seq, ${dModel}], got ${fmt(x.shape)}`);
  }
}

export interface PositionwiseFeedForwardOptions {
  /** Dropout after the activation, in training. Default 0.1. */
  dropout?: number;
  /** Default 'relu'. */
  activation?: Activation;
  /** Biases on both linear layers. Default true. */
  bias?: boolean;
}

/**
 * The position-wise feed-forward network of "Attention Is All You Need" (section 3.3),
 * FFN(x) = linear2(dropout(activation(linear1(x)))), applied to every position alike:
 * [..., dModel] -> [..., dModel] through a hidden size `dimFeedforward`. Its submodules
 * are named as in `TransformerEncoderLayer` (linear1, dropout, linear2).
 *
 * @example
 * const ffn = new nn.PositionwiseFeedForward(512, 2048);
 * ffn.forward(randn([10, 32, 512]));   // [10, 32, 512]
 */
export class PositionwiseFeedForward extends Module {
  linear1: Linear;
  dropout: Dropout;
  linear2: Linear;
  activation: ((x: Tensor) => Tensor) | Module;

  constructor(
    readonly dModel: number,
    readonly dimFeedforward = 2048,
    options: PositionwiseFeedForwardOptions = {},
  ) {
    super();
    const cls = 'PositionwiseFeedForward';
    positiveInt(dModel, cls, 'dModel');
    positiveInt(dimFeedforward, cls, 'dimFeedforward');
    const bias = options.bias ?? true;
    this.linear1 = new Linear(dModel, dimFeedforward, { bias });
    this.dropout = new Dropout(options.dropout ?? 0.1);
    this.linear2 = new Linear(dimFeedforward, dModel, { bias });
    this.activation = resolveActivation(options.activation ?? 'relu', cls);
  }

  forward(x: Tensor): Tensor {
    expectTensor(x, 'PositionwiseFeedForward', 'input');
    if (x.ndim === 0 || x.shape[x.ndim - 1] !== this.dModel) {
      throw new RangeError(`PositionwiseFeedForward: expected input [..., ${this.dModel}] (dModel=${this.dModel}), got ${fmt(x.shape)}`);
    }
    return feedForward(x, this.linear1, this.activation, this.dropout, this.linear2);
  }
}

export interface TransformerLayerOptions {
  /** Hidden size of the feed-forward network. Default 2048. */
  dimFeedforward?: number;
  /** Dropout after attention and in the feed-forward network, in training. Default 0.1. */
  dropout?: number;
  /** Default 'relu'. */
  activation?: Activation;
  /** LayerNorm epsilon. Default 1e-5. */
  layerNormEps?: number;
  /** Inputs as [batch, seq, dModel] instead of [seq, batch, dModel]. Default false. */
  batchFirst?: boolean;
  /** Pre-norm: LayerNorm before attention and feed-forward instead of after the residual sum. Default false (the paper's post-norm). */
  normFirst?: boolean;
  /** Biases in the linear layers, attention and LayerNorms. Default true. */
  bias?: boolean;
}

export interface EncoderLayerForwardOptions {
  /** [seq, seq] or [batch * nhead, seq, seq]: bool true = blocked, or float added to the scores. */
  srcMask?: Tensor | null;
  /** [batch, seq]: bool true = padding, or float. */
  srcKeyPaddingMask?: Tensor | null;
  /** Hint that srcMask is the causal mask. Default false. */
  isCausal?: boolean;
}

/** A layer's options with their defaults (as PyTorch's), checked once for both layer kinds. */
function layerSettings(cls: string, dModel: number, nhead: number, options: TransformerLayerOptions) {
  positiveInt(dModel, cls, 'dModel');
  positiveInt(nhead, cls, 'nhead');
  return {
    ff: positiveInt(options.dimFeedforward ?? 2048, cls, 'dimFeedforward'),
    p: options.dropout ?? 0.1,
    bias: options.bias ?? true,
    eps: options.layerNormEps ?? 1e-5,
    batchFirst: options.batchFirst ?? false,
    normFirst: options.normFirst ?? false,
    activation: resolveActivation(options.activation ?? 'relu', cls),
  };
}

/**
 * One encoder layer, as `torch.nn.TransformerEncoderLayer`: self-attention then the
 * feed-forward network, each with dropout, a residual connection and LayerNorm.
 *
 * Post-norm (default, as the paper): x = norm1(x + SA(x)); x = norm2(x + FF(x)).
 * Pre-norm (`normFirst`): x = x + SA(norm1(x)); x = x + FF(norm2(x)).
 *
 * Submodules: self_attn, linear1, dropout, linear2, norm1, norm2, dropout1, dropout2 (and
 * activation when a Module is given). Input [seq, batch, dModel] ([batch, seq, dModel]
 * with batchFirst, or unbatched [seq, dModel]); output the same shape.
 *
 * @example
 * const layer = new nn.TransformerEncoderLayer(512, 8);
 * layer.forward(randn([10, 32, 512]));   // [10, 32, 512]
 */
export class TransformerEncoderLayer extends Module {
  self_attn: MultiheadAttention;
  linear1: Linear;
  dropout: Dropout;
  linear2: Linear;
  readonly normFirst: boolean;
  norm1: LayerNorm;
  norm2: LayerNorm;
  dropout1: Dropout;
  dropout2: Dropout;
  activation: ((x: Tensor) => Tensor) | Module;
  readonly dModel: number;
  readonly batchFirst: boolean;

  constructor(dModel: number, nhead: number, options: TransformerLayerOptions = {}) {
    super();
    const { ff, p, bias, eps, batchFirst, normFirst, activation } = layerSettings('TransformerEncoderLayer', dModel, nhead, options);
    this.batchFirst = batchFirst;
    this.dModel = dModel;
    this.self_attn = new MultiheadAttention(dModel, nhead, { dropout: p, bias, batchFirst: this.batchFirst });
    this.linear1 = new Linear(dModel, ff, { bias });
    this.dropout = new Dropout(p);
    this.linear2 = new Linear(ff, dModel, { bias });
    this.normFirst = normFirst;
    this.norm1 = new LayerNorm(dModel, eps, { bias });
    this.norm2 = new LayerNorm(dModel, eps, { bias });
    this.dropout1 = new Dropout(p);
    this.dropout2 = new Dropout(p);
    this.activation = activation;
  }

  forward(src: Tensor, options: EncoderLayerForwardOptions = {}): Tensor {
    expectSequence(src, 'TransformerEncoderLayer', 'src', this.dModel, this.batchFirst);
    const sa = (x: Tensor): Tensor =>
      this.dropout1.forward(
        this.self_attn.forward(x, x, x, {
          attnMask: options.srcMask ?? null,
          keyPaddingMask: options.srcKeyPaddingMask ?? null,
          needWeights: false,
          isCausal: options.isCausal ?? false,
        })[0],
      );
    const ff = (x: Tensor): Tensor => this.dropout2.forward(feedForward(x, this.linear1, this.activation, this.dropout, this.linear2));
    let x = src;
    if (this.normFirst) {
      x = x.add(sa(this.norm1.forward(x)));
      x = x.add(ff(this.norm2.forward(x)));
    } else {
      x = this.norm1.forward(x.add(sa(x)));
      x = this.norm2.forward(x.add(ff(x)));
    }
    return x;
  }
}

export interface DecoderLayerForwardOptions {
  /** [tgtSeq, tgtSeq] or [batch * nhead, tgtSeq, tgtSeq], usually the causal mask. */
  tgtMask?: Tensor | null;
  /** [tgtSeq, srcSeq] or [batch * nhead, tgtSeq, srcSeq]. */
  memoryMask?: Tensor | null;
  /** [batch, tgtSeq]: true = padding. */
  tgtKeyPaddingMask?: Tensor | null;
  /** [batch, srcSeq]: true = padding. */
  memoryKeyPaddingMask?: Tensor | null;
  /** Hint that tgtMask is the causal mask. Default false. */
  tgtIsCausal?: boolean;
  /** Hint that memoryMask is causal. Default false. */
  memoryIsCausal?: boolean;
}

/**
 * One decoder layer, as `torch.nn.TransformerDecoderLayer`: masked self-attention over
 * the target, cross-attention to the encoder's output (`memory`), then the feed-forward
 * network, each with dropout, a residual connection and LayerNorm (post-norm by default,
 * pre-norm with `normFirst`).
 *
 * Submodules: self_attn, multihead_attn, linear1, dropout, linear2, norm1, norm2, norm3,
 * dropout1, dropout2, dropout3. tgt [tgtSeq, batch, dModel], memory [srcSeq, batch,
 * dModel] (batch first with batchFirst; unbatched 2-D allowed); output like tgt.
 *
 * @example
 * const layer = new nn.TransformerDecoderLayer(512, 8);
 * const mask = nn.generateSquareSubsequentMask(20);
 * layer.forward(randn([20, 32, 512]), memory, { tgtMask: mask });
 */
export class TransformerDecoderLayer extends Module {
  self_attn: MultiheadAttention;
  multihead_attn: MultiheadAttention;
  linear1: Linear;
  dropout: Dropout;
  linear2: Linear;
  readonly normFirst: boolean;
  norm1: LayerNorm;
  norm2: LayerNorm;
  norm3: LayerNorm;
  dropout1: Dropout;
  dropout2: Dropout;
  dropout3: Dropout;
  activation: ((x: Tensor) => Tensor) | Module;
  readonly dModel: number;
  readonly batchFirst: boolean;

  constructor(dModel: number, nhead: number, options: TransformerLayerOptions = {}) {
    super();
    const { ff, p, bias, eps, batchFirst, normFirst, activation } = layerSettings('TransformerDecoderLayer', dModel, nhead, options);
    this.batchFirst = batchFirst;
    this.dModel = dModel;
    this.self_attn = new MultiheadAttention(dModel, nhead, { dropout: p, bias, batchFirst: this.batchFirst });
    this.multihead_attn = new MultiheadAttention(dModel, nhead, { dropout: p, bias, batchFirst: this.batchFirst });
    this.linear1 = new Linear(dModel, ff, { bias });
    this.dropout = new Dropout(p);
    this.linear2 = new Linear(ff, dModel, { bias });
    this.normFirst = normFirst;
    this.norm1 = new LayerNorm(dModel, eps, { bias });
    this.norm2 = new LayerNorm(dModel, eps, { bias });
    this.norm3 = new LayerNorm(dModel, eps, { bias });
    this.dropout1 = new Dropout(p);
    this.dropout2 = new Dropout(p);
    this.dropout3 = new Dropout(p);
    this.activation = activation;
  }

  forward(tgt: Tensor, memory: Tensor, options: DecoderLayerForwardOptions = {}): Tensor {
    const cls = 'TransformerDecoderLayer';
    expectSequence(tgt, cls, 'tgt', this.dModel, this.batchFirst);
    expectSequence(memory, cls, 'memory', this.dModel, this.batchFirst);
    if (memory.ndim !== tgt.ndim) throw new RangeError(`${cls}: tgt ${fmt(tgt.shape)} and memory ${fmt(memory.shape)} must both be batched (3-D) or both unbatched (2-D)`);
    const sa = (x: Tensor): Tensor =>
      this.dropout1.forward(
        this.self_attn.forward(x, x, x, {
          attnMask: options.tgtMask ?? null,
          keyPaddingMask: options.tgtKeyPaddingMask ?? null,
          needWeights: false,
          isCausal: options.tgtIsCausal ?? false,
        })[0],
      );
    const mha = (x: Tensor): Tensor =>
      this.dropout2.forward(
        this.multihead_attn.forward(x, memory, memory, {
          attnMask: options.memoryMask ?? null,
          keyPaddingMask: options.memoryKeyPaddingMask ?? null,
          needWeights: false,
          isCausal: options.memoryIsCausal ?? false,
        })[0],
      );
    const ff = (x: Tensor): Tensor => this.dropout3.forward(feedForward(x, this.linear1, this.activation, this.dropout, this.linear2));
    let x = tgt;
    if (this.normFirst) {
      x = x.add(sa(this.norm1.forward(x)));
      x = x.add(mha(this.norm2.forward(x)));
      x = x.add(ff(this.norm3.forward(x)));
    } else {
      x = this.norm1.forward(x.add(sa(x)));
      x = this.norm2.forward(x.add(mha(x)));
      x = this.norm3.forward(x.add(ff(x)));
    }
    return x;
  }
}
