/** Sampling and selection: multinomial draws (for text generation) and top-k. */
import { fmt, normDim } from '../shape.js';
import { Tensor } from '../tensor-core.js';
import { defaultGenerator, type Generator } from '../random.js';
import { expectTensor } from './helpers.js';
import { gather } from './indexing.js';
import { rawPermute, copyContiguous } from './raw/layout.js';

export interface MultinomialOptions {
  /** Draw with replacement (default false, as PyTorch). */
  replacement?: boolean;
  generator?: Generator;
}

/**
 * Draws `numSamples` class indices from each row of non-negative `weights` ([C] or
 * [N, C]; they need not sum to 1). int32 result [numSamples] or [N, numSamples].
 * @example multinomial(logits.div(temperature).softmax(-1), 1)
 */
export function multinomial(weights: Tensor, numSamples = 1, options: MultinomialOptions = {}): Tensor {
  expectTensor(weights, 'multinomial', 'input');
  if (weights.ndim !== 1 && weights.ndim !== 2) throw new RangeError(`multinomial: expects [C] or [N, C] weights, got ${fmt(weights.shape)}`);
  const rows = weights.ndim === 1 ? 1 : weights.shape[0]!;
  const C = weights.shape[weights.ndim - 1]!;
  const replacement = options.replacement ?? false;
  if (!Number.isInteger(numSamples) || numSamples <= 0) throw new RangeError(`multinomial: numSamples must be a positive integer, got ${numSamples}`);
  if (!replacement && numSamples > C) {
    throw new RangeError(`multinomial: cannot draw ${numSamples} samples without replacement from ${C} categories; pass { replacement: true }`);
  }
  const g = options.generator ?? defaultGenerator;
  const w = weights.toTypedArray();
  const out = new Int32Array(rows * numSamples);
  const row = new Float64Array(C);
  for (let r = 0; r < rows; r++) {
    let total = 0;
    for (let c = 0; c < C; c++) {
      const v = w[r * C + c]!;
      if (!(v >= 0) || !Number.isFinite(v)) {
        throw new RangeError(`multinomial: weights must be finite and non-negative; row ${r} has ${v} at ${c}`);
      }
      row[c] = v;
      total += v;
    }
    if (total <= 0) throw new RangeError(`multinomial: row ${r} of the weights sums to 0; there is nothing to draw`);
    for (let s = 0; s < numSamples; s++) {
      let u = g.random() * total;
      let pick = C - 1;
      for (let c = 0; c < C; c++) {
        u -= row[c]!;
        if (u < 0 && row[c]! > 0) {
          pick = c;
          break;
        }
      }
      while (row[pick] === 0 && pick > 0) pick--;
      out[r * numSamples + s] = pick;
      if (!replacement) {
        total -= row[pick]!;
        row[pick] = 0;
        if (total <= 0 && s + 1 < numSamples) {
          throw new RangeError(`multinomial: row ${r} has fewer than ${numSamples} non-zero weights to draw without replacement`);
        }
      }
    }
  }
  return new Tensor(out, weights.ndim === 1 ? [numSamples] : [rows, numSamples]);
}

/**
 * The `k` largest (or smallest) entries along `dim`, sorted: `[values, indices]`.
 * Values are differentiable (the gradient goes back to the selected positions).
 */
export function topk(x: Tensor, k: number, dim = -1, largest = true): [Tensor, Tensor] {
  expectTensor(x, 'topk', 'input');
  const d = normDim(dim, Math.max(x.ndim, 1), 'topk');
  const n = x.ndim === 0 ? 1 : x.shape[d]!;
  if (!Number.isInteger(k) || k < 0 || k > n) throw new RangeError(`topk: k=${k} is out of range for dimension ${d} of size ${n}`);
  // Work on a copy with `dim` last, then map the indices back.
  const perm = x.shape.map((_, i) => i).filter((i) => i !== d);
  perm.push(d);
  const moved = copyContiguous(rawPermute(x, perm));
  const rows = moved.numel() / Math.max(n, 1);
  const idx = new Int32Array(rows * k);
  const order = new Array<number>(n);
  const v = moved.data;
  for (let r = 0; r < rows; r++) {
    for (let i = 0; i < n; i++) order[i] = i;
    const base = r * n;
    order.sort((a, b) => {
      const va = v[base + a]!;
      const vb = v[base + b]!;
      // NaN counts as the largest, as in PyTorch; ties keep the lower index first.
      if (va !== vb) {
        if (va !== va) return largest ? -1 : 1;
        if (vb !== vb) return largest ? 1 : -1;
        return largest ? vb - va : va - vb;
      }
      return a - b;
    });
    for (let j = 0; j < k; j++) idx[r * k + j] = order[j]!;
  }
  const movedShape = moved.shape.slice(0, -1).concat([k]);
  const inverse = new Array<number>(perm.length);
  perm.forEach((p, i) => (inverse[p] = i));
  const indices = copyContiguous(rawPermute(new Tensor(idx, movedShape), inverse));
  return [gather(x, d, indices), indices];
}
