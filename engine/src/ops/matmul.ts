/**
 * Matrix products with PyTorch's rules (`torch.matmul`):
 * - 1-D · 1-D: dot product (0-d result);
 * - 2-D · 2-D: matrix product;
 * - a 1-D operand is treated as a row (left) or column (right) vector and that
 *   dimension is removed from the result;
 * - more dimensions: batched products with broadcast batch dimensions.
 *
 * Every product goes through `kernels/gemm.ts` (and so through the fast backend when one
 * is installed). Transposed views are passed as transpose flags instead of being copied,
 * and `[..., M, K] · [K, N]` is folded into one `[B*M, K] · [K, N]` product.
 */
import { allocate, promote, isFloating, type FloatArray } from '../dtype.js';
import { broadcastShapes, fmt, numel } from '../shape.js';
import { Tensor } from '../tensor-core.js';
import { record } from '../autograd/record.js';
import { gemmBatched } from '../kernels/gemm.js';
import { expectTensor } from './helpers.js';
import { copyContiguous, rawReshape, rawTranspose } from './raw/layout.js';
import { squeeze, unsqueeze } from './view.js';
import { sumTo } from './raw/reduce.js';
import { to } from './cast.js';

/** How one operand is read by gemm: its data, whether transposed, and its matrices' layout. */
interface Operand {
  data: FloatArray;
  offset: number;
  ld: number;
  trans: boolean;
  /** Strides of the batch dimensions (broadcast to the full batch; 0 = broadcast). */
  batchStrides: number[];
}

/**
 * Describes `t` ([...batch, R, C], batch broadcast to `batchShape`) as a gemm operand,
 * copying only when its last two dimensions cannot be read with one leading dimension.
 */
function operand(t: Tensor, batchShape: readonly number[]): Operand {
  const nd = t.ndim;
  const R = t.shape[nd - 2]!;
  const C = t.shape[nd - 1]!;
  const sR = t.strides[nd - 2]!;
  const sC = t.strides[nd - 1]!;
  if ((sC === 1 || C === 1) && (sR === C || R === 1 || sR >= C)) {
    return { data: t.data as FloatArray, offset: t.offset, ld: R === 1 ? Math.max(C, 1) : sR, trans: false, batchStrides: broadcastBatchStrides(t, batchShape) };
  }
  if ((sR === 1 || R === 1) && (sC === R || C === 1 || sC >= R)) {
    return { data: t.data as FloatArray, offset: t.offset, ld: C === 1 ? Math.max(R, 1) : sC, trans: true, batchStrides: broadcastBatchStrides(t, batchShape) };
  }
  return materialize(t, batchShape);
}

/** A row-major copy of `t` broadcast to the full batch. */
function materialize(t: Tensor, batchShape: readonly number[]): Operand {
  const nd = t.ndim;
  const R = t.shape[nd - 2]!;
  const C = t.shape[nd - 1]!;
  const full = [...batchShape, R, C];
  const expanded = new Tensor(t.storage, full, [...broadcastBatchStrides(t, batchShape), t.strides[nd - 2]!, t.strides[nd - 1]!], t.offset);
  const c = copyContiguous(expanded);
  return { data: c.data as FloatArray, offset: 0, ld: Math.max(C, 1), trans: false, batchStrides: c.strides.slice(0, batchShape.length) };
}

/**
 * The single stride between consecutive matrices when the dims `shape` (with `strides`)
 * are walked as one flat index, or null when they are not uniformly strided.
 */
function groupStride(shape: readonly number[], strides: readonly number[]): number | null {
  let stride: number | null = null;
  let span = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    const d = shape[i]!;
    if (d === 1) continue;
    const s = strides[i]!;
    if (stride === null) {
      stride = s;
      span = d;
    } else {
      if (s !== stride * span) return null;
      span *= d;
    }
  }
  return stride ?? 0;
}

/**
 * The batch dims split at `p` into an outer and an inner group that both operands walk
 * with one stride each, or null when no split works.
 */
function splitBatch(batchShape: readonly number[], a: Operand, b: Operand): { p: number; sa: [number, number]; sb: [number, number] } | null {
  for (let p = 0; p <= batchShape.length; p++) {
    const outer = batchShape.slice(0, p);
    const inner = batchShape.slice(p);
    const ao = groupStride(outer, a.batchStrides.slice(0, p)), ai = groupStride(inner, a.batchStrides.slice(p));
    const bo = groupStride(outer, b.batchStrides.slice(0, p)), bi = groupStride(inner, b.batchStrides.slice(p));
    if (ao !== null && ai !== null && bo !== null && bi !== null) return { p, sa: [ao, ai], sb: [bo, bi] };
  }
  return null;
}

function broadcastBatchStrides(t: Tensor, batchShape: readonly number[]): number[] {
  const nb = t.ndim - 2;
  const lead = batchShape.length - nb;
  const out = new Array<number>(batchShape.length).fill(0);
  for (let i = 0; i < nb; i++) out[i + lead] = t.shape[i] === 1 ? 0 : t.strides[i]!;
  return out;
}

/**
 * The product of a [..., M, K] and b [..., K, N] (both at least 2-D), no autograd; with
 * `bias` (contiguous [N], the product's dtype) added to every row inside the product.
 */
function rawMatmul(a: Tensor, b: Tensor, bias: Tensor | null = null): Tensor {
  const M = a.shape[a.ndim - 2]!;
  const K = a.shape[a.ndim - 1]!;
  const N = b.shape[b.ndim - 1]!;
  const dtype = a.dtype;
  // [..., M, K] · [K, N] with a row-major: one big product.
  if (b.ndim === 2 && a.ndim > 2) {
    const rows = numel(a.shape.slice(0, -1));
    const a2 = rawReshape(a, [rows, K]);
    const out = rawMatmul(a2, b, bias);
    return new Tensor(out.storage, [...a.shape.slice(0, -1), N]);
  }
  const batchShape = broadcastShapes(a.shape.slice(0, -2), b.shape.slice(0, -2), 'matmul');
  const batch = numel(batchShape);
  let oa = operand(a, batchShape);
  let ob = operand(b, batchShape);
  // The batch as at most two levels of uniformly strided matrices (e.g. [batch, heads]
  // views inside a [seq, batch, 3·d] projection); an operand that fits no split is copied.
  let split = splitBatch(batchShape, oa, ob);
  if (split === null) {
    oa = materialize(a, batchShape);
    split = splitBatch(batchShape, oa, ob);
    if (split === null) {
      ob = materialize(b, batchShape);
      split = splitBatch(batchShape, oa, ob)!;
    }
  }
  const inner = numel(batchShape.slice(split.p));
  const C = allocate(dtype, batch * M * N) as FloatArray;
  gemmBatched({
    transA: oa.trans,
    transB: ob.trans,
    M,
    N,
    K,
    A: oa.data,
    aOffset: oa.offset,
    lda: oa.ld,
    B: ob.data,
    bOffset: ob.offset,
    ldb: ob.ld,
    C,
    cOffset: 0,
    ldc: N,
    accumulate: false,
    rowBias: bias === null ? null : (bias.data as FloatArray),
    rowBiasOffset: bias === null ? 0 : bias.offset,
    batch: inner,
    strideA: split.sa[1],
    strideB: split.sb[1],
    strideC: M * N,
    outer: batch / Math.max(inner, 1),
    outerStrideA: split.sa[0],
    outerStrideB: split.sb[0],
    outerStrideC: inner * M * N,
  });
  return new Tensor(C, [...batchShape, M, N]);
}

const mT = (t: Tensor): Tensor => rawTranspose(t, t.ndim - 2, t.ndim - 1);

/** The gradients of a · b for the output gradient g (each only when needed). */
function matmulGrads(a: Tensor, b: Tensor, g: Tensor, needA: boolean, needB: boolean): [Tensor | null, Tensor | null] {
  let ga: Tensor | null = null;
  let gb: Tensor | null = null;
  if (needA) ga = sumTo(rawMatmul(g, mT(b)), a.shape);
  if (needB) {
    if (b.ndim === 2 && a.ndim > 2) {
      // Fold the batch: gb = a_flat^T · g_flat, one product instead of a batch and a sum.
      const K = a.shape[a.ndim - 1]!;
      const N = b.shape[1]!;
      gb = rawMatmul(mT(rawReshape(a, [numel(a.shape) / K, K])), rawReshape(g, [numel(g.shape) / N, N]));
    } else gb = sumTo(rawMatmul(mT(a), g), b.shape);
  }
  return [ga, gb];
}

/** a [..., M, K] · b [..., K, N], recorded. */
function matmulNd(a: Tensor, b: Tensor): Tensor {
  const out = rawMatmul(a, b);
  const node = record(out, 'MatmulBackward', [a, b], (g, needs) => matmulGrads(a, b, g, needs[0]!, needs[1]!));
  if (node) {
    node.save(a);
    node.save(b);
  }
  return out;
}

/**
 * `a · b + bias` for a [..., M, K] (at least 2-D), b [K, N] and bias [N] of one floating
 * dtype: what a linear layer computes, with the bias added to the product's rows inside
 * the product (no second pass over a fresh [..., M, N] result). The same bits as
 * `add(matmul(a, b), bias)`, and the same gradients (the bias's: column sums of the
 * output gradient). Other argument combinations are errors; callers check them first.
 * @example matmulBias(x /* [batch, seq, in] *\/, weight.mT /* [in, out] *\/, bias /* [out] *\/)  // [batch, seq, out]
 */
export function matmulBias(a: Tensor, b: Tensor, bias: Tensor): Tensor {
  expectTensor(a, 'matmulBias', 'input');
  expectTensor(b, 'matmulBias', 'other');
  expectTensor(bias, 'matmulBias', 'bias');
  if (a.ndim < 2 || b.ndim !== 2 || bias.ndim !== 1) {
    throw new RangeError(`matmulBias: expects input [..., M, K], other [K, N] and bias [N], got ${fmt(a.shape)}, ${fmt(b.shape)} and ${fmt(bias.shape)}`);
  }
  if (!isFloating(a.dtype) || a.dtype !== b.dtype || a.dtype !== bias.dtype) {
    throw new TypeError(`matmulBias: expects three floating point tensors of one dtype, got ${a.dtype}, ${b.dtype} and ${bias.dtype}`);
  }
  const K = a.shape[a.ndim - 1]!;
  const N = b.shape[1]!;
  if (b.shape[0] !== K || bias.shape[0] !== N) {
    throw new RangeError(`matmulBias: cannot compute ${fmt(a.shape)} · ${fmt(b.shape)} + ${fmt(bias.shape)} (inner dimensions ${K} and ${b.shape[0]}, ${N} columns and a bias of ${bias.shape[0]})`);
  }
  const rowBias = bias.isContiguous() ? bias : copyContiguous(bias);
  const out = rawMatmul(a, b, rowBias);
  const node = record(out, 'AddmmBackward', [a, b, bias], (g, needs) => {
    const [ga, gb] = matmulGrads(a, b, g, needs[0]!, needs[1]!);
    return [ga, gb, needs[2] ? sumTo(g, bias.shape) : null];
  });
  if (node) {
    node.save(a);
    node.save(b);
  }
  return out;
}

/**
 * Matrix product with PyTorch's broadcasting rules (see the file comment).
 * Errors name both shapes: `matmul: cannot multiply [2,3] by [4,5] (inner dimensions 3 and 4 differ)`.
 * @example matmul(x /* [batch, seq, dModel] *\/, w.t() /* [dModel, dOut] *\/)  // [batch, seq, dOut]
 */
export function matmul(a: Tensor, b: Tensor): Tensor {
  expectTensor(a, 'matmul', 'input');
  expectTensor(b, 'matmul', 'other');
  if (a.ndim === 0 || b.ndim === 0) {
    throw new RangeError(`matmul: both arguments need at least 1 dimension, got ${fmt(a.shape)} and ${fmt(b.shape)}; use mul() for scalars`);
  }
  if (!isFloating(a.dtype) || !isFloating(b.dtype)) {
    throw new TypeError(`matmul: expects floating point tensors, got ${a.dtype} and ${b.dtype}`);
  }
  const ka = a.shape[a.ndim - 1]!;
  const kb = b.ndim === 1 ? b.shape[0]! : b.shape[b.ndim - 2]!;
  if (ka !== kb) {
    throw new RangeError(`matmul: cannot multiply ${fmt(a.shape)} by ${fmt(b.shape)} (inner dimensions ${ka} and ${kb} differ)`);
  }
  // Mixed float32/float64 promote like arithmetic does.
  const dtype = promote(a.dtype, b.dtype);
  let x = a.dtype === dtype ? a : to(a, dtype);
  let y = b.dtype === dtype ? b : to(b, dtype);
  const vecA = x.ndim === 1;
  const vecB = y.ndim === 1;
  if (vecA) x = unsqueeze(x, 0);
  if (vecB) y = unsqueeze(y, 1);
  if (x.ndim > 2 || y.ndim > 2) broadcastShapes(x.shape.slice(0, -2), y.shape.slice(0, -2), 'matmul');
  let out = matmulNd(x, y);
  if (vecB) out = squeeze(out, -1);
  if (vecA) out = squeeze(out, vecB ? -1 : -2);
  return out;
}
