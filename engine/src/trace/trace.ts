/**
 * `trace(model, fn)`: run a model once while recording what its built-in modules compute
 * — hidden and cell states per layer and step, LSTM/GRU gate activations, attention
 * weights per layer and head — and turn the records into seqlab's views. Works for any
 * model built from seqlab's modules, user-defined ones included, because the modules
 * themselves report (see recorder.ts); names come from the model's module tree.
 *
 * @example
 * const t = trace(model, () => model.forward(x), { tokens: [...'hello'] });
 * t.hiddenStates()        // units × time heatmap of the last recurrent layer
 * t.gates()               // LSTM gates and cell state over the sentence
 * t.attention('cross')    // encoder-decoder attention, every layer and head
 */
import { Tensor } from '../tensor.js';
import { fmt, sameShape } from '../shape.js';
import { cat } from '../ops/join.js';
import { noGrad } from '../autograd/grad-mode.js';
import type { Module } from '../nn/module.js';
import { attentionView, type AttentionOpenOption, type AttentionPayload } from '../display/attention.js';
import { hiddenStatesView, type HiddenStatesPayload } from '../display/hidden-states.js';
import { gatesView, type GatesPayload } from '../display/gates.js';
import { linePlot } from '../display/plots.js';
import type { PlotlyFigure } from '../display/plotly.js';
import type { View } from '../display/view.js';
import { JUPYTER_DISPLAY } from '../display/protocol.js';
import { withRecorder, type AttentionEvent, type AttentionKind, type RecurrentEvent, type Recorder } from './recorder.js';

export interface TraceOptions {
  /**
   * Labels of the input positions: one list (the sequence the model reads), or
   * `{ source, target }` for encoder-decoder models (queries of decoder attention are
   * target positions, keys of cross-attention source positions). Defaults to 0, 1, 2, ...
   */
  tokens?: readonly (string | number)[] | { source?: readonly (string | number)[]; target?: readonly (string | number)[] };
  /**
   * Keep each step's hidden state attached to the graph so that, after you call
   * `backward()` on a loss computed inside or after `fn`, `gradientNorms()` can report
   * ‖∂loss/∂h_t‖ per step (default false: states are detached and the graph is not kept).
   */
  gradients?: boolean;
}

/** One recorded attention computation. */
export interface AttentionRecord {
  /** Dotted module path in the model (e.g. `encoder.layers.0.self_attn`). */
  name: string;
  kind: AttentionKind;
  /** [batch, heads, q, k] */
  weights: Tensor;
  /** bool [batch, heads, q, k], true where masked; null if unmasked. */
  mask: Tensor | null;
}

/** One recorded recurrent layer and direction over a sequence: the event, with the module's name. */
export interface RecurrentRecord extends Omit<RecurrentEvent, 'module'> {
  name: string;
}

export interface SelectRecurrent {
  /** Module path (exact) or a part of it. Default: the first recurrent module. */
  module?: string;
  /** Layer index (default: the last layer). */
  layer?: number;
  /** Which sequence of the batch (default 0). */
  batchIndex?: number;
  /** Labels of the time steps; default: the trace's tokens. */
  tokens?: readonly (string | number)[];
  title?: string;
}

export interface SelectAttention {
  /** Attention kind, module path (exact or partial). Default: the only site, or an error listing them. */
  site?: AttentionKind | string;
  batchIndex?: number;
  queryTokens?: readonly (string | number)[];
  keyTokens?: readonly (string | number)[];
  title?: string;
  /**
   * The layer and head the view opens on: an index (0-based) or a name as the view shows
   * it, for layers the module path or a unique part of it (`'layers.1'`), for heads
   * `'head 3'` or `'mean'`. Every layer and head stays in the view; the static figure
   * shows this map.
   * @example t.attention({ site: 'self', open: { layer: 1, head: 2 } })
   */
  open?: AttentionOpenOption;
}

/** The result of `trace(...)`: the model's output and everything recorded while computing it. */
export class Trace<T = unknown> {
  readonly attentionRecords: AttentionRecord[] = [];
  readonly recurrentRecords: RecurrentRecord[] = [];
  /** What `fn` returned. */
  output!: T;

  constructor(
    private readonly modelName: string,
    private readonly options: TraceOptions,
  ) {}

  // ------------------------------------------------------------------ tokens

  private tokensFor(which: 'source' | 'target', n: number, explicit: readonly (string | number)[] | undefined, what: string): string[] {
    const t = this.options.tokens;
    const given = explicit ?? (Array.isArray(t) ? t : (t as { source?: readonly (string | number)[]; target?: readonly (string | number)[] } | undefined)?.[which]);
    if (given === undefined) return Array.from({ length: n }, (_, i) => String(i));
    if (given.length !== n) {
      throw new RangeError(`trace: ${what} has ${n} positions but ${given.length} tokens were given${explicit ? '' : ` (options.tokens${Array.isArray(t) ? '' : `.${which}`})`}`);
    }
    return given.map(String);
  }

  // ------------------------------------------------------------------ recurrent

  private recurrentSelection(sel: SelectRecurrent, fn: string): { recs: RecurrentRecord[]; name: string; layer: number } {
    if (this.recurrentRecords.length === 0) {
      throw new Error(`${fn}: the trace recorded no recurrent layer (RNN, LSTM, GRU or their cells) — did the model run inside trace()?`);
    }
    const names = [...new Set(this.recurrentRecords.map((r) => r.name))];
    let name = names[0]!;
    if (sel.module !== undefined) {
      const exact = names.find((n) => n === sel.module);
      const partial = names.filter((n) => n.includes(sel.module!));
      if (exact) name = exact;
      else if (partial.length === 1) name = partial[0]!;
      else throw new RangeError(`${fn}: no single recurrent module matches ${JSON.stringify(sel.module)}; recorded: ${names.join(', ')}`);
    }
    const ofModule = this.recurrentRecords.filter((r) => r.name === name);
    const layers = [...new Set(ofModule.map((r) => r.layer))];
    const layer = sel.layer ?? Math.max(...layers);
    const recs = ofModule.filter((r) => r.layer === layer);
    if (recs.length === 0) throw new RangeError(`${fn}: ${name} has layers ${layers.join(', ')}, not ${layer}`);
    return { recs, name, layer };
  }

  private static rows(steps: Tensor[], b: number, fn: string): number[][] {
    const batch = steps[0]!.shape[0]!;
    if (!Number.isInteger(b) || b < 0 || b >= batch) throw new RangeError(`${fn}: batchIndex ${b} is out of range for a batch of ${batch}`);
    return noGrad(() => steps.map((s) => Array.from(s.select(0, b).toTypedArray())));
  }

  /**
   * The hidden states (and LSTM cell states) of one recurrent layer as a units × time view.
   * Bidirectional layers give one series per direction.
   */
  hiddenStates(sel: SelectRecurrent = {}): View<HiddenStatesPayload> {
    const fn = 'trace.hiddenStates';
    const { recs, name, layer } = this.recurrentSelection(sel, fn);
    const b = sel.batchIndex ?? 0;
    const tokens = this.tokensFor('source', recs[0]!.hidden.length, sel.tokens, `${name} layer ${layer}`);
    const series = [];
    for (const r of recs) {
      const dir = recs.length > 1 ? ` (${r.direction})` : '';
      series.push({ name: `h${dir}`, description: 'hidden state h_t', states: Trace.rows(r.hidden, b, fn) });
      if (r.cell) series.push({ name: `c${dir}`, description: 'cell state C_t', states: Trace.rows(r.cell, b, fn) });
    }
    return hiddenStatesView({ tokens, series, title: sel.title ?? `${name || this.modelName} layer ${layer}: hidden states` });
  }

  /** Gate activations of one LSTM or GRU layer (forward direction), with the cell state. */
  gates(sel: SelectRecurrent = {}): View<GatesPayload> {
    const fn = 'trace.gates';
    const { recs, name, layer } = this.recurrentSelection(sel, fn);
    const r = recs.find((x) => x.direction === 'forward')!;
    if (!r.gates) throw new Error(`${fn}: ${name} is a plain RNN; it has no gates (LSTM and GRU do)`);
    const b = sel.batchIndex ?? 0;
    const tokens = this.tokensFor('source', r.hidden.length, sel.tokens, `${name} layer ${layer}`);
    const gates: Record<string, number[][]> = {};
    for (const [k, steps] of Object.entries(r.gates)) gates[k] = Trace.rows(steps, b, fn);
    if (r.cell) gates.cell = Trace.rows(r.cell, b, fn);
    gates.hidden = Trace.rows(r.hidden, b, fn);
    return gatesView({
      architecture: r.architecture as 'lstm' | 'gru',
      tokens,
      gates,
      title: sel.title ?? `${name || this.modelName} layer ${layer}: ${r.architecture.toUpperCase()} gates`,
    });
  }

  /**
   * ‖∂loss/∂h_t‖ for each step t of one layer: how much the loss depends on each step's
   * hidden state, after `backward()`. Needs `trace(..., { gradients: true })`.
   * With `batchIndex` the norm covers that sequence only; by default the whole batch.
   */
  gradientNorms(sel: Omit<SelectRecurrent, 'tokens' | 'title'> = {}): number[] {
    const fn = 'trace.gradientNorms';
    if (!this.options.gradients) throw new Error(`${fn}: pass { gradients: true } to trace() to keep the per-step states attached to the graph`);
    const { recs, name, layer } = this.recurrentSelection(sel, fn);
    const r = recs.find((x) => x.direction === 'forward')!;
    return r.hidden.map((h, t) => {
      if (h.grad === null) {
        throw new Error(`${fn}: no gradient reached ${name} layer ${layer} at step ${t}; call backward() on a loss computed from the model's output first`);
      }
      const g = sel.batchIndex === undefined ? h.grad : h.grad.select(0, sel.batchIndex);
      return noGrad(() => g.norm().item());
    });
  }

  /** `gradientNorms()` as a line plot over the steps (log scale), for the vanishing/exploding gradients lecture. */
  gradientNormPlot(sel: Omit<SelectRecurrent, 'tokens'> & { logY?: boolean } = {}): View<PlotlyFigure> {
    const norms = this.gradientNorms(sel);
    return linePlot({ '‖∂L/∂h_t‖': norms }, {
      title: sel.title ?? 'Gradient norm with respect to each time step’s hidden state',
      xTitle: 'time step t',
      yTitle: '‖∂L/∂h_t‖',
      logY: sel.logY ?? true,
      markers: true,
    });
  }

  // ------------------------------------------------------------------ attention

  /** Attention sites recorded: records grouped by kind and shape, in order. */
  attentionSites(): { site: string; kind: AttentionKind; layers: string[]; queries: number; keys: number; heads: number }[] {
    const sites = new Map<string, { site: string; kind: AttentionKind; layers: string[]; queries: number; keys: number; heads: number }>();
    for (const r of this.attentionRecords) {
      const [, heads, q, k] = r.weights.shape as [number, number, number, number];
      const key = `${r.kind}:${q}x${k}`;
      const s = sites.get(key) ?? { site: r.kind, kind: r.kind, layers: [], queries: q, keys: k, heads };
      s.layers.push(r.name);
      sites.set(key, s);
    }
    return [...sites.values()];
  }

  /**
   * The attention maps of one site (e.g. the encoder's self-attention) for one input:
   * every layer and head, with masks. `site` is a kind ('self', 'causal-self', 'cross',
   * 'additive') or a module path.
   */
  attention(select: SelectAttention | AttentionKind | string = {}): View<AttentionPayload> {
    const fn = 'trace.attention';
    const sel: SelectAttention = typeof select === 'string' ? { site: select } : select;
    if (this.attentionRecords.length === 0) throw new Error(`${fn}: the trace recorded no attention (MultiheadAttention, Transformer layers, additive or scaled dot-product attention)`);
    let recs = this.attentionRecords;
    if (sel.site !== undefined) {
      const byKind = recs.filter((r) => r.kind === sel.site);
      recs = byKind.length ? byKind : recs.filter((r) => r.name === sel.site || r.name.includes(sel.site!));
      if (recs.length === 0) throw new RangeError(`${fn}: nothing matches ${JSON.stringify(sel.site)}; ${this.describeSites()}`);
    }
    const shapes = new Set(recs.map((r) => `${r.kind}:${fmt(r.weights.shape.slice(1))}`));
    if (shapes.size > 1) throw new RangeError(`${fn}: this trace has several attention sites; choose one. ${this.describeSites()}`);
    const first = recs[0]!;
    const [B, , q, k] = first.weights.shape as [number, number, number, number];
    const b = sel.batchIndex ?? 0;
    if (!Number.isInteger(b) || b < 0 || b >= B) throw new RangeError(`${fn}: batchIndex ${b} is out of range for a batch of ${B}`);
    const cross = first.kind === 'cross' || first.kind === 'additive';
    const decoderSide = first.kind === 'causal-self' || cross;
    // Decoder-side attention is queried from target positions; only cross-attention keys are source positions.
    const queryTokens = this.tokensFor(decoderSide ? 'target' : 'source', q, sel.queryTokens, `${first.name} queries`);
    const keyTokens = this.tokensFor(cross || !decoderSide ? 'source' : 'target', k, sel.keyTokens ?? (cross ? undefined : sel.queryTokens), `${first.name} keys`);
    const weights = noGrad(() => recs.map((r) => (r.weights.select(0, b).toArray() as number[][][])));
    let mask: boolean[][] | undefined;
    if (first.mask) {
      const m = noGrad(() => first.mask!.select(0, b).select(0, 0));
      mask = m.toArray() as boolean[][];
    }
    return attentionView({
      queryTokens,
      keyTokens,
      weights,
      layerNames: recs.map((r) => r.name),
      ...(mask ? { mask } : {}),
      kind: first.kind,
      title: sel.title ?? `${this.modelName}: ${first.kind} attention`,
      ...(sel.open !== undefined && { open: sel.open }),
    });
  }

  private describeSites(): string {
    return `recorded: ${this.attentionSites()
      .map((s) => `${s.kind} ${s.queries}×${s.keys}, ${s.heads} head${s.heads > 1 ? 's' : ''}, ${s.layers.length} layer${s.layers.length > 1 ? 's' : ''} (${s.layers[0]}${s.layers.length > 1 ? ', …' : ''})`)
      .join('; ')}`;
  }

  // ------------------------------------------------------------------ display

  /** A one-paragraph summary of what was recorded. */
  toString(): string {
    const lines = [`Trace of ${this.modelName}`];
    const rec = new Map<string, RecurrentRecord[]>();
    for (const r of this.recurrentRecords) rec.set(r.name, [...(rec.get(r.name) ?? []), r]);
    for (const [name, rs] of rec) {
      const layers = new Set(rs.map((r) => r.layer)).size;
      lines.push(`  ${name || '(model)'}: ${rs[0]!.architecture.toUpperCase()}, ${layers} layer${layers > 1 ? 's' : ''}, ${rs[0]!.hidden.length} steps${rs.some((r) => r.direction === 'reverse') ? ', bidirectional' : ''} -> hiddenStates()${rs[0]!.gates ? ', gates()' : ''}`);
    }
    for (const s of this.attentionSites()) {
      lines.push(`  ${s.kind} attention: ${s.layers.length} layer${s.layers.length > 1 ? 's' : ''} × ${s.heads} head${s.heads > 1 ? 's' : ''}, ${s.queries}×${s.keys} -> attention('${s.kind}')`);
    }
    if (lines.length === 1) lines.push('  (nothing recorded: no RNN/LSTM/GRU or attention module ran inside the trace)');
    return lines.join('\n');
  }

  [JUPYTER_DISPLAY](): Record<string, unknown> {
    return { 'text/plain': this.toString() };
  }
}

/**
 * Runs `fn` (typically `() => model.forward(x)`) while recording what `model`'s modules
 * compute, and returns a `Trace` with the output and views of the records. Recording is
 * on only during `fn`; `fn` must be synchronous.
 */
export function trace<T>(model: Module | null, fn: () => T, options: TraceOptions = {}): Trace<T> {
  if (typeof fn !== 'function') throw new TypeError('trace: the second argument must be a function that runs the model, e.g. () => model.forward(x)');
  const names = new Map<Module, string>();
  if (model) for (const [n, m] of model.namedModules()) names.set(m, n);
  const nameOf = (m: Module | null, fallback: string): string => (m ? (names.get(m) ?? m.constructor.name) : fallback);
  const t = new Trace<T>(model ? model.constructor.name : 'model', options);
  const stepwise = new Map<string, AttentionRecord>();
  const keep = (x: Tensor): Tensor => (options.gradients && x.requiresGrad ? x.retainGrad() : x.detach());
  const recorder: Recorder = {
    attention(e: AttentionEvent): void {
      if (e.weights.ndim !== 4) throw new Error(`trace: attention weights must be [batch, heads, q, k], got ${fmt(e.weights.shape)} from ${nameOf(e.module, 'attention')}`);
      const name = nameOf(e.module, 'scaledDotProductAttention');
      const w = e.weights.detach();
      const mask = e.mask ? e.mask.detach().expand(e.weights.shape) : null;
      // A decoder that attends once per generated token reports one query at a time: the
      // steps of one module join into one target × source map, as cell steps join.
      const last = stepwise.get(name);
      if (last && e.weights.shape[2] === 1 && sameShape(last.weights.shape.slice(0, 2), w.shape.slice(0, 2)) && last.weights.shape[3] === w.shape[3]) {
        last.weights = cat([last.weights, w], 2);
        if (last.mask && mask) last.mask = cat([last.mask, mask], 2);
        return;
      }
      const rec: AttentionRecord = { name, kind: e.kind, weights: w, mask };
      if (e.weights.shape[2] === 1) stepwise.set(name, rec);
      t.attentionRecords.push(rec);
    },
    recurrent(e: RecurrentEvent): void {
      const name = nameOf(e.module, 'rnn');
      const last = t.recurrentRecords[t.recurrentRecords.length - 1];
      const add = (dst: Tensor[], src: Tensor[]): void => {
        for (const s of src) dst.push(keep(s));
      };
      // Cells report one step per call: consecutive calls of one cell make one sequence.
      if (e.hidden.length === 1 && last && last.name === name && last.layer === e.layer && last.direction === e.direction) {
        add(last.hidden, e.hidden);
        if (e.cell && last.cell) add(last.cell, e.cell);
        if (e.gates && last.gates) for (const [k, v] of Object.entries(e.gates)) add((last.gates[k] ??= []), v);
        return;
      }
      const rec: RecurrentRecord = { name, architecture: e.architecture, layer: e.layer, direction: e.direction, hidden: e.hidden.map(keep) };
      if (e.cell) rec.cell = e.cell.map(keep);
      if (e.gates) rec.gates = Object.fromEntries(Object.entries(e.gates).map(([k, v]) => [k, v.map(keep)]));
      t.recurrentRecords.push(rec);
    },
  };
  const out = withRecorder(recorder, fn);
  if (out !== null && typeof out === 'object' && typeof (out as { then?: unknown }).then === 'function') {
    throw new TypeError('trace: the function returned a Promise; trace() records synchronous model code only');
  }
  t.output = out;
  return t;
}
