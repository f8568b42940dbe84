/**
 * Recurrent layers and cells with PyTorch's parameter names (`weight_ih_l0`,
 * `weight_hh_l1_reverse`, ...), gate order, initialisation U(-1/√hidden, 1/√hidden),
 * shapes and return values, so weights load across and code reads the same.
 */
import type { Tensor } from '../tensor.js';
import { fmt, positiveInt } from '../shape.js';
import { isFloating } from '../dtype.js';
import { cat, stack } from '../ops/join.js';
import { dropout as dropoutOp } from '../ops/dropout.js';
import { empty, expectTensor } from '../ops/helpers.js';
import { activeRecorder, type RecurrentArchitecture } from '../trace/recorder.js';
import { Module } from './module.js';
import { Parameter } from './parameter.js';
import { linear } from './functional-linear.js';
import { gruStep, lstmStep, rnnStep } from './functional-rnn.js';
import { gruSequence, lstmSequence, rnnSequence } from '../ops/recurrent-sequence.js';
import { fastKernels } from '../kernels/fast.js';
import * as init from './init.js';

export interface RNNOptions {
  /** Stacked layers (default 1). */
  numLayers?: number;
  /** Use b_ih and b_hh (default true). */
  bias?: boolean;
  /** Input and output as [batch, seq, feature] instead of [seq, batch, feature] (default false). */
  batchFirst?: boolean;
  /** Dropout on the outputs of each layer except the last, in training (default 0). */
  dropout?: number;
  /** Also run a layer over the reversed sequence and concatenate (default false). */
  bidirectional?: boolean;
}

type Mode = 'RNN_TANH' | 'RNN_RELU' | 'LSTM' | 'GRU';

const GATES: Record<Mode, number> = { RNN_TANH: 1, RNN_RELU: 1, LSTM: 4, GRU: 3 };
const ARCH: Record<Mode, RecurrentArchitecture> = { RNN_TANH: 'rnn', RNN_RELU: 'rnn', LSTM: 'lstm', GRU: 'gru' };

interface LayerWeights {
  wIh: Parameter;
  wHh: Parameter;
  bIh: Parameter | null;
  bHh: Parameter | null;
}

/** What one layer-direction pass produces. */
interface DirectionResult {
  out: Tensor; // [seq, batch, hidden]
  h: Tensor; // [batch, hidden]
  c: Tensor | null;
}

/** Shared machinery of RNN, LSTM and GRU (PyTorch's RNNBase). */
abstract class RNNBase extends Module {
  readonly numLayers: number;
  readonly bias: boolean;
  readonly batchFirst: boolean;
  readonly dropout: number;
  readonly bidirectional: boolean;

  constructor(
    protected readonly mode: Mode,
    readonly inputSize: number,
    readonly hiddenSize: number,
    options: RNNOptions,
  ) {
    super();
    const cls = this.constructor.name;
    positiveInt(inputSize, cls, 'inputSize');
    positiveInt(hiddenSize, cls, 'hiddenSize');
    this.numLayers = positiveInt(options.numLayers ?? 1, cls, 'numLayers');
    this.bias = options.bias ?? true;
    this.batchFirst = options.batchFirst ?? false;
    this.dropout = options.dropout ?? 0;
    this.bidirectional = options.bidirectional ?? false;
    if (typeof this.dropout !== 'number' || !(this.dropout >= 0 && this.dropout <= 1)) {
      throw new RangeError(`${cls}: dropout must be a probability in [0, 1], got ${this.dropout}`);
    }
    const unknown = Object.keys(options).filter((k) => !['numLayers', 'bias', 'batchFirst', 'dropout', 'bidirectional', 'nonlinearity'].includes(k));
    if (unknown.length) throw new TypeError(`${cls}: unknown option${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}`);
    const gate = GATES[mode] * hiddenSize;
    const dirs = this.bidirectional ? 2 : 1;
    const self = this as unknown as Record<string, Parameter>;
    // PyTorch's order: per layer, per direction: w_ih, w_hh, b_ih, b_hh.
    for (let l = 0; l < this.numLayers; l++) {
      const inSize = l === 0 ? inputSize : hiddenSize * dirs;
      for (let d = 0; d < dirs; d++) {
        const sfx = `_l${l}${d === 1 ? '_reverse' : ''}`;
        self[`weight_ih${sfx}`] = new Parameter(empty([gate, inSize], 'float32'));
        self[`weight_hh${sfx}`] = new Parameter(empty([gate, hiddenSize], 'float32'));
        if (this.bias) {
          self[`bias_ih${sfx}`] = new Parameter(empty([gate], 'float32'));
          self[`bias_hh${sfx}`] = new Parameter(empty([gate], 'float32'));
        }
      }
    }
    this.resetParameters();
  }

  /** U(-1/√hidden, 1/√hidden) for every weight and bias, as PyTorch. */
  resetParameters(): void {
    const k = 1 / Math.sqrt(this.hiddenSize);
    for (const p of this.parameters()) init.uniform_(p, -k, k);
  }

  private weights(layer: number, reverse: boolean): LayerWeights {
    const self = this as unknown as Record<string, Parameter | undefined>;
    const sfx = `_l${layer}${reverse ? '_reverse' : ''}`;
    return { wIh: self[`weight_ih${sfx}`]!, wHh: self[`weight_hh${sfx}`]!, bIh: self[`bias_ih${sfx}`] ?? null, bHh: self[`bias_hh${sfx}`] ?? null };
  }

  /** "[seq, batch, 64] (batchFirst=false)" for error messages. */
  private expectedInput(): string {
    return this.batchFirst ? `[batch, seq, ${this.inputSize}] (batchFirst=true)` : `[seq, batch, ${this.inputSize}] (batchFirst=false)`;
  }

  /**
   * Validates the input and returns it as [seq, batch, input], with whether it was
   * unbatched ([seq, input]).
   */
  protected prepareInput(input: Tensor): { x: Tensor; unbatched: boolean } {
    const cls = this.constructor.name;
    expectTensor(input, cls, 'input');
    if (!isFloating(input.dtype)) throw new TypeError(`${cls}: input must be floating point, got ${input.dtype} (token ids go through an Embedding first)`);
    if ((input.ndim !== 3 && input.ndim !== 2) || input.shape[input.ndim - 1] !== this.inputSize) {
      throw new RangeError(`${cls}: expected input ${this.expectedInput()} or unbatched [seq, ${this.inputSize}], got ${fmt(input.shape)}`);
    }
    const unbatched = input.ndim === 2;
    const x = unbatched ? input.unsqueeze(1) : this.batchFirst ? input.transpose(0, 1) : input;
    return { x, unbatched };
  }

  /** Checks an initial state: [numLayers * numDirections, batch, hidden] (or unbatched). */
  protected prepareState(h: Tensor | undefined | null, batch: number, unbatched: boolean, dtype: Tensor['dtype'], what: string): Tensor | null {
    if (h === undefined || h === null) return null;
    const cls = this.constructor.name;
    expectTensor(h, cls, what);
    const layers = this.numLayers * (this.bidirectional ? 2 : 1);
    const want = unbatched ? [layers, this.hiddenSize] : [layers, batch, this.hiddenSize];
    if (h.ndim !== want.length || h.shape.some((d, i) => d !== want[i])) {
      throw new RangeError(
        `${cls}: expected ${what} of shape ${fmt(want)} (numLayers * numDirections = ${layers}${unbatched ? '' : `, batch ${batch}`}, hiddenSize ${this.hiddenSize}), got ${fmt(h.shape)}`,
      );
    }
    const hh = unbatched ? h.unsqueeze(1) : h;
    return hh.dtype === dtype ? hh : hh.to(dtype);
  }

  /**
   * Runs every layer and direction. `h0`/`c0` are [L*D, batch, hidden] or null (zeros).
   * Returns the last layer's output [seq, batch, D*hidden] and the final states.
   */
  protected run(x: Tensor, h0: Tensor | null, c0: Tensor | null): { output: Tensor; hN: Tensor; cN: Tensor | null } {
    const [S, B] = x.shape as [number, number];
    const dirs = this.bidirectional ? 2 : 1;
    const hs: Tensor[] = [];
    const cs: Tensor[] = [];
    let layerInput = x;
    let output = x;
    for (let l = 0; l < this.numLayers; l++) {
      const outs: Tensor[] = [];
      for (let d = 0; d < dirs; d++) {
        const idx = l * dirs + d;
        const zeros = (): Tensor => empty([B, this.hiddenSize], x.dtype);
        const hInit = h0 ? h0.select(0, idx) : zeros();
        const cInit = this.mode === 'LSTM' ? (c0 ? c0.select(0, idx) : zeros()) : null;
        const r = this.direction(layerInput, l, d === 1, hInit, cInit, S);
        outs.push(r.out);
        hs.push(r.h);
        if (r.c) cs.push(r.c);
      }
      output = dirs === 2 ? cat(outs, -1) : outs[0]!;
      layerInput = l < this.numLayers - 1 && this.dropout > 0 ? dropoutOp(output, { p: this.dropout, training: this.training }) : output;
    }
    return { output, hN: stack(hs, 0), cN: this.mode === 'LSTM' ? stack(cs, 0) : null };
  }

  /** One layer in one direction over the whole sequence. */
  private direction(input: Tensor, layer: number, reverse: boolean, h0: Tensor, c0: Tensor | null, S: number): DirectionResult {
    const { wIh, wHh, bIh, bHh } = this.weights(layer, reverse);
    const rec = activeRecorder();
    const elman = this.mode === 'RNN_TANH' || this.mode === 'RNN_RELU';
    if (rec === null && fastKernels() !== null && allFloat32(input, wIh, bIh, wHh, bHh, h0, c0)) {
      // The whole direction as one op on the fast kernels (same maths as the steps below);
      // b_ih goes in with b_hh, so the input projection is a bare product.
      const xProj = linear(input, wIh, null);
      if (elman || this.mode === 'GRU') {
        const y = elman
          ? rnnSequence(xProj, wHh, bHh, h0, reverse, this.mode === 'RNN_TANH' ? 'tanh' : 'relu', bIh)
          : gruSequence(xProj, wHh, bHh, h0, reverse, bIh);
        return { out: y, h: y.select(0, reverse ? 0 : S - 1), c: null };
      }
      const y = lstmSequence(xProj, wHh, bHh, h0, c0!, reverse, bIh);
      return { out: y.narrow(0, 0, S), h: y.select(0, reverse ? 0 : S - 1), c: y.select(0, S) };
    }
    // The input projection for all steps at once: one [S*B, in] x [in, G] product.
    const xProj = linear(input, wIh, bIh);
    const stepsH: Tensor[] = new Array(S);
    const stepsC: Tensor[] | null = rec && this.mode === 'LSTM' ? new Array(S) : null;
    const gates: Record<string, Tensor[]> | null = rec && !elman ? {} : null;
    let h = h0;
    let c = c0;
    for (let k = 0; k < S; k++) {
      const t = reverse ? S - 1 - k : k;
      const xt = xProj.select(0, t);
      if (this.mode === 'LSTM') {
        const s = lstmStep(xt, h, c!, wHh, bHh);
        h = s.h;
        c = s.c;
        if (stepsC) stepsC[t] = s.c;
        if (gates) pushGates(gates, t, { input: s.input, forget: s.forget, candidate: s.candidate, output: s.output });
      } else if (this.mode === 'GRU') {
        const s = gruStep(xt, h, wHh, bHh);
        h = s.h;
        if (gates) pushGates(gates, t, { reset: s.reset, update: s.update, candidate: s.candidate });
      } else {
        h = rnnStep(xt, h, wHh, bHh, this.mode === 'RNN_TANH' ? 'tanh' : 'relu').h;
      }
      stepsH[t] = h;
    }
    if (rec) {
      rec.recurrent({
        module: this,
        architecture: ARCH[this.mode],
        layer,
        direction: reverse ? 'reverse' : 'forward',
        hidden: stepsH,
        ...(stepsC ? { cell: stepsC } : {}),
        ...(gates ? { gates } : {}),
      });
    }
    return { out: stack(stepsH, 0), h, c };
  }

  /** Restores [seq, batch, F] to the caller's layout. */
  protected finishOutput(output: Tensor, unbatched: boolean): Tensor {
    if (unbatched) return output.squeeze(1);
    return this.batchFirst ? output.transpose(0, 1) : output;
  }

  protected finishState(s: Tensor, unbatched: boolean): Tensor {
    return unbatched ? s.squeeze(1) : s;
  }

  override extraRepr(): string {
    const parts = [`${this.inputSize}`, `${this.hiddenSize}`];
    if (this.numLayers !== 1) parts.push(`num_layers=${this.numLayers}`);
    if (this.mode === 'RNN_RELU') parts.push(`nonlinearity='relu'`);
    if (!this.bias) parts.push('bias=False');
    if (this.batchFirst) parts.push('batch_first=True');
    if (this.dropout) parts.push(`dropout=${this.dropout}`);
    if (this.bidirectional) parts.push('bidirectional=True');
    return parts.join(', ');
  }
}

function allFloat32(...ts: (Tensor | null)[]): boolean {
  return ts.every((t) => t === null || t.dtype === 'float32');
}

function pushGates(gates: Record<string, Tensor[]>, t: number, values: Record<string, Tensor>): void {
  for (const [k, v] of Object.entries(values)) (gates[k] ??= [])[t] = v;
}

/**
 * Elman recurrent network h_t = tanh(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh) (or relu).
 * `forward(x, h0?)` returns `[output, hN]`: output [seq, batch, D*hidden] (D = 2 if
 * bidirectional), hN [numLayers*D, batch, hidden].
 * @example const rnn = new nn.RNN(28, 32); const [out, h] = rnn.forward(x);
 */
export class RNN extends RNNBase {
  readonly nonlinearity: 'tanh' | 'relu';
  constructor(inputSize: number, hiddenSize: number, options: RNNOptions & { nonlinearity?: 'tanh' | 'relu' } = {}) {
    const nl = options.nonlinearity ?? 'tanh';
    if (nl !== 'tanh' && nl !== 'relu') throw new RangeError(`RNN: nonlinearity must be 'tanh' or 'relu', got ${JSON.stringify(nl)}`);
    super(nl === 'tanh' ? 'RNN_TANH' : 'RNN_RELU', inputSize, hiddenSize, options);
    this.nonlinearity = nl;
  }
  forward(input: Tensor, h0?: Tensor | null): [Tensor, Tensor] {
    const { x, unbatched } = this.prepareInput(input);
    const h = this.prepareState(h0, x.shape[1]!, unbatched, x.dtype, 'h0');
    const r = this.run(x, h, null);
    return [this.finishOutput(r.output, unbatched), this.finishState(r.hN, unbatched)];
  }
}

/**
 * Long short-term memory (gate order i, f, g, o as PyTorch). `forward(x, [h0, c0]?)`
 * returns `[output, [hN, cN]]`.
 * @example const lstm = new nn.LSTM(64, 256, { numLayers: 2, batchFirst: true });
 */
export class LSTM extends RNNBase {
  constructor(inputSize: number, hiddenSize: number, options: RNNOptions = {}) {
    super('LSTM', inputSize, hiddenSize, options);
  }
  forward(input: Tensor, state?: [Tensor, Tensor] | null): [Tensor, [Tensor, Tensor]] {
    const { x, unbatched } = this.prepareInput(input);
    if (state != null && (!Array.isArray(state) || state.length !== 2)) {
      throw new TypeError('LSTM: the initial state must be a pair [h0, c0]');
    }
    const h = this.prepareState(state?.[0], x.shape[1]!, unbatched, x.dtype, 'h0');
    const c = this.prepareState(state?.[1], x.shape[1]!, unbatched, x.dtype, 'c0');
    const r = this.run(x, h, c);
    return [this.finishOutput(r.output, unbatched), [this.finishState(r.hN, unbatched), this.finishState(r.cN!, unbatched)]];
  }
}

/** Gated recurrent unit (gate order r, z, n as PyTorch). `forward(x, h0?)` returns `[output, hN]`. */
export class GRU extends RNNBase {
  constructor(inputSize: number, hiddenSize: number, options: RNNOptions = {}) {
    super('GRU', inputSize, hiddenSize, options);
  }
  forward(input: Tensor, h0?: Tensor | null): [Tensor, Tensor] {
    const { x, unbatched } = this.prepareInput(input);
    const h = this.prepareState(h0, x.shape[1]!, unbatched, x.dtype, 'h0');
    const r = this.run(x, h, null);
    return [this.finishOutput(r.output, unbatched), this.finishState(r.hN, unbatched)];
  }
}

// ------------------------------------------------------------------ cells

abstract class CellBase extends Module {
  weight_ih: Parameter;
  weight_hh: Parameter;
  bias_ih: Parameter | null;
  bias_hh: Parameter | null;
  constructor(
    protected readonly mode: Mode,
    readonly inputSize: number,
    readonly hiddenSize: number,
    bias: boolean,
  ) {
    super();
    const cls = this.constructor.name;
    positiveInt(inputSize, cls, 'inputSize');
    positiveInt(hiddenSize, cls, 'hiddenSize');
    const gate = GATES[mode] * hiddenSize;
    this.weight_ih = new Parameter(empty([gate, inputSize], 'float32'));
    this.weight_hh = new Parameter(empty([gate, hiddenSize], 'float32'));
    this.bias_ih = bias ? new Parameter(empty([gate], 'float32')) : null;
    this.bias_hh = bias ? new Parameter(empty([gate], 'float32')) : null;
    const k = 1 / Math.sqrt(hiddenSize);
    for (const p of this.parameters()) init.uniform_(p, -k, k);
  }

  /** Returns x as [batch, input] and whether it was unbatched ([input]). */
  protected prepare(x: Tensor): { xb: Tensor; unbatched: boolean } {
    const cls = this.constructor.name;
    expectTensor(x, cls, 'input');
    if ((x.ndim !== 1 && x.ndim !== 2) || x.shape[x.ndim - 1] !== this.inputSize) {
      throw new RangeError(`${cls}: expected input [batch, ${this.inputSize}] or [${this.inputSize}], got ${fmt(x.shape)}`);
    }
    return { xb: x.ndim === 1 ? x.unsqueeze(0) : x, unbatched: x.ndim === 1 };
  }

  protected state(h: Tensor | null | undefined, batch: number, unbatched: boolean, dtype: Tensor['dtype'], what: string): Tensor {
    if (h == null) return empty([batch, this.hiddenSize], dtype);
    const want = unbatched ? [this.hiddenSize] : [batch, this.hiddenSize];
    if (h.ndim !== want.length || h.shape.some((d, i) => d !== want[i])) {
      throw new RangeError(`${this.constructor.name}: expected ${what} of shape ${fmt(want)}, got ${fmt(h.shape)}`);
    }
    return unbatched ? h.unsqueeze(0) : h;
  }

  /** Cells report each call as one step; the trace joins consecutive calls into a sequence. */
  protected report(h: Tensor, c: Tensor | null, gates: Record<string, Tensor> | null): void {
    const rec = activeRecorder();
    if (!rec) return;
    rec.recurrent({
      module: this,
      architecture: ARCH[this.mode],
      layer: 0,
      direction: 'forward',
      hidden: [h],
      ...(c ? { cell: [c] } : {}),
      ...(gates ? { gates: Object.fromEntries(Object.entries(gates).map(([k, v]) => [k, [v]])) } : {}),
    });
  }

  override extraRepr(): string {
    return `${this.inputSize}, ${this.hiddenSize}${this.bias_ih ? '' : ', bias=False'}${this.mode === 'RNN_RELU' ? `, nonlinearity='relu'` : ''}`;
  }
}

/** One Elman step: `forward(x [batch, input], h?)` returns h' [batch, hidden]. */
export class RNNCell extends CellBase {
  constructor(inputSize: number, hiddenSize: number, options: { bias?: boolean; nonlinearity?: 'tanh' | 'relu' } = {}) {
    const nl = options.nonlinearity ?? 'tanh';
    if (nl !== 'tanh' && nl !== 'relu') throw new RangeError(`RNNCell: nonlinearity must be 'tanh' or 'relu', got ${JSON.stringify(nl)}`);
    super(nl === 'tanh' ? 'RNN_TANH' : 'RNN_RELU', inputSize, hiddenSize, options.bias ?? true);
  }
  forward(x: Tensor, h?: Tensor | null): Tensor {
    const { xb, unbatched } = this.prepare(x);
    const hb = this.state(h, xb.shape[0]!, unbatched, xb.dtype, 'h');
    const out = rnnStep(linear(xb, this.weight_ih, this.bias_ih), hb, this.weight_hh, this.bias_hh, this.mode === 'RNN_TANH' ? 'tanh' : 'relu').h;
    this.report(out, null, null);
    return unbatched ? out.squeeze(0) : out;
  }
}

/** One LSTM step: `forward(x, [h, c]?)` returns `[h', c']`. */
export class LSTMCell extends CellBase {
  constructor(inputSize: number, hiddenSize: number, options: { bias?: boolean } = {}) {
    super('LSTM', inputSize, hiddenSize, options.bias ?? true);
  }
  forward(x: Tensor, state?: [Tensor, Tensor] | null): [Tensor, Tensor] {
    const { xb, unbatched } = this.prepare(x);
    const B = xb.shape[0]!;
    const h = this.state(state?.[0], B, unbatched, xb.dtype, 'h');
    const c = this.state(state?.[1], B, unbatched, xb.dtype, 'c');
    const s = lstmStep(linear(xb, this.weight_ih, this.bias_ih), h, c, this.weight_hh, this.bias_hh);
    this.report(s.h, s.c, { input: s.input, forget: s.forget, candidate: s.candidate, output: s.output });
    return unbatched ? [s.h.squeeze(0), s.c.squeeze(0)] : [s.h, s.c];
  }
}

/** One GRU step: `forward(x, h?)` returns h'. */
export class GRUCell extends CellBase {
  constructor(inputSize: number, hiddenSize: number, options: { bias?: boolean } = {}) {
    super('GRU', inputSize, hiddenSize, options.bias ?? true);
  }
  forward(x: Tensor, h?: Tensor | null): Tensor {
    const { xb, unbatched } = this.prepare(x);
    const hb = this.state(h, xb.shape[0]!, unbatched, xb.dtype, 'h');
    const s = gruStep(linear(xb, this.weight_ih, this.bias_ih), hb, this.weight_hh, this.bias_hh);
    this.report(s.h, null, { reset: s.reset, update: s.update, candidate: s.candidate });
    return unbatched ? s.h.squeeze(0) : s.h;
  }
}
