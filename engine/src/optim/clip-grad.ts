/**
 * Gradient clipping, as `torch.nn.utils.clip_grad_norm_` / `clip_grad_value_`: against
 * exploding gradients in recurrent networks (D2L clips the LSTM language model at norm 1).
 */
import { allocate } from '../dtype.js';
import { describe } from '../shape.js';
import { Tensor } from '../tensor.js';
import { gradOf, readable, writable } from './elementwise.js';

export interface ClipGradNormOptions {
  /** Order of the norm: 2 (default), 1, Infinity or any p > 0. */
  normType?: number;
  /** Throw instead of scaling when the total norm is NaN or infinite (default false, as PyTorch). */
  errorIfNonfinite?: boolean;
}

function paramList(params: Tensor | Iterable<Tensor>, who: string): Tensor[] {
  if (params instanceof Tensor) return [params];
  if (params === null || typeof params !== 'object' || typeof (params as Iterable<Tensor>)[Symbol.iterator] !== 'function') {
    throw new TypeError(`${who}: parameters must be a Tensor or an iterable of Tensors (e.g. model.parameters()), got ${describe(params)}`);
  }
  const list = Array.from(params);
  list.forEach((p, i) => {
    if (!(p instanceof Tensor)) throw new TypeError(`${who}: parameters[${i}] is ${describe(p)}, not a Tensor`);
  });
  return list;
}

/** The p-norm of one tensor's values (computed in float64). */
function normOf(values: ArrayLike<number>, p: number): number {
  const n = values.length;
  if (p === Infinity) {
    let m = 0;
    for (let i = 0; i < n; i++) {
      const a = Math.abs(values[i]!);
      if (a > m || Number.isNaN(a)) m = a;
    }
    return m;
  }
  let s = 0;
  if (p === 2) {
    for (let i = 0; i < n; i++) s += values[i]! * values[i]!;
    return Math.sqrt(s);
  }
  if (p === 1) {
    for (let i = 0; i < n; i++) s += Math.abs(values[i]!);
    return s;
  }
  for (let i = 0; i < n; i++) s += Math.pow(Math.abs(values[i]!), p);
  return Math.pow(s, 1 / p);
}

/**
 * Scales the gradients of `parameters` in place so that their total norm (the norm of
 * all gradients concatenated into one vector) is at most `maxNorm`, and returns the
 * total norm before clipping as a 0-d tensor. Parameters without a gradient are ignored.
 * The scale is `maxNorm / (total + 1e-6)`, capped at 1, exactly as PyTorch.
 *
 * @example
 * loss.backward();
 * const norm = nn.utils.clipGradNorm_(model.parameters(), 1);   // D2L's RNN setting
 * opt.step();
 */
export function clipGradNorm_(parameters: Tensor | Iterable<Tensor>, maxNorm: number, options: ClipGradNormOptions = {}): Tensor {
  const who = 'clipGradNorm_';
  const params = paramList(parameters, who);
  if (typeof maxNorm !== 'number' || !(maxNorm >= 0)) throw new RangeError(`${who}: maxNorm must be a number >= 0, got ${describe(maxNorm)}`);
  const p = options.normType ?? 2;
  if (typeof p !== 'number' || !(p > 0)) throw new RangeError(`${who}: normType must be a number > 0 or Infinity, got ${describe(p)}`);
  const grads = params.map((t) => gradOf(t, who)).filter((g): g is Tensor => g !== null);
  const dtype = grads.length > 0 && grads.every((g) => g.dtype === 'float64') ? 'float64' : 'float32';
  const result = new Tensor(allocate(dtype, 1), []);
  if (grads.length === 0) return result;
  const norms = grads.map((g) => normOf(readable(g), p));
  const total = normOf(norms, p);
  result.data[0] = total;
  if (options.errorIfNonfinite && !Number.isFinite(total)) {
    throw new RangeError(
      `${who}: the total norm of order ${p} of the gradients is ${total}, so it cannot be clipped; ` +
        'pass { errorIfNonfinite: false } to scale the gradients by the non-finite norm anyway',
    );
  }
  const coef = Math.min(maxNorm / (total + 1e-6), 1);
  // A factor of exactly 1 changes nothing; NaN (a NaN norm) propagates into the gradients as in PyTorch.
  if (coef === 1) return result;
  for (const g of grads) {
    const w = writable(g);
    const v = w.values;
    for (let i = 0; i < v.length; i++) v[i] = v[i]! * coef;
    w.commit();
  }
  return result;
}

/**
 * Clamps every gradient element of `parameters` to [-clipValue, clipValue] in place.
 * @example nn.utils.clipGradValue_(model.parameters(), 0.5)
 */
export function clipGradValue_(parameters: Tensor | Iterable<Tensor>, clipValue: number): void {
  const who = 'clipGradValue_';
  const params = paramList(parameters, who);
  if (typeof clipValue !== 'number' || !(clipValue >= 0)) throw new RangeError(`${who}: clipValue must be a number >= 0, got ${describe(clipValue)}`);
  for (const t of params) {
    const g = gradOf(t, who);
    if (g === null) continue;
    const w = writable(g);
    const v = w.values;
    for (let i = 0; i < v.length; i++) {
      const x = v[i]!;
      if (x > clipValue) v[i] = clipValue;
      else if (x < -clipValue) v[i] = -clipValue;
    }
    w.commit();
  }
}
