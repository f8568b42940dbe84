/**
 * RNN, LSTM, GRU and cells against PyTorch (test/fixtures/rnn.json): outputs, final
 * states and the gradients of inputs, initial states and every parameter, after loading
 * PyTorch's state dict by name. Plus the lecture's LSTM equations written out by hand,
 * gradchecks, shape errors, traces and printing.
 */
import { describe, expect, it } from 'vitest';
import * as E from '../../../engine/src/index.js';
import { nn, F, Tensor, tensor, randn, gradcheck, manualSeed, noGrad } from '../../../engine/src/index.js';
import { withRecorder, type RecurrentEvent } from '../../../engine/src/trace/recorder.js';
import { compare, decode, loadFixtures, type EncodedTensor } from '../fixtures.js';

interface RnnCase {
  name: string;
  module: 'RNN' | 'LSTM' | 'GRU' | 'RNNCell' | 'LSTMCell' | 'GRUCell';
  args: { inputSize: number; hiddenSize: number; options: Record<string, unknown> };
  state: Record<string, EncodedTensor>;
  inputs: Record<string, EncodedTensor>;
  outputs: Record<string, EncodedTensor>;
  gradOutputs: Record<string, EncodedTensor>;
  grads: { inputs: Record<string, EncodedTensor>; params: Record<string, EncodedTensor> };
}

const fixtures = loadFixtures('rnn.json') as unknown as { torch: string; cases: RnnCase[] };
const TOL = { float32: 1e-5, float64: 1e-12 } as const;

type AnyRecurrent = nn.RNN | nn.LSTM | nn.GRU | nn.RNNCell | nn.LSTMCell | nn.GRUCell;

function build(c: RnnCase): AnyRecurrent {
  const Cls = nn[c.module] as unknown as new (i: number, h: number, o: Record<string, unknown>) => AnyRecurrent;
  return new Cls(c.args.inputSize, c.args.hiddenSize, c.args.options);
}

function runCase(c: RnnCase, dtype: 'float32' | 'float64') {
  const m = build(c);
  if (dtype === 'float64') m.double();
  m.loadStateDict(Object.fromEntries(Object.entries(c.state).map(([k, v]) => [k, decode(v, dtype)])));
  const ins: Record<string, Tensor> = {};
  for (const [k, v] of Object.entries(c.inputs)) ins[k] = decode(v, dtype, true);
  const outs: Record<string, Tensor> = {};
  if (m instanceof nn.LSTM) {
    const [o, [h, cc]] = m.forward(ins.input!, ins.h0 ? [ins.h0, ins.c0!] : undefined);
    Object.assign(outs, { output: o, hN: h, cN: cc });
  } else if (m instanceof nn.RNN || m instanceof nn.GRU) {
    const [o, h] = m.forward(ins.input!, ins.h0);
    Object.assign(outs, { output: o, hN: h });
  } else if (m instanceof nn.LSTMCell) {
    const [h, cc] = m.forward(ins.input!, ins.h0 ? [ins.h0, ins.c0!] : undefined);
    Object.assign(outs, { hN: h, cN: cc });
  } else {
    outs.hN = (m as nn.RNNCell | nn.GRUCell).forward(ins.input!, ins.h0);
  }
  let loss: Tensor | null = null;
  for (const [k, g] of Object.entries(c.gradOutputs)) {
    const term = outs[k]!.mul(decode(g, dtype)).sum();
    loss = loss ? loss.add(term) : term;
  }
  loss!.backward();
  return { m, ins, outs };
}

describe('recurrent modules match PyTorch (test/fixtures/rnn.json)', () => {
  for (const c of fixtures.cases) {
    for (const dtype of ['float32', 'float64'] as const) {
      it(`${c.name} (${dtype})`, () => {
        const { m, ins, outs } = runCase(c, dtype);
        const tol = TOL[dtype];
        for (const [k, e] of Object.entries(c.outputs)) {
          const { error, problem } = compare(outs[k]!, e);
          expect(problem, k).toBeNull();
          expect(error, `${k} relative error`).toBeLessThanOrEqual(tol);
        }
        for (const [k, e] of Object.entries(c.grads.inputs)) {
          const { error, problem } = compare(ins[k]!.grad!, e);
          expect(problem, `grad of ${k}`).toBeNull();
          expect(error, `grad of ${k} relative error`).toBeLessThanOrEqual(tol);
        }
        const params = Object.fromEntries(m.namedParameters());
        expect(Object.keys(params)).toEqual(Object.keys(c.grads.params));
        for (const [k, e] of Object.entries(c.grads.params)) {
          const { error, problem } = compare(params[k]!.grad!, e);
          expect(problem, `grad of ${k}`).toBeNull();
          expect(error, `grad of ${k} relative error`).toBeLessThanOrEqual(tol);
        }
      });
    }
  }

  it('names parameters exactly as PyTorch, in PyTorch order', () => {
    for (const c of fixtures.cases) expect(Object.keys(build(c).stateDict())).toEqual(Object.keys(c.state));
  });
});

describe('LSTM equations, written out as in the lecture', () => {
  it('matches a hand-written loop over plain arrays', () => {
    manualSeed(3);
    const I = 3;
    const H = 2;
    const cell = new nn.LSTMCell(I, H);
    const x = randn([I]);
    const h0 = randn([H]);
    const c0 = randn([H]);
    const W = cell.weight_ih.toArray() as number[][];
    const U = cell.weight_hh.toArray() as number[][];
    const b = (cell.bias_ih!.add(cell.bias_hh!)).toArray() as number[];
    const xs = x.toArray() as number[];
    const hs = h0.toArray() as number[];
    const cs = c0.toArray() as number[];
    const sigma = (v: number): number => 1 / (1 + Math.exp(-v));
    // Rows of W, U and b are stacked [input; forget; candidate; output], each H rows.
    const pre = (gate: number, j: number): number => {
      const r = gate * H + j;
      let s = b[r]!;
      for (let k = 0; k < I; k++) s += W[r]![k]! * xs[k]!;
      for (let k = 0; k < H; k++) s += U[r]![k]! * hs[k]!;
      return s;
    };
    const expectedH: number[] = [];
    const expectedC: number[] = [];
    for (let j = 0; j < H; j++) {
      const i = sigma(pre(0, j)); // i_t = σ(W_i·[h_{t-1}, x_t] + b_i)
      const f = sigma(pre(1, j)); // f_t = σ(W_f·[h_{t-1}, x_t] + b_f)
      const g = Math.tanh(pre(2, j)); // C̃_t = tanh(W_C·[h_{t-1}, x_t] + b_C)
      const o = sigma(pre(3, j)); // o_t = σ(W_o·[h_{t-1}, x_t] + b_o)
      const c = f * cs[j]! + i * g; // C_t = f_t ⊙ C_{t-1} + i_t ⊙ C̃_t
      expectedC.push(c);
      expectedH.push(o * Math.tanh(c)); // h_t = o_t ⊙ tanh(C_t)
    }
    const [h, c] = cell.forward(x, [h0, c0]);
    (h.toArray() as number[]).forEach((v, j) => expect(v).toBeCloseTo(expectedH[j]!, 6));
    (c.toArray() as number[]).forEach((v, j) => expect(v).toBeCloseTo(expectedC[j]!, 6));
  });

  it('keeps every sigmoid gate strictly inside (0, 1) and the candidate in (-1, 1)', () => {
    manualSeed(4);
    const lstm = new nn.LSTM(4, 8);
    const events: RecurrentEvent[] = [];
    withRecorder({ attention() {}, recurrent: (e) => events.push(e) }, () => lstm.forward(randn([6, 3, 4]).mul(3)));
    const gates = events[0]!.gates!;
    for (const name of ['input', 'forget', 'output']) {
      for (const t of gates[name]!) {
        const v = t.toTypedArray();
        expect(Math.min(...v)).toBeGreaterThan(0);
        expect(Math.max(...v)).toBeLessThan(1);
      }
    }
    for (const t of gates.candidate!) expect(Math.max(...t.toTypedArray().map(Math.abs))).toBeLessThan(1);
  });
});

describe('gradcheck (float64, finite differences)', () => {
  const I = 3;
  const H = 2;
  const w = (rows: number, cols?: number): Tensor => randn(cols === undefined ? [rows] : [rows, cols], { dtype: 'float64', requiresGrad: true });
  it('F.rnnCell, F.lstmCell and F.gruCell, with respect to input, state and all weights', () => {
    manualSeed(5);
    const x = randn([2, I], { dtype: 'float64', requiresGrad: true });
    const h = randn([2, H], { dtype: 'float64', requiresGrad: true });
    const c = randn([2, H], { dtype: 'float64', requiresGrad: true });
    expect(gradcheck((x_, h_, a, b, bi, bh) => F.rnnCell(x_, h_, a, b, bi, bh), [x, h, w(H, I), w(H, H), w(H), w(H)])).toBe(true);
    expect(gradcheck((x_, h_, c_, a, b, bi, bh) => F.lstmCell(x_, [h_, c_], a, b, bi, bh), [x, h, c, w(4 * H, I), w(4 * H, H), w(4 * H), w(4 * H)])).toBe(true);
    expect(gradcheck((x_, h_, a, b, bi, bh) => F.gruCell(x_, h_, a, b, bi, bh), [x, h, w(3 * H, I), w(3 * H, H), w(3 * H), w(3 * H)])).toBe(true);
  });
  it('a 2-layer bidirectional LSTM with respect to its input and initial state', () => {
    manualSeed(6);
    const lstm = new nn.LSTM(I, H, { numLayers: 2, bidirectional: true }).double();
    const x = randn([3, 2, I], { dtype: 'float64', requiresGrad: true });
    const h0 = randn([4, 2, H], { dtype: 'float64', requiresGrad: true });
    const c0 = randn([4, 2, H], { dtype: 'float64', requiresGrad: true });
    expect(gradcheck((x_, h_, c_) => {
      const [o, [hn, cn]] = lstm.forward(x_, [h_, c_]);
      return [o, hn, cn];
    }, [x, h0, c0])).toBe(true);
  });
});

describe('shapes, options and errors', () => {
  it('names the expected and actual shapes and the option', () => {
    const lstm = new nn.LSTM(64, 32);
    expect(() => lstm.forward(randn([32, 10]))).toThrow('LSTM: expected input [seq, batch, 64] (batchFirst=false) or unbatched [seq, 64], got [32,10]');
    const gru = new nn.GRU(8, 4, { batchFirst: true, numLayers: 2 });
    expect(() => gru.forward(randn([2, 5, 7]))).toThrow('GRU: expected input [batch, seq, 8] (batchFirst=true)');
    expect(() => gru.forward(randn([2, 5, 8]), randn([1, 2, 4]))).toThrow('GRU: expected h0 of shape [2,2,4] (numLayers * numDirections = 2, batch 2, hiddenSize 4), got [1,2,4]');
    expect(() => lstm.forward(tensor([[[1]]], { dtype: 'int32' }))).toThrow('LSTM: input must be floating point, got int32 (token ids go through an Embedding first)');
    expect(() => new nn.RNN(4, 4, { nonlinearity: 'sigmoid' as never })).toThrow("RNN: nonlinearity must be 'tanh' or 'relu'");
    expect(() => new nn.LSTM(4, 0)).toThrow('LSTM: hiddenSize must be a positive integer, got number 0');
    expect(() => new nn.LSTM(4, 4, { projSize: 2 } as never)).toThrow('LSTM: unknown option projSize');
    expect(() => new nn.LSTMCell(3, 2).forward(randn([2, 4]))).toThrow('LSTMCell: expected input [batch, 3] or [3], got [2,4]');
  });

  it('returns PyTorch shapes for every layout', () => {
    const lstm = new nn.LSTM(5, 7, { numLayers: 2, bidirectional: true, batchFirst: true });
    const [out, [h, c]] = lstm.forward(randn([3, 4, 5]));
    expect(out.shape).toEqual([3, 4, 14]);
    expect(h.shape).toEqual([4, 3, 7]);
    expect(c.shape).toEqual([4, 3, 7]);
    const [o2, h2] = new nn.GRU(5, 7).forward(randn([4, 5]));
    expect(o2.shape).toEqual([4, 7]);
    expect(h2.shape).toEqual([1, 7]);
  });

  it('a plain RNN can be bidirectional too: the reverse direction reads the sequence backwards', () => {
    manualSeed(8);
    const rnn = new nn.RNN(2, 3, { bidirectional: true });
    const x = randn([5, 1, 2]);
    const [out] = rnn.forward(x);
    // The reverse half at the last step has seen only the last input: it equals one step from zeros.
    const last = out.select(0, 4).narrow(-1, 3, 3);
    const oneStep = F.rnnCell(x.select(0, 4), E.zeros([1, 3]), rnn.weight_ih_l0_reverse, rnn.weight_hh_l0_reverse, rnn.bias_ih_l0_reverse, rnn.bias_hh_l0_reverse);
    expect(Array.from(last.toTypedArray())).toEqual(Array.from(oneStep.toTypedArray()));
  });

  it('applies dropout between layers only in training, reproducibly with a seed', () => {
    const lstm = new nn.LSTM(3, 4, { numLayers: 2, dropout: 0.5 });
    const x = randn([4, 2, 3]);
    const run = (): number[] => Array.from(lstm.forward(x)[0].toTypedArray());
    lstm.eval();
    const a = run();
    expect(run()).toEqual(a);
    lstm.train();
    manualSeed(1);
    const b = run();
    manualSeed(1);
    expect(run()).toEqual(b);
    expect(b).not.toEqual(a);
  });

  it('prints like PyTorch, with parameter counts', () => {
    expect(new nn.LSTM(64, 256, { numLayers: 2, batchFirst: true }).toString()).toBe(
      'LSTM(64, 256, num_layers=2, batch_first=True)\nTotal parameters: 856,064',
    );
    expect(String(new nn.GRUCell(3, 4, { bias: false }))).toContain('GRUCell(3, 4, bias=False)');
  });
});

describe('traces', () => {
  it('reports one event per layer and direction, with per-step states in input order', () => {
    const lstm = new nn.LSTM(3, 4, { numLayers: 2, bidirectional: true });
    const events: RecurrentEvent[] = [];
    const [out] = withRecorder({ attention() {}, recurrent: (e) => events.push(e) }, () => lstm.forward(randn([5, 2, 3])));
    expect(events.map((e) => `${e.layer}:${e.direction}`)).toEqual(['0:forward', '0:reverse', '1:forward', '1:reverse']);
    for (const e of events) {
      expect(e.architecture).toBe('lstm');
      expect(e.hidden.length).toBe(5);
      expect(e.cell!.length).toBe(5);
      expect(Object.keys(e.gates!)).toEqual(['input', 'forget', 'candidate', 'output']);
      expect(e.hidden[0]!.shape).toEqual([2, 4]);
    }
    // The last layer's forward states are the first half of the output, step by step.
    const fwd = events[2]!;
    expect(Array.from(fwd.hidden[3]!.toTypedArray())).toEqual(Array.from(out.select(0, 3).narrow(-1, 0, 4).toTypedArray()));
    const bwd = events[3]!;
    expect(Array.from(bwd.hidden[3]!.toTypedArray())).toEqual(Array.from(out.select(0, 3).narrow(-1, 4, 4).toTypedArray()));
  });

  it('reports nothing and keeps no references when no trace is active', () => {
    const gru = new nn.GRU(3, 4);
    const [out] = gru.forward(randn([5, 2, 3]));
    expect(out.shape).toEqual([5, 2, 4]);
    // No recorder: nothing to observe but the absence of errors; the recorder test above
    // proves the reporting path, and this one that it is guarded.
    expect(noGrad(() => gru.forward(randn([5, 2, 3]))[0].requiresGrad)).toBe(false);
  });
});

describe('printing containers like PyTorch', () => {
  it('groups runs of identical layers and prints eps as Python does', () => {
    const s = String(new nn.Sequential(new nn.Linear(2, 3), new nn.Linear(3, 3), new nn.Linear(3, 3), new nn.LayerNorm(3)));
    expect(s).toContain('(0): Linear(in_features=2, out_features=3, bias=True)  [9 params]');
    expect(s).toContain('(1-2): 2 x Linear(in_features=3, out_features=3, bias=True)  [12 params each]');
    expect(s).toContain('(3): LayerNorm((3,), eps=1e-05, elementwise_affine=True)');
  });
});
