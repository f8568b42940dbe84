/**
 * The maths of attention, as `torch.nn.functional`: scaled dot-product attention with
 * PyTorch 2.x semantics, the multi-head attention forward pass behind
 * `MultiheadAttention`, and Dive into Deep Learning's masked softmax.
 *
 * Every attention computation reports its weights to the active trace recorder (only
 * inside a trace; otherwise the cost is one null check).
 */
import { Tensor } from '../tensor.js';
import { isFloating } from '../dtype.js';
import { broadcastShapes, describe, fmt, numel } from '../shape.js';
import { scaledDotProductAttentionFused, type FusedAttention } from '../ops/attention.js';
import { softmax } from '../ops/softmax.js';
import { maskedFill } from '../ops/where.js';
import { logicalNot, logicalOr } from '../ops/compare.js';
import { cat } from '../ops/join.js';
import { zeros } from '../ops/creation.js';
import { expectFloat, expectTensor } from '../ops/helpers.js';
import { activeRecorder, type AttentionKind } from '../trace/recorder.js';
import type { Module } from './module.js';
import { linear } from './functional-linear.js';
import { blockedPositions, causalBlocked, expectMask, isCausalBlocked, padMaskColumns } from './attention-masks.js';

// ---------------------------------------------------------------------------- core

/**
 * softmax(q·scale kᵀ + masks) v over the last two dimensions, batch dimensions broadcast,
 * as one fused op (ops/attention.ts). `masks`: bool (true = -Infinity) or float (added),
 * each broadcastable to the scores [..., L, S]; `causal` blocks keys after each query.
 * The weights it returns are the op's own buffers: no copy.
 */
function attendCore(
  q: Tensor, k: Tensor, v: Tensor, scale: number, masks: readonly Tensor[], causal: boolean, dropoutP: number, keepApplied: boolean,
): FusedAttention {
  return scaledDotProductAttentionFused(q, k, v, { scale, masks, causal, dropoutP, keepApplied });
}

/** [..., L, S] viewed as [batch, heads, L, S] for trace events (leading dims folded into batch). */
function as4d(t: Tensor): Tensor {
  const L = t.shape[t.ndim - 2]!;
  const S = t.shape[t.ndim - 1]!;
  const lead = t.shape.slice(0, -2);
  if (lead.length === 2) return t;
  if (lead.length === 0) return t.reshape([1, 1, L, S]);
  if (lead.length === 1) return t.reshape([lead[0]!, 1, L, S]);
  return t.reshape([numel(lead.slice(0, -1)), lead[lead.length - 1]!, L, S]);
}

/**
 * The bool mask (true = blocked) that a trace event carries, shaped like the weights
 * [batch, heads, L, S], or null when nothing is blocked: what the bool masks, the float
 * masks' -Infinity entries and causality block. Only called while tracing.
 */
function eventMask(probs: Tensor, masks: readonly Tensor[], causal: boolean): Tensor | null {
  let m: Tensor | null = null;
  const L = probs.shape[probs.ndim - 2]!;
  const S = probs.shape[probs.ndim - 1]!;
  for (const b of [...(causal ? [causalBlocked(L, S)] : []), ...masks.map(blockedPositions)]) m = m === null ? b : logicalOr(m, b);
  if (m === null) return null;
  return as4d(m.expand(probs.shape).contiguous());
}

// ---------------------------------------------------------------------------- scaled dot-product attention

export interface ScaledDotProductAttentionOptions {
  /**
   * Broadcastable to [..., L, S]. A **bool** mask follows PyTorch 2.x's
   * `scaled_dot_product_attention`: `true` means the query *may attend* to the key (the
   * opposite of `MultiheadAttention`'s `attnMask`, where `true` blocks). A **float** mask
   * is added to the scores (`-Infinity` blocks).
   */
  attnMask?: Tensor | null;
  /** Dropout on the attention weights; applied whenever > 0 (pass 0 in evaluation). Default 0. */
  dropoutP?: number;
  /** Each query i attends only to keys j <= i. Not together with `attnMask`. Default false. */
  isCausal?: boolean;
  /** Factor on q·kᵀ; default 1/√E. */
  scale?: number | null;
}

/**
 * Scaled dot-product attention, `softmax(q kᵀ · scale + mask) v`, with the semantics of
 * PyTorch 2.x's `F.scaled_dot_product_attention`.
 *
 * Shapes: query [..., L, E], key [..., S, E], value [..., S, Ev] -> [..., L, Ev]; the
 * leading (batch, head) dimensions broadcast. Mind the bool mask convention (see
 * `attnMask`). A row whose keys are all blocked has no distribution: its output is NaN,
 * as in PyTorch's reference formula.
 *
 * Inside a trace, reports the weights as kind 'causal-self' when causal (by `isCausal`
 * or a causal mask), 'self' when query and key are the same tensor, else 'other' (a bare
 * function cannot tell self- from cross-attention).
 *
 * @example
 * const q = randn([2, 4, 5, 8]);            // [batch, heads, L, E]
 * const kv = randn([2, 4, 7, 8]);
 * F.scaledDotProductAttention(q, kv, kv);   // [2, 4, 5, 8]
 * F.scaledDotProductAttention(q, q, q, { isCausal: true });
 */
export function scaledDotProductAttention(query: Tensor, key: Tensor, value: Tensor, options: ScaledDotProductAttentionOptions = {}): Tensor {
  const who = 'scaledDotProductAttention';
  for (const [name, t] of [['query', query], ['key', key], ['value', value]] as const) {
    expectTensor(t, who, name);
    expectFloat(t, who, name);
    if (t.ndim < 2) throw new RangeError(`${who}: ${name} must have at least 2 dimensions [..., seq, features], got ${fmt(t.shape)}`);
  }
  const L = query.shape[query.ndim - 2]!;
  const E = query.shape[query.ndim - 1]!;
  const S = key.shape[key.ndim - 2]!;
  if (key.shape[key.ndim - 1] !== E) {
    throw new RangeError(`${who}: query [..., L, E] and key [..., S, E] must have the same feature size E; got query ${fmt(query.shape)} and key ${fmt(key.shape)}`);
  }
  if (value.shape[value.ndim - 2] !== S) {
    throw new RangeError(`${who}: key [..., S, E] and value [..., S, Ev] must have the same length S; got key ${fmt(key.shape)} and value ${fmt(value.shape)}`);
  }
  let batch: number[];
  try {
    batch = broadcastShapes(broadcastShapes(query.shape.slice(0, -2), key.shape.slice(0, -2), who), value.shape.slice(0, -2), who);
  } catch {
    throw new RangeError(
      `${who}: the leading (batch) dimensions of query ${fmt(query.shape)}, key ${fmt(key.shape)} and value ${fmt(value.shape)} cannot be broadcast together`,
    );
  }
  const dropoutP = options.dropoutP ?? 0;
  if (typeof dropoutP !== 'number' || !(dropoutP >= 0 && dropoutP <= 1)) throw new RangeError(`${who}: dropoutP must be in [0, 1], got ${describe(dropoutP)}`);
  const scale = options.scale ?? 1 / Math.sqrt(E);
  if (typeof scale !== 'number' || !Number.isFinite(scale)) throw new TypeError(`${who}: scale must be a finite number, got ${describe(options.scale)}`);
  const isCausal = options.isCausal ?? false;
  const mask = options.attnMask ?? null;
  if (isCausal && mask !== null) {
    throw new Error(`${who}: pass either attnMask or isCausal: true, not both (as PyTorch); a causal mask is isCausal: true alone`);
  }
  let blocked: Tensor | null = null;
  let bias: Tensor | null = null;
  if (mask !== null) {
    expectMask(mask, who, 'attnMask', 'true = may attend, as PyTorch 2.x');
    const scores = [...batch, L, S];
    let fits = true;
    try {
      const b = broadcastShapes(mask.shape, scores, who);
      fits = b.length === scores.length && b.every((d, i) => d === scores[i]);
    } catch {
      fits = false;
    }
    if (!fits) throw new RangeError(`${who}: attnMask ${fmt(mask.shape)} must broadcast to the scores [..., L, S] = ${fmt(scores)}`);
    if (mask.dtype === 'bool') blocked = logicalNot(mask);
    else bias = mask;
  }
  const masks = blocked !== null ? [blocked] : bias !== null ? [bias] : [];
  const r = attendCore(query, key, value, scale, masks, isCausal, dropoutP, false);
  const rec = activeRecorder();
  if (rec !== null) {
    const causal = isCausal || (blocked !== null && isCausalBlocked(blocked)) || (bias !== null && isCausalBlocked(blockedPositions(bias)));
    const kind: AttentionKind = causal ? 'causal-self' : query === key ? 'self' : 'other';
    rec.attention({ module: null, kind, weights: as4d(r.probs), mask: eventMask(r.probs, masks, isCausal) });
  }
  return r.output;
}

// ---------------------------------------------------------------------------- multi-head attention

export interface MultiHeadAttentionForwardOptions {
  /** Number of heads; the embedding size must be divisible by it. */
  numHeads: number;
  /** [3E, E]: the stacked query, key and value projections (when not using separate weights). */
  inProjWeight?: Tensor | null;
  /** [3E] */
  inProjBias?: Tensor | null;
  /** [1, 1, E]: a learned key appended to the keys (`addBiasKv`). */
  biasK?: Tensor | null;
  /** [1, 1, E]: a learned value appended to the values. */
  biasV?: Tensor | null;
  /** Append a key and value of zeros. Default false. */
  addZeroAttn?: boolean;
  /** Dropout on the attention weights in training. Default 0. */
  dropoutP?: number;
  /** [E, E] */
  outProjWeight: Tensor;
  /** [E] */
  outProjBias?: Tensor | null;
  /** Apply dropout. Default true. */
  training?: boolean;
  /** [batch, S] (unbatched: [S]); bool true = padding (ignored key), or float added to the scores. */
  keyPaddingMask?: Tensor | null;
  /** Return the attention weights. Default true. */
  needWeights?: boolean;
  /** [L, S] or [batch * numHeads, L, S]; bool true = blocked, or float added to the scores. */
  attnMask?: Tensor | null;
  /** Use qProjWeight/kProjWeight/vProjWeight instead of inProjWeight. Default: whether they are given. */
  useSeparateProjWeight?: boolean;
  /** [E, E] */
  qProjWeight?: Tensor | null;
  /** [E, kdim] */
  kProjWeight?: Tensor | null;
  /** [E, vdim] */
  vProjWeight?: Tensor | null;
  /** Average the returned weights over heads. Default true. */
  averageAttnWeights?: boolean;
  /** Hint that `attnMask` is the causal mask (it must still be given, as in PyTorch). Default false. */
  isCausal?: boolean;
  /** Inputs and output as [batch, seq, E] (seqlab addition; PyTorch's function is sequence-first). Default false. */
  batchFirst?: boolean;
  /** The embedding size the query must have; default the query's last dimension. */
  embedDimToCheck?: number;
}

/**
 * The multi-head attention forward pass (`F.multi_head_attention_forward`), with PyTorch
 * 2.x semantics: project, split into heads, scaled dot-product attention per head with
 * the merged masks, concatenate heads, project out. Returns `[output, weights | null]`:
 * output [L, batch, E] ([batch, L, E] with batchFirst, [L, E] unbatched); weights
 * [batch, L, S] averaged over heads or [batch, heads, L, S] (unbatched without the batch
 * dimension), after dropout as PyTorch returns them.
 *
 * @example
 * const [out, w] = F.multiHeadAttentionForward(x, x, x, {
 *   numHeads: 2, inProjWeight: mha.in_proj_weight, inProjBias: mha.in_proj_bias,
 *   outProjWeight: mha.out_proj.weight, outProjBias: mha.out_proj.bias });
 */
export function multiHeadAttentionForward(
  query: Tensor,
  key: Tensor,
  value: Tensor,
  options: MultiHeadAttentionForwardOptions,
): [Tensor, Tensor | null] {
  return mhaForward(query, key, value, options, null, 'multiHeadAttentionForward');
}

/**
 * @internal The forward pass of multi-head attention; `module` is the MultiheadAttention
 * reported to traces (null for the bare function) and `who` prefixes error messages.
 */
export function mhaForward(
  query: Tensor,
  key: Tensor,
  value: Tensor,
  o: MultiHeadAttentionForwardOptions,
  module: Module | null,
  who: string,
): [Tensor, Tensor | null] {
  if (o === null || typeof o !== 'object') throw new TypeError(`${who}: expects an options object with numHeads, the projection weights and masks`);
  const bf = o.batchFirst ?? false;
  const H = o.numHeads;
  const separate = o.useSeparateProjWeight ?? (o.qProjWeight != null || o.kProjWeight != null || o.vProjWeight != null);
  for (const [name, t] of [['query', query], ['key', key], ['value', value]] as const) {
    expectTensor(t, who, name);
    expectFloat(t, who, name);
  }
  const E = o.embedDimToCheck ?? query.shape[query.ndim - 1]!;
  if (!Number.isInteger(H) || H <= 0) throw new RangeError(`${who}: numHeads must be a positive integer, got ${describe(H)}`);
  if (E % H !== 0) throw new RangeError(`${who}: the embedding size ${E} is not divisible by numHeads ${H}`);
  let inW: Tensor | null = null;
  let qW: Tensor | null = null;
  let kW: Tensor | null = null;
  let vW: Tensor | null = null;
  if (separate) {
    qW = expectWeight(o.qProjWeight, who, 'qProjWeight', [E, E]);
    kW = expectWeight(o.kProjWeight, who, 'kProjWeight', [E, -1]);
    vW = expectWeight(o.vProjWeight, who, 'vProjWeight', [E, -1]);
  } else inW = expectWeight(o.inProjWeight, who, 'inProjWeight', [3 * E, E]);
  const inB = o.inProjBias == null ? null : expectWeight(o.inProjBias, who, 'inProjBias', [3 * E]);
  const outW = expectWeight(o.outProjWeight, who, 'outProjWeight', [E, E]);
  const outB = o.outProjBias == null ? null : expectWeight(o.outProjBias, who, 'outProjBias', [E]);
  const kdim = kW ? kW.shape[1]! : E;
  const vdim = vW ? vW.shape[1]! : E;

  // Shapes. Errors show the layout the options imply.
  const layout = (d: number): string => (bf ? `[batch, seq, ${d}]` : `[seq, batch, ${d}]`);
  const expectInput = (t: Tensor, name: string, d: number): void => {
    if ((t.ndim !== 3 && t.ndim !== 2) || t.shape[t.ndim - 1] !== d) {
      throw new RangeError(`${who}: expected ${name} ${layout(d)} (batchFirst=${bf}) or unbatched [seq, ${d}], got ${fmt(t.shape)}`);
    }
  };
  expectInput(query, 'query', E);
  expectInput(key, 'key', kdim);
  expectInput(value, 'value', vdim);
  const batched = query.ndim === 3;
  if (key.ndim !== query.ndim || value.ndim !== query.ndim) {
    throw new RangeError(
      `${who}: query ${fmt(query.shape)} is ${batched ? 'batched (3-D)' : 'unbatched (2-D)'}, so key and value must be too; got key ${fmt(key.shape)} and value ${fmt(value.shape)}`,
    );
  }
  const seqDim = batched && bf ? 1 : 0;
  const batchDim = batched ? (bf ? 0 : 1) : -1;
  const L = query.shape[seqDim]!;
  const S0 = key.shape[seqDim]!;
  const B = batched ? query.shape[batchDim]! : 1;
  if (batched && (key.shape[batchDim] !== B || value.shape[batchDim] !== B)) {
    throw new RangeError(
      `${who}: query, key and value must have the same batch size (dimension ${batchDim}, batchFirst=${bf}); got query ${fmt(query.shape)}, key ${fmt(key.shape)}, value ${fmt(value.shape)}`,
    );
  }
  if (value.shape[seqDim] !== S0) {
    throw new RangeError(`${who}: key and value must have the same sequence length; got key ${fmt(key.shape)} and value ${fmt(value.shape)} (batchFirst=${bf})`);
  }
  const kpm = o.keyPaddingMask ?? null;
  if (kpm !== null) {
    expectMask(kpm, who, 'keyPaddingMask', 'true = padding');
    const want = batched ? [B, S0] : [S0];
    if (kpm.ndim !== want.length || kpm.shape.some((d, i) => d !== want[i])) {
      throw new RangeError(`${who}: expected keyPaddingMask ${batched ? `[batch, seq] = ${fmt(want)}` : `[seq] = ${fmt(want)} for unbatched input`}, got ${fmt(kpm.shape)}`);
    }
  }
  const attnMask = o.attnMask ?? null;
  if (attnMask !== null) {
    expectMask(attnMask, who, 'attnMask');
    const two = [L, S0];
    const three = [B * H, L, S0];
    const ok = (want: number[]): boolean => attnMask.ndim === want.length && attnMask.shape.every((d, i) => d === want[i]);
    if (!ok(two) && !ok(three)) {
      throw new RangeError(
        `${who}: expected attnMask [target, source] = ${fmt(two)} or [${batched ? 'batch * numHeads' : 'numHeads'}, target, source] = ${fmt(three)}, got ${fmt(attnMask.shape)}`,
      );
    }
  }
  const isCausal = o.isCausal ?? false;
  if (isCausal && attnMask === null) {
    throw new Error(
      `${who}: isCausal is a hint that attnMask is the causal mask, and the mask must be given too, as in PyTorch; ` +
        `pass attnMask: generateSquareSubsequentMask(${L})`,
    );
  }
  const dropoutP = o.dropoutP ?? 0;
  if (typeof dropoutP !== 'number' || !(dropoutP >= 0 && dropoutP <= 1)) throw new RangeError(`${who}: dropoutP must be in [0, 1], got ${describe(dropoutP)}`);
  const biasK = o.biasK ?? null;
  const biasV = o.biasV ?? null;
  if ((biasK === null) !== (biasV === null)) throw new Error(`${who}: biasK and biasV must be given together`);
  if (biasK) expectWeight(biasK, who, 'biasK', [1, 1, E]);
  if (biasV) expectWeight(biasV, who, 'biasV', [1, 1, E]);

  // Projections, in the input's own layout. Identity of the inputs picks PyTorch's packed
  // paths (one product for self-attention, one for the shared key/value of cross-attention).
  const selfAttention = query === key;
  let q: Tensor;
  let k: Tensor;
  let v: Tensor;
  const bPart = (i: number, n = 1): Tensor | null => (inB ? inB.narrow(0, i * E, n * E) : null);
  // Self-attention's packed [..., 3E] projection, whose heads are taken as views of it below.
  let packed: Tensor | null = null;
  if (separate) {
    q = linear(query, qW!, bPart(0));
    k = linear(key, kW!, bPart(1));
    v = linear(value, vW!, bPart(2));
  } else if (query === key && key === value) {
    const qkv = linear(query, inW!, inB);
    packed = qkv;
    q = qkv.narrow(-1, 0, E);
    k = qkv.narrow(-1, E, E);
    v = qkv.narrow(-1, 2 * E, E);
  } else if (key === value) {
    q = linear(query, inW!.narrow(0, 0, E), bPart(0));
    const kv = linear(key, inW!.narrow(0, E, 2 * E), bPart(1, 2));
    k = kv.narrow(-1, 0, E);
    v = kv.narrow(-1, E, E);
  } else {
    q = linear(query, inW!.narrow(0, 0, E), bPart(0));
    k = linear(key, inW!.narrow(0, E, E), bPart(1));
    v = linear(value, inW!.narrow(0, 2 * E, E), bPart(2));
  }
  // Unbatched input runs as a batch of one (sequence-first).
  const seqFirst = !(batched && bf);
  if (!batched) {
    q = q.unsqueeze(1);
    k = k.unsqueeze(1);
    v = v.unsqueeze(1);
  }
  let S = S0;
  if (biasK && biasV) {
    const shape = seqFirst ? [1, B, E] : [B, 1, E];
    k = cat([k, biasK.expand(shape)], seqFirst ? 0 : 1);
    v = cat([v, biasV.expand(shape)], seqFirst ? 0 : 1);
    S += 1;
  }
  const D = E / H;
  // [B, H, len, D] views (sequence-first data gives one uniform batch stride: no copy).
  const heads = (x: Tensor, len: number): Tensor =>
    seqFirst ? x.reshape([len, B, H, D]).permute(1, 2, 0, 3) : x.reshape([B, len, H, D]).permute(0, 2, 1, 3);
  let q4: Tensor;
  let k4: Tensor;
  let v4: Tensor;
  if (packed !== null && S === S0) {
    // The heads of q, k and v as selects of one [len, B, 3, H, D] view of the packed
    // projection: their gradients are added into one buffer in place, where narrow +
    // reshape would first copy each of them back into [len, B, E].
    const p = batched ? packed : packed.unsqueeze(1);
    const parts = seqFirst ? p.reshape([L, B, 3, H, D]) : p.reshape([B, L, 3, H, D]);
    const part = (i: number): Tensor => (seqFirst ? parts.select(2, i).permute(1, 2, 0, 3) : parts.select(2, i).permute(0, 2, 1, 3));
    [q4, k4, v4] = [part(0), part(1), part(2)];
  } else {
    q4 = heads(q, L);
    k4 = heads(k, S);
    v4 = heads(v, S);
  }
  if (o.addZeroAttn) {
    k4 = cat([k4, zeros([B, H, 1, D], { dtype: k4.dtype })], 2);
    v4 = cat([v4, zeros([B, H, 1, D], { dtype: v4.dtype })], 2);
    S += 1;
  }

  // Masks, broadcast against the scores [B, H, L, S]; extra keys are never blocked.
  // (The fused op applies every bool mask, then adds every float mask.)
  const extra = S - S0;
  const masks: Tensor[] = [];
  if (attnMask !== null) {
    const m = padMaskColumns(attnMask, extra);
    masks.push(m.ndim === 2 ? m.reshape([1, 1, L, S]) : m.reshape([B, H, L, S]));
  }
  if (kpm !== null) masks.push(padMaskColumns(batched ? kpm : kpm.unsqueeze(0), extra).reshape([B, 1, 1, S]));

  const training = o.training ?? true;
  const needWeights = o.needWeights ?? true;
  const r = attendCore(q4, k4, v4, Math.sqrt(1 / D), masks, false, training ? dropoutP : 0, needWeights);
  const rec = activeRecorder();
  if (rec !== null) {
    const causal = isCausal || (attnMask !== null && isCausalBlocked(blockedPositions(attnMask)));
    const kind: AttentionKind = causal ? 'causal-self' : selfAttention ? 'self' : 'cross';
    rec.attention({ module, kind, weights: r.probs, mask: eventMask(r.probs, masks, false) });
  }

  // Concatenate heads back into the input layout and project.
  const merged = seqFirst ? r.output.permute(2, 0, 1, 3).reshape([L, B, E]) : r.output.permute(0, 2, 1, 3).reshape([B, L, E]);
  let out = linear(merged, outW, outB);
  if (!batched) out = out.squeeze(1);
  if (!needWeights) return [out, null];
  // The weights after dropout, as PyTorch returns them: the op's own buffer (no copy).
  let w = (o.averageAttnWeights ?? true) ? r.applied!.mean(1) : r.applied!;
  if (!batched) w = w.squeeze(0);
  return [out, w];
}

/** Checks a weight's shape (-1 = any size); the message names `who` and the argument. */
function expectWeight(t: Tensor | null | undefined, who: string, arg: string, shape: readonly number[]): Tensor {
  if (!(t instanceof Tensor)) throw new TypeError(`${who}: ${arg} must be a Tensor, got ${describe(t)}`);
  if (!isFloating(t.dtype)) throw new TypeError(`${who}: ${arg} must be a floating point tensor, got ${t.dtype}`);
  if (t.ndim !== shape.length || shape.some((d, i) => d !== -1 && d !== t.shape[i])) {
    throw new RangeError(`${who}: ${arg} must have shape ${fmt(shape).replace(/-1/g, '*')}, got ${fmt(t.shape)}`);
  }
  return t;
}

// ---------------------------------------------------------------------------- masked softmax (D2L)

/**
 * Where keys lie beyond each row's valid length: bool [...scores.shape], true = masked.
 * `validLens` is [batch] (one length per batch entry, shared by its rows) or the scores'
 * shape without the last dimension (one length per row), as Dive into Deep Learning's
 * `masked_softmax` accepts.
 */
export function validLengthMask(shape: readonly number[], validLens: Tensor | readonly number[], who: string): Tensor {
  const lens = validLens instanceof Tensor ? validLens : null;
  if (lens === null && !Array.isArray(validLens)) throw new TypeError(`${who}: validLens must be a Tensor or an array of numbers, got ${describe(validLens)}`);
  const lensShape = lens ? lens.shape : [(validLens as readonly number[]).length];
  const values = lens ? lens.toTypedArray() : Float64Array.from(validLens as readonly number[]);
  if (lens && lens.dtype === 'bool') throw new TypeError(`${who}: validLens must hold numbers (lengths), got a bool tensor`);
  const K = shape[shape.length - 1]!;
  const rowsShape = shape.slice(0, -1);
  const rows = numel(rowsShape);
  const perBatch = lensShape.length === 1 && lensShape[0] === shape[0];
  const perRow = lensShape.length === rowsShape.length && lensShape.every((d, i) => d === rowsShape[i]);
  if (!perBatch && !perRow) {
    throw new RangeError(`${who}: validLens must have shape [${shape[0]}] (one length per batch entry) or ${fmt(rowsShape)} (one per query), got ${fmt(lensShape)}`);
  }
  const rowsPerBatch = perRow ? 1 : rows / shape[0]!;
  const out = new Uint8Array(rows * K);
  for (let r = 0; r < rows; r++) {
    const len = values[Math.floor(r / rowsPerBatch)]!;
    for (let j = 0; j < K; j++) if (!(j < len)) out[r * K + j] = 1;
  }
  return new Tensor(out, shape.slice());
}

/**
 * Softmax over the last dimension that ignores keys beyond each row's valid length, as
 * Dive into Deep Learning's `masked_softmax`: masked scores are replaced by -1e6, so a
 * masked key gets exactly zero weight and a row with no valid key gets uniform weights
 * (not NaN). `validLens`: [batch] or the scores' shape without the last dimension.
 *
 * @example
 * maskedSoftmax(rand([2, 2, 4]), tensor([2, 3]))   // keys 2.. (resp. 3..) get weight 0
 */
export function maskedSoftmax(scores: Tensor, validLens?: Tensor | readonly number[] | null): Tensor {
  expectTensor(scores, 'maskedSoftmax', 'scores');
  expectFloat(scores, 'maskedSoftmax', 'scores');
  if (scores.ndim < 2) throw new RangeError(`maskedSoftmax: scores must have at least 2 dimensions [batch, ..., keys], got ${fmt(scores.shape)}`);
  if (validLens == null) return softmax(scores, -1);
  return softmax(maskedFill(scores, validLengthMask(scores.shape, validLens, 'maskedSoftmax'), -1e6), -1);
}
