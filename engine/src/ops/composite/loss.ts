/**
 * Losses: negative log-likelihood, cross-entropy (class indices or class probabilities,
 * with ignoreIndex, class weights and label smoothing) and mean squared error, with
 * PyTorch's reductions ('mean' | 'sum' | 'none').
 */
import { allocate, type FloatArray } from '../../dtype.js';
import { fmt, numel, sameShape } from '../../shape.js';
import { Tensor } from '../../tensor-core.js';
import { record } from '../../autograd/record.js';
import { asContiguous } from '../raw/layout.js';
import { expectFloat, expectIndex, expectTensor } from '../helpers.js';
import { logSoftmax } from '../softmax.js';
import { add, div, mul, sub } from '../binary.js';
import { neg } from '../unary.js';
import { sum } from '../reduce.js';
import { reshape } from '../view.js';
import { eq, ne } from '../compare.js';
import { maskedFill } from '../where.js';
import { to } from '../cast.js';
import { indexSelect } from '../indexing.js';
import { mean } from './reductions.js';

export type Reduction = 'mean' | 'sum' | 'none';

export interface NllOptions {
  /** Per-class weights, shape [C]. */
  weight?: Tensor | null;
  /** Targets equal to this contribute nothing (and do not count in the mean). Default -100. */
  ignoreIndex?: number;
  reduction?: Reduction;
}

export interface CrossEntropyOptions extends NllOptions {
  /** Mixes the target with the uniform distribution: 0 (default) to 1. */
  labelSmoothing?: number;
}

function checkReduction(r: unknown, op: string): Reduction {
  if (r === undefined) return 'mean';
  if (r === 'mean' || r === 'sum' || r === 'none') return r;
  throw new RangeError(`${op}: reduction must be 'mean', 'sum' or 'none', got ${JSON.stringify(r)}`);
}

/**
 * Checks (input, target) shapes for class-index losses: input [N, C, d...] with target
 * [N, d...], or input [C] with a 0-d target. Returns N, C and D = prod(d...).
 */
function classLayout(input: Tensor, target: Tensor, op: string): { N: number; C: number; D: number } {
  if (input.ndim === 0) throw new RangeError(`${op}: input must have a class dimension, got a 0-d tensor`);
  if (input.ndim === 1) {
    if (target.ndim !== 0) {
      throw new RangeError(`${op}: for unbatched input [C]=${fmt(input.shape)} the target must be a single class index (0-d), got ${fmt(target.shape)}`);
    }
    return { N: 1, C: input.shape[0]!, D: 1 };
  }
  const N = input.shape[0]!;
  const C = input.shape[1]!;
  const expected = [N, ...input.shape.slice(2)];
  if (!sameShape(target.shape, expected)) {
    let hint = '';
    const last = input.shape[input.ndim - 1]!;
    if (input.ndim >= 3 && sameShape(target.shape, input.shape.slice(0, -1))) {
      hint = ` It looks like the classes are in the last dimension (size ${last}); PyTorch's convention puts them in dimension 1. ` +
        `Flatten first: input.reshape(-1, ${last}) and target.reshape(-1).`;
    }
    throw new RangeError(`${op}: input ${fmt(input.shape)} has ${C} classes in dimension 1, so the target must have shape ${fmt(expected)}, got ${fmt(target.shape)}.${hint}`);
  }
  return { N, C, D: numel(input.shape.slice(2)) };
}

/**
 * Negative log-likelihood of class indices given log-probabilities `input` ([N, C, d...]
 * or [C]); `target` int32 [N, d...] (or 0-d).
 */
export function nllLoss(input: Tensor, target: Tensor, options: NllOptions = {}): Tensor {
  return nll(input, target, options, 'nllLoss');
}

function nll(input: Tensor, target: Tensor, options: NllOptions, op: string): Tensor {
  expectTensor(input, op, 'input');
  expectTensor(target, op, 'target');
  expectFloat(input, op);
  expectIndex(target, op, 'target');
  const reduction = checkReduction(options.reduction, op);
  const ignore = options.ignoreIndex ?? -100;
  const { N, C, D } = classLayout(input, target, op);
  const weight = options.weight ?? null;
  if (weight !== null) {
    expectTensor(weight, op, 'weight');
    if (weight.ndim !== 1 || weight.shape[0] !== C) throw new RangeError(`${op}: weight must have shape [${C}] (one per class), got ${fmt(weight.shape)}`);
  }
  const w = weight ? weight.toTypedArray() : null;
  const t = target.toTypedArray();
  const xc = asContiguous(input);
  const x = xc.data as FloatArray;
  const xo = xc.offset;
  const per = allocate(input.dtype, N * D) as FloatArray;
  const coef = new Float64Array(N * D); // weight of each element (0 when ignored)
  let wsum = 0;
  for (let n = 0; n < N; n++) {
    for (let d = 0; d < D; d++) {
      const i = n * D + d;
      const c = t[i]!;
      if (c === ignore) continue;
      if (c < 0 || c >= C) {
        const at = input.ndim === 1 ? '' : ` at position ${D === 1 ? `[${n}]` : `[${n}, ${d}] (flattened spatial index)`}`;
        throw new RangeError(`${op}: target ${c}${at} is out of bounds for ${C} classes (valid: 0..${C - 1}${options.ignoreIndex !== undefined ? `, or ignoreIndex ${ignore}` : ''})`);
      }
      const wc = w ? w[c]! : 1;
      coef[i] = wc;
      wsum += wc;
      per[i] = -wc * x[xo + (n * C + c) * D + d]!;
    }
  }
  let out: Tensor;
  let scale = 1;
  if (reduction === 'none') out = new Tensor(per, target.shape.slice());
  else {
    let s = 0;
    for (let i = 0; i < per.length; i++) s += per[i]!;
    if (reduction === 'mean') {
      scale = 1 / wsum; // 0/0 = NaN when every target is ignored, as PyTorch
      s *= scale;
    }
    const r = allocate(input.dtype, 1);
    r[0] = s;
    out = new Tensor(r, []);
  }
  const node = record(out, 'NllLossBackward', [input], (g) => {
    const gi = allocate(g.dtype, input.numel()) as FloatArray;
    const gc = asContiguous(g);
    for (let n = 0; n < N; n++) {
      for (let d = 0; d < D; d++) {
        const i = n * D + d;
        if (coef[i] === 0) continue;
        const gv = reduction === 'none' ? gc.data[gc.offset + i]! : gc.data[gc.offset]! * scale;
        gi[(n * C + t[i]!) * D + d] = -coef[i]! * gv;
      }
    }
    return [new Tensor(gi, input.shape.slice())];
  });
  if (node) node.save(target);
  return out;
}

/**
 * Cross-entropy between logits `input` ([N, C, d...] or [C]) and either class indices
 * (int32 [N, d...]) or class probabilities (float, same shape as input). Equals
 * `nllLoss(logSoftmax(input, 1), target)` for indices.
 * @example crossEntropy(logits.reshape(-1, vocab), targets.reshape(-1))
 */
export function crossEntropy(input: Tensor, target: Tensor, options: CrossEntropyOptions = {}): Tensor {
  expectTensor(input, 'crossEntropy', 'input');
  expectTensor(target, 'crossEntropy', 'target');
  expectFloat(input, 'crossEntropy');
  const reduction = checkReduction(options.reduction, 'crossEntropy');
  const eps = options.labelSmoothing ?? 0;
  if (!(eps >= 0 && eps <= 1)) throw new RangeError(`crossEntropy: labelSmoothing must be in [0, 1], got ${eps}`);
  const classDim = input.ndim === 1 ? 0 : 1;
  const logp = logSoftmax(input, classDim);
  const C = input.shape[classDim]!;
  const weight = options.weight ?? null;
  // Weight reshaped to broadcast along the class dim: [C, 1, ...].
  const wB = weight ? reshape(weight, [C, ...input.shape.slice(classDim + 1).map(() => 1)]) : null;

  if (target.dtype !== 'int32') {
    if (!sameShape(target.shape, input.shape)) {
      throw new TypeError(
        `crossEntropy: target must be int32 class indices of shape ${fmt(input.ndim === 1 ? [] : [input.shape[0]!, ...input.shape.slice(2)])} ` +
          `or class probabilities of the input's shape ${fmt(input.shape)}; got ${target.dtype} ${fmt(target.shape)}`,
      );
    }
    expectFloat(target, 'crossEntropy', 'target');
    const soft = eps > 0 ? add(mul(target, 1 - eps), eps / C) : target;
    let terms = mul(soft, logp);
    if (wB) terms = mul(terms, wB);
    const per = neg(sum(terms, classDim));
    if (reduction === 'none') return per;
    if (reduction === 'sum') return sum(per);
    return input.ndim === 1 ? per : div(sum(per), per.numel());
  }

  const nllTerm = nll(logp, target, { weight, ignoreIndex: options.ignoreIndex, reduction }, 'crossEntropy');
  if (eps === 0) return nllTerm;
  // Smoothing term: -Σ_c w_c log p_c, averaged over classes, skipping ignored targets.
  const ignore = options.ignoreIndex ?? -100;
  const keep = to(ne(target, ignore), input.dtype);
  let wl = wB ? mul(logp, wB) : logp;
  wl = neg(sum(wl, classDim));
  const smooth = mul(wl, keep);
  let smoothRed: Tensor;
  if (reduction === 'none') smoothRed = smooth;
  else if (reduction === 'sum') smoothRed = sum(smooth);
  else {
    // Same denominator as the nll mean: the summed weights of the non-ignored targets.
    const safe = maskedFill(target, eq(target, ignore), 0);
    const denom = weight ? sum(mul(indexSelect(weight, 0, reshape(safe, [-1])), reshape(keep, [-1]))) : sum(keep);
    smoothRed = div(sum(smooth), denom);
  }
  return add(mul(nllTerm, 1 - eps), mul(smoothRed, eps / C));
}

/**
 * Mean squared error. The shapes must match exactly: broadcasting [N, 1] against [N]
 * would silently compare every prediction with every target, a classic bug.
 */
export function mseLoss(input: Tensor, target: Tensor, options: { reduction?: Reduction } = {}): Tensor {
  expectTensor(input, 'mseLoss', 'input');
  expectTensor(target, 'mseLoss', 'target');
  expectFloat(input, 'mseLoss');
  const reduction = checkReduction(options.reduction, 'mseLoss');
  if (!sameShape(input.shape, target.shape)) {
    throw new RangeError(
      `mseLoss: input ${fmt(input.shape)} and target ${fmt(target.shape)} differ in shape; broadcasting them would compare ` +
        'every prediction with every target. Reshape one of them so the shapes match.',
    );
  }
  const d = sub(input, target);
  const sq = mul(d, d);
  if (reduction === 'none') return sq;
  return reduction === 'sum' ? sum(sq) : mean(sq);
}
