/**
 * Attention modules: `MultiheadAttention` (PyTorch's parameters, initialisation and
 * forward semantics) and `AdditiveAttention` (Bahdanau attention as in Dive into Deep
 * Learning). The maths lives in `functional-attention.ts`.
 */
import { Tensor } from '../tensor.js';
import { describe, fmt, positiveInt } from '../shape.js';
import { empty, expectFloat, expectTensor } from '../ops/helpers.js';
import { tanh } from '../ops/unary.js';
import { matmul } from '../ops/matmul.js';
import { softmax } from '../ops/softmax.js';
import { maskedFill } from '../ops/where.js';
import { logicalOr } from '../ops/compare.js';
import { activeRecorder } from '../trace/recorder.js';
import { Module } from './module.js';
import { Parameter } from './parameter.js';
import { Dropout, Linear } from './layers.js';
import { expectMask } from './attention-masks.js';
import { mhaForward, validLengthMask } from './functional-attention.js';
import * as init from './init.js';

function probability(v: unknown, cls: string, arg: string): number {
  if (typeof v !== 'number' || !(v >= 0 && v <= 1)) throw new RangeError(`${cls}: ${arg} must be a probability in [0, 1], got ${describe(v)}`);
  return v;
}

export interface MultiheadAttentionOptions {
  /** Dropout on the attention weights in training. Default 0. */
  dropout?: number;
  /** Biases on the input and output projections. Default true. */
  bias?: boolean;
  /** Learned bias_k and bias_v appended to the keys and values. Default false. */
  addBiasKv?: boolean;
  /** Append a key and value of zeros. Default false. */
  addZeroAttn?: boolean;
  /** Feature size of the keys; default embedDim. */
  kdim?: number | null;
  /** Feature size of the values; default embedDim. */
  vdim?: number | null;
  /** Inputs and outputs as [batch, seq, feature] instead of [seq, batch, feature]. Default false. */
  batchFirst?: boolean;
}

export interface MultiheadAttentionForwardOptions {
  /** [batch, S] (unbatched: [S]): bool true = padding, ignored as a key; or float added to the scores. */
  keyPaddingMask?: Tensor | null;
  /** Return the attention weights (else null). Default true. */
  needWeights?: boolean;
  /** [L, S] or [batch * numHeads, L, S]: bool true = not allowed to attend; or float added to the scores. */
  attnMask?: Tensor | null;
  /** Average the returned weights over heads ([batch, L, S]) or not ([batch, heads, L, S]). Default true. */
  averageAttnWeights?: boolean;
  /** Hint that attnMask is the causal mask (the mask must still be given, as in PyTorch). Default false. */
  isCausal?: boolean;
}

/**
 * Multi-head attention, as `torch.nn.MultiheadAttention`: `numHeads` heads of size
 * `embedDim / numHeads` attend in parallel and their outputs are concatenated and
 * projected.
 *
 * Parameters have PyTorch's names, shapes and initialisation: `in_proj_weight` [3E, E]
 * (Xavier uniform) and `in_proj_bias` [3E] (zeros) when kdim == vdim == embedDim, else
 * `q_proj_weight`, `k_proj_weight`, `v_proj_weight`; `out_proj` (Linear, zero bias);
 * `bias_k`, `bias_v` [1, 1, E] (Xavier normal) with `addBiasKv`.
 *
 * `forward(query, key, value, options)` returns `[output, weights | null]`: output
 * [L, batch, E] ([batch, L, E] with batchFirst; [L, E] for unbatched 2-D input), weights
 * [batch, L, S] (averaged over heads) or [batch, heads, L, S].
 *
 * @example
 * const mha = new nn.MultiheadAttention(64, 8);
 * const x = randn([10, 32, 64]);                        // [seq, batch, embed]
 * const [out, weights] = mha.forward(x, x, x);         // [10, 32, 64], [32, 10, 10]
 * const causal = nn.generateSquareSubsequentMask(10);
 * mha.forward(x, x, x, { attnMask: causal, needWeights: false });
 */
export class MultiheadAttention extends Module {
  readonly embedDim: number;
  readonly kdim: number;
  readonly vdim: number;
  readonly numHeads: number;
  /** Dropout probability on the attention weights (a number, as in PyTorch). */
  readonly dropout: number;
  readonly batchFirst: boolean;
  readonly headDim: number;
  readonly addZeroAttn: boolean;
  in_proj_weight: Parameter | null = null;
  q_proj_weight: Parameter | null = null;
  k_proj_weight: Parameter | null = null;
  v_proj_weight: Parameter | null = null;
  in_proj_bias: Parameter | null = null;
  out_proj: Linear;
  bias_k: Parameter | null = null;
  bias_v: Parameter | null = null;

  constructor(embedDim: number, numHeads: number, options: MultiheadAttentionOptions = {}) {
    super();
    const cls = 'MultiheadAttention';
    this.embedDim = positiveInt(embedDim, cls, 'embedDim');
    this.numHeads = positiveInt(numHeads, cls, 'numHeads');
    if (embedDim % numHeads !== 0) throw new RangeError(`${cls}: embedDim (${embedDim}) must be divisible by numHeads (${numHeads})`);
    this.headDim = embedDim / numHeads;
    this.kdim = options.kdim == null ? embedDim : positiveInt(options.kdim, cls, 'kdim');
    this.vdim = options.vdim == null ? embedDim : positiveInt(options.vdim, cls, 'vdim');
    this.dropout = probability(options.dropout ?? 0, cls, 'dropout');
    this.batchFirst = options.batchFirst ?? false;
    this.addZeroAttn = options.addZeroAttn ?? false;
    const bias = options.bias ?? true;
    const E = embedDim;
    if (this.sameEmbedDim) this.in_proj_weight = new Parameter(empty([3 * E, E], 'float32'));
    else {
      this.q_proj_weight = new Parameter(empty([E, E], 'float32'));
      this.k_proj_weight = new Parameter(empty([E, this.kdim], 'float32'));
      this.v_proj_weight = new Parameter(empty([E, this.vdim], 'float32'));
    }
    if (bias) this.in_proj_bias = new Parameter(empty([3 * E], 'float32'));
    this.out_proj = new Linear(E, E, { bias });
    if (options.addBiasKv) {
      this.bias_k = new Parameter(empty([1, 1, E], 'float32'));
      this.bias_v = new Parameter(empty([1, 1, E], 'float32'));
    }
    this.resetParameters();
  }

  /** Whether keys and values have the embedding size (one packed in_proj_weight). */
  get sameEmbedDim(): boolean {
    return this.kdim === this.embedDim && this.vdim === this.embedDim;
  }

  /** PyTorch's `_reset_parameters`: Xavier uniform projections, zero biases, Xavier normal bias_k/bias_v. */
  resetParameters(): void {
    if (this.in_proj_weight) init.xavierUniform_(this.in_proj_weight);
    else for (const w of [this.q_proj_weight, this.k_proj_weight, this.v_proj_weight]) init.xavierUniform_(w!);
    if (this.in_proj_bias) {
      init.zeros_(this.in_proj_bias);
      if (this.out_proj.bias) init.zeros_(this.out_proj.bias);
    }
    if (this.bias_k) init.xavierNormal_(this.bias_k);
    if (this.bias_v) init.xavierNormal_(this.bias_v);
  }

  /**
   * Attends from `query` [L, batch, E] to `key` [S, batch, kdim] / `value` [S, batch, vdim]
   * (batch first with `batchFirst`; 2-D unbatched inputs allowed). Returns
   * `[output, weights | null]`; see the class documentation for shapes.
   */
  forward(query: Tensor, key: Tensor, value: Tensor, options: MultiheadAttentionForwardOptions = {}): [Tensor, Tensor | null] {
    return mhaForward(
      query,
      key,
      value,
      {
        numHeads: this.numHeads,
        embedDimToCheck: this.embedDim,
        inProjWeight: this.in_proj_weight,
        inProjBias: this.in_proj_bias,
        useSeparateProjWeight: !this.sameEmbedDim,
        qProjWeight: this.q_proj_weight,
        kProjWeight: this.k_proj_weight,
        vProjWeight: this.v_proj_weight,
        biasK: this.bias_k,
        biasV: this.bias_v,
        addZeroAttn: this.addZeroAttn,
        dropoutP: this.dropout,
        outProjWeight: this.out_proj.weight,
        outProjBias: this.out_proj.bias,
        training: this.training,
        keyPaddingMask: options.keyPaddingMask ?? null,
        needWeights: options.needWeights ?? true,
        attnMask: options.attnMask ?? null,
        averageAttnWeights: options.averageAttnWeights ?? true,
        isCausal: options.isCausal ?? false,
        batchFirst: this.batchFirst,
      },
      this,
      'MultiheadAttention',
    );
  }

  override extraRepr(): string {
    const parts = [`embed_dim=${this.embedDim}`, `num_heads=${this.numHeads}`];
    if (!this.sameEmbedDim) parts.push(`kdim=${this.kdim}`, `vdim=${this.vdim}`);
    if (this.dropout > 0) parts.push(`dropout=${this.dropout}`);
    if (this.bias_k) parts.push('add_bias_kv=True');
    if (this.addZeroAttn) parts.push('add_zero_attn=True');
    if (this.batchFirst) parts.push('batch_first=True');
    return parts.join(', ');
  }
}

/**
 * Additive (Bahdanau) attention, as Dive into Deep Learning's `AdditiveAttention`:
 * score(q, k) = w_vᵀ tanh(W_q q + W_k k), a masked softmax over the keys, and the
 * weighted sum of the values. Parameters `W_k.weight` [numHiddens, keySize],
 * `W_q.weight` [numHiddens, querySize], `w_v.weight` [1, numHiddens] (no biases).
 *
 * `forward(queries [batch, Q, querySize], keys [batch, K, keySize], values [batch, K, v],
 * validLens?, { keyPaddingMask? })` -> [batch, Q, v]. Keys at or beyond a row's valid
 * length, or where keyPaddingMask ([batch, K], true = padding) is set, get exactly zero
 * weight. The last weights are kept in `attentionWeights` ([batch, Q, K], detached) for
 * plotting, as D2L does.
 *
 * @example
 * const attn = new nn.AdditiveAttention(2, 20, 8, 0.1);
 * attn.eval();
 * const out = attn.forward(queries, keys, values, tensor([2, 6]));   // valid lengths per batch entry
 */
export class AdditiveAttention extends Module {
  W_k: Linear;
  W_q: Linear;
  w_v: Linear;
  dropout: Dropout;
  /** The weights of the last forward call, [batch, Q, K] (detached), or null. */
  attentionWeights: Tensor | null = null;

  constructor(
    readonly keySize: number,
    readonly querySize: number,
    readonly numHiddens: number,
    dropout = 0,
  ) {
    super();
    const cls = 'AdditiveAttention';
    positiveInt(keySize, cls, 'keySize');
    positiveInt(querySize, cls, 'querySize');
    positiveInt(numHiddens, cls, 'numHiddens');
    this.W_k = new Linear(keySize, numHiddens, { bias: false });
    this.W_q = new Linear(querySize, numHiddens, { bias: false });
    this.w_v = new Linear(numHiddens, 1, { bias: false });
    this.dropout = new Dropout(probability(dropout, cls, 'dropout'));
  }

  /** See the class documentation. */
  forward(
    queries: Tensor,
    keys: Tensor,
    values: Tensor,
    validLens: Tensor | readonly number[] | null = null,
    options: { keyPaddingMask?: Tensor | null } = {},
  ): Tensor {
    const cls = 'AdditiveAttention';
    for (const [name, t] of [['queries', queries], ['keys', keys], ['values', values]] as const) {
      expectTensor(t, cls, name);
      expectFloat(t, cls, name);
    }
    if (queries.ndim !== 3 || queries.shape[2] !== this.querySize) {
      throw new RangeError(`${cls}: expected queries [batch, queries, ${this.querySize}] (querySize=${this.querySize}), got ${fmt(queries.shape)}`);
    }
    if (keys.ndim !== 3 || keys.shape[2] !== this.keySize) {
      throw new RangeError(`${cls}: expected keys [batch, keys, ${this.keySize}] (keySize=${this.keySize}), got ${fmt(keys.shape)}`);
    }
    const [B, Q] = queries.shape as [number, number, number];
    const K = keys.shape[1]!;
    if (keys.shape[0] !== B) throw new RangeError(`${cls}: queries ${fmt(queries.shape)} and keys ${fmt(keys.shape)} must have the same batch size`);
    if (values.ndim !== 3 || values.shape[0] !== B || values.shape[1] !== K) {
      throw new RangeError(`${cls}: expected values [batch, keys, features] = [${B}, ${K}, features] to match keys ${fmt(keys.shape)}, got ${fmt(values.shape)}`);
    }
    let blocked = validLens == null ? null : validLengthMask([B, Q, K], validLens, cls);
    const kpm = options.keyPaddingMask ?? null;
    if (kpm !== null) {
      expectMask(kpm, cls, 'keyPaddingMask', 'true = padding');
      if (kpm.dtype !== 'bool') throw new TypeError(`${cls}: keyPaddingMask must be a bool tensor (true = padding), got ${kpm.dtype}`);
      if (kpm.ndim !== 2 || kpm.shape[0] !== B || kpm.shape[1] !== K) {
        throw new RangeError(`${cls}: expected keyPaddingMask [batch, keys] = [${B}, ${K}], got ${fmt(kpm.shape)}`);
      }
      const m = kpm.reshape([B, 1, K]);
      blocked = blocked === null ? m : logicalOr(blocked, m);
    }
    const q = this.W_q.forward(queries);
    const k = this.W_k.forward(keys);
    // [B, Q, 1, h] + [B, 1, K, h] -> [B, Q, K, h]
    const features = tanh(q.unsqueeze(2).add(k.unsqueeze(1)));
    let scores = this.w_v.forward(features).squeeze(-1);
    // -1e6 as D2L: a masked key's weight underflows to exactly 0, and an all-masked row stays finite.
    if (blocked !== null) scores = maskedFill(scores, blocked, -1e6);
    const weights = softmax(scores, -1);
    this.attentionWeights = weights.detach();
    const rec = activeRecorder();
    if (rec !== null) {
      const mask = blocked === null ? null : blocked.expand([B, Q, K]).contiguous().reshape([B, 1, Q, K]);
      rec.attention({ module: this, kind: 'additive', weights: weights.unsqueeze(1), mask });
    }
    return matmul(this.dropout.forward(weights), values);
  }

  override extraRepr(): string {
    return `key_size=${this.keySize}, query_size=${this.querySize}, num_hiddens=${this.numHiddens}`;
  }
}

