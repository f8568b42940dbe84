import { Tensor } from '../tensor.js';
import { noGrad } from '../autograd/grad-mode.js';
import { fmt, sameShape } from '../shape.js';
import type { DType } from '../dtype.js';
import { Parameter } from './parameter.js';
import { JUPYTER_DISPLAY } from '../display/protocol.js';

const NODE_INSPECT = Symbol.for('nodejs.util.inspect.custom');

export interface LoadResult {
  missingKeys: string[];
  unexpectedKeys: string[];
}

/** Properties of Module itself that never hold parameters, buffers or children. */
const RESERVED = new Set(['training']);

/**
 * Base class of every layer and model, as `torch.nn.Module`.
 *
 * Parameters and submodules are found from the object's own properties, in the order
 * they were assigned, so a module only assigns them in its constructor:
 *
 * ```ts
 * class TwoLayer extends Module {
 *   fc1 = new Linear(4, 8);
 *   fc2 = new Linear(8, 2);
 *   forward(x: Tensor) { return this.fc2.forward(this.fc1.forward(x).relu()); }
 * }
 * ```
 *
 * Property names of parameters and submodules are the names in `stateDict()`; seqlab's
 * built-in layers use PyTorch's names (`weight_ih_l0`, `self_attn`, `linear1`, ...) so
 * that weights load across. A list of modules must be a `ModuleList` (a plain array is
 * rejected with an error, because its parameters would silently not be trained).
 */
export abstract class Module {
  /** Training mode (dropout active) or evaluation mode; set with `train()` / `eval()`. */
  training = true;
  private readonly _bufferNames = new Set<string>();
  private readonly _nonPersistent = new Set<string>();

  /** The computation. Subclasses define it with their own signature. */
  abstract forward(...args: never[]): unknown;

  // ------------------------------------------------------------------ registration

  /**
   * Declares a tensor that belongs to the module's state but is not trained (e.g. the
   * positional-encoding table). Persistent buffers are saved in `stateDict()`.
   */
  registerBuffer(name: string, value: Tensor | null, persistent = true): void {
    if (typeof name !== 'string' || name === '' || name.includes('.')) {
      throw new TypeError(`registerBuffer: invalid buffer name ${JSON.stringify(name)}`);
    }
    if (value !== null && !(value instanceof Tensor)) throw new TypeError(`registerBuffer: ${name} must be a Tensor or null`);
    (this as unknown as Record<string, unknown>)[name] = value;
    this._bufferNames.add(name);
    if (!persistent) this._nonPersistent.add(name);
    else this._nonPersistent.delete(name);
  }

  /** Own entries by kind, in property order. */
  private ownEntries(): { params: [string, Parameter][]; buffers: [string, Tensor][]; children: [string, Module][] } {
    const params: [string, Parameter][] = [];
    const buffers: [string, Tensor][] = [];
    const children: [string, Module][] = [];
    for (const key of Object.keys(this)) {
      if (key.startsWith('_') || RESERVED.has(key)) continue;
      const v = (this as unknown as Record<string, unknown>)[key];
      if (v instanceof Parameter) params.push([key, v]);
      else if (v instanceof Module) children.push([key, v]);
      else if (v instanceof Tensor) {
        if (this._bufferNames.has(key)) buffers.push([key, v]);
      } else if (Array.isArray(v) && v.some((x) => x instanceof Module || x instanceof Parameter)) {
        throw new TypeError(
          `${this.constructor.name}: property '${key}' is a plain array of modules or parameters; ` +
            `wrap it in new ModuleList([...]) so that its parameters are registered and trained`,
        );
      }
    }
    return { params, buffers, children };
  }

  // ------------------------------------------------------------------ traversal

  /** [name, module] for this module (name '') and every descendant, depth first. */
  *namedModules(prefix = '', seen = new Set<Module>()): Generator<[string, Module]> {
    if (seen.has(this)) return;
    seen.add(this);
    yield [prefix, this];
    for (const [name, child] of this.ownEntries().children) {
      yield* child.namedModules(prefix ? `${prefix}.${name}` : name, seen);
    }
  }

  *modules(): Generator<Module> {
    for (const [, m] of this.namedModules()) yield m;
  }

  /** Direct submodules with their property names. */
  *namedChildren(): Generator<[string, Module]> {
    yield* this.ownEntries().children;
  }

  *children(): Generator<Module> {
    for (const [, m] of this.namedChildren()) yield m;
  }

  /** [dotted name, parameter] for every parameter (each shared parameter once). */
  *namedParameters(prefix = '', recurse = true): Generator<[string, Parameter]> {
    const seen = new Set<Tensor>();
    const mods: Iterable<[string, Module]> = recurse ? this.namedModules(prefix) : [[prefix, this]];
    for (const [mp, m] of mods) {
      for (const [name, p] of m.ownEntries().params) {
        if (seen.has(p)) continue;
        seen.add(p);
        yield [mp ? `${mp}.${name}` : name, p];
      }
    }
  }

  /** Every parameter, e.g. to give to an optimizer. */
  parameters(recurse = true): Parameter[] {
    return Array.from(this.namedParameters('', recurse), ([, p]) => p);
  }

  *namedBuffers(prefix = ''): Generator<[string, Tensor]> {
    for (const [mp, m] of this.namedModules(prefix)) {
      for (const [name, b] of m.ownEntries().buffers) yield [mp ? `${mp}.${name}` : name, b];
    }
  }

  buffers(): Tensor[] {
    return Array.from(this.namedBuffers(), ([, b]) => b);
  }

  /** Number of parameter elements (trainable only, or all). */
  numParameters(trainableOnly = false): number {
    let n = 0;
    for (const p of this.parameters()) if (!trainableOnly || p.requiresGrad) n += p.numel();
    return n;
  }

  // ------------------------------------------------------------------ modes and grads

  /** Sets training mode on this module and all descendants; returns this. */
  train(mode = true): this {
    for (const m of this.modules()) m.training = mode;
    return this;
  }

  /** Evaluation mode (dropout off); returns this. */
  eval(): this {
    return this.train(false);
  }

  /** Drops every parameter's gradient (sets `.grad` to null, as PyTorch's default). */
  zeroGrad(): void {
    for (const p of this.parameters()) p.grad = null;
  }

  /** Calls `fn` on every descendant and then this module (as PyTorch's `apply`). */
  apply(fn: (m: Module) => void): this {
    const all = Array.from(this.modules()).reverse();
    for (const m of all) fn(m);
    return this;
  }

  /**
   * Converts every parameter and buffer to `dtype` (e.g. 'float64' for gradcheck).
   * Parameters are replaced, so create optimizers after converting.
   */
  to(dtype: DType): this {
    for (const m of this.modules()) {
      const own = m.ownEntries();
      const rec = m as unknown as Record<string, unknown>;
      for (const [name, p] of own.params) {
        if (p.dtype !== dtype) rec[name] = new Parameter(noGrad(() => p.to(dtype)), p.requiresGrad);
      }
      for (const [name, b] of own.buffers) if (b.dtype !== dtype && b.dtype !== 'int32' && b.dtype !== 'bool') rec[name] = b.to(dtype);
    }
    return this;
  }

  double(): this {
    return this.to('float64');
  }

  float(): this {
    return this.to('float32');
  }

  // ------------------------------------------------------------------ state

  /** Parameters and persistent buffers by dotted name (tensors share the module's storage). */
  stateDict(): Record<string, Tensor> {
    const out: Record<string, Tensor> = {};
    for (const [mp, m] of this.namedModules()) {
      const own = m.ownEntries();
      for (const [name, p] of own.params) out[mp ? `${mp}.${name}` : name] = p.detach();
      for (const [name, b] of own.buffers) {
        if (!m._nonPersistent.has(name)) out[mp ? `${mp}.${name}` : name] = b.detach();
      }
    }
    return out;
  }

  /**
   * Copies values from `state` into the parameters and buffers. With `strict` (default),
   * missing and unexpected keys are an error that lists them all; shapes must match.
   */
  loadStateDict(state: Record<string, Tensor> | Map<string, Tensor>, options: { strict?: boolean } = {}): LoadResult {
    const strict = options.strict ?? true;
    const entries = state instanceof Map ? Object.fromEntries(state) : state;
    if (entries === null || typeof entries !== 'object') throw new TypeError('loadStateDict: expects an object mapping names to tensors');
    const own = this.stateDict();
    const missingKeys = Object.keys(own).filter((k) => !(k in entries));
    const unexpectedKeys = Object.keys(entries).filter((k) => !(k in own));
    const errors: string[] = [];
    if (strict && (missingKeys.length || unexpectedKeys.length)) {
      if (missingKeys.length) errors.push(`missing keys: ${missingKeys.join(', ')}`);
      if (unexpectedKeys.length) errors.push(`unexpected keys: ${unexpectedKeys.join(', ')}`);
    }
    for (const [k, target] of Object.entries(own)) {
      const v = entries[k];
      if (v === undefined) continue;
      if (!(v instanceof Tensor)) {
        errors.push(`${k} is ${typeof v}, not a Tensor`);
        continue;
      }
      if (!sameShape(v.shape, target.shape)) {
        errors.push(`size mismatch for ${k}: the checkpoint has shape ${fmt(v.shape)}, the model has ${fmt(target.shape)}`);
      }
    }
    if (errors.length) {
      throw new Error(`loadStateDict: error(s) loading the state dict into ${this.constructor.name}:\n  ${errors.join('\n  ')}`);
    }
    noGrad(() => {
      for (const [k, target] of Object.entries(own)) {
        const v = entries[k];
        if (v !== undefined) target.copy_(v.dtype === target.dtype ? v : v.to(target.dtype));
      }
    });
    return { missingKeys, unexpectedKeys };
  }

  // ------------------------------------------------------------------ printing

  /** Extra text inside this module's parentheses in the printed summary (e.g. sizes). */
  extraRepr(): string {
    return '';
  }

  /** A PyTorch-style summary with parameter counts: one line per submodule, nested. */
  toString(): string {
    return this.describe('', true);
  }

  private describe(indent: string, root: boolean): string {
    const children = this.ownEntries().children;
    const extra = this.extraRepr();
    const head = `${this.constructor.name}(`;
    let body: string;
    if (children.length === 0) body = `${head}${extra})`;
    else {
      // Runs of identical numbered children (the layers of a ModuleList) print once, as
      // PyTorch does: "(0-5): 6 x TransformerEncoderLayer(...)".
      const lines: string[] = [];
      for (let i = 0; i < children.length; ) {
        const [name, child] = children[i]!;
        const text = child.describe(indent + '  ', false);
        let j = i + 1;
        if (/^\d+$/.test(name)) {
          while (j < children.length && /^\d+$/.test(children[j]![0]) && children[j]![1].describe(indent + '  ', false) === text) j++;
        }
        const n = child.numParameters();
        const count = n > 0 && child.isLeafModule() ? `  [${n.toLocaleString('en-US')} params${j - i > 1 ? ' each' : ''}]` : '';
        const label = j - i > 1 ? `(${name}-${children[j - 1]![0]}): ${j - i} x ` : `(${name}): `;
        lines.push(`${indent}  ${label}${text}${count}`);
        i = j;
      }
      body = `${head}${extra ? `\n${indent}  ${extra}` : ''}\n${lines.join('\n')}\n${indent})`;
    }
    if (!root) return body;
    const total = this.numParameters();
    const trainable = this.numParameters(true);
    return `${body}\nTotal parameters: ${total.toLocaleString('en-US')}${trainable !== total ? ` (trainable: ${trainable.toLocaleString('en-US')})` : ''}`;
  }

  private isLeafModule(): boolean {
    return this.ownEntries().children.length === 0;
  }

  [NODE_INSPECT](): string {
    return this.toString();
  }

  [JUPYTER_DISPLAY](): Record<string, unknown> {
    return { 'text/plain': this.toString() };
  }
}
