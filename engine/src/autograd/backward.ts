/**
 * Reverse-mode differentiation: `x.backward()` walks the graph of `Node`s recorded by the
 * ops (node.ts, record.ts) from the output back to the leaves, calling each node's
 * backward closure once, after every node that feeds a gradient into it, and accumulating
 * what arrives at each tensor. It sits above the primitive ops, whose functions it uses to
 * seed and accumulate gradients (`to`, `clone`, `add`).
 */
import { SliceGrad, Tensor, type Node } from '../tensor-core.js';
import { allocate } from '../dtype.js';
import { broadcastStrides, fmt, numel, sameShape } from '../shape.js';
import { makeBinaryLoop, makeUpdateLoop } from '../kernels/strided.js';
import { add } from '../ops/binary.js';
import { clone, to } from '../ops/cast.js';
import { setGradEnabled } from './grad-mode.js';

export interface BackwardOptions {
  /** Keep the graph's saved values so backward can run through it again. */
  retainGraph?: boolean;
}

/**
 * `root.backward(gradient?, options)`: checks and seeds the gradient (implicitly 1 for a
 * one-element tensor), then runs `runBackward`.
 */
export function backward(root: Tensor, gradient?: Tensor, options: BackwardOptions = {}): void {
  if (!root.requiresGrad) {
    throw new Error(
      'backward: this tensor does not require grad and has no grad_fn ' +
        '(no input had requiresGrad: true, or it was computed inside noGrad)',
    );
  }
  let g: Tensor;
  if (gradient === undefined) {
    if (root.numel() !== 1) {
      throw new Error(
        `backward: a gradient can be created implicitly only for scalar outputs, but this tensor has shape ${fmt(root.shape)}; ` +
          'pass backward(gradient) with a gradient of that shape, or reduce first (e.g. .sum())',
      );
    }
    g = new Tensor(root.dtype === 'float64' ? new Float64Array([1]) : new Float32Array([1]), root.shape);
  } else {
    if (!(gradient instanceof Tensor)) throw new TypeError('backward: gradient must be a Tensor');
    if (gradient.shape.length !== root.shape.length || gradient.shape.some((d, i) => d !== root.shape[i])) {
      throw new RangeError(`backward: gradient has shape ${fmt(gradient.shape)} but the tensor has shape ${fmt(root.shape)}`);
    }
    g = gradient.dtype === root.dtype ? gradient : to(gradient, root.dtype);
  }
  runBackward(root, g, options);
}

/**
 * Reverse-mode differentiation from `root`, seeded with `grad` (same shape as root).
 * Leaf tensors that require grad accumulate into `.grad`; non-leaf tensors that called
 * `retainGrad()` get theirs too. Gradients are computed with recording off.
 */
export function runBackward(root: Tensor, grad: Tensor, options: BackwardOptions = {}): void {
  const prev = setGradEnabled(false);
  try {
    const rootNode = root.gradFn;
    if (rootNode === null) {
      accumulateLeaf(root, grad);
      return;
    }
    const order = topologicalOrder(rootNode);
    const pending = new Map<Node, Tensor>();
    // Buffers this backward pass allocated itself: safe to accumulate into in place.
    const owned = new Set<Tensor>();
    pending.set(rootNode, grad);
    for (let i = order.length - 1; i >= 0; i--) {
      const node = order[i]!;
      let g = pending.get(node);
      if (g === undefined) {
        if (!options.retainGraph) node.release();
        continue;
      }
      pending.delete(node);
      if (node.hooks !== null) {
        for (const hook of node.hooks) {
          const replaced = hook(g);
          if (replaced instanceof Tensor) g = replaced;
        }
      }
      if (node.retained !== null) accumulateLeaf(node.retained, g);
      const grads = node.apply(g);
      if (!options.retainGraph) node.release();
      const inputs = node.inputs;
      for (let j = 0; j < inputs.length; j++) {
        const input = inputs[j];
        const gi = grads[j];
        if (input === null || input === undefined || gi === null || gi === undefined) continue;
        const giShape = gi instanceof SliceGrad ? gi.baseShape : gi.shape;
        if (!sameShape(giShape, input.shape)) {
          throw new Error(
            `backward: internal error in ${node.name}: gradient of shape ${fmt(giShape)} for input ${j} of shape ${fmt(input.shape)}`,
          );
        }
        const next = input.gradFn;
        if (next === null) {
          accumulateLeaf(input, gi instanceof SliceGrad ? accumulate(undefined, gi, input.dtype, owned) : gi);
        } else {
          pending.set(next, accumulate(pending.get(next), gi, gi instanceof SliceGrad ? gi.values.dtype : gi.dtype, owned));
        }
      }
    }
  } finally {
    setGradEnabled(prev);
  }
}

const addInto = makeBinaryLoop('accumulate', 'x + y');
const addIntoWindow = makeUpdateLoop('accumulateWindow', 'x + y');

/**
 * Adds `incoming` to the gradient accumulated so far for one tensor. The first dense
 * gradient is kept as it is (it may be shared with other inputs, so it is never written);
 * from the second on, the sum lives in a buffer this pass owns and is updated in place.
 * Sparse slice gradients are scatter-added into an owned buffer.
 */
function accumulate(have: Tensor | undefined, incoming: Tensor | SliceGrad, dtype: Tensor['dtype'], owned: Set<Tensor>): Tensor {
  if (!(incoming instanceof SliceGrad) && have === undefined) return incoming;
  let buf: Tensor;
  if (have !== undefined && owned.has(have)) buf = have;
  else {
    const shape = incoming instanceof SliceGrad ? incoming.baseShape : incoming.shape;
    buf = new Tensor(allocate(dtype, numel(shape)), shape.slice());
    owned.add(buf);
    if (have !== undefined) addDense(buf, have);
  }
  if (incoming instanceof SliceGrad) {
    const w = incoming.window(buf);
    const v = incoming.values;
    // buf's window += values, element by element through both layouts, in place.
    addIntoWindow(w.shape, buf.data, w.strides, w.offset, v.data, broadcastStrides(v.shape, v.strides, w.shape), v.offset);
  } else addDense(buf, incoming);
  return buf;
}

/** buf (contiguous, owned) += g, in place. */
function addDense(buf: Tensor, g: Tensor): void {
  addInto(buf.shape, buf.data, buf.strides, 0, g.data, broadcastStrides(g.shape, g.strides, buf.shape), g.offset, buf.data);
}

/** Nodes reachable from `root`, each after all nodes that feed into it (iterative DFS). */
function topologicalOrder(root: Node): Node[] {
  const order: Node[] = [];
  const visited = new Set<Node>([root]);
  const stack: { node: Node; next: number }[] = [{ node: root, next: 0 }];
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    const inputs = top.node.inputs;
    let pushed = false;
    while (top.next < inputs.length) {
      const child = inputs[top.next++]?.gradFn;
      if (child && !visited.has(child)) {
        visited.add(child);
        stack.push({ node: child, next: 0 });
        pushed = true;
        break;
      }
    }
    if (!pushed && top.next >= inputs.length) {
      order.push(top.node);
      stack.pop();
    }
  }
  return order;
}

/**
 * Adds `g` into `t.grad`. The stored gradient is always a fresh contiguous tensor owned
 * by `t`, because backward closures may hand the same tensor to several inputs and
 * optimizers and clipping modify `.grad` in place.
 */
function accumulateLeaf(t: Tensor, g: Tensor): void {
  const dtype = t.dtype;
  if (t.grad === null) {
    t.grad = g.dtype === dtype ? clone(g) : to(g, dtype);
  } else {
    t.grad = add(t.grad, g);
  }
}
