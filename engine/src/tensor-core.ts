/**
 * The bottom of the engine: what a tensor *is*, without any operation on it. A `Tensor`
 * here is storage (a typed array shared by views), a shape, strides and an offset, and the
 * autograd fields (`requiresGrad`, `gradFn`, `grad`); a `Node` is the record of the op that
 * computed a tensor (its `gradFn`). The two refer to each other, so they live in one file.
 * It imports nothing that computes.
 *
 * Every op in `ops/` builds on this file, and the methods users call (`x.add(y)`,
 * `x.sum()`, `x.backward()`, ...) are attached to this same class by `tensor.ts`, the
 * top of the op layers. Code above the ops imports `Tensor` from `tensor.ts`, so the
 * methods are always there when it runs; code below (ops, autograd, kernels) uses free
 * functions only, never a method that `tensor.ts` attaches.
 */
import { dtypeOfArray, isFloating, allocate, type DType, type TypedArray } from './dtype.js';
import { contiguousStrides, fmt, numel, normDim, type Shape } from './shape.js';
import { copyStrided } from './kernels/strided.js';

/** A tensor or a plain number, where ops accept either (numbers broadcast as scalars). */
export type TensorOrNumber = Tensor | number;

/** Nested arrays as returned by `toArray()`. */
export type NestedArray = number | boolean | NestedArray[];

/**
 * The memory behind one or more tensors. Views share it; `version` counts in-place
 * writes so that autograd can detect a saved tensor modified before backward.
 */
export class Storage {
  version = 0;
  constructor(readonly data: TypedArray) {}
}

/**
 * An n-dimensional array of float32 (default), float64, int32 or bool values, with
 * reverse-mode autograd.
 *
 * A tensor is a view: a shape, strides and an offset into a `Storage`. Views made by
 * `reshape`, `transpose`, `permute`, `narrow`/`slice`, `select`, `expand`, `squeeze` and
 * `unsqueeze` share memory with their source; `contiguous()` copies when needed.
 * Methods are thin wrappers over the functions in `ops/` (attached in `tensor.ts`); every
 * method returns a new tensor except the in-place ones, whose names end in `_`.
 *
 * @example
 * const x = tensor([[1, 2], [3, 4]], { requiresGrad: true });
 * const y = x.mul(x).sum();   // scalar
 * y.backward();
 * x.grad;                      // tensor([[2, 4], [6, 8]])
 */
export class Tensor {
  readonly storage: Storage;
  readonly shape: readonly number[];
  readonly strides: readonly number[];
  readonly offset: number;
  readonly dtype: DType;
  /** Accumulated gradient (leaf tensors, or non-leaf tensors after `retainGrad()`). */
  grad: Tensor | null = null;
  private _requiresGrad = false;
  private _gradFn: Node | null = null;

  /**
   * Low-level constructor over existing storage. Prefer the creation functions
   * (`tensor`, `zeros`, `randn`, ...), which check their arguments.
   */
  constructor(storage: Storage | TypedArray, shape: Shape, strides?: readonly number[], offset = 0) {
    this.storage = storage instanceof Storage ? storage : new Storage(storage);
    this.shape = shape;
    this.strides = strides ?? contiguousStrides(shape);
    this.offset = offset;
    this.dtype = dtypeOfArray(this.storage.data);
  }

  // ---------------------------------------------------------------- basic facts

  /** The typed array behind this tensor (shared with its views; see `offset`/`strides`). */
  get data(): TypedArray {
    return this.storage.data;
  }

  /** Number of dimensions. */
  get ndim(): number {
    return this.shape.length;
  }

  /** Number of dimensions (PyTorch's `dim()`). */
  dim(): number {
    return this.shape.length;
  }

  /** Number of elements. */
  numel(): number {
    return numel(this.shape);
  }

  /** The shape, or the size of one dimension (negative dims count from the end). */
  size(): number[];
  size(dim: number): number;
  size(dim?: number): number[] | number {
    if (dim === undefined) return this.shape.slice();
    return this.shape[normDim(dim, this.ndim, 'size')]!;
  }

  /** Counts in-place modifications of the underlying storage. */
  get version(): number {
    return this.storage.version;
  }

  /** Whether elements are laid out row-major without gaps (offset may be non-zero). */
  isContiguous(): boolean {
    let expected = 1;
    for (let i = this.shape.length - 1; i >= 0; i--) {
      const d = this.shape[i]!;
      if (d !== 1 && this.strides[i] !== expected) return false;
      expected *= d;
    }
    return true;
  }

  // ---------------------------------------------------------------- autograd

  /** Whether operations on this tensor are recorded for backward. */
  get requiresGrad(): boolean {
    return this._requiresGrad;
  }

  set requiresGrad(value: boolean) {
    if (value && !isFloating(this.dtype)) {
      throw new TypeError(`requiresGrad: only floating point tensors can require gradients (this tensor is ${this.dtype})`);
    }
    if (!value && this._gradFn !== null) {
      throw new Error('requiresGrad: cannot turn off requiresGrad on a tensor computed from others; use detach() instead');
    }
    this._requiresGrad = value;
  }

  /** Sets `requiresGrad` in place and returns this tensor (PyTorch's `requires_grad_`). */
  requiresGrad_(value = true): this {
    this.requiresGrad = value;
    return this;
  }

  /** The node that computed this tensor, or null for leaves. */
  get gradFn(): Node | null {
    return this._gradFn;
  }

  /** True for tensors not computed by a recorded op (user-created tensors, parameters). */
  get isLeaf(): boolean {
    return this._gradFn === null;
  }

  /** @internal Used by ops when they record a node. */
  _setGradFn(node: Node): void {
    this._gradFn = node;
    this._requiresGrad = true;
  }

  /** A tensor sharing this one's data but cut from the graph (no grad). */
  detach(): Tensor {
    return new Tensor(this.storage, this.shape, this.strides, this.offset);
  }

  /** Keep `.grad` for this non-leaf tensor after backward (for inspecting, e.g., per-step hidden-state gradients). */
  retainGrad(): this {
    if (!this._requiresGrad) throw new Error('retainGrad: this tensor does not require grad');
    if (this._gradFn !== null) this._gradFn.retained = this;
    return this;
  }

  /**
   * Calls `hook(grad)` when the gradient with respect to this tensor is computed; the hook
   * may return a replacement gradient. Returns a function that removes the hook.
   * Works on non-leaf tensors (the common case for inspecting intermediate gradients).
   */
  registerHook(hook: GradHook): () => void {
    if (!this._requiresGrad) throw new Error('registerHook: cannot register a hook on a tensor that does not require grad');
    if (this._gradFn === null) {
      throw new Error('registerHook: hooks on leaf tensors are not supported; read .grad after backward() instead');
    }
    const node = this._gradFn;
    (node.hooks ??= []).push(hook);
    return () => {
      if (node.hooks) node.hooks = node.hooks.filter((h) => h !== hook);
    };
  }

  /** Drops the accumulated gradient (sets `.grad` to null). */
  zeroGrad(): void {
    this.grad = null;
  }

  // ---------------------------------------------------------------- reading values

  /** The value of a one-element tensor as a JS number (booleans as 0/1). */
  item(): number {
    if (this.numel() !== 1) {
      throw new RangeError(`item: only one-element tensors can be converted to a number, this one has shape ${fmt(this.shape)}`);
    }
    return this.storage.data[this.offset]!;
  }

  /** One element by its indices (negative indices count from the end). */
  get(...indices: number[]): number {
    if (indices.length !== this.ndim) {
      throw new RangeError(`get: expected ${this.ndim} indices for a tensor of shape ${fmt(this.shape)}, got ${indices.length}`);
    }
    let off = this.offset;
    for (let i = 0; i < indices.length; i++) {
      let ix = indices[i]!;
      const d = this.shape[i]!;
      if (!Number.isInteger(ix) || ix < -d || ix >= d) {
        throw new RangeError(`get: index ${ix} is out of bounds for dimension ${i} with size ${d}`);
      }
      if (ix < 0) ix += d;
      off += ix * this.strides[i]!;
    }
    return this.storage.data[off]!;
  }

  /** The values as nested JS arrays (numbers; booleans for bool tensors). */
  toArray(): NestedArray {
    const flat = this.toTypedArray();
    const isBool = this.dtype === 'bool';
    const shape = this.shape;
    if (shape.length === 0) return isBool ? flat[0] !== 0 : flat[0]!;
    let pos = 0;
    const build = (d: number): NestedArray[] => {
      const n = shape[d]!;
      const out: NestedArray[] = new Array(n);
      if (d === shape.length - 1) {
        for (let i = 0; i < n; i++) out[i] = isBool ? flat[pos++] !== 0 : flat[pos++]!;
      } else {
        for (let i = 0; i < n; i++) out[i] = build(d + 1);
      }
      return out;
    };
    return build(0);
  }

  /** A fresh row-major copy of the values in a typed array of this dtype. */
  toTypedArray(): TypedArray {
    const n = this.numel();
    if (this.isContiguous()) return this.storage.data.slice(this.offset, this.offset + n) as TypedArray;
    const out = allocate(this.dtype, n);
    copyStrided(this.storage.data, this.shape, this.strides, this.offset, out, 0);
    return out;
  }
}

// ==================================================================== the autograd graph

/**
 * The gradient of a view's input, given sparsely: `values` belong in the window that
 * `window(base)` selects from a tensor of `baseShape`, and zeros elsewhere. The backward
 * engine scatter-adds it into one accumulation buffer, so that a sequence read step by
 * step through `select`/`narrow` costs O(steps) in backward instead of O(steps²).
 */
export class SliceGrad {
  constructor(
    readonly values: Tensor,
    readonly baseShape: readonly number[],
    readonly window: (base: Tensor) => Tensor,
  ) {}
}

/**
 * Computes the gradients of one op's inputs from the gradient of its output.
 * `needs[i]` says whether input i wants a gradient; entries for inputs that do not may
 * be null. Each returned gradient has exactly its input's shape (a SliceGrad: its
 * baseShape does).
 */
export type BackwardFn = (grad: Tensor, needs: readonly boolean[]) => readonly (Tensor | SliceGrad | null)[];

/** A hook on a tensor's gradient: may return a replacement gradient. */
export type GradHook = (grad: Tensor) => Tensor | void;

/**
 * One recorded operation in the autograd graph (PyTorch's `grad_fn`). It holds the
 * inputs that need gradients, the backward closure (which captures what the op saved),
 * and the versions of saved tensors so that modifying them in place before backward is
 * caught instead of giving wrong gradients.
 */
export class Node {
  /** Inputs in op order; null where the input does not require grad. */
  readonly inputs: readonly (Tensor | null)[];
  readonly needs: readonly boolean[];
  private fn: BackwardFn | null;
  private saved: { t: Tensor; version: number }[] | null = null;
  /** Set when the output tensor called retainGrad(). */
  retained: Tensor | null = null;
  hooks: GradHook[] | null = null;

  constructor(
    /** Op name as shown in printing, e.g. "MulBackward". */
    readonly name: string,
    inputs: readonly Tensor[],
    fn: BackwardFn,
  ) {
    // Plain loops: this runs for every recorded op, and map() with closures costs more.
    const n = inputs.length;
    const ins = new Array<Tensor | null>(n);
    const needs = new Array<boolean>(n);
    for (let i = 0; i < n; i++) {
      const t = inputs[i]!;
      const r = t.requiresGrad;
      ins[i] = r ? t : null;
      needs[i] = r;
    }
    this.inputs = ins;
    this.needs = needs;
    this.fn = fn;
  }

  /** Records that the backward closure reads `t`, so in-place changes to it are detected. */
  save(t: Tensor): void {
    (this.saved ??= []).push({ t, version: t.version });
  }

  get released(): boolean {
    return this.fn === null;
  }

  /** Runs the backward closure; throws if the graph was freed or a saved tensor changed. */
  apply(grad: Tensor): readonly (Tensor | SliceGrad | null)[] {
    if (this.fn === null) {
      throw new Error(
        `backward: trying to backward through the graph a second time (${this.name} was already freed). ` +
          'Saved values are freed by backward() to save memory; pass { retainGraph: true } to the first ' +
          'backward() if you need to call it again through the same graph.',
      );
    }
    if (this.saved !== null) {
      for (const { t, version } of this.saved) {
        if (t.version !== version) {
          throw new Error(
            `backward: a tensor of shape [${t.shape.join(',')}] saved by ${this.name} was modified in place ` +
              `after it was used (version ${version} -> ${t.version}); gradients would be wrong. ` +
              'Use the out-of-place operation or clone() the tensor first.',
          );
        }
      }
    }
    return this.fn(grad, this.needs);
  }

  /** Frees the closure and everything it saved. */
  release(): void {
    this.fn = null;
    this.saved = null;
  }
}
