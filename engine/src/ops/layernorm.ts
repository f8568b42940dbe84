/** Layer normalisation over the trailing `normalizedShape` dims, fused forward and backward. */
import { allocate, type FloatArray } from '../dtype.js';
import { fmt, numel } from '../shape.js';
import { Tensor } from '../tensor-core.js';
import { record } from '../autograd/record.js';
import { asContiguous } from './raw/layout.js';
import { expectFloat, expectTensor } from './helpers.js';
import { fastKernels } from '../kernels/fast.js';

/**
 * y = (x - mean) / sqrt(var + eps) * weight + bias, with mean and (biased) variance over
 * the last `normalizedShape.length` dims, as PyTorch's `F.layer_norm`.
 * @example layerNorm(x /* [batch, seq, 512] *\/, [512], gamma, beta)
 */
export function layerNorm(
  x: Tensor,
  normalizedShape: readonly number[],
  weight?: Tensor | null,
  bias?: Tensor | null,
  eps = 1e-5,
): Tensor {
  expectTensor(x, 'layerNorm', 'input');
  expectFloat(x, 'layerNorm');
  const k = normalizedShape.length;
  const tail = x.shape.slice(x.ndim - k);
  if (k === 0 || x.ndim < k || tail.some((d, i) => d !== normalizedShape[i])) {
    throw new RangeError(`layerNorm: normalizedShape ${fmt(normalizedShape)} does not match the last dimensions of input ${fmt(x.shape)}`);
  }
  for (const [name, p] of [['weight', weight], ['bias', bias]] as const) {
    if (p != null) {
      expectTensor(p, 'layerNorm', name);
      if (p.ndim !== k || p.shape.some((d, i) => d !== normalizedShape[i])) {
        throw new RangeError(`layerNorm: ${name} must have shape ${fmt(normalizedShape)}, got ${fmt(p.shape)}`);
      }
    }
  }
  const D = numel(normalizedShape);
  const rows = D === 0 ? 0 : x.numel() / D;
  const xc = asContiguous(x);
  const src = xc.data as FloatArray;
  const so = xc.offset;
  const w = weight ? (asContiguous(weight).toTypedArray() as FloatArray) : null;
  const b = bias ? (asContiguous(bias).toTypedArray() as FloatArray) : null;
  const out = allocate(x.dtype, x.numel()) as FloatArray;
  // float32 rows go to the fast kernel when installed (float32 saved values); otherwise
  // the reference loop below, with the saved values in float64.
  const f32 = x.dtype === 'float32' && (w === null || w instanceof Float32Array) && (b === null || b instanceof Float32Array);
  let xhat: FloatArray = new Float32Array(f32 ? x.numel() : 0);
  let rstd: FloatArray = new Float32Array(f32 ? rows : 0);
  const fast = f32 && (fastKernels()?.layerNorm(src as Float32Array, so, w as Float32Array | null, b as Float32Array | null, eps, out as Float32Array, xhat as Float32Array, rstd as Float32Array, rows, D) ?? false);
  if (!fast) {
    xhat = new Float64Array(x.numel());
    rstd = new Float64Array(rows);
    layerNormRows(src, so, w, b, eps, out, xhat, rstd, rows, D);
  }
  const inputs = [x, ...(weight ? [weight] : []), ...(bias ? [bias] : [])];
  const result = new Tensor(out, x.shape.slice());
  const node = record(result, 'LayerNormBackward', inputs, (g, needs) => {
    const gc = asContiguous(g);
    const gd = gc.data as FloatArray;
    const go = gc.offset;
    const gx = needs[0] ? (allocate(g.dtype, x.numel()) as FloatArray) : null;
    const gw = weight && needs[1] ? new Float64Array(D) : null;
    const gb = bias && needs[weight ? 2 : 1] ? new Float64Array(D) : null;
    const fastBack =
      xhat instanceof Float32Array && gd instanceof Float32Array && (gx === null || gx instanceof Float32Array) &&
      (fastKernels()?.layerNormBackward(gd, go, w as Float32Array | null, xhat, rstd as Float32Array, gx as Float32Array | null, gw, gb, rows, D) ?? false);
    if (!fastBack) layerNormBackwardRows(gd, go, w, xhat, rstd, gx, gw, gb, rows, D);
    const res: (Tensor | null)[] = [gx ? new Tensor(gx, x.shape.slice()) : null];
    if (weight) res.push(gw ? new Tensor(allocate(g.dtype, D).map((_, j) => gw[j]!) as FloatArray, normalizedShape.slice()) : null);
    if (bias) res.push(gb ? new Tensor(allocate(g.dtype, D).map((_, j) => gb[j]!) as FloatArray, normalizedShape.slice()) : null);
    return res;
  });
  if (node) {
    node.save(x);
    if (weight) node.save(weight);
  }
  return result;
}

/** The reference forward: normalises rows of src (from so) into out, saving xhat and rstd. */
function layerNormRows(
  src: FloatArray, so: number, w: FloatArray | null, b: FloatArray | null, eps: number,
  out: FloatArray, xhat: FloatArray, rstd: FloatArray, rows: number, D: number,
): void {
  for (let r = 0; r < rows; r++) {
    const o = r * D;
    let m = 0;
    for (let j = 0; j < D; j++) m += src[so + o + j]!;
    m /= D;
    let v = 0;
    for (let j = 0; j < D; j++) {
      const d = src[so + o + j]! - m;
      v += d * d;
    }
    v /= D;
    const rs = 1 / Math.sqrt(v + eps);
    rstd[r] = rs;
    for (let j = 0; j < D; j++) {
      const h = (src[so + o + j]! - m) * rs;
      xhat[o + j] = h;
      out[o + j] = h * (w ? w[j]! : 1) + (b ? b[j]! : 0);
    }
  }
}

/** The reference backward (gx, and the parameter gradients summed in float64). */
function layerNormBackwardRows(
  gd: FloatArray, go: number, w: FloatArray | null, xhat: FloatArray, rstd: FloatArray,
  gx: FloatArray | null, gw: Float64Array | null, gb: Float64Array | null, rows: number, D: number,
): void {
  for (let r = 0; r < rows; r++) {
    const o = r * D;
    let sumG = 0;
    let sumGX = 0;
    for (let j = 0; j < D; j++) {
      const gv = gd[go + o + j]!;
      const gh = gv * (w ? w[j]! : 1);
      sumG += gh;
      sumGX += gh * xhat[o + j]!;
      if (gw) gw[j]! += gv * xhat[o + j]!;
      if (gb) gb[j]! += gv;
    }
    if (gx) {
      const rs = rstd[r]!;
      const mg = sumG / D;
      const mgx = sumGX / D;
      for (let j = 0; j < D; j++) {
        const gh = gd[go + o + j]! * (w ? w[j]! : 1);
        gx[o + j] = rs * (gh - mg - xhat[o + j]! * mgx);
      }
    }
  }
}
