/**
 * `gradcheck`: every op's backward checked against central finite differences in float64,
 * as `torch.autograd.gradcheck` (the tests run it on every differentiable op). It is a
 * user of the whole engine, not part of the graph machinery, so it sits at the top.
 */
import { Tensor } from '../tensor.js';
import { isFloating } from '../dtype.js';
import { noGrad } from './grad-mode.js';

export interface GradcheckOptions {
  /** Finite-difference step. Default 1e-6. */
  eps?: number;
  /** Absolute tolerance. Default 1e-5. */
  atol?: number;
  /** Relative tolerance. Default 1e-3. */
  rtol?: number;
  /** Throw a descriptive error on mismatch (default) instead of returning false. */
  raiseException?: boolean;
}

type Outputs = Tensor | readonly Tensor[];

function asList(out: Outputs): Tensor[] {
  return out instanceof Tensor ? [out] : Array.from(out);
}

function positionOf(flat: number, shape: readonly number[]): string {
  const idx: number[] = [];
  for (let d = shape.length - 1; d >= 0; d--) {
    idx.unshift(flat % shape[d]!);
    flat = Math.floor(flat / shape[d]!);
  }
  return `[${idx.join(',')}]`;
}

/**
 * Checks the gradients autograd computes for `fn` against central finite differences,
 * like PyTorch's `torch.autograd.gradcheck`. Inputs that require grad are copied to
 * float64 (so the differences are accurate), every output element's gradient with respect
 * to every input element is compared, and a mismatch names the output, input, element and
 * both values. Returns true when everything agrees.
 *
 * @example
 * const x = randn([3, 4], { requiresGrad: true });
 * gradcheck((a) => a.tanh().mul(a).sum(-1), [x]);   // true
 */
export function gradcheck(fn: (...inputs: Tensor[]) => Outputs, inputs: readonly Tensor[], options: GradcheckOptions = {}): boolean {
  const eps = options.eps ?? 1e-6;
  const atol = options.atol ?? 1e-5;
  const rtol = options.rtol ?? 1e-3;
  const raise = options.raiseException ?? true;
  if (typeof fn !== 'function') throw new TypeError('gradcheck: fn must be a function of the inputs');
  if (!Array.isArray(inputs) || inputs.some((t) => !(t instanceof Tensor))) {
    throw new TypeError('gradcheck: inputs must be an array of Tensors');
  }
  // float64 leaf copies: finite differences in float32 would drown in rounding error.
  const xs = inputs.map((t) => {
    if (!isFloating(t.dtype)) return t;
    const c = noGrad(() => t.to('float64').clone());
    return t.requiresGrad ? c.requiresGrad_(true) : c;
  });
  const checked = xs.map((t, i) => (t.requiresGrad ? i : -1)).filter((i) => i >= 0);
  if (checked.length === 0) throw new Error('gradcheck: no input requires grad; mark the ones to check with requiresGrad: true');

  const outputs = asList(fn(...xs));
  if (!outputs.some((o) => o.requiresGrad)) {
    throw new Error('gradcheck: none of the outputs requires grad (did fn use noGrad or detach?)');
  }
  const outSizes = outputs.map((o) => o.numel());

  const fail = (msg: string): boolean => {
    if (raise) throw new Error(`gradcheck: ${msg}`);
    return false;
  };

  // Numerical Jacobian columns: perturb each input element and difference the outputs.
  const numeric = new Map<number, Float64Array[][]>(); // input -> [output][element of input] -> column over output elements
  for (const i of checked) {
    const x = xs[i]!;
    const data = x.data;
    const perOutput: Float64Array[][] = outputs.map(() => []);
    for (let j = 0; j < x.numel(); j++) {
      const orig = data[j]!;
      data[j] = orig + eps;
      const plus = noGrad(() => asList(fn(...xs)).map((o) => o.to('float64').toTypedArray()));
      data[j] = orig - eps;
      const minus = noGrad(() => asList(fn(...xs)).map((o) => o.to('float64').toTypedArray()));
      data[j] = orig;
      if (plus.length !== outputs.length || minus.length !== outputs.length) {
        throw new Error(`gradcheck: fn returned ${outputs.length} outputs with gradients on but ${plus.length} inside noGrad; it must return the same outputs either way`);
      }
      plus.forEach((p, o) => {
        const col = new Float64Array(p.length);
        for (let k = 0; k < p.length; k++) col[k] = (p[k]! - minus[o]![k]!) / (2 * eps);
        perOutput[o]!.push(col);
      });
    }
    numeric.set(i, perOutput);
  }

  // Analytic Jacobian rows: one backward per output element, seeded with a one-hot.
  for (let o = 0; o < outputs.length; o++) {
    const out = outputs[o]!;
    for (let k = 0; k < outSizes[o]!; k++) {
      for (const i of checked) xs[i]!.grad = null;
      if (out.requiresGrad) {
        const seed = new Tensor(new Float64Array(outSizes[o]!), out.shape.slice()).to(out.dtype);
        seed.data[k] = 1;
        out.backward(seed, { retainGraph: true });
      }
      for (const i of checked) {
        const x = xs[i]!;
        const g = x.grad ? x.grad.toTypedArray() : new Float64Array(x.numel());
        const cols = numeric.get(i)![o]!;
        for (let j = 0; j < x.numel(); j++) {
          const a = g[j]!;
          const n = cols[j]![k]!;
          if (!(Math.abs(a - n) <= atol + rtol * Math.abs(n)) && !(Number.isNaN(a) && Number.isNaN(n))) {
            return fail(
              `Jacobian mismatch for output ${o} with respect to input ${i}: d out${positionOf(k, out.shape)} / d in${positionOf(j, x.shape)} ` +
                `is ${a} by autograd but ${n} by finite differences (eps ${eps}, atol ${atol}, rtol ${rtol})`,
            );
          }
        }
      }
    }
  }
  for (const i of checked) xs[i]!.grad = null;
  return true;
}
