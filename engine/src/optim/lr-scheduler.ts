/**
 * Learning-rate schedulers, as `torch.optim.lr_scheduler`: each sets the lr of every
 * parameter group of an optimizer, once at construction (epoch 0) and again at every
 * `step()`. Call `scheduler.step()` after `optimizer.step()`.
 */
import { describe, positiveInt } from '../shape.js';
import { Optimizer } from './optimizer.js';

/** What `LRScheduler.stateDict()` returns: the schedule's position and settings. */
export type SchedulerStateDict = Record<string, unknown> & { lastEpoch: number; baseLrs: number[]; lastLrs: number[] };

/**
 * Base class: counts steps (`lastEpoch`, -1 before the first `step()`; the constructor
 * takes that first step) and writes `computeLr()` into the groups.
 *
 * The first construction over an optimizer records each group's lr as `initialLr`
 * (PyTorch's `initial_lr`), the `baseLrs` the schedule scales.
 */
export abstract class LRScheduler {
  /** The lr of each group when the schedule started. */
  readonly baseLrs: number[];
  /** Steps taken: 0 right after construction. */
  lastEpoch: number;
  protected lastLrs: number[] = [];
  /** Calls of step() on this scheduler, the constructor's included (PyTorch's `_step_count`). */
  protected stepCount = 0;

  /**
   * Checks the optimizer and the options object (`needs` lists the options, for the
   * error) and starts at `options.lastEpoch`. Subclasses read their own options after
   * this, then call `initialStep()`.
   */
  protected constructor(
    readonly optimizer: Optimizer,
    protected readonly name: string,
    options: { lastEpoch?: number },
    needs: string,
  ) {
    if (!(optimizer instanceof Optimizer)) throw new TypeError(`${name}: expects an optimizer (e.g. new optim.SGD(...)), got ${describe(optimizer)}`);
    if (options === null || typeof options !== 'object') throw new TypeError(`${name}: expects options ${needs}, got ${describe(options)}`);
    const lastEpoch = options.lastEpoch ?? -1;
    if (!Number.isInteger(lastEpoch) || lastEpoch < -1) throw new RangeError(`${name}: lastEpoch must be an integer >= -1, got ${String(lastEpoch)}`);
    optimizer.paramGroups.forEach((g, i) => {
      if (lastEpoch === -1) g.initialLr ??= g.lr;
      else if (g.initialLr === undefined) {
        throw new RangeError(`${name}: resuming at lastEpoch ${lastEpoch} needs initialLr in paramGroups[${i}] (set when a scheduler first ran on this optimizer)`);
      }
    });
    this.baseLrs = optimizer.paramGroups.map((g) => g.initialLr!);
    this.lastEpoch = lastEpoch;
  }

  /** Subclasses call this at the end of their constructor: the step to epoch lastEpoch + 1. */
  protected initialStep(): void {
    this.step();
  }

  /** The lrs for epoch `lastEpoch` (may read the groups' current lrs, for chainable schedules). */
  protected abstract computeLr(): number[];

  /** Advances the schedule by one step and sets the new lrs in the optimizer's groups. */
  step(): void {
    if (arguments.length > 0) {
      throw new TypeError(`${this.name}.step: takes no arguments (PyTorch's step(epoch) is deprecated); to jump to an epoch, construct the scheduler with { lastEpoch }`);
    }
    this.stepCount += 1;
    this.lastEpoch += 1;
    const lrs = this.computeLr();
    this.optimizer.paramGroups.forEach((g, i) => {
      g.lr = lrs[i]!;
    });
    this.lastLrs = this.optimizer.paramGroups.map((g) => g.lr);
  }

  /** The lrs last set, one per parameter group (PyTorch's `get_last_lr()`). */
  getLastLr(): number[] {
    return this.lastLrs.slice();
  }

  /** The schedule's state (everything except the optimizer and functions), to resume training. */
  stateDict(): SchedulerStateDict {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(this)) {
      if (k === 'optimizer' || typeof v === 'function' || (Array.isArray(v) && v.some((x) => typeof x === 'function'))) continue;
      out[k] = Array.isArray(v) ? v.slice() : v;
    }
    return out as SchedulerStateDict;
  }

  /** Restores a state from `stateDict()` of the same kind of scheduler. */
  loadStateDict(state: SchedulerStateDict): void {
    if (state === null || typeof state !== 'object' || typeof state.lastEpoch !== 'number' || !Array.isArray(state.baseLrs)) {
      throw new TypeError(`${this.name}.loadStateDict: expects the object returned by stateDict()`);
    }
    if (state.baseLrs.length !== this.baseLrs.length) {
      throw new RangeError(`${this.name}.loadStateDict: the state has ${state.baseLrs.length} base lr(s) but the optimizer has ${this.baseLrs.length} group(s)`);
    }
    const self = this as unknown as Record<string, unknown>;
    for (const [k, v] of Object.entries(state)) {
      if (k === 'optimizer' || k === 'name') continue;
      if (typeof self[k] === 'function') continue;
      if (k === 'baseLrs') this.baseLrs.splice(0, this.baseLrs.length, ...(v as number[]));
      else self[k] = Array.isArray(v) ? v.slice() : v;
    }
  }
}

function finiteNumber(v: unknown, who: string, arg: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new RangeError(`${who}: ${arg} must be a finite number, got ${describe(v)}`);
  return v;
}

/**
 * Multiplies the lr by `gamma` every `stepSize` steps: lr = base · gamma^⌊epoch / stepSize⌋.
 * @example const sched = new optim.StepLR(opt, { stepSize: 30, gamma: 0.1 });
 */
export class StepLR extends LRScheduler {
  readonly stepSize: number;
  readonly gamma: number;
  constructor(optimizer: Optimizer, opts: { stepSize: number; gamma?: number; lastEpoch?: number }) {
    super(optimizer, 'StepLR', opts, '{ stepSize, gamma? }');
    this.stepSize = positiveInt(opts.stepSize, this.name, 'stepSize');
    this.gamma = finiteNumber(opts.gamma ?? 0.1, this.name, 'gamma');
    this.initialStep();
  }
  protected computeLr(): number[] {
    // Chainable, as PyTorch: scale the current lr at each boundary.
    const groups = this.optimizer.paramGroups;
    if (this.lastEpoch === 0 || this.lastEpoch % this.stepSize !== 0) return groups.map((g) => g.lr);
    return groups.map((g) => g.lr * this.gamma);
  }
}

/**
 * Cosine annealing from the base lr down to `etaMin` over `tMax` steps (SGDR without
 * restarts): lr = etaMin + (base - etaMin)(1 + cos(π·epoch/tMax))/2, computed in
 * PyTorch's recursive form, so that past `tMax` the lr rises again along the cosine.
 * @example const sched = new optim.CosineAnnealingLR(opt, { tMax: 100 });
 */
export class CosineAnnealingLR extends LRScheduler {
  readonly tMax: number;
  readonly etaMin: number;
  constructor(optimizer: Optimizer, opts: { tMax: number; etaMin?: number; lastEpoch?: number }) {
    super(optimizer, 'CosineAnnealingLR', opts, '{ tMax, etaMin? }');
    this.tMax = positiveInt(opts.tMax, this.name, 'tMax');
    this.etaMin = finiteNumber(opts.etaMin ?? 0, this.name, 'etaMin');
    this.initialStep();
  }
  protected computeLr(): number[] {
    const { tMax, etaMin, lastEpoch: e } = this;
    const groups = this.optimizer.paramGroups;
    if (e === 0) return groups.map((g) => g.lr);
    if (this.stepCount === 1 && e > 0) {
      return this.baseLrs.map((base) => etaMin + ((base - etaMin) * (1 + Math.cos((e * Math.PI) / tMax))) / 2);
    }
    const period = 2 * tMax;
    if ((((e - 1 - tMax) % period) + period) % period === 0) {
      return groups.map((g, i) => g.lr + ((this.baseLrs[i]! - etaMin) * (1 - Math.cos(Math.PI / tMax))) / 2);
    }
    return groups.map(
      (g) => ((1 + Math.cos((Math.PI * e) / tMax)) / (1 + Math.cos((Math.PI * (e - 1)) / tMax))) * (g.lr - etaMin) + etaMin,
    );
  }
}

/** lr = base · lambda(epoch): one function for all groups or one per group. */
export type LrLambda = (epoch: number) => number;

/**
 * Sets each group's lr to its base lr times `lrLambda(epoch)`.
 * @example const sched = new optim.LambdaLR(opt, (epoch) => 0.95 ** epoch);
 */
export class LambdaLR extends LRScheduler {
  private readonly lrLambdas: LrLambda[];
  constructor(optimizer: Optimizer, lrLambda: LrLambda | readonly LrLambda[], opts: { lastEpoch?: number } = {}) {
    super(optimizer, 'LambdaLR', opts, '{ lastEpoch? }');
    const n = optimizer.paramGroups.length;
    if (Array.isArray(lrLambda)) {
      if (lrLambda.length !== n) throw new RangeError(`LambdaLR: expected ${n} lr lambdas (one per parameter group), got ${lrLambda.length}`);
      this.lrLambdas = lrLambda.slice();
    } else this.lrLambdas = Array.from({ length: n }, () => lrLambda as LrLambda);
    this.lrLambdas.forEach((f, i) => {
      if (typeof f !== 'function') throw new TypeError(`LambdaLR: lrLambda${Array.isArray(lrLambda) ? `[${i}]` : ''} must be a function of the epoch, got ${describe(f)}`);
    });
    this.initialStep();
  }
  protected computeLr(): number[] {
    return this.baseLrs.map((base, i) => {
      const f = this.lrLambdas[i]!(this.lastEpoch);
      if (typeof f !== 'number' || Number.isNaN(f)) throw new TypeError(`LambdaLR: the lr lambda returned ${describe(f)} at epoch ${this.lastEpoch}, expected a number`);
      return base * f;
    });
  }
}

/**
 * The learning rate of "Attention Is All You Need" (Vaswani et al., 2017, eq. 3) at
 * training step `step` (1-based): factor · dModel^-0.5 · min(step^-0.5, step · warmup^-1.5).
 * It rises linearly for `warmupSteps` steps, peaks at factor · (dModel · warmupSteps)^-0.5,
 * then decays as 1/√step.
 * @example transformerLr(4000, 512, 4000)   // 7.0e-4, the peak of the paper's base model
 */
export function transformerLr(step: number, dModel: number, warmupSteps: number, factor = 1): number {
  positiveInt(step, 'transformerLr', 'step');
  positiveInt(dModel, 'transformerLr', 'dModel');
  positiveInt(warmupSteps, 'transformerLr', 'warmupSteps');
  return factor * dModel ** -0.5 * Math.min(step ** -0.5, step * warmupSteps ** -1.5);
}

/**
 * The Transformer paper's warm-up schedule: before the k-th `optimizer.step()` the lr of
 * every group is `transformerLr(k, dModel, warmupSteps, factor)`. The schedule gives the
 * lr itself, as the paper: the optimizer's own lr is replaced (the paper pairs it with
 * Adam β = (0.9, 0.98), eps = 1e-9).
 *
 * "The Annotated Transformer" gets the same curve from LambdaLR with a base lr of 1, but
 * evaluates it at max(epoch, 1), one step behind this (which follows the paper's 1-based
 * step numbers).
 * @example
 * const opt = new optim.Adam(model.parameters(), { betas: [0.9, 0.98], eps: 1e-9 });
 * const sched = new optim.TransformerLR(opt, { dModel: 512, warmupSteps: 4000 });
 */
export class TransformerLR extends LRScheduler {
  readonly dModel: number;
  readonly warmupSteps: number;
  readonly factor: number;
  constructor(optimizer: Optimizer, opts: { dModel: number; warmupSteps?: number; factor?: number; lastEpoch?: number }) {
    super(optimizer, 'TransformerLR', opts, '{ dModel, warmupSteps?, factor? }');
    this.dModel = positiveInt(opts.dModel, this.name, 'dModel');
    this.warmupSteps = positiveInt(opts.warmupSteps ?? 4000, this.name, 'warmupSteps');
    const factor = finiteNumber(opts.factor ?? 1, this.name, 'factor');
    if (factor <= 0) throw new RangeError(`TransformerLR: factor must be positive, got ${factor}`);
    this.factor = factor;
    this.initialStep();
  }
  protected computeLr(): number[] {
    const lr = transformerLr(this.lastEpoch + 1, this.dModel, this.warmupSteps, this.factor);
    return this.optimizer.paramGroups.map(() => lr);
  }
}
