import { dtypeOfArray, isFloating, type DType, type TypedArray } from './dtype.js';
import { contiguousStrides, fmt, numel, normDim, type Shape } from './shape.js';
import type { GradHook, Node } from './autograd/node.js';
import { runBackward, type BackwardOptions } from './autograd/backward.js';
import { formatTensor } from './format.js';
import * as binary from './ops/binary.js';
import * as unary from './ops/unary.js';
import * as view from './ops/view.js';
import * as reduce from './ops/reduce.js';
import * as softmaxOps from './ops/softmax.js';
import * as matmulOps from './ops/matmul.js';
import * as compare from './ops/compare.js';
import * as join from './ops/join.js';
import * as indexing from './ops/indexing.js';
import * as whereOps from './ops/where.js';
import * as cast from './ops/cast.js';
import * as inplace from './ops/inplace.js';
import { JUPYTER_DISPLAY } from './display/protocol.js';

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

const NODE_INSPECT = Symbol.for('nodejs.util.inspect.custom');

/**
 * An n-dimensional array of float32 (default), float64, int32 or bool values, with
 * reverse-mode autograd.
 *
 * A tensor is a view: a shape, strides and an offset into a `Storage`. Views made by
 * `reshape`, `transpose`, `permute`, `narrow`/`slice`, `select`, `expand`, `squeeze` and
 * `unsqueeze` share memory with their source; `contiguous()` copies when needed.
 * Methods are thin wrappers over the functions in `ops/`; every method returns a new
 * tensor except the in-place ones, whose names end in `_`.
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

  /**
   * Computes the gradient of this tensor with respect to every leaf that requires grad
   * and accumulates it into their `.grad`. A scalar needs no argument; otherwise pass
   * the gradient of some scalar with respect to this tensor (same shape).
   */
  backward(gradient?: Tensor, options: BackwardOptions = {}): void {
    if (!this._requiresGrad) {
      throw new Error(
        'backward: this tensor does not require grad and has no grad_fn ' +
          '(no input had requiresGrad: true, or it was computed inside noGrad)',
      );
    }
    let g: Tensor;
    if (gradient === undefined) {
      if (this.numel() !== 1) {
        throw new Error(
          `backward: a gradient can be created implicitly only for scalar outputs, but this tensor has shape ${fmt(this.shape)}; ` +
            'pass backward(gradient) with a gradient of that shape, or reduce first (e.g. .sum())',
        );
      }
      g = new Tensor(this.dtype === 'float64' ? new Float64Array([1]) : new Float32Array([1]), this.shape);
    } else {
      if (!(gradient instanceof Tensor)) throw new TypeError('backward: gradient must be a Tensor');
      if (gradient.shape.length !== this.shape.length || gradient.shape.some((d, i) => d !== this.shape[i])) {
        throw new RangeError(`backward: gradient has shape ${fmt(gradient.shape)} but the tensor has shape ${fmt(this.shape)}`);
      }
      g = gradient.dtype === this.dtype ? gradient : gradient.to(this.dtype);
    }
    runBackward(this, g, options);
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
    const src = this.contiguous();
    const n = src.numel();
    return src.storage.data.slice(src.offset, src.offset + n) as TypedArray;
  }

  /** PyTorch-style printing: values (summarised when large), shape, dtype, grad info. */
  toString(): string {
    return formatTensor(this);
  }

  [NODE_INSPECT](): string {
    return formatTensor(this);
  }

  /** Notebook display: the printed form. */
  [JUPYTER_DISPLAY](): Record<string, unknown> {
    return { 'text/plain': formatTensor(this) };
  }

  // ---------------------------------------------------------------- dtype

  /** A copy converted to `dtype` (this tensor itself when it already has it). Differentiable between float types. */
  to(dtype: DType): Tensor {
    return cast.to(this, dtype);
  }
  float(): Tensor {
    return cast.to(this, 'float32');
  }
  double(): Tensor {
    return cast.to(this, 'float64');
  }
  int(): Tensor {
    return cast.to(this, 'int32');
  }
  bool(): Tensor {
    return cast.to(this, 'bool');
  }
  /** A copy with its own storage; gradients flow back to this tensor. */
  clone(): Tensor {
    return cast.clone(this);
  }

  // ---------------------------------------------------------------- views and shape

  /** Same data, new shape (one size may be -1); copies only when the layout requires it. */
  reshape(...shape: number[] | [readonly number[]]): Tensor {
    return view.reshape(this, flatArgs(shape));
  }
  /** Like `reshape` but never copies: fails on a non-contiguous tensor. */
  view(...shape: number[] | [readonly number[]]): Tensor {
    return view.view(this, flatArgs(shape));
  }
  /** Swaps two dimensions (a view). */
  transpose(dim0: number, dim1: number): Tensor {
    return view.transpose(this, dim0, dim1);
  }
  /** Transpose of a 2-D tensor (a view); 0-D and 1-D tensors are returned as they are. */
  t(): Tensor {
    if (this.ndim > 2) throw new RangeError(`t: expects a tensor with at most 2 dimensions, got ${fmt(this.shape)}; use transpose(dim0, dim1)`);
    return this.ndim < 2 ? this : view.transpose(this, 0, 1);
  }
  /** Transpose of the last two dimensions (a view), like PyTorch's `mT`. */
  get mT(): Tensor {
    if (this.ndim < 2) throw new RangeError(`mT: expects at least 2 dimensions, got ${fmt(this.shape)}`);
    return view.transpose(this, -2, -1);
  }
  /** Reorders the dimensions (a view). */
  permute(...dims: number[] | [readonly number[]]): Tensor {
    return view.permute(this, flatArgs(dims));
  }
  /** `length` entries of `dim` starting at `start` (a view). */
  narrow(dim: number, start: number, length: number): Tensor {
    return view.narrow(this, dim, start, length);
  }
  /** Python-style slice `start:end:step` of one dimension (a view); negative indices count from the end. */
  slice(dim: number, start?: number, end?: number, step = 1): Tensor {
    return view.slice(this, dim, start, end, step);
  }
  /** The sub-tensor at `index` along `dim`, with that dimension removed (a view), like `x[index]`. */
  select(dim: number, index: number): Tensor {
    return view.select(this, dim, index);
  }
  /** Repeats size-1 dimensions to `shape` without copying (-1 keeps a size). */
  expand(...shape: number[] | [readonly number[]]): Tensor {
    return view.expand(this, flatArgs(shape));
  }
  expandAs(other: Tensor): Tensor {
    return view.expand(this, other.shape);
  }
  /** Removes size-1 dimensions (all, or the one given). */
  squeeze(dim?: number): Tensor {
    return view.squeeze(this, dim);
  }
  /** Inserts a size-1 dimension at `dim`. */
  unsqueeze(dim: number): Tensor {
    return view.unsqueeze(this, dim);
  }
  /** Merges dimensions `startDim..endDim` into one. */
  flatten(startDim = 0, endDim = -1): Tensor {
    return view.flatten(this, startDim, endDim);
  }
  /** This tensor if it is contiguous, else a contiguous copy. */
  contiguous(): Tensor {
    return view.contiguous(this);
  }
  /** Splits into pieces of `size` (or of the listed sizes) along `dim` (views). */
  split(size: number | readonly number[], dim = 0): Tensor[] {
    return join.split(this, size, dim);
  }
  /** Splits into `chunks` nearly equal pieces along `dim` (views). */
  chunk(chunks: number, dim = 0): Tensor[] {
    return join.chunk(this, chunks, dim);
  }
  /** The slices along `dim`, each without that dimension (views). */
  unbind(dim = 0): Tensor[] {
    return join.unbind(this, dim);
  }

  // ---------------------------------------------------------------- arithmetic (broadcasting)

  /** `this + alpha * other`, broadcasting. */
  add(other: TensorOrNumber, alpha?: number): Tensor {
    return binary.add(this, other, alpha);
  }
  /** `this - alpha * other`, broadcasting. */
  sub(other: TensorOrNumber, alpha?: number): Tensor {
    return binary.sub(this, other, alpha);
  }
  mul(other: TensorOrNumber): Tensor {
    return binary.mul(this, other);
  }
  /** True division (integer tensors give float32). */
  div(other: TensorOrNumber): Tensor {
    return binary.div(this, other);
  }
  pow(exponent: TensorOrNumber): Tensor {
    return binary.pow(this, exponent);
  }
  /** Elementwise maximum of two tensors. */
  maximum(other: TensorOrNumber): Tensor {
    return binary.maximum(this, other);
  }
  /** Elementwise minimum of two tensors. */
  minimum(other: TensorOrNumber): Tensor {
    return binary.minimum(this, other);
  }
  neg(): Tensor {
    return unary.neg(this);
  }
  exp(): Tensor {
    return unary.exp(this);
  }
  log(): Tensor {
    return unary.log(this);
  }
  sqrt(): Tensor {
    return unary.sqrt(this);
  }
  /** `1 / sqrt(x)` */
  rsqrt(): Tensor {
    return unary.rsqrt(this);
  }
  abs(): Tensor {
    return unary.abs(this);
  }
  square(): Tensor {
    return binary.mul(this, this);
  }
  reciprocal(): Tensor {
    return unary.reciprocal(this);
  }
  sin(): Tensor {
    return unary.sin(this);
  }
  cos(): Tensor {
    return unary.cos(this);
  }
  tanh(): Tensor {
    return unary.tanh(this);
  }
  sigmoid(): Tensor {
    return unary.sigmoid(this);
  }
  relu(): Tensor {
    return unary.relu(this);
  }
  /** GELU, exact (erf) by default or the tanh approximation. */
  gelu(approximate: 'none' | 'tanh' = 'none'): Tensor {
    return unary.gelu(this, approximate);
  }
  /** Limits values to [min, max] (either bound may be omitted with undefined/null). */
  clamp(min?: number | null, max?: number | null): Tensor {
    return unary.clamp(this, min, max);
  }
  /** -1, 0 or 1 by sign (not differentiable: gradient zero). */
  sign(): Tensor {
    return unary.sign(this);
  }

  // ---------------------------------------------------------------- linear algebra

  /** Matrix product with PyTorch's rules: 1-D/2-D, batched, broadcast batch dimensions. */
  matmul(other: Tensor): Tensor {
    return matmulOps.matmul(this, other);
  }

  // ---------------------------------------------------------------- reductions

  /** Sum over `dim` (one, several or all dims). */
  sum(dim?: number | readonly number[], keepdim = false): Tensor {
    return reduce.sum(this, dim, keepdim);
  }
  mean(dim?: number | readonly number[], keepdim = false): Tensor {
    return reduce.mean(this, dim, keepdim);
  }
  /** Variance with Bessel's correction by default (`correction: 1`), like PyTorch. */
  var(dim?: number | readonly number[], options: { correction?: number; keepdim?: boolean } = {}): Tensor {
    return reduce.variance(this, dim, options);
  }
  std(dim?: number | readonly number[], options: { correction?: number; keepdim?: boolean } = {}): Tensor {
    return reduce.std(this, dim, options);
  }
  /** Maximum of all elements (a 0-d tensor). */
  max(): Tensor;
  /** Maximum along `dim`: `[values, indices]`. */
  max(dim: number, keepdim?: boolean): [Tensor, Tensor];
  max(dim?: number, keepdim = false): Tensor | [Tensor, Tensor] {
    return dim === undefined ? reduce.maxAll(this) : reduce.maxDim(this, dim, keepdim);
  }
  min(): Tensor;
  min(dim: number, keepdim?: boolean): [Tensor, Tensor];
  min(dim?: number, keepdim = false): Tensor | [Tensor, Tensor] {
    return dim === undefined ? reduce.minAll(this) : reduce.minDim(this, dim, keepdim);
  }
  /** Index of the maximum (over the flattened tensor, or along `dim`), int32. */
  argmax(dim?: number, keepdim = false): Tensor {
    return reduce.argmax(this, dim, keepdim);
  }
  argmin(dim?: number, keepdim = false): Tensor {
    return reduce.argmin(this, dim, keepdim);
  }
  /** `log(sum(exp(x)))` over `dim`, computed stably. */
  logsumexp(dim: number | readonly number[], keepdim = false): Tensor {
    return reduce.logsumexp(this, dim, keepdim);
  }
  /** p-norm (default 2) over `dim` or all elements. */
  norm(p = 2, dim?: number | readonly number[], keepdim = false): Tensor {
    return reduce.norm(this, p, dim, keepdim);
  }
  softmax(dim: number): Tensor {
    return softmaxOps.softmax(this, dim);
  }
  logSoftmax(dim: number): Tensor {
    return softmaxOps.logSoftmax(this, dim);
  }

  // ---------------------------------------------------------------- comparison and masks

  eq(other: TensorOrNumber): Tensor {
    return compare.eq(this, other);
  }
  ne(other: TensorOrNumber): Tensor {
    return compare.ne(this, other);
  }
  lt(other: TensorOrNumber): Tensor {
    return compare.lt(this, other);
  }
  le(other: TensorOrNumber): Tensor {
    return compare.le(this, other);
  }
  gt(other: TensorOrNumber): Tensor {
    return compare.gt(this, other);
  }
  ge(other: TensorOrNumber): Tensor {
    return compare.ge(this, other);
  }
  logicalNot(): Tensor {
    return compare.logicalNot(this);
  }
  logicalAnd(other: Tensor): Tensor {
    return compare.logicalAnd(this, other);
  }
  logicalOr(other: Tensor): Tensor {
    return compare.logicalOr(this, other);
  }
  /** Whether any / all elements are non-zero (0-d bool tensor). */
  any(): Tensor {
    return compare.any(this);
  }
  all(): Tensor {
    return compare.all(this);
  }
  /** Replaces elements where `mask` (bool, broadcastable) is true by `value`. */
  maskedFill(mask: Tensor, value: number): Tensor {
    return whereOps.maskedFill(this, mask, value);
  }

  // ---------------------------------------------------------------- indexing

  /** `out[i][j] = this[index[i][j]][j]` for dim 0 (and so on), PyTorch's `gather`. */
  gather(dim: number, index: Tensor): Tensor {
    return indexing.gather(this, dim, index);
  }
  /** The entries at `index` (1-D int32) along `dim`. */
  indexSelect(dim: number, index: Tensor): Tensor {
    return indexing.indexSelect(this, dim, index);
  }

  // ---------------------------------------------------------------- in place (no autograd recording)

  /** Sets every element to `value`. */
  fill_(value: number): this {
    return inplace.fill_(this, value);
  }
  zero_(): this {
    return inplace.fill_(this, 0);
  }
  /** Copies `src` (broadcastable to this shape) into this tensor. */
  copy_(src: Tensor): this {
    return inplace.copy_(this, src);
  }
  /** `this += alpha * other` */
  add_(other: TensorOrNumber, alpha = 1): this {
    return inplace.binary_(this, other, 'add', alpha);
  }
  /** `this -= alpha * other` */
  sub_(other: TensorOrNumber, alpha = 1): this {
    return inplace.binary_(this, other, 'add', -alpha);
  }
  mul_(other: TensorOrNumber): this {
    return inplace.binary_(this, other, 'mul', 1);
  }
  div_(other: TensorOrNumber): this {
    return inplace.binary_(this, other, 'div', 1);
  }
  clamp_(min?: number | null, max?: number | null): this {
    return inplace.clamp_(this, min, max);
  }
  maskedFill_(mask: Tensor, value: number): this {
    return inplace.maskedFill_(this, mask, value);
  }
  /** Fills with uniform samples from [low, high) from the default (or given) generator. */
  uniform_(low = 0, high = 1, generator?: import('./random.js').Generator): this {
    return inplace.uniform_(this, low, high, generator);
  }
  /** Fills with normal samples N(mean, std²). */
  normal_(mean = 0, std = 1, generator?: import('./random.js').Generator): this {
    return inplace.normal_(this, mean, std, generator);
  }
}

/** Accepts both `f(2, 3)` and `f([2, 3])`. */
function flatArgs(args: number[] | [readonly number[]]): number[] {
  if (args.length === 1 && Array.isArray(args[0])) return (args[0] as readonly number[]).slice();
  return args as number[];
}
