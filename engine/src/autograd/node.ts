import type { Tensor } from '../tensor.js';

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
