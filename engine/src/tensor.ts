/**
 * The `Tensor` class as users see it: the class from `tensor-core.ts` with every method
 * attached (`x.add(y)`, `x.sum()`, `x.softmax(-1)`, `x.backward()`, ...). Each method is
 * a thin wrapper over a free function of `ops/`, so this file sits above all of them and
 * nothing below imports it. Everything above the ops (nn, optim, data, io, display,
 * trace) imports `Tensor` from here, which guarantees the methods are attached before
 * any of that code runs.
 *
 * The methods are declared on the class by module augmentation (their types and docs,
 * below) and defined on its prototype once, non-enumerable like class methods, so
 * `x.add(y)` costs the same prototype lookup as a method written in the class body.
 */
import { fmt } from './shape.js';
import type { DType } from './dtype.js';
import type { Generator } from './random.js';
import { Tensor } from './tensor-core.js';
import { backward, type BackwardOptions } from './autograd/backward.js';
import { formatTensor } from './format.js';
import * as binary from './ops/binary.js';
import * as unary from './ops/unary.js';
import * as view from './ops/view.js';
import * as reduce from './ops/reduce.js';
import * as reductions from './ops/composite/reductions.js';
import * as softmaxOps from './ops/softmax.js';
import * as matmulOps from './ops/matmul.js';
import * as compare from './ops/compare.js';
import * as join from './ops/join.js';
import * as indexing from './ops/indexing.js';
import * as whereOps from './ops/where.js';
import * as cast from './ops/cast.js';
import * as inplace from './ops/inplace.js';
import { JUPYTER_DISPLAY } from './display/protocol.js';

export { Tensor, Storage, type TensorOrNumber, type NestedArray } from './tensor-core.js';

const NODE_INSPECT = Symbol.for('nodejs.util.inspect.custom');

declare module './tensor-core.js' {
  interface Tensor {
    // ---------------------------------------------------------------- autograd

    /**
     * Computes the gradient of this tensor with respect to every leaf that requires grad
     * and accumulates it into their `.grad`. A scalar needs no argument; otherwise pass
     * the gradient of some scalar with respect to this tensor (same shape).
     */
    backward(gradient?: Tensor, options?: BackwardOptions): void;

    // ---------------------------------------------------------------- printing

    /** PyTorch-style printing: values (summarised when large), shape, dtype, grad info. */
    toString(): string;
    [NODE_INSPECT](): string;
    /** Notebook display: the printed form. */
    [JUPYTER_DISPLAY](): Record<string, unknown>;

    // ---------------------------------------------------------------- dtype

    /** A copy converted to `dtype` (this tensor itself when it already has it). Differentiable between float types. */
    to(dtype: DType): Tensor;
    float(): Tensor;
    double(): Tensor;
    int(): Tensor;
    bool(): Tensor;
    /** A copy with its own storage; gradients flow back to this tensor. */
    clone(): Tensor;

    // ---------------------------------------------------------------- views and shape

    /** Same data, new shape (one size may be -1); copies only when the layout requires it. */
    reshape(...shape: number[] | [readonly number[]]): Tensor;
    /** Like `reshape` but never copies: fails on a non-contiguous tensor. */
    view(...shape: number[] | [readonly number[]]): Tensor;
    /** Swaps two dimensions (a view). */
    transpose(dim0: number, dim1: number): Tensor;
    /** Transpose of a 2-D tensor (a view); 0-D and 1-D tensors are returned as they are. */
    t(): Tensor;
    /** Transpose of the last two dimensions (a view), like PyTorch's `mT`. */
    readonly mT: Tensor;
    /** Reorders the dimensions (a view). */
    permute(...dims: number[] | [readonly number[]]): Tensor;
    /** `length` entries of `dim` starting at `start` (a view). */
    narrow(dim: number, start: number, length: number): Tensor;
    /** Python-style slice `start:end:step` of one dimension (a view); negative indices count from the end. */
    slice(dim: number, start?: number, end?: number, step?: number): Tensor;
    /** The sub-tensor at `index` along `dim`, with that dimension removed (a view), like `x[index]`. */
    select(dim: number, index: number): Tensor;
    /** Repeats size-1 dimensions to `shape` without copying (-1 keeps a size). */
    expand(...shape: number[] | [readonly number[]]): Tensor;
    expandAs(other: Tensor): Tensor;
    /** Removes size-1 dimensions (all, or the one given). */
    squeeze(dim?: number): Tensor;
    /** Inserts a size-1 dimension at `dim`. */
    unsqueeze(dim: number): Tensor;
    /** Merges dimensions `startDim..endDim` into one. */
    flatten(startDim?: number, endDim?: number): Tensor;
    /** This tensor if it is contiguous, else a contiguous copy. */
    contiguous(): Tensor;
    /** Splits into pieces of `size` (or of the listed sizes) along `dim` (views). */
    split(size: number | readonly number[], dim?: number): Tensor[];
    /** Splits into `chunks` nearly equal pieces along `dim` (views). */
    chunk(chunks: number, dim?: number): Tensor[];
    /** The slices along `dim`, each without that dimension (views). */
    unbind(dim?: number): Tensor[];

    // ---------------------------------------------------------------- arithmetic (broadcasting)

    /** `this + alpha * other`, broadcasting. */
    add(other: TensorOrNumber, alpha?: number): Tensor;
    /** `this - alpha * other`, broadcasting. */
    sub(other: TensorOrNumber, alpha?: number): Tensor;
    mul(other: TensorOrNumber): Tensor;
    /** True division (integer tensors give float32). */
    div(other: TensorOrNumber): Tensor;
    pow(exponent: TensorOrNumber): Tensor;
    /** Elementwise maximum of two tensors. */
    maximum(other: TensorOrNumber): Tensor;
    /** Elementwise minimum of two tensors. */
    minimum(other: TensorOrNumber): Tensor;
    neg(): Tensor;
    exp(): Tensor;
    log(): Tensor;
    sqrt(): Tensor;
    /** `1 / sqrt(x)` */
    rsqrt(): Tensor;
    abs(): Tensor;
    square(): Tensor;
    reciprocal(): Tensor;
    sin(): Tensor;
    cos(): Tensor;
    tanh(): Tensor;
    sigmoid(): Tensor;
    relu(): Tensor;
    /** GELU, exact (erf) by default or the tanh approximation. */
    gelu(approximate?: 'none' | 'tanh'): Tensor;
    /** Limits values to [min, max] (either bound may be omitted with undefined/null). */
    clamp(min?: number | null, max?: number | null): Tensor;
    /** -1, 0 or 1 by sign (not differentiable: gradient zero). */
    sign(): Tensor;

    // ---------------------------------------------------------------- linear algebra

    /** Matrix product with PyTorch's rules: 1-D/2-D, batched, broadcast batch dimensions. */
    matmul(other: Tensor): Tensor;

    // ---------------------------------------------------------------- reductions

    /** Sum over `dim` (one, several or all dims). */
    sum(dim?: number | readonly number[], keepdim?: boolean): Tensor;
    mean(dim?: number | readonly number[], keepdim?: boolean): Tensor;
    /** Variance with Bessel's correction by default (`correction: 1`), like PyTorch. */
    var(dim?: number | readonly number[], options?: { correction?: number; keepdim?: boolean }): Tensor;
    std(dim?: number | readonly number[], options?: { correction?: number; keepdim?: boolean }): Tensor;
    /** Maximum of all elements (a 0-d tensor). */
    max(): Tensor;
    /** Maximum along `dim`: `[values, indices]`. */
    max(dim: number, keepdim?: boolean): [Tensor, Tensor];
    min(): Tensor;
    min(dim: number, keepdim?: boolean): [Tensor, Tensor];
    /** Index of the maximum (over the flattened tensor, or along `dim`), int32. */
    argmax(dim?: number, keepdim?: boolean): Tensor;
    argmin(dim?: number, keepdim?: boolean): Tensor;
    /** `log(sum(exp(x)))` over `dim`, computed stably. */
    logsumexp(dim: number | readonly number[], keepdim?: boolean): Tensor;
    /** p-norm (default 2) over `dim` or all elements. */
    norm(p?: number, dim?: number | readonly number[], keepdim?: boolean): Tensor;
    softmax(dim: number): Tensor;
    logSoftmax(dim: number): Tensor;

    // ---------------------------------------------------------------- comparison and masks

    eq(other: TensorOrNumber): Tensor;
    ne(other: TensorOrNumber): Tensor;
    lt(other: TensorOrNumber): Tensor;
    le(other: TensorOrNumber): Tensor;
    gt(other: TensorOrNumber): Tensor;
    ge(other: TensorOrNumber): Tensor;
    logicalNot(): Tensor;
    logicalAnd(other: Tensor): Tensor;
    logicalOr(other: Tensor): Tensor;
    /** Whether any / all elements are non-zero (0-d bool tensor). */
    any(): Tensor;
    all(): Tensor;
    /** Replaces elements where `mask` (bool, broadcastable) is true by `value`. */
    maskedFill(mask: Tensor, value: number): Tensor;

    // ---------------------------------------------------------------- indexing

    /** `out[i][j] = this[index[i][j]][j]` for dim 0 (and so on), PyTorch's `gather`. */
    gather(dim: number, index: Tensor): Tensor;
    /** The entries at `index` (1-D int32) along `dim`. */
    indexSelect(dim: number, index: Tensor): Tensor;

    // ---------------------------------------------------------------- in place (no autograd recording)

    /** Sets every element to `value`. */
    fill_(value: number): this;
    zero_(): this;
    /** Copies `src` (broadcastable to this shape) into this tensor. */
    copy_(src: Tensor): this;
    /** `this += alpha * other` */
    add_(other: TensorOrNumber, alpha?: number): this;
    /** `this -= alpha * other` */
    sub_(other: TensorOrNumber, alpha?: number): this;
    mul_(other: TensorOrNumber): this;
    div_(other: TensorOrNumber): this;
    clamp_(min?: number | null, max?: number | null): this;
    maskedFill_(mask: Tensor, value: number): this;
    /** Fills with uniform samples from [low, high) from the default (or given) generator. */
    uniform_(low?: number, high?: number, generator?: Generator): this;
    /** Fills with normal samples N(mean, std²). */
    normal_(mean?: number, std?: number, generator?: Generator): this;
  }
}

/**
 * Defines `methods` on `Tensor.prototype` as a class body would: non-enumerable,
 * writable and configurable (so `for...in` and `Object.keys` over a tensor list its
 * fields only, as before).
 */
function attach(methods: { [K in keyof Tensor]?: Tensor[K] } & ThisType<Tensor>): void {
  const descriptors = Object.getOwnPropertyDescriptors(methods);
  for (const key of Reflect.ownKeys(descriptors)) {
    Object.defineProperty(Tensor.prototype, key, { ...descriptors[key as keyof typeof descriptors], enumerable: false });
  }
}

attach({
  // ---------------------------------------------------------------- autograd

  backward(gradient, options = {}) {
    backward(this, gradient, options);
  },

  // ---------------------------------------------------------------- printing

  toString() {
    return formatTensor(this);
  },
  [NODE_INSPECT]() {
    return formatTensor(this);
  },
  [JUPYTER_DISPLAY]() {
    return { 'text/plain': formatTensor(this) };
  },

  // ---------------------------------------------------------------- dtype

  to(dtype) {
    return cast.to(this, dtype);
  },
  float() {
    return cast.to(this, 'float32');
  },
  double() {
    return cast.to(this, 'float64');
  },
  int() {
    return cast.to(this, 'int32');
  },
  bool() {
    return cast.to(this, 'bool');
  },
  clone() {
    return cast.clone(this);
  },

  // ---------------------------------------------------------------- views and shape

  reshape(...shape) {
    return view.reshape(this, flatArgs(shape));
  },
  view(...shape) {
    return view.view(this, flatArgs(shape));
  },
  transpose(dim0, dim1) {
    return view.transpose(this, dim0, dim1);
  },
  t() {
    if (this.ndim > 2) throw new RangeError(`t: expects a tensor with at most 2 dimensions, got ${fmt(this.shape)}; use transpose(dim0, dim1)`);
    return this.ndim < 2 ? this : view.transpose(this, 0, 1);
  },
  get mT() {
    if (this.ndim < 2) throw new RangeError(`mT: expects at least 2 dimensions, got ${fmt(this.shape)}`);
    return view.transpose(this, -2, -1);
  },
  permute(...dims) {
    return view.permute(this, flatArgs(dims));
  },
  narrow(dim, start, length) {
    return view.narrow(this, dim, start, length);
  },
  slice(dim, start, end, step = 1) {
    return view.slice(this, dim, start, end, step);
  },
  select(dim, index) {
    return view.select(this, dim, index);
  },
  expand(...shape) {
    return view.expand(this, flatArgs(shape));
  },
  expandAs(other) {
    return view.expand(this, other.shape);
  },
  squeeze(dim) {
    return view.squeeze(this, dim);
  },
  unsqueeze(dim) {
    return view.unsqueeze(this, dim);
  },
  flatten(startDim = 0, endDim = -1) {
    return view.flatten(this, startDim, endDim);
  },
  contiguous() {
    return view.contiguous(this);
  },
  split(size, dim = 0) {
    return join.split(this, size, dim);
  },
  chunk(chunks, dim = 0) {
    return join.chunk(this, chunks, dim);
  },
  unbind(dim = 0) {
    return join.unbind(this, dim);
  },

  // ---------------------------------------------------------------- arithmetic (broadcasting)

  add(other, alpha) {
    return binary.add(this, other, alpha);
  },
  sub(other, alpha) {
    return binary.sub(this, other, alpha);
  },
  mul(other) {
    return binary.mul(this, other);
  },
  div(other) {
    return binary.div(this, other);
  },
  pow(exponent) {
    return binary.pow(this, exponent);
  },
  maximum(other) {
    return binary.maximum(this, other);
  },
  minimum(other) {
    return binary.minimum(this, other);
  },
  neg() {
    return unary.neg(this);
  },
  exp() {
    return unary.exp(this);
  },
  log() {
    return unary.log(this);
  },
  sqrt() {
    return unary.sqrt(this);
  },
  rsqrt() {
    return unary.rsqrt(this);
  },
  abs() {
    return unary.abs(this);
  },
  square() {
    return binary.mul(this, this);
  },
  reciprocal() {
    return unary.reciprocal(this);
  },
  sin() {
    return unary.sin(this);
  },
  cos() {
    return unary.cos(this);
  },
  tanh() {
    return unary.tanh(this);
  },
  sigmoid() {
    return unary.sigmoid(this);
  },
  relu() {
    return unary.relu(this);
  },
  gelu(approximate = 'none') {
    return unary.gelu(this, approximate);
  },
  clamp(min, max) {
    return unary.clamp(this, min, max);
  },
  sign() {
    return unary.sign(this);
  },

  // ---------------------------------------------------------------- linear algebra

  matmul(other) {
    return matmulOps.matmul(this, other);
  },

  // ---------------------------------------------------------------- reductions

  sum(dim, keepdim = false) {
    return reduce.sum(this, dim, keepdim);
  },
  mean(dim, keepdim = false) {
    return reductions.mean(this, dim, keepdim);
  },
  var(dim, options = {}) {
    return reductions.variance(this, dim, options);
  },
  std(dim, options = {}) {
    return reductions.std(this, dim, options);
  },
  max: function (this: Tensor, dim?: number, keepdim: boolean = false): Tensor | [Tensor, Tensor] {
    return dim === undefined ? reduce.maxAll(this) : reduce.maxDim(this, dim, keepdim);
  } as Tensor['max'],
  min: function (this: Tensor, dim?: number, keepdim: boolean = false): Tensor | [Tensor, Tensor] {
    return dim === undefined ? reduce.minAll(this) : reduce.minDim(this, dim, keepdim);
  } as Tensor['min'],
  argmax(dim, keepdim = false) {
    return reduce.argmax(this, dim, keepdim);
  },
  argmin(dim, keepdim = false) {
    return reduce.argmin(this, dim, keepdim);
  },
  logsumexp(dim, keepdim = false) {
    return reductions.logsumexp(this, dim, keepdim);
  },
  norm(p = 2, dim, keepdim = false) {
    return reductions.norm(this, p, dim, keepdim);
  },
  softmax(dim) {
    return softmaxOps.softmax(this, dim);
  },
  logSoftmax(dim) {
    return softmaxOps.logSoftmax(this, dim);
  },

  // ---------------------------------------------------------------- comparison and masks

  eq(other) {
    return compare.eq(this, other);
  },
  ne(other) {
    return compare.ne(this, other);
  },
  lt(other) {
    return compare.lt(this, other);
  },
  le(other) {
    return compare.le(this, other);
  },
  gt(other) {
    return compare.gt(this, other);
  },
  ge(other) {
    return compare.ge(this, other);
  },
  logicalNot() {
    return compare.logicalNot(this);
  },
  logicalAnd(other) {
    return compare.logicalAnd(this, other);
  },
  logicalOr(other) {
    return compare.logicalOr(this, other);
  },
  any() {
    return compare.any(this);
  },
  all() {
    return compare.all(this);
  },
  maskedFill(mask, value) {
    return whereOps.maskedFill(this, mask, value);
  },

  // ---------------------------------------------------------------- indexing

  gather(dim, index) {
    return indexing.gather(this, dim, index);
  },
  indexSelect(dim, index) {
    return indexing.indexSelect(this, dim, index);
  },

  // ---------------------------------------------------------------- in place (no autograd recording)

  fill_(value) {
    return inplace.fill_(this, value);
  },
  zero_() {
    return inplace.fill_(this, 0);
  },
  copy_(src) {
    return inplace.copy_(this, src);
  },
  add_(other, alpha = 1) {
    return inplace.binary_(this, other, 'add', alpha);
  },
  sub_(other, alpha = 1) {
    return inplace.binary_(this, other, 'add', -alpha);
  },
  mul_(other) {
    return inplace.binary_(this, other, 'mul', 1);
  },
  div_(other) {
    return inplace.binary_(this, other, 'div', 1);
  },
  clamp_(min, max) {
    return inplace.clamp_(this, min, max);
  },
  maskedFill_(mask, value) {
    return inplace.maskedFill_(this, mask, value);
  },
  uniform_(low = 0, high = 1, generator) {
    return inplace.uniform_(this, low, high, generator);
  },
  normal_(mean = 0, std = 1, generator) {
    return inplace.normal_(this, mean, std, generator);
  },
});

/** Accepts both `f(2, 3)` and `f([2, 3])`. */
function flatArgs(args: number[] | [readonly number[]]): number[] {
  if (args.length === 1 && Array.isArray(args[0])) return (args[0] as readonly number[]).slice();
  return args as number[];
}
