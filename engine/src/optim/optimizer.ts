/**
 * The optimizer base class, as `torch.optim.Optimizer`: parameter groups with their own
 * hyper-parameters, per-parameter state, `step()`, `zeroGrad()`, and a state dict to
 * checkpoint and resume training.
 */
import { allocate, isFloating } from '../dtype.js';
import { describe, fmt, sameShape } from '../shape.js';
import { Tensor } from '../tensor.js';
import { enableGrad, noGrad } from '../autograd/grad-mode.js';
import { JUPYTER_DISPLAY } from '../display/protocol.js';

/** Hyper-parameters every optimizer has. */
export interface BaseOptions {
  lr: number;
}

/** What callers pass as a group: parameters and any hyper-parameters that differ from the defaults. */
export type ParamGroupInput<O> = Partial<O> & { params: Iterable<Tensor> | Tensor; [key: string]: unknown };

/** A group as the optimizer holds it: every hyper-parameter resolved. */
export type ParamGroup<O> = O & {
  params: Tensor[];
  /** The lr when a scheduler was first attached (set by the scheduler, as PyTorch's `initial_lr`). */
  initialLr?: number;
  [key: string]: unknown;
};

/** Per-parameter state: numbers (step counts) and tensors shaped like the parameter. */
export type ParamState = Record<string, Tensor | number>;

/**
 * A snapshot of an optimizer (as PyTorch's `optimizer.state_dict()`): parameters are
 * referred to by their position across all groups, so the snapshot loads into a new
 * optimizer built over the same model. Tensors in it are copies.
 */
export interface OptimizerStateDict {
  state: Record<number, ParamState>;
  paramGroups: (Record<string, unknown> & { params: number[] })[];
}

/** The parameters to optimize: a list of tensors (e.g. `model.parameters()`) or of groups. */
export type ParamsInput<O> = Iterable<Tensor> | Iterable<ParamGroupInput<O>>;

/**
 * Base class of the optimizers. Subclasses check hyper-parameters in `checkGroup` and
 * update one group's parameters in `updateGroup`; the base does the bookkeeping.
 *
 * @example
 * const opt = new optim.SGD([
 *   { params: model.encoder.parameters() },
 *   { params: model.head.parameters(), lr: 1e-2 },   // its own lr
 * ], { lr: 1e-3, momentum: 0.9 });
 * opt.zeroGrad(); loss.backward(); opt.step();
 */
export abstract class Optimizer<O extends BaseOptions = BaseOptions> {
  /** The hyper-parameters a group gets unless it sets its own. */
  readonly defaults: Readonly<O>;
  readonly paramGroups: ParamGroup<O>[] = [];
  /** Per-parameter state (momentum buffers, moment estimates, step counts). */
  readonly state = new Map<Tensor, ParamState>();

  /**
   * @param name the optimizer's name in error messages
   * @param params tensors, or groups `{ params, ...hyper-parameters }`
   * @param defaults hyper-parameters for groups that do not set them (already checked)
   */
  protected constructor(
    protected readonly name: string,
    params: ParamsInput<O>,
    defaults: O,
  ) {
    this.defaults = Object.freeze({ ...defaults });
    if (params instanceof Tensor) {
      throw new TypeError(`${name}: params must be an iterable of Tensors (e.g. model.parameters()), got a single Tensor; wrap it in an array`);
    }
    if (params === null || typeof params !== 'object' || typeof (params as Iterable<unknown>)[Symbol.iterator] !== 'function') {
      throw new TypeError(`${name}: params must be an iterable of Tensors or parameter groups (e.g. model.parameters()), got ${describe(params)}`);
    }
    const list = Array.from(params as Iterable<unknown>);
    if (list.length === 0) throw new RangeError(`${name}: got an empty parameter list`);
    const groups = list[0] instanceof Tensor ? [{ params: list as Tensor[] }] : (list as ParamGroupInput<O>[]);
    for (const g of groups) this.addParamGroup(g as ParamGroupInput<O>);
  }

  /** Checks a group's resolved hyper-parameters; throws an error naming the bad one. */
  protected abstract checkGroup(group: ParamGroup<O>): void;

  /** Updates the parameters of one group from their `.grad` (recording is off). */
  protected abstract updateGroup(group: ParamGroup<O>): void;

  /**
   * Adds a group of parameters with its own hyper-parameters (those not given are taken
   * from the defaults), e.g. to fine-tune a layer unfrozen later in training.
   */
  addParamGroup(group: ParamGroupInput<O>): void {
    const where = `${this.name}.addParamGroup`;
    if (group === null || typeof group !== 'object' || !('params' in group)) {
      throw new TypeError(`${where}: a parameter group must be an object { params, ...options }, got ${describe(group)}`);
    }
    const raw = group.params;
    const params = raw instanceof Tensor ? [raw] : Array.from(raw as Iterable<unknown>);
    const seen = new Set<Tensor>();
    params.forEach((p, i) => {
      if (!(p instanceof Tensor)) throw new TypeError(`${where}: can only optimize Tensors, but params[${i}] is ${describe(p)}`);
      if (!isFloating(p.dtype)) throw new TypeError(`${where}: can only optimize floating point tensors, params[${i}] is ${p.dtype}`);
      if (!p.isLeaf) throw new TypeError(`${where}: can't optimize a non-leaf Tensor (params[${i}] was computed by an operation; optimize the leaves it came from)`);
      if (seen.has(p)) throw new RangeError(`${where}: params[${i}] appears twice in the same parameter group`);
      seen.add(p);
    });
    for (const other of this.paramGroups) {
      if (other.params.some((p) => seen.has(p))) throw new RangeError(`${where}: some parameters appear in more than one parameter group`);
    }
    const resolved = { ...group, params } as unknown as ParamGroup<O>;
    const rec = resolved as Record<string, unknown>;
    for (const [k, v] of Object.entries(this.defaults)) if (rec[k] === undefined) rec[k] = v;
    if (typeof resolved.lr !== 'number') {
      throw new TypeError(`${where}: the parameter group has no lr (give lr in the group or in the optimizer's options)`);
    }
    this.checkGroup(resolved);
    this.paramGroups.push(resolved);
  }

  /**
   * Performs one update of every parameter that has a gradient (parameters whose
   * `.grad` is null are left alone, as in PyTorch). With a `closure` that recomputes
   * the loss (calling backward), it is evaluated first and its result returned.
   */
  step(closure?: () => Tensor | number): Tensor | number | undefined {
    let loss: Tensor | number | undefined;
    if (closure !== undefined) {
      if (typeof closure !== 'function') throw new TypeError(`${this.name}.step: closure must be a function, got ${describe(closure)}`);
      loss = enableGrad(closure);
    }
    noGrad(() => {
      for (const group of this.paramGroups) this.updateGroup(group);
    });
    return loss;
  }

  /**
   * Clears the gradients of all optimized parameters: sets `.grad` to null (the default,
   * as PyTorch 2 and `Module.zeroGrad`), or fills them with zeros with `setToNone = false`.
   */
  zeroGrad(setToNone = true): void {
    for (const group of this.paramGroups) {
      for (const p of group.params) {
        if (p.grad === null) continue;
        if (setToNone) p.grad = null;
        else p.grad = new Tensor(allocate(p.grad.dtype, p.grad.numel()), p.grad.shape.slice());
      }
    }
  }

  /** The state for `p`, created empty on first use. */
  protected stateOf(p: Tensor): ParamState {
    let s = this.state.get(p);
    if (s === undefined) {
      s = {};
      this.state.set(p, s);
    }
    return s;
  }

  /** A snapshot of the hyper-parameters and per-parameter state (tensors copied). */
  stateDict(): OptimizerStateDict {
    const index = new Map<Tensor, number>();
    const paramGroups = this.paramGroups.map((g) => {
      const { params, ...rest } = g;
      return {
        ...structuredCloneOptions(rest),
        params: params.map((p) => {
          index.set(p, index.size);
          return index.size - 1;
        }),
      };
    });
    const state: Record<number, ParamState> = {};
    for (const [p, s] of this.state) {
      const i = index.get(p);
      if (i === undefined) continue;
      const copy: ParamState = {};
      for (const [k, v] of Object.entries(s)) copy[k] = v instanceof Tensor ? v.clone().detach() : v;
      state[i] = copy;
    }
    return { state, paramGroups };
  }

  /**
   * Restores a snapshot taken by `stateDict()` from an optimizer of the same kind over
   * parameters of the same shapes, in the same groups: hyper-parameters and state.
   */
  loadStateDict(stateDict: OptimizerStateDict): void {
    const where = `${this.name}.loadStateDict`;
    if (stateDict === null || typeof stateDict !== 'object' || !Array.isArray(stateDict.paramGroups) || typeof stateDict.state !== 'object') {
      throw new TypeError(`${where}: expects the object returned by stateDict() ({ state, paramGroups })`);
    }
    const saved = stateDict.paramGroups;
    if (saved.length !== this.paramGroups.length) {
      throw new RangeError(`${where}: the state dict has ${saved.length} parameter group(s) but this optimizer has ${this.paramGroups.length}`);
    }
    const byId = new Map<number, Tensor>();
    saved.forEach((sg, gi) => {
      const own = this.paramGroups[gi]!;
      if (!Array.isArray(sg.params) || sg.params.length !== own.params.length) {
        throw new RangeError(
          `${where}: parameter group ${gi} has ${Array.isArray(sg.params) ? sg.params.length : 'no'} parameters in the state dict but ${own.params.length} in this optimizer`,
        );
      }
      sg.params.forEach((id, j) => byId.set(id, own.params[j]!));
    });
    const newState = new Map<Tensor, ParamState>();
    for (const [key, s] of Object.entries(stateDict.state)) {
      const p = byId.get(Number(key));
      if (p === undefined) throw new RangeError(`${where}: the state dict has state for parameter ${key}, which is in none of its groups`);
      const copy: ParamState = {};
      for (const [k, v] of Object.entries(s)) {
        if (v instanceof Tensor) {
          if (!sameShape(v.shape, p.shape)) {
            throw new RangeError(`${where}: state '${k}' of parameter ${key} has shape ${fmt(v.shape)} but the parameter has shape ${fmt(p.shape)}`);
          }
          copy[k] = v.detach().to(p.dtype).clone().detach();
        } else if (typeof v === 'number') copy[k] = v;
        else throw new TypeError(`${where}: state '${k}' of parameter ${key} is ${describe(v)}, expected a Tensor or a number`);
      }
      newState.set(p, copy);
    }
    // Check every group before changing anything, so a bad snapshot leaves the optimizer as it was.
    const groups = saved.map((sg, gi) => {
      const { params: _ids, ...hyper } = sg;
      void _ids;
      const g = { ...this.paramGroups[gi]!, ...structuredCloneOptions(hyper) } as ParamGroup<O>;
      this.checkGroup(g);
      return g;
    });
    groups.forEach((g, gi) => Object.assign(this.paramGroups[gi]!, g));
    this.state.clear();
    for (const [p, s] of newState) this.state.set(p, s);
  }

  /** PyTorch-style summary: one block per parameter group with its hyper-parameters. */
  toString(): string {
    const lines = [`${this.name} (`];
    this.paramGroups.forEach((g, i) => {
      lines.push(`Parameter Group ${i}`);
      const keys = Object.keys(g)
        .filter((k) => k !== 'params')
        .sort();
      for (const k of keys) lines.push(`    ${k}: ${formatOption(g[k])}`);
    });
    lines.push(')');
    return lines.join('\n');
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }

  [JUPYTER_DISPLAY](): Record<string, unknown> {
    return { 'text/plain': this.toString() };
  }
}

function formatOption(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(formatOption).join(', ')}]`;
  if (typeof v === 'function') return v.name ? `[function ${v.name}]` : '[function]';
  return String(v);
}

/** Copies group options so a snapshot does not alias live arrays (e.g. betas). */
function structuredCloneOptions(o: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) out[k] = Array.isArray(v) ? v.slice() : v;
  return out;
}

/** A zero tensor shaped and typed like `p` (optimizer state). */
export function zeroStateLike(p: Tensor): Tensor {
  return new Tensor(allocate(p.dtype, p.numel()), p.shape.slice());
}

/** Throws unless `v` is a finite number ≥ 0, naming the optimizer and hyper-parameter. */
export function checkNonNegative(v: unknown, who: string, arg: string): void {
  if (typeof v !== 'number' || !(v >= 0) || !Number.isFinite(v)) {
    throw new RangeError(`${who}: invalid ${arg} ${String(v)} (${arg} must be a finite number >= 0)`);
  }
}

/** Throws unless `v` is a boolean. */
export function checkBoolean(v: unknown, who: string, arg: string): void {
  if (typeof v !== 'boolean') throw new TypeError(`${who}: ${arg} must be true or false, got ${describe(v)}`);
}
