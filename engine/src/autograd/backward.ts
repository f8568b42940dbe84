import { Tensor } from '../tensor.js';
import { fmt, sameShape } from '../shape.js';
import { setGradEnabled } from './grad-mode.js';
import type { Node } from './node.js';

export interface BackwardOptions {
  /** Keep the graph's saved values so backward can run through it again. */
  retainGraph?: boolean;
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
        if (!sameShape(gi.shape, input.shape)) {
          throw new Error(
            `backward: internal error in ${node.name}: gradient of shape ${fmt(gi.shape)} for input ${j} of shape ${fmt(input.shape)}`,
          );
        }
        const next = input.gradFn;
        if (next === null) {
          accumulateLeaf(input, gi);
        } else {
          const have = pending.get(next);
          pending.set(next, have === undefined ? gi : have.add(gi));
        }
      }
    }
  } finally {
    setGradEnabled(prev);
  }
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
    t.grad = g.dtype === dtype ? g.clone() : g.to(dtype);
  } else {
    t.grad = t.grad.add(g);
  }
}
