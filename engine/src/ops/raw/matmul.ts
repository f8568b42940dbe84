/**
 * The batched matrix product behind `matmul`, `matmulBias` and the fused attention op,
 * without autograd: operands read in place through gemm's transpose flags and strides
 * (a row-major copy only when one cannot be read so), batch dimensions broadcast, and a
 * batch walked as at most two levels of uniformly strided matrices.
 */
import { allocateForOverwrite, type FloatArray } from '../../dtype.js';
import { broadcastShapes, numel } from '../../shape.js';
import { Tensor } from '../../tensor-core.js';
import { gemmBatched } from '../../kernels/gemm.js';
import { copyContiguous, rawReshape, rawTranspose } from './layout.js';

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
export function rawMatmul(a: Tensor, b: Tensor, bias: Tensor | null = null): Tensor {
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
  // Every element of C is written (the products cover it; K = 0 writes zeros).
  const C = allocateForOverwrite(dtype, batch * M * N, 'matmul', [...batchShape, M, N]) as FloatArray;
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

/** The transpose of the last two dimensions, as a view. */
export const mT = (t: Tensor): Tensor => rawTranspose(t, t.ndim - 2, t.ndim - 1);
