import { Node, type BackwardFn, type Tensor } from '../tensor-core.js';
import { isGradEnabled } from './grad-mode.js';

/**
 * Attaches a backward node to `out` when grad mode is on and any input requires grad.
 * Returns the node (to `save` tensors on) or null when nothing is recorded; ops call it
 * after computing their forward result.
 */
export function record(out: Tensor, name: string, inputs: readonly Tensor[], fn: BackwardFn): Node | null {
  if (!isGradEnabled()) return null;
  let any = false;
  for (let i = 0; i < inputs.length; i++) {
    if (inputs[i]!.requiresGrad) {
      any = true;
      break;
    }
  }
  if (!any) return null;
  const node = new Node(name, inputs, fn);
  out._setGradFn(node);
  return node;
}

/** True when an op with these inputs would record (lets ops skip saving work). */
export function willRecord(inputs: readonly Tensor[]): boolean {
  if (!isGradEnabled()) return false;
  for (let i = 0; i < inputs.length; i++) if (inputs[i]!.requiresGrad) return true;
  return false;
}
