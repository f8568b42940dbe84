/**
 * Scaled dot-product attention as one op (one autograd node):
 *
 *   S = (q·scale) kᵀ, masked in place; P = softmax(S) in place; D = dropout(P); out = D v
 *
 * over the last two dimensions, batch dimensions broadcast as `matmul` broadcasts them.
 * The products run on `gemmBatched` (the fast kernels when installed), reading q, k and v
 * in place through strides and transpose flags; the row softmax is the fast kernel's (the
 * TypeScript reference for float64 or when it declines). Only P (and the dropout mask)
 * is kept for backward:
 *
 *   dV = Dᵀ dO,  dD = dO vᵀ,  dP = dD ⊙ keep/(1-p),  dS = P ⊙ (dP − rowsum(dP ⊙ P)),
 *   dq = dS k · scale,  dk = dSᵀ (q·scale),  d(float mask) = dS summed to its shape.
 *
 * The weights P (and D, when asked for) are returned as tensors over the op's own
 * buffers, so returning per-head weights costs no copy; each has its own backward node,
 * so they are differentiable like the output.
 *
 * The numerics are those of the composed ops it replaces (`matmul(q·scale, kᵀ)`,
 * `maskedFill(-Infinity)`, `add(mask)`, `softmax`, `dropout`, `matmul`): the same scores,
 * the same dropout draws in the same order from the same generator, and a row whose keys
 * are all blocked has no distribution (its weights and output are NaN), with a zero
 * gradient at the positions a bool mask (or causality) blocks, as `maskedFill`'s backward
 * gives.
 */
import { allocate, isFloating, promote, type FloatArray, type TypedArray } from '../dtype.js';
import { broadcastShapes, broadcastStrides, describe, fmt, numel } from '../shape.js';
import { Tensor } from '../tensor-core.js';
import { record } from '../autograd/record.js';
import { defaultGenerator, type Generator } from '../random.js';
import { fastKernels } from '../kernels/fast.js';
import { mT, rawMatmul } from './raw/matmul.js';
import { sumTo } from './raw/reduce.js';
import { copyContiguous } from './raw/layout.js';
import { rows as softmaxRowsReference } from './softmax.js';
import { to } from './cast.js';
import { applyKeep, dropoutDraws, dropoutScale } from './dropout.js';
import { expectTensor } from './helpers.js';

const OP = 'scaledDotProductAttentionFused';

export interface FusedAttentionOptions {
  /** Factor on q·kᵀ (applied to q before the product, as the composed path did). */
  scale: number;
  /**
   * Masks broadcastable to the scores [...batch, L, S]: a **bool** mask blocks where it is
   * true (it sets the score to -Infinity); a **float** mask is added to the scores (after
   * every bool mask is applied). Any number of each; float masks may require grad.
   */
  masks?: readonly Tensor[];
  /** Block key j for query i when j > i (aligned at the top left, as PyTorch's is_causal), like a bool mask. */
  causal?: boolean;
  /** Dropout on the weights, applied when > 0 (inverted: survivors scaled by 1/(1-p)). Default 0. */
  dropoutP?: number;
  generator?: Generator;
  /** Also return the weights after dropout as a tensor (else only P is kept). Default false. */
  keepApplied?: boolean;
}

export interface FusedAttention {
  /** [...batch, L, Ev] */
  output: Tensor;
  /** softmax of the masked scores, [...batch, L, S], before dropout: the op's own buffer. */
  probs: Tensor;
  /** The weights applied to the values (after dropout); `probs` itself without dropout, null unless `keepApplied`. */
  applied: Tensor | null;
}

/** How a mask is read over the scores: its data, one offset per batch matrix, and its row and column strides. */
interface MaskPlan {
  t: Tensor;
  data: TypedArray;
  bool: boolean;
  offsets: Int32Array | Float64Array;
  sL: number;
  sS: number;
}

function planMask(m: Tensor, batchShape: readonly number[], L: number, S: number): MaskPlan {
  const full = [...batchShape, L, S];
  const strides = broadcastStrides(m.shape, m.strides, full);
  const nb = numel(batchShape);
  const offsets = new Float64Array(nb);
  for (let b = 0; b < nb; b++) {
    let rest = b;
    let off = m.offset;
    for (let d = batchShape.length - 1; d >= 0; d--) {
      const n = batchShape[d]!;
      off += (rest % n) * strides[d]!;
      rest = Math.floor(rest / n);
    }
    offsets[b] = off;
  }
  return { t: m, data: m.data, bool: m.dtype === 'bool', offsets, sL: strides[full.length - 2]!, sS: strides[full.length - 1]! };
}

/** Whether (batch b, row i, column j) is blocked by causality or a bool mask. */
function isBlocked(causal: boolean, plans: readonly MaskPlan[], b: number, i: number, j: number): boolean {
  if (causal && j > i) return true;
  for (const p of plans) if (p.bool && p.data[p.offsets[b]! + i * p.sL + j * p.sS]) return true;
  return false;
}

/** Applies causality, the bool masks (-Infinity) and then the float masks (added) to the scores in place. */
function applyMasks(s: FloatArray, nb: number, L: number, S: number, causal: boolean, plans: readonly MaskPlan[]): void {
  const LS = L * S;
  if (causal) {
    for (let b = 0; b < nb; b++) {
      for (let i = 0; i < L; i++) {
        const row = b * LS + i * S;
        for (let j = i + 1; j < S; j++) s[row + j] = -Infinity;
      }
    }
  }
  for (const p of plans) {
    if (!p.bool) continue;
    const { data, sL, sS } = p;
    for (let b = 0; b < nb; b++) {
      const mo = p.offsets[b]!;
      for (let i = 0; i < L; i++) {
        const row = b * LS + i * S;
        const mr = mo + i * sL;
        for (let j = 0; j < S; j++) if (data[mr + j * sS]) s[row + j] = -Infinity;
      }
    }
  }
  for (const p of plans) {
    if (p.bool) continue;
    const data = p.data as FloatArray;
    const { sL, sS } = p;
    for (let b = 0; b < nb; b++) {
      const mo = p.offsets[b]!;
      for (let i = 0; i < L; i++) {
        const row = b * LS + i * S;
        const mr = mo + i * sL;
        for (let j = 0; j < S; j++) s[row + j]! += data[mr + j * sS]!;
      }
    }
  }
}

/**
 * The gradient of the scores from the gradient of the weights, in place: x holds dD
 * (the gradient of the weights after dropout) on entry and dS on return. `nanRows` lists
 * the rows without a distribution (all keys blocked: P is NaN there).
 */
function scoresGrad(
  x: FloatArray, P: FloatArray, keep: Uint8Array | null, dropScale: number,
  nb: number, L: number, S: number, causal: boolean, plans: readonly MaskPlan[], nanRows: readonly number[],
): void {
  const rowsN = nb * L;
  if (keep !== null) applyKeep(keep, x, 0, dropScale, x);
  // dS = P ⊙ (dP − rowsum(dP ⊙ P)): the softmax backward (the fast kernel for float32).
  const fast = x instanceof Float32Array && P instanceof Float32Array && (fastKernels()?.softmaxBackward(P, x, 0, x, rowsN, S, false) ?? false);
  if (!fast) {
    for (let r = 0; r < rowsN; r++) {
      const base = r * S;
      let sum = 0;
      for (let j = 0; j < S; j++) sum += x[base + j]! * P[base + j]!;
      for (let j = 0; j < S; j++) x[base + j] = P[base + j]! * (x[base + j]! - sum);
    }
  }
  // Blocked positions have P = 0, so their gradient is 0 already, except in rows without a
  // distribution: there a bool mask's (or causality's) positions get 0, as maskedFill's
  // backward gives, and the rest stays NaN.
  for (const r of nanRows) {
    const b = Math.floor(r / L);
    const i = r - b * L;
    for (let j = 0; j < S; j++) if (isBlocked(causal, plans, b, i, j)) x[r * S + j] = 0;
  }
}

/**
 * Fused scaled dot-product attention (see the file comment). query [...bq, L, E], key
 * [...bk, S, E], value [...bv, S, Ev] -> output [...batch, L, Ev], batch dimensions
 * broadcast; masks broadcastable to [...batch, L, S]. Mixed float32/float64 inputs
 * promote as `matmul` does; float masks are read as numbers in that dtype.
 *
 * @example
 * const { output, probs } = scaledDotProductAttentionFused(q, k, v, { scale: 1 / Math.sqrt(8), causal: true });
 */
export function scaledDotProductAttentionFused(query: Tensor, key: Tensor, value: Tensor, options: FusedAttentionOptions): FusedAttention {
  for (const [name, t] of [['query', query], ['key', key], ['value', value]] as const) {
    expectTensor(t, OP, name);
    if (!isFloating(t.dtype)) throw new TypeError(`${OP}: ${name} must be a floating point tensor, got ${t.dtype} ${fmt(t.shape)}`);
    if (t.ndim < 2) throw new RangeError(`${OP}: ${name} must have at least 2 dimensions [..., seq, features], got ${fmt(t.shape)}`);
  }
  const L = query.shape[query.ndim - 2]!;
  const E = query.shape[query.ndim - 1]!;
  const S = key.shape[key.ndim - 2]!;
  if (key.shape[key.ndim - 1] !== E) {
    throw new RangeError(`${OP}: query [..., L, E] and key [..., S, E] must have the same feature size E; got query ${fmt(query.shape)} and key ${fmt(key.shape)}`);
  }
  if (value.shape[value.ndim - 2] !== S) {
    throw new RangeError(`${OP}: key [..., S, E] and value [..., S, Ev] must have the same length S; got key ${fmt(key.shape)} and value ${fmt(value.shape)}`);
  }
  let batchShape: number[];
  try {
    batchShape = broadcastShapes(broadcastShapes(query.shape.slice(0, -2), key.shape.slice(0, -2), OP), value.shape.slice(0, -2), OP);
  } catch {
    throw new RangeError(`${OP}: the batch dimensions of query ${fmt(query.shape)}, key ${fmt(key.shape)} and value ${fmt(value.shape)} cannot be broadcast together`);
  }
  const scale = options.scale;
  if (typeof scale !== 'number' || !Number.isFinite(scale)) throw new TypeError(`${OP}: scale must be a finite number, got ${describe(scale)}`);
  const p = options.dropoutP ?? 0;
  if (typeof p !== 'number' || !(p >= 0 && p <= 1)) throw new RangeError(`${OP}: dropoutP must be in [0, 1], got ${describe(p)}`);
  const causal = options.causal ?? false;
  const keepApplied = options.keepApplied ?? false;
  const scoresShape = [...batchShape, L, S];
  const masks = options.masks ?? [];
  masks.forEach((m, i) => {
    expectTensor(m, OP, `masks[${i}]`);
    if (m.dtype !== 'bool' && !isFloating(m.dtype)) throw new TypeError(`${OP}: masks[${i}] must be a bool or floating point tensor, got ${m.dtype} ${fmt(m.shape)}`);
    let fits = m.ndim <= scoresShape.length;
    if (fits) {
      const lead = scoresShape.length - m.ndim;
      fits = m.shape.every((d, j) => d === 1 || d === scoresShape[lead + j]);
    }
    if (!fits) throw new RangeError(`${OP}: masks[${i}] ${fmt(m.shape)} must broadcast to the scores [..., L, S] = ${fmt(scoresShape)}`);
  });

  const dtype = promote(promote(query.dtype, key.dtype), value.dtype);
  const q = query.dtype === dtype ? query : to(query, dtype);
  const k = key.dtype === dtype ? key : to(key, dtype);
  const v = value.dtype === dtype ? value : to(value, dtype);
  const nb = numel(batchShape);
  const rowsN = nb * L;
  const plans = masks.map((m) => planMask(m, batchShape, L, S));

  // Scores, masked and softmaxed in their own buffer, which becomes P.
  // q·scale (a copy of q's own layout when q is a view, e.g. heads inside a projection).
  const qs = copyContiguous(q, OP);
  const qd = qs.data as FloatArray;
  for (let i = 0; i < qd.length; i++) qd[i]! *= scale;
  const scores = rawMatmul(qs, mT(k));
  const P = scores.data as FloatArray;
  applyMasks(P, nb, L, S, causal, plans);
  const fast = dtype === 'float32' && S > 0 && (fastKernels()?.softmax(P as Float32Array, 0, P as Float32Array, rowsN, S, false) ?? false);
  if (!fast) softmaxRowsReference(P, 0, P, rowsN, S, 1, false);
  // Rows without a distribution (every key blocked) come out NaN; backward treats them apart.
  const nanRows: number[] = [];
  if (S > 0) for (let r = 0; r < rowsN; r++) if (P[r * S] !== P[r * S]) nanRows.push(r);

  // Dropout: the composed path's draws (one per weight, in order, keep when >= p).
  let keep: Uint8Array | null = null;
  let D: FloatArray = P;
  const dropScale = dropoutScale(p);
  if (p > 0) {
    const n = rowsN * S;
    D = allocate(dtype, n, OP, scoresShape) as FloatArray;
    keep = dropoutDraws(P, 0, n, p, options.generator ?? defaultGenerator, D);
  }
  const probs = new Tensor(scores.storage, scoresShape);
  const appliedT = D === P ? probs : new Tensor(D, scoresShape);
  const output = rawMatmul(appliedT, v);

  const floatMasks = masks.filter((m) => m.dtype !== 'bool');
  // What backward reads: P, the dropout mask, and D only when it is handed out anyway.
  const keptD = keep === null || keepApplied ? appliedT : null;
  /** dq, dk and the float masks' gradients, from the weights' gradient dD in x (overwritten by dS). */
  const fromWeightsGrad = (x: FloatArray, dropKeep: Uint8Array | null, needQ: boolean, needK: boolean, needMasks: readonly boolean[]): (Tensor | null)[] => {
    scoresGrad(x, P, dropKeep, dropScale, nb, L, S, causal, plans, nanRows);
    const dS = new Tensor(x, scoresShape);
    let dq: Tensor | null = null;
    if (needQ) {
      const t = rawMatmul(dS, k);
      const d = t.data as FloatArray;
      for (let i = 0; i < d.length; i++) d[i]! *= scale;
      dq = sumTo(t, q.shape);
    }
    const dk = needK ? sumTo(rawMatmul(mT(dS), qs), k.shape) : null;
    const dm = floatMasks.map((m, i) => {
      if (!needMasks[i]) return null;
      const gm = sumTo(dS, m.shape);
      return gm.dtype === m.dtype ? gm : to(gm, m.dtype);
    });
    return [dq, dk, ...dm];
  };

  const node = record(output, 'ScaledDotProductAttentionBackward', [q, k, v, ...floatMasks], (g, needs) => {
    // dV = Dᵀ dO (D rebuilt from P and the dropout mask when it was not kept).
    let dv: Tensor | null = null;
    if (needs[2]) {
      let Dt = keptD;
      if (Dt === null) {
        const d = allocate(dtype, rowsN * S, OP, scoresShape) as FloatArray;
        applyKeep(keep!, P, 0, dropScale, d);
        Dt = new Tensor(d, scoresShape);
      }
      dv = sumTo(rawMatmul(mT(Dt), g), v.shape);
    }
    const needMasks = needs.slice(3);
    if (!needs[0] && !needs[1] && !needMasks.some(Boolean)) return [null, null, dv, ...floatMasks.map(() => null)];
    const [dq, dk, ...dm] = fromWeightsGrad(rawMatmul(g, mT(v)).data as FloatArray, keep, needs[0]!, needs[1]!, needMasks);
    return [dq!, dk!, dv, ...dm];
  });
  if (node) {
    node.save(q);
    node.save(k);
    node.save(v);
    node.save(probs);
  }
  // The weights' own backward, for callers that differentiate through them.
  const weightsNode = (t: Tensor, afterDropout: boolean): void => {
    const n = record(t, 'ScaledDotProductAttentionWeightsBackward', [q, k, ...floatMasks], (g, needs) => {
      const x = copyContiguous(g, OP).data as FloatArray;
      const [dq, dk, ...dm] = fromWeightsGrad(x, afterDropout ? keep : null, needs[0]!, needs[1]!, needs.slice(2));
      return [dq!, dk!, ...dm];
    });
    if (n) {
      n.save(q);
      n.save(k);
      n.save(probs);
    }
  };
  weightsNode(probs, false);
  let applied: Tensor | null = null;
  if (keepApplied) {
    if (appliedT === probs) applied = probs;
    else {
      applied = appliedT;
      weightsNode(applied, true);
    }
  }
  return { output, probs, applied };
}
