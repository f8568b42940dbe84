/** trace(): recording hidden states, gates, attention and per-step gradients, and their views. */
import { describe, expect, it } from 'vitest';
import Ajv from 'ajv';
import { readFileSync } from 'node:fs';
import * as E from '../../../engine/src/index.js';
import { nn, trace, tensor, randn, manualSeed, recordAttention, type Tensor } from '../../../engine/src/index.js';

const SCHEMAS = new URL('../../../engine/schemas/', import.meta.url);
const ajv = new Ajv({ allErrors: true, strict: false });
ajv.addSchema(JSON.parse(readFileSync(new URL('common.v1.schema.json', SCHEMAS), 'utf8')));
const validator = (name: string) => ajv.compile(JSON.parse(readFileSync(new URL(name, SCHEMAS), 'utf8')));
const validHidden = validator('hidden-states.v1.schema.json');
const validGates = validator('gates.v1.schema.json');
const validAttention = validator('attention.v1.schema.json');

const bundle = (v: unknown): Record<string, unknown> => (v as Record<symbol, () => Record<string, unknown>>)[Symbol.for('Jupyter.display')]!();

/** A user-defined character model: embedding, LSTM, linear head. */
class CharModel extends nn.Module {
  emb = new nn.Embedding(10, 4);
  rnn = new nn.LSTM(4, 6, { numLayers: 2 });
  head = new nn.Linear(6, 10);
  forward(ids: Tensor): Tensor {
    const [out] = this.rnn.forward(this.emb.forward(ids));
    return this.head.forward(out);
  }
}

describe('trace of a user-defined recurrent model', () => {
  manualSeed(1);
  const model = new CharModel();
  const ids = tensor([[1], [2], [3], [4], [5]], { dtype: 'int32' }); // [seq 5, batch 1]
  const tokens = ['h', 'e', 'l', 'l', 'o'];

  it('records every layer with its module path and draws hidden states and gates', () => {
    const t = trace(model, () => model.forward(ids), { tokens });
    expect(t.output.shape).toEqual([5, 1, 10]);
    expect(t.recurrentRecords.map((r) => `${r.name}:${r.layer}`)).toEqual(['rnn:0', 'rnn:1']);
    const hs = bundle(t.hiddenStates());
    const payload = hs['application/vnd.seqlab.hidden-states.v1+json'] as { tokens: string[]; series: { name: string; states: number[][] }[] };
    expect(validHidden(payload)).toBe(true);
    expect(payload.tokens).toEqual(tokens);
    expect(payload.series.map((s) => s.name)).toEqual(['h', 'c']);
    expect(payload.series[0]!.states.length).toBe(5);
    expect(typeof hs['image/svg+xml']).toBe('string');
    expect(typeof hs['text/plain']).toBe('string');
    const g = bundle(t.gates({ layer: 0 }))['application/vnd.seqlab.gates.v1+json'] as { gates: Record<string, number[][]> };
    expect(validGates(g)).toBe(true);
    expect(Object.keys(g.gates).sort()).toEqual(['candidate', 'cell', 'forget', 'hidden', 'input', 'output']);
    for (const name of ['input', 'forget', 'output']) for (const row of g.gates[name]!) for (const v of row) expect(v > 0 && v < 1).toBe(true);
    expect(String(t)).toContain('rnn: LSTM, 2 layers, 5 steps -> hiddenStates(), gates()');
  });

  it('reports ‖∂L/∂h_t‖ per step after backward, when asked to keep gradients', () => {
    const t = trace(model, () => model.forward(ids), { tokens, gradients: true });
    expect(() => t.gradientNorms()).toThrow('trace.gradientNorms: no gradient reached rnn layer 1 at step 0; call backward() on a loss computed from the model\'s output first');
    t.output.select(0, 4).sum().backward(); // the loss depends on the last step only
    const norms = t.gradientNorms();
    expect(norms.length).toBe(5);
    for (const n of norms) expect(n > 0 && Number.isFinite(n)).toBe(true);
    const plot = bundle(t.gradientNormPlot())['application/vnd.plotly.v1+json'] as { data: { y: number[] }[] };
    expect(plot.data[0]!.y.length).toBe(5);
    const plain = trace(model, () => model.forward(ids));
    expect(() => plain.gradientNorms()).toThrow('pass { gradients: true } to trace()');
    expect(plain.recurrentRecords[0]!.hidden[0]!.requiresGrad).toBe(false);
  });

  it('shows vanishing gradients: with small recurrent weights, early steps barely matter to the last output', () => {
    manualSeed(2);
    const rnn = new nn.RNN(3, 8);
    E.noGrad(() => rnn.weight_hh_l0.mul_(0.2));
    const x = randn([30, 1, 3]);
    const t = trace(rnn, () => rnn.forward(x)[0], { gradients: true });
    t.output.select(0, 29).sum().backward();
    const norms = t.gradientNorms();
    expect(norms[0]! / norms[29]!).toBeLessThan(1e-6);
  });

  it('joins the steps of a cell called in a loop into one sequence', () => {
    const cell = new nn.GRUCell(4, 3);
    class Loop extends nn.Module {
      cell = cell;
      forward(x: Tensor): Tensor {
        let h: Tensor | undefined;
        for (const xt of x.unbind(0)) h = this.cell.forward(xt, h);
        return h!;
      }
    }
    const m = new Loop();
    const t = trace(m, () => m.forward(randn([7, 2, 4])));
    expect(t.recurrentRecords.length).toBe(1);
    expect(t.recurrentRecords[0]!.hidden.length).toBe(7);
    const g = bundle(t.gates())['application/vnd.seqlab.gates.v1+json'] as { architecture: string; gates: Record<string, number[][]> };
    expect(g.architecture).toBe('gru');
    expect(Object.keys(g.gates).sort()).toEqual(['candidate', 'hidden', 'reset', 'update']);
  });

  it('explains what is missing or mismatched', () => {
    const t = trace(model, () => model.forward(ids), { tokens: ['a', 'b'] });
    expect(() => t.hiddenStates()).toThrow('trace: rnn layer 1 has 5 positions but 2 tokens were given (options.tokens)');
    expect(() => t.hiddenStates({ module: 'encoder' })).toThrow('trace.hiddenStates: no single recurrent module matches "encoder"; recorded: rnn');
    expect(() => t.attention()).toThrow('trace.attention: the trace recorded no attention');
    const lin = new nn.Linear(2, 2);
    expect(() => trace(lin, () => lin.forward(randn(1, 2))).hiddenStates()).toThrow('trace.hiddenStates: the trace recorded no recurrent layer');
    expect(() => trace(model, (async () => 1) as never)).toThrow('trace: the function returned a Promise');
  });

  it('stops recording when the trace ends, even when the model throws', () => {
    expect(() => trace(model, () => model.forward(tensor([[99]], { dtype: 'int32' })))).toThrow('embedding: index 99');
    const t = trace(model, () => 0);
    model.forward(ids); // outside any trace: nothing is recorded anywhere
    expect(t.recurrentRecords.length).toBe(0);
  });
});

describe('trace of attention reported by a custom module', () => {
  class ToyAttention extends nn.Module {
    forward(q: Tensor, k: Tensor): Tensor {
      const w = q.matmul(k.mT).softmax(-1); // [batch, q, k]
      recordAttention(this, w, { kind: 'cross' });
      return w;
    }
  }
  it('draws every head and layer with source and target tokens', () => {
    const m = new ToyAttention();
    const q = randn([2, 3, 4]);
    const k = randn([2, 5, 4]);
    const t = trace(m, () => m.forward(q, k), { tokens: { source: ['a', 'b', 'c', 'd', 'e'], target: ['x', 'y', 'z'] } });
    const p = bundle(t.attention('cross'))['application/vnd.seqlab.attention.v1+json'] as { queryTokens: string[]; keyTokens: string[]; weights: number[][][][] };
    expect(validAttention(p)).toBe(true);
    expect(p.queryTokens).toEqual(['x', 'y', 'z']);
    expect(p.keyTokens).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(p.weights.length).toBe(1);
    expect(p.weights[0]![0]!.length).toBe(3);
    for (const row of p.weights[0]![0]!) expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 2);
    expect(() => recordAttention(m, randn([2, 2, 2, 2, 2]))).not.toThrow(); // no trace active: a no-op
  });
});

describe('trace of a Transformer encoder: opening the view on a chosen layer and head', () => {
  it('carries the layer and head, by index or by module path and head name, into the payload', () => {
    manualSeed(3);
    const enc = new nn.TransformerEncoder(new nn.TransformerEncoderLayer(8, 2, { dropout: 0, batchFirst: true }), 2);
    enc.eval();
    const words = ['the', 'cat', 'sat', 'down'];
    const t = trace(enc, () => enc.forward(randn([1, 4, 8])), { tokens: words });
    const payload = (v: unknown) => bundle(v)['application/vnd.seqlab.attention.v1+json'] as { layerNames: string[]; open?: unknown };
    const plain = payload(t.attention('self'));
    expect(plain.layerNames).toEqual(['layers.0.self_attn', 'layers.1.self_attn']);
    expect(plain.open).toBeUndefined();
    const chosen = payload(t.attention({ site: 'self', open: { layer: 1, head: 1 } }));
    expect(chosen.open).toEqual({ layer: 1, head: 1 });
    expect(validAttention(chosen)).toBe(true);
    expect(payload(t.attention({ site: 'self', open: { layer: 'layers.1', head: 'head 2' } })).open).toEqual({ layer: 1, head: 1 });
    expect(payload(t.attention({ site: 'self', open: { layer: 'layers.0.self_attn', head: 'mean' } })).open).toEqual({ layer: 0, head: 'mean' });
    expect(() => t.attention({ site: 'self', open: { layer: 'decoder' } })).toThrow(
      'attentionView: open.layer "decoder" names no layer; the layers are "layers.0.self_attn", "layers.1.self_attn"',
    );
  });
});
