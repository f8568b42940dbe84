/**
 * The emission side of tracing. Built-in modules report what they compute (attention
 * weights, per-step recurrent states and gates) to the active recorder, if any. A
 * recorder is active only inside `trace(...)` and is restored in a `finally`, so nothing
 * leaks between calls or notebook cells; with no trace active, reporting costs one
 * null check.
 */
import type { Tensor } from '../tensor.js';
import type { Module } from '../nn/module.js';
import type { AttentionKind } from '../display/attention.js';

export type { AttentionKind } from '../display/attention.js';

/** One attention computation: weights [batch, heads, queries, keys]. */
export interface AttentionEvent {
  /** The module that computed it (MultiheadAttention, AdditiveAttention, ...), or null for a bare function call. */
  module: Module | null;
  kind: AttentionKind;
  /** [batch, heads, q, k], after softmax (and before dropout). Detached by the recorder. */
  weights: Tensor;
  /** bool, true where masked, broadcastable to [batch, heads, q, k]; null if unmasked. */
  mask: Tensor | null;
}

export type RecurrentArchitecture = 'rnn' | 'lstm' | 'gru';

/** One layer and direction of a recurrent module over a sequence. */
export interface RecurrentEvent {
  module: Module;
  architecture: RecurrentArchitecture;
  layer: number;
  direction: 'forward' | 'reverse';
  /**
   * Per time step (in input order, also for the reverse direction), [batch, hidden].
   * Live (attached to the graph) so gradients with respect to them can be taken.
   */
  hidden: Tensor[];
  /** LSTM cell state per step, [batch, hidden]. */
  cell?: Tensor[];
  /**
   * Gate activations per step, [batch, hidden] each: LSTM input/forget/candidate/output,
   * GRU reset/update/candidate.
   */
  gates?: Record<string, Tensor[]>;
}

export interface Recorder {
  attention(event: AttentionEvent): void;
  recurrent(event: RecurrentEvent): void;
}

let active: Recorder | null = null;

/** The recorder of the trace in progress, or null (the common case). */
export function activeRecorder(): Recorder | null {
  return active;
}

/** Runs `fn` with `recorder` active, restoring the previous one afterwards (also on error). */
export function withRecorder<T>(recorder: Recorder, fn: () => T): T {
  const prev = active;
  active = recorder;
  try {
    return fn();
  } finally {
    active = prev;
  }
}

/**
 * For your own modules: reports attention weights to the trace in progress (a no-op
 * outside `trace(...)`), so that `trace(...).attention()` shows them next to seqlab's
 * built-in attention. `weights` is [batch, heads, q, k], [batch, q, k] or [q, k].
 * @example recordAttention(this, weights, { kind: 'self', mask })
 */
export function recordAttention(
  module: Module | null,
  weights: Tensor,
  options: { kind?: AttentionKind; mask?: Tensor | null } = {},
): void {
  if (active === null) return;
  const w = weights.ndim === 2 ? weights.unsqueeze(0).unsqueeze(0) : weights.ndim === 3 ? weights.unsqueeze(1) : weights;
  if (w.ndim !== 4) throw new RangeError(`recordAttention: weights must be [batch, heads, q, k], [batch, q, k] or [q, k], got [${weights.shape.join(',')}]`);
  active.attention({ module, kind: options.kind ?? 'other', weights: w, mask: options.mask ?? null });
}
