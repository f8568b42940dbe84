/**
 * Attention masks: the causal ("square subsequent") mask, the checks every attention
 * entry point applies to masks, and the conversions between the two mask kinds PyTorch
 * accepts: bool masks, where `true` blocks a position (MultiheadAttention's convention),
 * and float masks, which are added to the scores (`-Infinity` blocks).
 */
import { Tensor } from '../tensor.js';
import { allocate, isFloating } from '../dtype.js';
import { describe, numel } from '../shape.js';
import { cat } from '../ops/join.js';
import { eq } from '../ops/compare.js';
import { zeros } from '../ops/creation.js';

/**
 * The causal mask for a sequence of `size` positions, as PyTorch's
 * `Transformer.generate_square_subsequent_mask`: a float `[size, size]` tensor with
 * `-Infinity` above the diagonal (position i may not look at j > i) and 0 elsewhere.
 *
 * @example
 * generateSquareSubsequentMask(3)
 * // [[0, -inf, -inf],
 * //  [0,    0, -inf],
 * //  [0,    0,    0]]
 * decoder.forward(tgt, memory, { tgtMask: generateSquareSubsequentMask(tgt.size(0)) });
 */
export function generateSquareSubsequentMask(size: number, options: { dtype?: 'float32' | 'float64' } = {}): Tensor {
  if (typeof size !== 'number' || !Number.isInteger(size) || size < 0) {
    throw new RangeError(`generateSquareSubsequentMask: size must be a non-negative integer, got ${describe(size)}`);
  }
  const dtype = options.dtype ?? 'float32';
  if (dtype !== 'float32' && dtype !== 'float64') {
    throw new TypeError(`generateSquareSubsequentMask: dtype must be 'float32' or 'float64', got ${describe(dtype)}`);
  }
  const data = allocate(dtype, size * size);
  for (let i = 0; i < size; i++) for (let j = i + 1; j < size; j++) data[i * size + j] = -Infinity;
  return new Tensor(data, [size, size]);
}

/** Checks that `mask` is a bool or floating point tensor; the message names `who` and `arg`. */
export function expectMask(mask: unknown, who: string, arg: string, meaning = 'true = masked'): Tensor {
  if (!(mask instanceof Tensor)) throw new TypeError(`${who}: ${arg} must be a Tensor, got ${describe(mask)}`);
  if (mask.dtype !== 'bool' && !isFloating(mask.dtype)) {
    throw new TypeError(
      `${who}: ${arg} must be a bool tensor (${meaning}) or a float tensor (added to the attention scores, -Infinity blocks), got ${mask.dtype}`,
    );
  }
  return mask;
}

/** Where a mask blocks attention: a bool mask as it is, a float mask where it is -Infinity. */
export function blockedPositions(mask: Tensor): Tensor {
  return mask.dtype === 'bool' ? mask : eq(mask, -Infinity);
}

/**
 * Whether a bool "blocked" mask ([..., L, L], every leading slice alike) blocks exactly
 * the positions after each query: the pattern of a causal mask.
 */
export function isCausalBlocked(blocked: Tensor): boolean {
  if (blocked.ndim < 2) return false;
  const L = blocked.shape[blocked.ndim - 1]!;
  if (blocked.shape[blocked.ndim - 2] !== L) return false;
  const v = blocked.toTypedArray();
  const slices = numel(blocked.shape) / (L * L);
  for (let s = 0; s < slices; s++) {
    const base = s * L * L;
    for (let i = 0; i < L; i++) {
      for (let j = 0; j < L; j++) if ((v[base + i * L + j] !== 0) !== j > i) return false;
    }
  }
  return true;
}

/**
 * A bool `[rows, cols]` mask that blocks key j for query i when j > i, the rule of
 * PyTorch's `is_causal` (aligned at the top left, also when rows != cols).
 */
export function causalBlocked(rows: number, cols: number): Tensor {
  const data = new Uint8Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = i + 1; j < cols; j++) data[i * cols + j] = 1;
  return new Tensor(data, [rows, cols]);
}

/**
 * Appends `n` columns that block nothing to the last dimension of a mask (false for bool
 * masks, 0 for float masks), for the extra keys that `addBiasKv` and `addZeroAttn` add.
 */
export function padMaskColumns(mask: Tensor, n: number): Tensor {
  if (n === 0) return mask;
  const shape = mask.shape.slice();
  const last = shape[shape.length - 1]!;
  if (mask.dtype !== 'bool') {
    shape[shape.length - 1] = n;
    return cat([mask, zeros(shape, { dtype: mask.dtype })], -1);
  }
  // Bool masks are written directly: they carry no gradient.
  const src = mask.toTypedArray();
  const rows = src.length / Math.max(last, 1);
  const out = new Uint8Array(rows * (last + n));
  for (let r = 0; r < rows; r++) out.set(src.subarray(r * last, (r + 1) * last), r * (last + n));
  shape[shape.length - 1] = last + n;
  return new Tensor(out, shape);
}

