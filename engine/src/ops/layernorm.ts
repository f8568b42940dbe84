/** Layer normalisation over the trailing `normalizedShape` dims, fused forward and backward. */
import { allocate, type FloatArray } from '../dtype.js';
import { fmt, numel } from '../shape.js';
import { Tensor } from '../tensor.js';
import { record } from '../autograd/record.js';
import { expectFloat, expectTensor } from './helpers.js';

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
  const xc = x.contiguous();
  const src = xc.data as FloatArray;
  const so = xc.offset;
  const w = weight ? (weight.contiguous().toTypedArray() as FloatArray) : null;
  const b = bias ? (bias.contiguous().toTypedArray() as FloatArray) : null;
  const out = allocate(x.dtype, x.numel()) as FloatArray;
  const xhat = new Float64Array(x.numel());
  const rstd = new Float64Array(rows);
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
  const inputs = [x, ...(weight ? [weight] : []), ...(bias ? [bias] : [])];
  const result = new Tensor(out, x.shape.slice());
  const node = record(result, 'LayerNormBackward', inputs, (g, needs) => {
    const gc = g.contiguous();
    const gd = gc.data as FloatArray;
    const go = gc.offset;
    const gx = needs[0] ? (allocate(g.dtype, x.numel()) as FloatArray) : null;
    const gw = weight && needs[1] ? new Float64Array(D) : null;
    const gb = bias && needs[weight ? 2 : 1] ? new Float64Array(D) : null;
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
