/** Stochastic gradient descent with momentum, Nesterov momentum and weight decay, as `torch.optim.SGD`. */
import type { Tensor } from '../tensor.js';
import { gradOf, readable, writable } from './elementwise.js';
import { Optimizer, checkBoolean, checkNonNegative, zeroStateLike, type BaseOptions, type ParamGroup, type ParamsInput } from './optimizer.js';

export interface SGDOptions extends BaseOptions {
  /** Learning rate (required, as in PyTorch 1.x). */
  lr: number;
  /** Momentum factor (default 0: plain SGD). */
  momentum?: number;
  /** Dampening of the momentum (default 0). */
  dampening?: number;
  /** L2 penalty added to the gradient (default 0). */
  weightDecay?: number;
  /** Nesterov momentum (needs momentum > 0 and dampening 0). */
  nesterov?: boolean;
  /** Maximize the objective instead of minimizing it. */
  maximize?: boolean;
}

type Resolved = Required<SGDOptions>;

/**
 * SGD with PyTorch's update rule. With gradient g of parameter p at step t:
 *
 * ```text
 * g ← -g if maximize;   g ← g + weightDecay·p
 * b ← g (first step),  else b ← momentum·b + (1 - dampening)·g      (if momentum ≠ 0)
 * g ← g + momentum·b if nesterov, else g ← b                          (if momentum ≠ 0)
 * p ← p - lr·g
 * ```
 *
 * State per parameter: `momentumBuffer` (when momentum ≠ 0).
 * @example
 * const opt = new optim.SGD(model.parameters(), { lr: 0.1, momentum: 0.9, nesterov: true });
 */
export class SGD extends Optimizer<Resolved> {
  constructor(params: ParamsInput<Resolved>, options: SGDOptions) {
    if (options === null || typeof options !== 'object' || options.lr === undefined) {
      throw new TypeError('SGD: lr is required, e.g. new SGD(model.parameters(), { lr: 0.1 })');
    }
    const defaults: Resolved = {
      lr: options.lr,
      momentum: options.momentum ?? 0,
      dampening: options.dampening ?? 0,
      weightDecay: options.weightDecay ?? 0,
      nesterov: options.nesterov ?? false,
      maximize: options.maximize ?? false,
    };
    checkSGD(defaults);
    super('SGD', params, defaults);
  }

  protected checkGroup(group: ParamGroup<Resolved>): void {
    checkSGD(group);
  }

  protected updateGroup(group: ParamGroup<Resolved>): void {
    const { lr, momentum, dampening, weightDecay, nesterov, maximize } = group;
    for (const p of group.params) {
      const grad = gradOf(p, 'SGD.step');
      if (grad === null) continue;
      const g = readable(grad);
      const param = writable(p);
      const P = param.values;
      const n = P.length;
      let B: Tensor | null = null;
      let first = false;
      if (momentum !== 0) {
        const s = this.stateOf(p);
        if (s.momentumBuffer === undefined) {
          s.momentumBuffer = zeroStateLike(p);
          first = true;
        }
        B = s.momentumBuffer as Tensor;
      }
      const buf = B === null ? null : writable(B);
      const Bv = buf?.values;
      for (let i = 0; i < n; i++) {
        let d = maximize ? -g[i]! : g[i]!;
        if (weightDecay !== 0) d += weightDecay * P[i]!;
        if (Bv !== undefined) {
          // Stored first, then read back: the buffer holds the parameter's precision, as in PyTorch.
          Bv[i] = first ? d : momentum * Bv[i]! + (1 - dampening) * d;
          d = nesterov ? d + momentum * Bv[i]! : Bv[i]!;
        }
        P[i] = P[i]! - lr * d;
      }
      buf?.commit();
      param.commit();
    }
  }
}

function checkSGD(o: Resolved): void {
  checkNonNegative(o.lr, 'SGD', 'lr');
  checkNonNegative(o.momentum, 'SGD', 'momentum');
  checkNonNegative(o.dampening, 'SGD', 'dampening');
  checkNonNegative(o.weightDecay, 'SGD', 'weightDecay');
  checkBoolean(o.nesterov, 'SGD', 'nesterov');
  checkBoolean(o.maximize, 'SGD', 'maximize');
  if (o.nesterov && (o.momentum <= 0 || o.dampening !== 0)) {
    throw new RangeError(`SGD: nesterov momentum requires momentum > 0 and dampening = 0 (got momentum=${o.momentum}, dampening=${o.dampening})`);
  }
}
