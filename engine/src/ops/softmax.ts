/**
 * softmax and logSoftmax along one dimension, fused: one pass for the maximum, one for
 * the normaliser, one for the output; backward is a fused pass as well. The input is
 * read as a contiguous [outer, n, inner] block, so any dim works without a transpose.
 */
import { allocate, type FloatArray } from '../dtype.js';
import { normDim, numel } from '../shape.js';
import { Tensor } from '../tensor-core.js';
import { record } from '../autograd/record.js';
import { asContiguous } from './raw/layout.js';
import { expectFloat, expectTensor } from './helpers.js';
import { fastKernels } from '../kernels/fast.js';

function layout(x: Tensor, d: number): { outer: number; n: number; inner: number } {
  return { outer: numel(x.shape.slice(0, d)), n: x.ndim === 0 ? 1 : x.shape[d]!, inner: numel(x.shape.slice(d + 1)) };
}

function forward(x: Tensor, dim: number, op: string, log: boolean): Tensor {
  expectTensor(x, op, 'input');
  expectFloat(x, op);
  const d = normDim(dim, x.ndim, op);
  const xc = asContiguous(x);
  const src = xc.data as FloatArray;
  const so = xc.offset;
  const { outer, n, inner } = layout(x, d);
  const out = allocate(x.dtype, x.numel()) as FloatArray;
  // Rows along the last dimension in float32: the fast kernel, when installed.
  const fastRows = inner === 1 && x.dtype === 'float32' && (fastKernels()?.softmax(src as Float32Array, so, out as Float32Array, outer, n, log) ?? false);
  if (!fastRows) rows(src, so, out, outer, n, inner, log);
  const result = new Tensor(out, x.shape.slice());
  const node = record(result, log ? 'LogSoftmaxBackward' : 'SoftmaxBackward', [x], (g) => {
    const gc = asContiguous(g);
    const gd = gc.data as FloatArray;
    const go = gc.offset;
    const gx = allocate(g.dtype, x.numel()) as FloatArray;
    const fastBack =
      inner === 1 && g.dtype === 'float32' && out instanceof Float32Array &&
      (fastKernels()?.softmaxBackward(out, gd as Float32Array, go, gx as Float32Array, outer, n, log) ?? false);
    if (!fastBack) rowsBackward(out, gd, go, gx, outer, n, inner, log);
    return [new Tensor(gx, x.shape.slice())];
  });
  if (node) node.save(result);
  return result;
}

/** The reference forward: softmax or log-softmax of src (from so) along n, into out (may be src itself). */
export function rows(src: FloatArray, so: number, out: FloatArray, outer: number, n: number, inner: number, log: boolean): void {
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * n * inner + i;
      let m = -Infinity;
      for (let k = 0; k < n; k++) {
        const v = src[so + base + k * inner]!;
        if (v > m || v !== v) m = v;
      }
      // A slice of all -inf (fully masked) has no distribution: NaN, as in PyTorch.
      let s = 0;
      for (let k = 0; k < n; k++) {
        const e = Math.exp(src[so + base + k * inner]! - m);
        if (!log) out[base + k * inner] = e;
        s += e;
      }
      if (log) {
        const lse = m + Math.log(s);
        for (let k = 0; k < n; k++) out[base + k * inner] = src[so + base + k * inner]! - lse;
      } else {
        const inv = 1 / s;
        for (let k = 0; k < n; k++) out[base + k * inner]! *= inv;
      }
    }
  }
}

/** The reference backward, from the output `out` and the gradient gd (from go), into gx. */
function rowsBackward(out: FloatArray, gd: FloatArray, go: number, gx: FloatArray, outer: number, n: number, inner: number, log: boolean): void {
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * n * inner + i;
      let s = 0;
      if (log) {
        // d logsoftmax: gx = g - softmax * sum(g)
        for (let k = 0; k < n; k++) s += gd[go + base + k * inner]!;
        for (let k = 0; k < n; k++) {
          const idx = base + k * inner;
          gx[idx] = gd[go + idx]! - Math.exp(out[idx]!) * s;
        }
      } else {
        // d softmax: gx = y * (g - sum(g * y))
        for (let k = 0; k < n; k++) {
          const idx = base + k * inner;
          s += gd[go + idx]! * out[idx]!;
        }
        for (let k = 0; k < n; k++) {
          const idx = base + k * inner;
          gx[idx] = out[idx]! * (gd[go + idx]! - s);
        }
      }
    }
  }
}

/**
 * exp(x) / sum(exp(x)) along `dim`: non-negative values summing to 1 along `dim`.
 * @example scores.softmax(-1)   // attention weights over keys
 */
export function softmax(x: Tensor, dim: number): Tensor {
  return forward(x, dim, 'softmax', false);
}

/** log(softmax(x)) computed stably (no log of a rounded-to-zero probability). */
export function logSoftmax(x: Tensor, dim: number): Tensor {
  return forward(x, dim, 'logSoftmax', true);
}
