/**
 * Deep copies of modules, as Python's `copy.deepcopy` gives PyTorch (and as
 * `TransformerEncoder` uses to stack copies of one layer).
 */
import { Tensor } from '../tensor.js';
import { noGrad } from '../autograd/grad-mode.js';
import { Module } from './module.js';
import { Parameter } from './parameter.js';

/**
 * A deep copy of `module` and everything below it: parameters become new parameters with
 * their own storage (same values and `requiresGrad`, no `.grad`), buffers and other
 * tensors are copied, submodules are copied recursively, and arrays, Maps, Sets and plain
 * objects are copied. Sharing inside the tree is preserved (a module or parameter used
 * twice is copied once and used twice in the copy). Functions and instances of other
 * classes (e.g. a random Generator) are shared, not copied. The copy keeps the original's
 * class and training mode.
 *
 * @example
 * const layer = new nn.TransformerEncoderLayer(64, 4);
 * const layers = new nn.ModuleList([0, 1, 2].map(() => nn.cloneModule(layer)));
 */
export function cloneModule<M extends Module>(module: M): M {
  if (!(module instanceof Module)) throw new TypeError('cloneModule: expects a Module');
  return noGrad(() => copyValue(module, new Map())) as M;
}

function copyValue(value: unknown, memo: Map<object, unknown>): unknown {
  if (value === null || typeof value !== 'object') return value;
  const seen = memo.get(value);
  if (seen !== undefined) return seen;
  if (value instanceof Parameter) {
    const p = new Parameter(value.detach().clone(), value.requiresGrad);
    memo.set(value, p);
    return p;
  }
  if (value instanceof Tensor) {
    const t = value.detach().clone();
    if (value.isLeaf && value.requiresGrad) t.requiresGrad = true;
    memo.set(value, t);
    return t;
  }
  if (value instanceof Module) {
    const copy = Object.create(Object.getPrototypeOf(value) as object) as Module;
    memo.set(value, copy);
    copyOwnProperties(value, copy, memo);
    return copy;
  }
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    memo.set(value, out);
    for (const v of value) out.push(copyValue(v, memo));
    return out;
  }
  if (value instanceof Map) {
    const out = new Map();
    memo.set(value, out);
    for (const [k, v] of value) out.set(copyValue(k, memo), copyValue(v, memo));
    return out;
  }
  if (value instanceof Set) {
    const out = new Set();
    memo.set(value, out);
    for (const v of value) out.add(copyValue(v, memo));
    return out;
  }
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
    const out = (value as unknown as { slice(): unknown }).slice();
    memo.set(value, out);
    return out;
  }
  const proto = Object.getPrototypeOf(value) as object | null;
  if (proto === Object.prototype || proto === null) {
    const out = Object.create(proto) as object;
    memo.set(value, out);
    copyOwnProperties(value, out, memo);
    return out;
  }
  return value;
}

/** Copies every own property (string and symbol keys, with its attributes), deep-copying data values. */
function copyOwnProperties(src: object, dst: object, memo: Map<object, unknown>): void {
  for (const key of Reflect.ownKeys(src)) {
    const desc = Object.getOwnPropertyDescriptor(src, key)!;
    if ('value' in desc) desc.value = copyValue(desc.value, memo);
    Object.defineProperty(dst, key, desc);
  }
}
