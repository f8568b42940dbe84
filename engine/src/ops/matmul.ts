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
import { promote, isFloating } from '../dtype.js';
import { broadcastShapes, fmt, numel } from '../shape.js';
import { Tensor } from '../tensor-core.js';
import { record } from '../autograd/record.js';
import { expectTensor } from './helpers.js';
import { copyContiguous, rawReshape } from './raw/layout.js';
import { mT, rawMatmul } from './raw/matmul.js';
import { squeeze, unsqueeze } from './view.js';
import { sumTo } from './raw/reduce.js';
import { to } from './cast.js';

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
