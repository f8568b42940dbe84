/**
 * models.GPT: logits and every parameter gradient against a PyTorch model of the same
 * layout (test/fixtures/gpt.json, generators/gpt.py), including the ablation switches; the
 * key/value cache against full forward passes; generation with and without the cache;
 * causality; tracing; and the errors.
 */
import { describe, expect, it } from 'vitest';
import { Generator, manualSeed, models, noGrad, tensor, trace, type Tensor } from '../../../engine/src/index.js';
import { compare, decode, loadFixtures, type EncodedTensor } from '../fixtures.js';

interface GptCase {
  name: string;
  config: models.GPTConfig;
  state: Record<string, EncodedTensor>;
  ids: EncodedTensor;
  logits: EncodedTensor;
  gradOutput: EncodedTensor;
  grads: Record<string, EncodedTensor>;
}

const ids = (rows: number[][]) => tensor(rows, { dtype: 'int32' });

describe('models.GPT against PyTorch', () => {
  const fixtures = loadFixtures('gpt.json') as unknown as { cases: GptCase[] };
  for (const c of fixtures.cases) {
    it(c.name, () => {
      const model = new models.GPT(c.config).double();
      const loaded = model.loadStateDict(Object.fromEntries(Object.entries(c.state).map(([k, v]) => [k, decode(v, 'float64')])));
      expect(loaded.missingKeys).toEqual([]);
      expect(loaded.unexpectedKeys).toEqual([]);
      const logits = model.forward(decode(c.ids, 'float64'));
      const out = compare(logits, c.logits);
      expect(out.problem).toBeNull();
      expect(out.error).toBeLessThan(1e-10);
      logits.mul(decode(c.gradOutput, 'float64')).sum().backward();
      for (const [name, p] of model.namedParameters()) {
        const g = compare(p.grad!, c.grads[name]!);
        expect(g.problem, name).toBeNull();
        expect(g.error, name).toBeLessThan(1e-9);
      }
    });
  }
});

describe('models.GPT', () => {
  const config = { vocabSize: 11, blockSize: 12, nLayer: 2, nHead: 2, nEmbd: 16 };

  it('has nanoGPT parameter names and GPT-2 initialisation', () => {
    manualSeed(0);
    const m = new models.GPT({ ...config, nLayer: 3 });
    const names = [...m.namedParameters()].map(([n]) => n);
    expect(names.slice(0, 5)).toEqual(['wte.weight', 'wpe.weight', 'h.0.ln_1.weight', 'h.0.ln_1.bias', 'h.0.attn.c_attn.weight']);
    expect(names).toContain('h.2.mlp.c_proj.weight');
    expect(names.at(-1)).toBe('lm_head.weight');
    expect(Object.keys(m.stateDict())).toEqual(names); // the causal masks are not saved
    expect(m.wte.weight.std().item()).toBeCloseTo(0.02, 2);
    expect(m.h.at(0).mlp.c_proj.weight.std().item()).toBeCloseTo(0.02 / Math.sqrt(6), 3);
    expect(m.h.at(0).attn.c_attn.bias!.abs().max().item()).toBe(0);
  });

  it('is causal: a token changes no earlier logits', () => {
    manualSeed(1);
    const m = new models.GPT(config);
    const a = noGrad(() => m.forward(ids([[1, 2, 3, 4, 5, 6]])));
    const b = noGrad(() => m.forward(ids([[1, 2, 3, 9, 5, 6]])));
    const diff = a.sub(b).abs().max(-1)[0].reshape([-1]).toArray() as number[];
    expect(diff.slice(0, 3)).toEqual([0, 0, 0]);
    expect(Math.min(...diff.slice(3))).toBeGreaterThan(0);
  });

  it('with a key/value cache gives the logits of the full forward pass, one position at a time', () => {
    manualSeed(2);
    const m = new models.GPT(config);
    m.eval();
    const seq = [3, 1, 4, 1, 5, 9, 2, 6, 5, 3];
    const full = noGrad(() => m.forward(ids([seq, seq.slice().reverse()])));
    const cache = m.newCache();
    const prefill = noGrad(() => m.forward(ids([seq.slice(0, 4), seq.slice().reverse().slice(0, 4)]), { cache }));
    expect(cache.length).toBe(4);
    const steps: Tensor[] = [prefill];
    for (let t = 4; t < seq.length; t++) steps.push(noGrad(() => m.forward(ids([[seq[t]!], [seq[seq.length - 1 - t]!]]), { cache })));
    expect(cache.length).toBe(seq.length);
    const pieces = steps.flatMap((s) => Array.from({ length: s.shape[1]! }, (_, i) => s.select(1, i)));
    pieces.forEach((p, t) => expect(p.sub(full.select(1, t)).abs().max().item()).toBeLessThan(1e-5));
    cache.clear();
    expect(cache.length).toBe(0);
  });

  it('generates the same text with and without the cache', () => {
    manualSeed(3);
    const m = new models.GPT(config);
    for (const options of [{ temperature: 0 }, { temperature: 0.8, topK: 4 }, { temperature: 1.5 }]) {
      const cached = m.generate([1, 2], { maxNewTokens: 9, useCache: true, ...options, generator: new Generator(7) });
      const uncached = m.generate([1, 2], { maxNewTokens: 9, useCache: false, ...options, generator: new Generator(7) });
      expect(cached).toEqual(uncached);
      expect(cached).toHaveLength(11);
    }
    // Past the block size the cache restarts from the last half of the window.
    expect(m.generate([1], { maxNewTokens: 30, generator: new Generator(1) })).toHaveLength(31);
    expect(m.training).toBe(true);
  });

  it('trains: the loss on a repeated pattern falls', async () => {
    const { optim, crossEntropy } = await import('../../../engine/src/index.js');
    manualSeed(4);
    const m = new models.GPT({ ...config, vocabSize: 5 });
    const opt = new optim.AdamW(m.parameters(), { lr: 1e-2 });
    const x = ids([[0, 1, 2, 3, 4, 0, 1, 2, 3, 4, 0]]);
    const y = ids([[1, 2, 3, 4, 0, 1, 2, 3, 4, 0, 1]]);
    const losses: number[] = [];
    for (let i = 0; i < 30; i++) {
      const loss = crossEntropy(m.forward(x).reshape([-1, 5]), y.reshape([-1]));
      opt.zeroGrad();
      loss.backward();
      opt.step();
      losses.push(loss.item());
    }
    expect(losses[0]).toBeGreaterThan(1.4);
    expect(losses.at(-1)).toBeLessThan(0.1);
  });

  it('reports each layer\'s causal attention to a trace, with the mask', () => {
    manualSeed(5);
    const m = new models.GPT(config);
    const t = trace(m, () => m.forward(ids([[1, 2, 3, 4]])), { tokens: ['a', 'b', 'c', 'd'] });
    expect(t.attentionRecords.map((r) => [r.name, r.kind])).toEqual([['h.0.attn', 'causal-self'], ['h.1.attn', 'causal-self']]);
    const w = t.attentionRecords[0]!.weights;
    expect(w.shape).toEqual([1, 2, 4, 4]);
    expect(w.select(3, 3).narrow(2, 0, 3).abs().max().item()).toBe(0); // nobody before position 3 sees it
    expect(t.attention('causal-self').payload.layerNames).toEqual(['h.0.attn', 'h.1.attn']);
  });

  it('can drop its residual connections and LayerNorms', () => {
    const plain = new models.GPT({ ...config, residual: false, layerNorm: false });
    expect(plain.ln_f).toBeNull();
    expect(plain.h.at(0).ln_1).toBeNull();
    expect([...plain.namedParameters()].some(([n]) => n.includes('ln_'))).toBe(false);
    expect(plain.toString()).toContain('residual=False, layer_norm=False');
  });

  it('names what is wrong', () => {
    expect(() => new models.GPT({ ...config, nHead: 3 })).toThrow('nEmbd (16) must be divisible by nHead (3)');
    expect(() => new models.GPT({ ...config, blockSize: 0 })).toThrow('config.blockSize must be a positive integer');
    expect(() => new models.GPT({ ...config, layers: 2 } as never)).toThrow("unknown config key 'layers'");
    expect(() => new models.GPT({ ...config, activation: 'tanh' } as never)).toThrow("activation must be 'gelu' or 'relu'");
    const m = new models.GPT(config);
    expect(() => m.forward(ids([[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 1, 2, 3]]))).toThrow('13 positions exceed the block size 12');
    expect(() => m.forward(tensor([[1, 2]]))).toThrow('int32 Tensor [batch, T], got float32 [1,2]');
    expect(() => m.generate([], { maxNewTokens: 2 })).toThrow('non-empty array of token ids in [0, 11)');
    expect(() => m.generate([11], { maxNewTokens: 2 })).toThrow('token ids in [0, 11)');
    const cache = m.newCache();
    noGrad(() => m.forward(ids([[1, 2, 3, 4, 5, 6, 7, 8, 9, 10]]), { cache }));
    expect(() => m.forward(ids([[1, 2, 3]]), { cache })).toThrow('10 cached + 3 positions exceed the block size 12');
    expect(() => m.forward(ids([[1]]), { cache: new models.GPT({ ...config, nLayer: 1 }).newCache() })).toThrow('a KVCache of this model');
  });
});

describe('models.RecurrentLM and languageModelLoss', () => {
  it('is embedding, recurrent layers and a linear layer; its loss is the mean cross-entropy per token', () => {
    manualSeed(6);
    const lm = new models.RecurrentLM({ vocabSize: 7, embedSize: 4, hiddenSize: 5, cell: 'gru', numLayers: 2 });
    const [logits, h] = lm.forward(ids([[1, 2, 3], [4, 5, 6]]));
    expect(logits.shape).toEqual([2, 3, 7]);
    expect((h as Tensor).shape).toEqual([2, 2, 5]);
    expect(Object.keys(lm.stateDict())).toContain('rnn.weight_hh_l1');
    const corpus = Int32Array.from({ length: 200 }, (_, i) => (i * 3) % 7);
    const loss = models.languageModelLoss(lm, corpus, { batchSize: 2, numSteps: 10, batches: 3 });
    // The same by hand: the first three batches of the sequential partition at offset 0.
    const stream = 200 / 2;
    let nll = 0;
    for (let b = 0; b < 3; b++) {
      const X = ids([0, 1].map((r) => Array.from(corpus.subarray(r * (stream - 1) + b * 10, r * (stream - 1) + b * 10 + 10))));
      const lp = noGrad(() => lm.forward(X)[0].logSoftmax(-1));
      for (let r = 0; r < 2; r++) for (let t = 0; t < 10; t++) nll -= lp.select(0, r).select(0, t).toArray()[corpus[r * (stream - 1) + b * 10 + t + 1]!] as number;
    }
    expect(loss).toBeCloseTo(nll / 60, 5);
    expect(() => new models.RecurrentLM({ vocabSize: 7, embedSize: 4, hiddenSize: 5, cell: 'transformer' as never })).toThrow("cell must be 'lstm', 'gru' or 'rnn'");
  });
});
