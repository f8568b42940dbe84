/**
 * The Transformer modules against PyTorch (test/fixtures/transformer.json): the
 * position-wise feed-forward network, encoder and decoder layers (post-norm, pre-norm,
 * relu/gelu, bias-free, batch-first, unbatched, masked), the stacks and the full model —
 * outputs and every input and parameter gradient after loading PyTorch's state dict by
 * name. Plus gradchecks, PyTorch's initialisation and defaults, errors, traces, printing.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { Ajv } from 'ajv';
import { readFileSync } from 'node:fs';
import { nn, Tensor, randn, manualSeed, tensor, zeros, trace } from '../../../engine/src/index.js';
import { withRecorder, type AttentionEvent } from '../../../engine/src/trace/recorder.js';
import { checkCase, gradcheckModule, loadCases, runCase } from './attention-cases.js';

const fixtures = loadCases('transformer.json');
const worst: Record<string, { error: number; name: string }> = {};

function collect<T>(fn: () => T): { result: T; events: AttentionEvent[] } {
  const events: AttentionEvent[] = [];
  const result = withRecorder({ attention: (e) => events.push(e), recurrent: () => {} }, fn);
  return { result, events };
}

describe('Transformer modules match PyTorch (test/fixtures/transformer.json)', () => {
  for (const c of fixtures.cases) {
    for (const dtype of ['float32', 'float64'] as const) {
      it(`${c.name} (${dtype})`, () => {
        const error = checkCase(c, dtype);
        const key = `${c.module} ${dtype}`;
        if (!worst[key] || error > worst[key]!.error) worst[key] = { error, name: c.name };
      });
    }
  }

  it('names parameters exactly as PyTorch, in PyTorch order', () => {
    for (const c of fixtures.cases) expect(Object.keys(runCase(c, 'float32').m!.stateDict()), c.name).toEqual(Object.keys(c.state));
  });

  it('reports every attention computation of the full model, in order, with its kind', () => {
    const c = fixtures.cases.find((k) => k.module === 'Transformer' && k.name.includes('2 + 2'))!;
    const { events, m } = runCase(c, 'float32');
    const model = m as nn.Transformer;
    expect(events.map((e) => e.kind)).toEqual(['self', 'self', 'causal-self', 'cross', 'causal-self', 'cross']);
    const enc = model.encoder as nn.TransformerEncoder;
    const dec = model.decoder as nn.TransformerDecoder;
    expect(events.map((e) => e.module)).toEqual([
      (enc.layers.at(0) as nn.TransformerEncoderLayer).self_attn,
      (enc.layers.at(1) as nn.TransformerEncoderLayer).self_attn,
      (dec.layers.at(0) as nn.TransformerDecoderLayer).self_attn,
      (dec.layers.at(0) as nn.TransformerDecoderLayer).multihead_attn,
      (dec.layers.at(1) as nn.TransformerDecoderLayer).self_attn,
      (dec.layers.at(1) as nn.TransformerDecoderLayer).multihead_attn,
    ]);
    const [S, B] = c.inputs.src!.shape as [number, number, number];
    const T = c.inputs.tgt!.shape[0]!;
    expect(events.map((e) => e.weights.shape)).toEqual([[B, 2, S, S], [B, 2, S, S], [B, 2, T, T], [B, 2, T, S], [B, 2, T, T], [B, 2, T, S]]);
    // The padded source positions are masked in the encoder and in cross-attention.
    const pad = c.masks.srcKeyPaddingMask!.data as boolean[];
    const crossMask = events[3]!.mask!.select(1, 0).select(1, 0).toArray() as boolean[][];
    expect(crossMask.flat()).toEqual(pad);
  });

  afterAll(() => {
    console.log(
      `Transformer vs PyTorch ${fixtures.torch}: ${fixtures.cases.length} cases; worst relative error: ` +
        Object.entries(worst)
          .map(([k, w]) => `${k} ${w.error.toExponential(2)} (${w.name})`)
          .join('; '),
    );
  });
});

describe('gradcheck (finite differences, float64): inputs and every parameter', () => {
  it('PositionwiseFeedForward (gelu)', () => {
    manualSeed(21);
    const ffn = new nn.PositionwiseFeedForward(3, 5, { activation: 'gelu', dropout: 0 }).double();
    const x = randn([2, 2, 3], { dtype: 'float64', requiresGrad: true });
    expect(gradcheckModule(ffn, [x], (a) => ffn.forward(a!))).toBe(true);
  });

  it('TransformerEncoderLayer, post-norm with a key padding mask', () => {
    manualSeed(22);
    const layer = new nn.TransformerEncoderLayer(4, 2, { dimFeedforward: 6, dropout: 0 }).double();
    const x = randn([3, 2, 4], { dtype: 'float64', requiresGrad: true });
    const kpm = tensor([[false, false, true], [false, false, false]]);
    expect(gradcheckModule(layer, [x], (a) => layer.forward(a!, { srcKeyPaddingMask: kpm }))).toBe(true);
  });

  it('TransformerDecoderLayer, pre-norm gelu batchFirst with a causal mask', () => {
    manualSeed(23);
    const layer = new nn.TransformerDecoderLayer(4, 2, { dimFeedforward: 5, dropout: 0, normFirst: true, activation: 'gelu', batchFirst: true }).double();
    const tgt = randn([2, 3, 4], { dtype: 'float64', requiresGrad: true });
    const mem = randn([2, 2, 4], { dtype: 'float64', requiresGrad: true });
    const mask = nn.generateSquareSubsequentMask(3);
    expect(gradcheckModule(layer, [tgt, mem], (a, b) => layer.forward(a!, b!, { tgtMask: mask, tgtIsCausal: true }))).toBe(true);
  });

  it('Transformer, 1 + 1 layers', () => {
    manualSeed(24);
    const model = new nn.Transformer({ dModel: 4, nhead: 2, numEncoderLayers: 1, numDecoderLayers: 1, dimFeedforward: 4, dropout: 0 }).double();
    const src = randn([3, 1, 4], { dtype: 'float64', requiresGrad: true });
    const tgt = randn([2, 1, 4], { dtype: 'float64', requiresGrad: true });
    const tgtMask = nn.Transformer.generateSquareSubsequentMask(2);
    expect(gradcheckModule(model, [src, tgt], (a, b) => model.forward(a!, b!, { tgtMask }))).toBe(true);
  });
});

describe('defaults and initialisation as PyTorch and the paper', () => {
  it('Transformer(): 6 + 6 layers, dModel 512, 8 heads, feed-forward 2048, dropout 0.1, post-norm', () => {
    manualSeed(0);
    const model = new nn.Transformer();
    const enc = model.encoder as nn.TransformerEncoder;
    const dec = model.decoder as nn.TransformerDecoder;
    expect([enc.layers.length, dec.layers.length, model.dModel, model.nhead, model.batchFirst]).toEqual([6, 6, 512, 8, false]);
    const layer = enc.layers.at(0) as nn.TransformerEncoderLayer;
    expect([layer.linear1.outFeatures, layer.dropout.p, layer.self_attn.numHeads, layer.self_attn.dropout, layer.normFirst]).toEqual([2048, 0.1, 8, 0.1, false]);
    expect(enc.norm).toBeInstanceOf(nn.LayerNorm);
    expect(dec.norm).toBeInstanceOf(nn.LayerNorm);
    // PyTorch's nn.Transformer(): 44,140,544 parameters.
    expect(model.numParameters()).toBe(44_140_544);
  });

  it('re-initialises every matrix Xavier uniform, so the cloned layers differ; vectors keep their init', () => {
    manualSeed(1);
    const model = new nn.Transformer({ dModel: 16, nhead: 2, numEncoderLayers: 2, numDecoderLayers: 1, dimFeedforward: 32 });
    const enc = model.encoder as nn.TransformerEncoder;
    const l0 = enc.layers.at(0) as nn.TransformerEncoderLayer;
    const l1 = enc.layers.at(1) as nn.TransformerEncoderLayer;
    expect(l0.linear1.weight.toArray()).not.toEqual(l1.linear1.weight.toArray());
    const bound = Math.sqrt(6 / (16 + 32));
    expect(Math.max(...Array.from(l0.linear1.weight.toTypedArray(), Math.abs))).toBeLessThanOrEqual(bound);
    expect(Array.from(l0.self_attn.in_proj_bias!.toTypedArray()).every((v) => v === 0)).toBe(true);
    expect(Array.from(l0.norm1.weight!.toTypedArray()).every((v) => v === 1)).toBe(true);
  });

  it('TransformerEncoder stacks deep copies: identical at first, independent afterwards', () => {
    const layer = new nn.TransformerEncoderLayer(8, 2, { dimFeedforward: 16 });
    const enc = new nn.TransformerEncoder(layer, 3);
    const ws = Array.from(enc.layers, (l) => (l as nn.TransformerEncoderLayer).linear1.weight);
    expect(ws[1]!.toArray()).toEqual(ws[0]!.toArray());
    expect(ws[1]!.storage).not.toBe(ws[0]!.storage);
    expect(ws[0]!.storage).not.toBe(layer.linear1.weight.storage);
    ws[1]!.data[0] = 42;
    expect(ws[0]!.data[0]).not.toBe(42);
    expect(enc.parameters().length).toBe(3 * layer.parameters().length);
  });

  it('bias false removes every bias (linear, attention, LayerNorm)', () => {
    const layer = new nn.TransformerDecoderLayer(8, 2, { dimFeedforward: 16, bias: false });
    expect(Object.keys(layer.stateDict()).filter((k) => k.includes('bias'))).toEqual([]);
  });

  it('generateSquareSubsequentMask: float -Infinity above the diagonal, 0 elsewhere', () => {
    expect(nn.Transformer.generateSquareSubsequentMask(3).toArray()).toEqual([
      [0, -Infinity, -Infinity],
      [0, 0, -Infinity],
      [0, 0, 0],
    ]);
    expect(nn.generateSquareSubsequentMask(2, { dtype: 'float64' }).dtype).toBe('float64');
    expect(() => nn.generateSquareSubsequentMask(-1)).toThrow(/non-negative integer/);
  });

  it('an activation given as a function or a module is used (and a module is a child, as PyTorch)', () => {
    manualSeed(3);
    const x = randn([3, 2, 8]);
    const byName = new nn.TransformerEncoderLayer(8, 2, { dimFeedforward: 16, dropout: 0, activation: 'gelu' });
    const byFn = nn.cloneModule(byName);
    byFn.activation = (t: Tensor) => t.gelu();
    const byModule = new nn.TransformerEncoderLayer(8, 2, { dimFeedforward: 16, dropout: 0, activation: new nn.GELU() });
    byModule.loadStateDict(byName.stateDict());
    expect(byFn.forward(x).toArray()).toEqual(byName.forward(x).toArray());
    expect(byModule.forward(x).toArray()).toEqual(byName.forward(x).toArray());
    expect(Array.from(byModule.namedChildren(), ([n]) => n)).toContain('activation');
    expect(Array.from(byName.namedChildren(), ([n]) => n)).not.toContain('activation');
  });

  it('dropout is active in training and off in eval', () => {
    manualSeed(4);
    const layer = new nn.TransformerEncoderLayer(8, 2, { dimFeedforward: 16, dropout: 0.5 });
    const x = randn([3, 2, 8]);
    expect(layer.forward(x).toArray()).not.toEqual(layer.forward(x).toArray());
    layer.eval();
    expect(layer.forward(x).toArray()).toEqual(layer.forward(x).toArray());
  });
});

describe('errors', () => {
  it('shapes are named with the layout and the option', () => {
    const layer = new nn.TransformerEncoderLayer(16, 2);
    expect(() => layer.forward(randn([4, 2, 8]))).toThrow('TransformerEncoderLayer: expected src [seq, batch, 16] (batchFirst=false) or unbatched [seq, 16], got [4,2,8]');
    const dec = new nn.TransformerDecoderLayer(16, 2, { batchFirst: true });
    expect(() => dec.forward(randn([2, 4, 16]), randn([2, 3, 8]))).toThrow('TransformerDecoderLayer: expected memory [batch, seq, 16] (batchFirst=true) or unbatched [seq, 16], got [2,3,8]');
    expect(() => dec.forward(randn([2, 4, 16]), randn([3, 16]))).toThrow(/must both be batched/);
    const model = new nn.Transformer({ dModel: 8, nhead: 2, numEncoderLayers: 1, numDecoderLayers: 1, dimFeedforward: 8 });
    expect(() => model.forward(randn([5, 2, 8]), randn([4, 3, 8]))).toThrow(/the batch number of src and tgt must be equal: src \[5,2,8\] and tgt \[4,3,8\] differ in dimension 1 \(batchFirst=false\)/);
    expect(() => model.forward(randn([5, 2, 8]), randn([4, 2, 6]))).toThrow(/feature number of src and tgt must be equal to dModel=8/);
  });

  it('options', () => {
    expect(() => new nn.TransformerEncoderLayer(8, 3)).toThrow(/divisible by numHeads/);
    expect(() => new nn.TransformerEncoderLayer(8, 2, { activation: 'tanh' as never })).toThrow(
      "TransformerEncoderLayer: activation should be 'relu', 'gelu', a function or a Module, not \"tanh\"",
    );
    expect(() => new nn.TransformerEncoder(new nn.TransformerEncoderLayer(8, 2), 0)).toThrow(/numLayers must be a positive integer/);
    const layer = new nn.TransformerDecoderLayer(8, 2);
    expect(() => layer.forward(randn([3, 1, 8]), randn([2, 1, 8]), { tgtIsCausal: true })).toThrow(/isCausal is a hint/);
    expect(() => layer.forward(randn([3, 1, 8]), randn([2, 1, 8]), { tgtMask: zeros([2, 2]) })).toThrow(/expected attnMask \[target, source\] = \[3,3\]/);
  });
});

describe('traces of the layers', () => {
  it('a decoder layer reports causal self-attention and cross-attention; needWeights false does not hide them', () => {
    manualSeed(8);
    const layer = new nn.TransformerDecoderLayer(8, 2, { dimFeedforward: 16, batchFirst: true });
    const { events } = collect(() => layer.forward(randn([2, 3, 8]), randn([2, 5, 8]), { tgtMask: nn.generateSquareSubsequentMask(3) }));
    expect(events.map((e) => [e.kind, e.weights.shape])).toEqual([
      ['causal-self', [2, 2, 3, 3]],
      ['cross', [2, 2, 3, 5]],
    ]);
  });
});

describe('trace(): a Transformer drawn layer by layer and head by head', () => {
  const schemas = new URL('../../../engine/schemas/', import.meta.url);
  const ajv = new Ajv({ allErrors: true, strict: false });
  ajv.addSchema(JSON.parse(readFileSync(new URL('common.v1.schema.json', schemas), 'utf8')));
  const validAttention = ajv.compile(JSON.parse(readFileSync(new URL('attention.v1.schema.json', schemas), 'utf8')));
  const payload = (v: unknown) =>
    (v as Record<symbol, () => Record<string, unknown>>)[Symbol.for('Jupyter.display')]!()['application/vnd.seqlab.attention.v1+json'] as {
      queryTokens: string[];
      keyTokens: string[];
      weights: number[][][][];
    };

  it('records encoder self-, decoder causal self- and cross-attention with module names, masks and tokens', () => {
    manualSeed(9);
    const model = new nn.Transformer({ dModel: 8, nhead: 2, numEncoderLayers: 2, numDecoderLayers: 2, dimFeedforward: 16, dropout: 0 });
    const src = randn([5, 1, 8]);
    const tgt = randn([3, 1, 8]);
    const source = ['a', 'b', 'c', 'd', '<pad>'];
    const target = ['<s>', 'x', 'y'];
    const t = trace(
      model,
      () =>
        model.forward(src, tgt, {
          tgtMask: nn.Transformer.generateSquareSubsequentMask(3),
          srcKeyPaddingMask: tensor([[false, false, false, false, true]]),
          memoryKeyPaddingMask: tensor([[false, false, false, false, true]]),
        }),
      { tokens: { source, target } },
    );
    expect(t.attentionRecords.map((r) => `${r.name}:${r.kind}`)).toEqual([
      'encoder.layers.0.self_attn:self',
      'encoder.layers.1.self_attn:self',
      'decoder.layers.0.self_attn:causal-self',
      'decoder.layers.0.multihead_attn:cross',
      'decoder.layers.1.self_attn:causal-self',
      'decoder.layers.1.multihead_attn:cross',
    ]);
    const cross = payload(t.attention('cross'));
    expect(validAttention(cross)).toBe(true);
    expect([cross.queryTokens, cross.keyTokens]).toEqual([target, source]);
    expect([cross.weights.length, cross.weights[0]!.length, cross.weights[0]![0]!.length, cross.weights[0]![0]![0]!.length]).toEqual([2, 2, 3, 5]);
    for (const layer of cross.weights) for (const head of layer) for (const row of head) expect(row[4]).toBe(0);
    const causal = payload(t.attention('causal-self'));
    expect(validAttention(causal)).toBe(true);
    expect(causal.weights[1]![0]![0]!.slice(1)).toEqual([0, 0]);
    const enc = payload(t.attention('self'));
    expect(enc.queryTokens).toEqual(source);
  });
});

describe('printing', () => {
  it('shows PyTorch submodule names and parameter counts', () => {
    const s = new nn.TransformerEncoderLayer(8, 2, { dimFeedforward: 16 }).toString();
    for (const part of ['(self_attn): MultiheadAttention(', '(linear1): Linear(in_features=8, out_features=16, bias=True)  [144 params]', '(norm2): LayerNorm((8,)', '(dropout2): Dropout(p=0.1)']) {
      expect(s).toContain(part);
    }
    const t = new nn.Transformer({ dModel: 8, nhead: 2, numEncoderLayers: 1, numDecoderLayers: 1, dimFeedforward: 16 }).toString();
    expect(t).toContain('(encoder): TransformerEncoder(');
    expect(t).toContain('(multihead_attn): MultiheadAttention(');
    expect(t).toMatch(/Total parameters: [\d,]+/);
    expect(new nn.PositionwiseFeedForward(4, 8).toString()).toContain('(linear2): Linear(in_features=8, out_features=4, bias=True)  [36 params]');
  });
});
