/** Measuring a language model on held-out text. */
import { Tensor } from '../tensor.js';
import { describe } from '../shape.js';
import { noGrad } from '../autograd/grad-mode.js';
import { crossEntropy } from '../ops/composite/loss.js';
import { seqDataIterSequential } from '../data/index.js';
import type { Module } from '../nn/index.js';

/** Options of `languageModelLoss`. */
export interface LanguageModelLossOptions {
  /** Rows per batch. Default 16. */
  batchSize?: number;
  /** Window length: every window is read from its start (the model sees 0 … numSteps − 1 tokens of context). */
  numSteps: number;
  /** Use only the first `batches` batches (default: all). */
  batches?: number;
}

/**
 * Mean cross-entropy (nats per token) of a language model on `corpus`, over the windows
 * of the sequential partition at offset 0 (`data.seqDataIterSequential`), each read from
 * its start; exp of it is the perplexity. The model is any module whose
 * `forward(ids [batch, T])` returns logits [batch, T, vocab], or [logits, state]. Runs in
 * evaluation mode without gradients (the mode is restored).
 * @example models.languageModelLoss(gpt, val, { numSteps: 128, batches: 8 })   // e.g. 1.72
 */
export function languageModelLoss(model: Module, corpus: Int32Array, options: LanguageModelLossOptions): number {
  const who = 'languageModelLoss';
  if (options === null || typeof options !== 'object') throw new TypeError(`${who}: expects options { numSteps, batchSize?, batches? }, got ${describe(options)}`);
  const batchSize = options.batchSize ?? 16;
  const limit = options.batches ?? Infinity;
  if (!(limit >= 1)) throw new RangeError(`${who}: batches must be ≥ 1, got ${describe(options.batches)}`);
  const wasTraining = model.training;
  model.eval();
  try {
    return noGrad(() => {
      let nll = 0;
      let count = 0;
      let seen = 0;
      for (const [X, Y] of seqDataIterSequential(corpus, batchSize, options.numSteps, { offset: 0 })) {
        const out = (model.forward as (ids: Tensor) => Tensor | [Tensor, unknown])(X);
        const logits = Array.isArray(out) ? out[0] : out;
        const V = logits.shape[logits.ndim - 1]!;
        nll += crossEntropy(logits.reshape([-1, V]), Y.reshape([-1]), { reduction: 'sum' }).item();
        count += Y.numel();
        if (++seen >= limit) break;
      }
      return nll / count;
    });
  } finally {
    model.train(wasTraining);
  }
}
