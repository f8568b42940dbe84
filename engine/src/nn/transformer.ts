/**
 * Stacks of Transformer layers and the full encoder-decoder model, as `torch.nn`'s
 * `TransformerEncoder`, `TransformerDecoder` and `Transformer`, with the defaults of
 * "Attention Is All You Need" (6 + 6 layers, dModel 512, 8 heads, feed-forward 2048,
 * dropout 0.1).
 */
import type { Tensor } from '../tensor.js';
import { describe, fmt, positiveInt } from '../shape.js';
import { expectTensor } from '../ops/helpers.js';
import { Module } from './module.js';
import { ModuleList } from './container.js';
import { LayerNorm } from './layers.js';
import * as init from './init.js';
import { cloneModule } from './clone.js';
import { generateSquareSubsequentMask, isCausalBlocked } from './attention-masks.js';
import {
  TransformerDecoderLayer,
  TransformerEncoderLayer,
  type Activation,
  type DecoderLayerForwardOptions,
  type EncoderLayerForwardOptions,
} from './transformer-layers.js';

/** Anything stackable as an encoder layer (`TransformerEncoderLayer` or a module with its forward). */
export type EncoderLayerLike = Module & { forward(src: Tensor, options?: EncoderLayerForwardOptions): Tensor };
/** Anything stackable as a decoder layer. */
export type DecoderLayerLike = Module & { forward(tgt: Tensor, memory: Tensor, options?: DecoderLayerForwardOptions): Tensor };

/** `numLayers` deep copies of `layer` (PyTorch's `_get_clones`): identical at first, trained separately. */
function clones<M extends Module>(layer: M, numLayers: number, cls: string, arg: string): ModuleList<M> {
  if (!(layer instanceof Module)) throw new TypeError(`${cls}: ${arg} must be a Module, got ${describe(layer)}`);
  positiveInt(numLayers, cls, 'numLayers');
  return new ModuleList(Array.from({ length: numLayers }, () => cloneModule(layer)));
}

/**
 * PyTorch's `_detect_is_causal_mask`: an explicit hint wins; otherwise a mask equal to the
 * square subsequent mask of the sequence counts as causal.
 */
function detectIsCausal(mask: Tensor | null | undefined, isCausal: boolean | null | undefined, size: number): boolean {
  if (isCausal != null) return isCausal;
  if (mask == null || mask.ndim !== 2 || mask.shape[0] !== size || mask.shape[1] !== size) return false;
  if (mask.dtype === 'bool') return isCausalBlocked(mask);
  const v = mask.toTypedArray();
  for (let i = 0; i < size; i++) for (let j = 0; j < size; j++) if (v[i * size + j] !== (j > i ? -Infinity : 0)) return false;
  return true;
}

function seqLen(x: Tensor, batchFirst: boolean): number {
  return x.ndim === 3 && batchFirst ? x.shape[1]! : x.shape[0]!;
}

function layerBatchFirst(layer: Module): boolean {
  const sa = (layer as unknown as { self_attn?: { batchFirst?: boolean } }).self_attn;
  return sa?.batchFirst ?? false;
}

export interface TransformerEncoderOptions {
  /** A final normalisation after the last layer (the full Transformer passes a LayerNorm). Default null. */
  norm?: Module | null;
}

export interface EncoderForwardOptions {
  /** [seq, seq] or [batch * nhead, seq, seq]: bool true = blocked, or float added. */
  mask?: Tensor | null;
  /** [batch, seq]: true = padding. */
  srcKeyPaddingMask?: Tensor | null;
  /** Hint that `mask` is causal; by default detected by comparing with the causal mask. */
  isCausal?: boolean | null;
}

/**
 * A stack of `numLayers` encoder layers, each a deep copy of `encoderLayer` (so all start
 * with the same weights, as in PyTorch), optionally followed by `norm`.
 * Submodules: layers (ModuleList), norm.
 *
 * @example
 * const layer = new nn.TransformerEncoderLayer(512, 8);
 * const encoder = new nn.TransformerEncoder(layer, 6);
 * encoder.forward(randn([10, 32, 512]));   // [10, 32, 512]
 */
export class TransformerEncoder extends Module {
  layers: ModuleList<EncoderLayerLike>;
  readonly numLayers: number;
  norm: Module | null;

  constructor(encoderLayer: EncoderLayerLike, numLayers: number, options: TransformerEncoderOptions = {}) {
    super();
    this.layers = clones(encoderLayer, numLayers, 'TransformerEncoder', 'encoderLayer');
    this.numLayers = numLayers;
    this.norm = options.norm ?? null;
  }

  forward(src: Tensor, options: EncoderForwardOptions = {}): Tensor {
    expectTensor(src, 'TransformerEncoder', 'src');
    const isCausal = detectIsCausal(options.mask, options.isCausal, seqLen(src, layerBatchFirst(this.layers.at(0))));
    let out = src;
    for (const layer of this.layers) {
      out = layer.forward(out, { srcMask: options.mask ?? null, srcKeyPaddingMask: options.srcKeyPaddingMask ?? null, isCausal });
    }
    return this.norm ? (this.norm.forward as (x: Tensor) => Tensor)(out) : out;
  }
}

export interface TransformerDecoderOptions {
  /** A final normalisation after the last layer. Default null. */
  norm?: Module | null;
}

export interface DecoderForwardOptions extends Omit<DecoderLayerForwardOptions, 'tgtIsCausal'> {
  /** Hint that tgtMask is causal; by default detected by comparing with the causal mask. */
  tgtIsCausal?: boolean | null;
}

/**
 * A stack of `numLayers` decoder layers (deep copies of `decoderLayer`), optionally
 * followed by `norm`. `forward(tgt, memory, options)` with the masks of
 * `TransformerDecoderLayer`. Submodules: layers, norm.
 *
 * @example
 * const decoder = new nn.TransformerDecoder(new nn.TransformerDecoderLayer(512, 8), 6);
 * decoder.forward(tgt, memory, { tgtMask: nn.generateSquareSubsequentMask(tgt.size(0)) });
 */
export class TransformerDecoder extends Module {
  layers: ModuleList<DecoderLayerLike>;
  readonly numLayers: number;
  norm: Module | null;

  constructor(decoderLayer: DecoderLayerLike, numLayers: number, options: TransformerDecoderOptions = {}) {
    super();
    this.layers = clones(decoderLayer, numLayers, 'TransformerDecoder', 'decoderLayer');
    this.numLayers = numLayers;
    this.norm = options.norm ?? null;
  }

  forward(tgt: Tensor, memory: Tensor, options: DecoderForwardOptions = {}): Tensor {
    expectTensor(tgt, 'TransformerDecoder', 'tgt');
    expectTensor(memory, 'TransformerDecoder', 'memory');
    const tgtIsCausal = detectIsCausal(options.tgtMask, options.tgtIsCausal, seqLen(tgt, layerBatchFirst(this.layers.at(0))));
    let out = tgt;
    for (const layer of this.layers) {
      out = layer.forward(out, memory, {
        tgtMask: options.tgtMask ?? null,
        memoryMask: options.memoryMask ?? null,
        tgtKeyPaddingMask: options.tgtKeyPaddingMask ?? null,
        memoryKeyPaddingMask: options.memoryKeyPaddingMask ?? null,
        tgtIsCausal,
        memoryIsCausal: options.memoryIsCausal ?? false,
      });
    }
    return this.norm ? (this.norm.forward as (x: Tensor) => Tensor)(out) : out;
  }
}

export interface TransformerOptions {
  /** Model (embedding) size. Default 512. */
  dModel?: number;
  /** Attention heads. Default 8. */
  nhead?: number;
  /** Default 6. */
  numEncoderLayers?: number;
  /** Default 6. */
  numDecoderLayers?: number;
  /** Default 2048. */
  dimFeedforward?: number;
  /** Default 0.1. */
  dropout?: number;
  /** Default 'relu'. */
  activation?: Activation;
  /** Use this encoder instead of building one. */
  customEncoder?: Module | null;
  /** Use this decoder instead of building one. */
  customDecoder?: Module | null;
  /** Default 1e-5. */
  layerNormEps?: number;
  /** [batch, seq, dModel] inputs. Default false. */
  batchFirst?: boolean;
  /** Pre-norm layers. Default false. */
  normFirst?: boolean;
  /** Biases in linear layers, attention and LayerNorms. Default true. */
  bias?: boolean;
}

export interface TransformerForwardOptions {
  srcMask?: Tensor | null;
  tgtMask?: Tensor | null;
  memoryMask?: Tensor | null;
  srcKeyPaddingMask?: Tensor | null;
  tgtKeyPaddingMask?: Tensor | null;
  memoryKeyPaddingMask?: Tensor | null;
  srcIsCausal?: boolean | null;
  tgtIsCausal?: boolean | null;
  memoryIsCausal?: boolean;
}

/**
 * The encoder-decoder Transformer of "Attention Is All You Need", as
 * `torch.nn.Transformer`: an encoder stack with a final LayerNorm, a decoder stack with a
 * final LayerNorm, and PyTorch's initialisation (every parameter with more than one
 * dimension re-drawn Xavier uniform). Embeddings, positional encoding and the output
 * projection are the caller's, as in PyTorch.
 *
 * `forward(src, tgt, options)`: src [srcSeq, batch, dModel], tgt [tgtSeq, batch, dModel]
 * (batch first with batchFirst; unbatched 2-D allowed) -> [tgtSeq, batch, dModel].
 * `encoder.forward` and `decoder.forward` run the halves separately (greedy decoding).
 *
 * @example
 * const model = new nn.Transformer({ dModel: 64, nhead: 4, numEncoderLayers: 2, numDecoderLayers: 2, dimFeedforward: 128 });
 * const tgtMask = nn.Transformer.generateSquareSubsequentMask(tgt.size(0));
 * const out = model.forward(src, tgt, { tgtMask });
 */
export class Transformer extends Module {
  encoder: Module & { forward(src: Tensor, options?: EncoderForwardOptions): Tensor };
  decoder: Module & { forward(tgt: Tensor, memory: Tensor, options?: DecoderForwardOptions): Tensor };
  readonly dModel: number;
  readonly nhead: number;
  readonly batchFirst: boolean;

  constructor(options: TransformerOptions = {}) {
    super();
    const cls = 'Transformer';
    const dModel = positiveInt(options.dModel ?? 512, cls, 'dModel');
    const nhead = positiveInt(options.nhead ?? 8, cls, 'nhead');
    const layerOptions = {
      dimFeedforward: options.dimFeedforward ?? 2048,
      dropout: options.dropout ?? 0.1,
      activation: options.activation ?? 'relu',
      layerNormEps: options.layerNormEps ?? 1e-5,
      batchFirst: options.batchFirst ?? false,
      normFirst: options.normFirst ?? false,
      bias: options.bias ?? true,
    };
    const eps = layerOptions.layerNormEps;
    this.encoder = (options.customEncoder as Transformer['encoder'] | null | undefined) ??
      new TransformerEncoder(new TransformerEncoderLayer(dModel, nhead, layerOptions), options.numEncoderLayers ?? 6, {
        norm: new LayerNorm(dModel, eps, { bias: layerOptions.bias }),
      });
    this.decoder = (options.customDecoder as Transformer['decoder'] | null | undefined) ??
      new TransformerDecoder(new TransformerDecoderLayer(dModel, nhead, layerOptions), options.numDecoderLayers ?? 6, {
        norm: new LayerNorm(dModel, eps, { bias: layerOptions.bias }),
      });
    this.resetParameters();
    this.dModel = dModel;
    this.nhead = nhead;
    this.batchFirst = layerOptions.batchFirst;
  }

  /** PyTorch's `_reset_parameters`: Xavier uniform for every parameter with more than one dimension. */
  resetParameters(): void {
    for (const p of this.parameters()) if (p.ndim > 1) init.xavierUniform_(p);
  }

  forward(src: Tensor, tgt: Tensor, options: TransformerForwardOptions = {}): Tensor {
    const cls = 'Transformer';
    expectTensor(src, cls, 'src');
    expectTensor(tgt, cls, 'tgt');
    const batched = src.ndim === 3;
    const bd = this.batchFirst ? 0 : 1;
    if (batched && tgt.ndim === 3 && src.shape[bd] !== tgt.shape[bd]) {
      throw new RangeError(
        `${cls}: the batch number of src and tgt must be equal: src ${fmt(src.shape)} and tgt ${fmt(tgt.shape)} differ in dimension ${bd} (batchFirst=${this.batchFirst})`,
      );
    }
    if (src.shape[src.ndim - 1] !== this.dModel || tgt.shape[tgt.ndim - 1] !== this.dModel) {
      throw new RangeError(`${cls}: the feature number of src and tgt must be equal to dModel=${this.dModel}; got src ${fmt(src.shape)} and tgt ${fmt(tgt.shape)}`);
    }
    const memory = this.encoder.forward(src, {
      mask: options.srcMask ?? null,
      srcKeyPaddingMask: options.srcKeyPaddingMask ?? null,
      isCausal: options.srcIsCausal ?? null,
    });
    return this.decoder.forward(tgt, memory, {
      tgtMask: options.tgtMask ?? null,
      memoryMask: options.memoryMask ?? null,
      tgtKeyPaddingMask: options.tgtKeyPaddingMask ?? null,
      memoryKeyPaddingMask: options.memoryKeyPaddingMask ?? null,
      tgtIsCausal: options.tgtIsCausal ?? null,
      memoryIsCausal: options.memoryIsCausal ?? false,
    });
  }

  /** The causal mask for `size` target positions: float [size, size], -Infinity above the diagonal. */
  static generateSquareSubsequentMask(size: number, options: { dtype?: 'float32' | 'float64' } = {}): Tensor {
    return generateSquareSubsequentMask(size, options);
  }
}
