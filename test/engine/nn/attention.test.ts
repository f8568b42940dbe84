/**
 * Attention against PyTorch (test/fixtures/attention.json): scaled dot-product attention,
 * MultiheadAttention, additive attention and the positional encoding — outputs, returned
 * weights and the gradients of every input and parameter, after loading PyTorch's state
 * dict by name. Plus gradchecks, exact zeros at masked keys, shape errors, trace events
 * and printing.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { nn, F, Tensor, tensor, randn, rand, gradcheck, manualSeed, zeros, full } from '../../../engine/src/index.js';
import { withRecorder, type AttentionEvent } from '../../../engine/src/trace/recorder.js';
import { compare } from '../fixtures.js';
import { checkCase, gradcheckModule, loadCases, runCase } from './attention-cases.js';

const fixtures = loadCases('attention.json');
const worst: Record<string, { error: number; name: string }> = {};

function collect<T>(fn: () => T): { result: T; events: AttentionEvent[] } {
  const events: AttentionEvent[] = [];
  const result = withRecorder({ attention: (e) => events.push(e), recurrent: () => {} }, fn);
  return { result, events };
}

describe('attention matches PyTorch (test/fixtures/attention.json)', () => {
  for (const c of fixtures.cases) {
    for (const dtype of ['float32', 'float64'] as const) {
      it(`${c.module}: ${c.name} (${dtype})`, () => {
        const error = checkCase(c, dtype);
        const key = `${c.module} ${dtype}`;
        if (!worst[key] || error > worst[key]!.error) worst[key] = { error, name: c.name };
      });
    }
  }

  it('names parameters and buffers exactly as PyTorch, in PyTorch order', () => {
    for (const c of fixtures.cases) {
      if (c.module === 'scaledDotProductAttention' || c.module === 'PositionalEncoding') continue;
      const m = runCase(c, 'float32').m!;
      expect(Object.keys(m.stateDict()), c.name).toEqual(Object.keys(c.state));
    }
  });

  it('computes the positional encoding table as PyTorch does (rows up to maxLen - 1)', () => {
    for (const c of fixtures.cases.filter((x) => x.module === 'PositionalEncoding')) {
      for (const dtype of ['float32', 'float64'] as const) {
        const { m } = runCase(c, dtype); // forward has run: a float64 table is exact by now
        const pe = (m as nn.PositionalEncoding).pe;
        const table = c.args.options.batchFirst ? pe.select(0, 0) : pe.select(1, 0);
        const rows = table.indexSelect(0, tensor(c.tableRows!, { dtype: 'int32' }));
        const { error, problem } = compare(rows, c.table!);
        expect(problem).toBeNull();
        expect(error, `${c.name} (${dtype})`).toBeLessThanOrEqual(dtype === 'float64' ? 1e-12 : 1e-7);
      }
    }
  });

  afterAll(() => {
    console.log(
      `attention vs PyTorch ${fixtures.torch}: ${fixtures.cases.length} cases; worst relative error: ` +
        Object.entries(worst)
          .map(([k, w]) => `${k} ${w.error.toExponential(2)} (${w.name})`)
          .join('; '),
    );
  });
});

describe('gradcheck (finite differences, float64)', () => {
  it('scaledDotProductAttention with a float mask, causal and scaled', () => {
    manualSeed(1);
    const q = randn([2, 3, 4], { dtype: 'float64', requiresGrad: true });
    const k = randn([2, 5, 4], { dtype: 'float64', requiresGrad: true });
    const v = randn([2, 5, 3], { dtype: 'float64', requiresGrad: true });
    const m = randn([3, 5], { dtype: 'float64' });
    expect(gradcheck((a, b, c) => F.scaledDotProductAttention(a!, b!, c!, { attnMask: m }), [q, k, v])).toBe(true);
    expect(gradcheck((a, b, c) => F.scaledDotProductAttention(a!, b!, c!, { isCausal: true, scale: 0.7 }), [q, k, v])).toBe(true);
  });

  it('MultiheadAttention: inputs and every parameter (addBiasKv, addZeroAttn, masks, weights returned)', () => {
    manualSeed(2);
    const mha = new nn.MultiheadAttention(4, 2, { addBiasKv: true, addZeroAttn: true }).double();
    const q = randn([3, 2, 4], { dtype: 'float64', requiresGrad: true });
    const kv = randn([2, 2, 4], { dtype: 'float64', requiresGrad: true });
    const kpm = tensor([[false, false], [false, true]]);
    const attnMask = tensor([[false, true], [false, false], [true, false]]);
    expect(gradcheckModule(mha, [q, kv], (x, y) => mha.forward(x!, y!, y!, { keyPaddingMask: kpm, attnMask, averageAttnWeights: false }) as [Tensor, Tensor])).toBe(true);
  });

  it('MultiheadAttention with kdim/vdim, batchFirst', () => {
    manualSeed(3);
    const mha = new nn.MultiheadAttention(4, 2, { kdim: 3, vdim: 2, batchFirst: true }).double();
    const q = randn([2, 2, 4], { dtype: 'float64', requiresGrad: true });
    const k = randn([2, 3, 3], { dtype: 'float64', requiresGrad: true });
    const v = randn([2, 3, 2], { dtype: 'float64', requiresGrad: true });
    expect(gradcheckModule(mha, [q, k, v], (a, b, c) => mha.forward(a!, b!, c!)[0])).toBe(true);
  });

  it('AdditiveAttention with valid lengths', () => {
    manualSeed(4);
    const attn = new nn.AdditiveAttention(3, 2, 4).double();
    const q = randn([2, 2, 2], { dtype: 'float64', requiresGrad: true });
    const k = randn([2, 3, 3], { dtype: 'float64', requiresGrad: true });
    const v = randn([2, 3, 2], { dtype: 'float64', requiresGrad: true });
    expect(gradcheckModule(attn, [q, k, v], (a, b, c) => attn.forward(a!, b!, c!, [2, 3]))).toBe(true);
  });

  it('PositionalEncoding (the input gradient passes through)', () => {
    const pe = new nn.PositionalEncoding(4, { dropout: 0, maxLen: 10 }).double();
    const x = randn([3, 2, 4], { dtype: 'float64', requiresGrad: true });
    expect(gradcheck((a) => pe.forward(a!).mul(pe.forward(a!)), [x])).toBe(true);
  });
});

describe('masks: a masked key gets exactly zero weight', () => {
  manualSeed(5);
  const x = randn([4, 2, 8]);
  const mha = new nn.MultiheadAttention(8, 2);

  it('key padding mask (bool) in MultiheadAttention, every head', () => {
    const kpm = tensor([[false, false, true, true], [false, false, false, true]]);
    const [, w] = mha.forward(x, x, x, { keyPaddingMask: kpm, averageAttnWeights: false });
    const a = w!.toArray() as number[][][][];
    for (let b = 0; b < 2; b++) for (let h = 0; h < 2; h++) for (let i = 0; i < 4; i++) for (let j = 0; j < 4; j++) {
      if ((kpm.toArray() as boolean[][])[b]![j]) expect(a[b]![h]![i]![j]).toBe(0);
      else expect(a[b]![h]![i]![j]).toBeGreaterThan(0);
    }
  });

  it('causal float mask (-Infinity) and the same mask as bool give the same result', () => {
    const causal = nn.generateSquareSubsequentMask(4);
    const [o1, w1] = mha.forward(x, x, x, { attnMask: causal });
    const [o2, w2] = mha.forward(x, x, x, { attnMask: causal.eq(-Infinity) });
    expect(o1.toArray()).toEqual(o2.toArray());
    const w = w1!.toArray() as number[][][];
    for (let b = 0; b < 2; b++) for (let i = 0; i < 4; i++) for (let j = i + 1; j < 4; j++) expect(w[b]![i]![j]).toBe(0);
    expect(w2!.toArray()).toEqual(w1!.toArray());
  });

  it('scaledDotProductAttention: bool mask true = attend (PyTorch 2.x), isCausal', () => {
    const q = randn([2, 3, 4]);
    const k = randn([2, 3, 4]);
    const v = eyeValues(2, 3);
    const allow = tensor([[true, false, true], [true, true, false], [false, false, true]]);
    const out = F.scaledDotProductAttention(q, k, v, { attnMask: allow }).toArray() as number[][][];
    // With identity values the output rows are the weights themselves.
    for (let b = 0; b < 2; b++) for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) {
      if (!(allow.toArray() as boolean[][])[i]![j]) expect(out[b]![i]![j]).toBe(0);
    }
    const causal = F.scaledDotProductAttention(q, k, v, { isCausal: true }).toArray() as number[][][];
    for (let b = 0; b < 2; b++) for (let i = 0; i < 3; i++) for (let j = i + 1; j < 3; j++) expect(causal[b]![i]![j]).toBe(0);
    expect(causal[0]![0]![0]).toBe(1);
  });

  it('AdditiveAttention: keys beyond the valid length and padded keys', () => {
    const attn = new nn.AdditiveAttention(2, 3, 5);
    const q = randn([2, 2, 3]);
    const k = randn([2, 4, 2]);
    const v = randn([2, 4, 3]);
    attn.forward(q, k, v, tensor([1, 3], { dtype: 'int32' }));
    const w = attn.attentionWeights!.toArray() as number[][][];
    expect(w[0]![0]!.slice(1)).toEqual([0, 0, 0]);
    expect(w[1]![1]![3]).toBe(0);
    attn.forward(q, k, v, null, { keyPaddingMask: tensor([[false, true, false, false], [false, false, false, true]]) });
    const w2 = attn.attentionWeights!.toArray() as number[][][];
    expect(w2[0]![1]![1]).toBe(0);
    expect(w2[1]![0]![3]).toBe(0);
    // validLens per query [batch, queries]
    attn.forward(q, k, v, tensor([[1, 2], [3, 4]]));
    const w3 = attn.attentionWeights!.toArray() as number[][][];
    expect(w3[0]![1]!.slice(2)).toEqual([0, 0]);
    expect(w3[1]![0]![3]).toBe(0);
    expect(w3[1]![1]![3]).toBeGreaterThan(0);
  });

  it('maskedSoftmax as Dive into Deep Learning: masked entries 0, rows sum to 1, an empty row is uniform', () => {
    const s = rand([2, 2, 4]);
    const out = F.maskedSoftmax(s, tensor([2, 0], { dtype: 'int32' })).toArray() as number[][][];
    expect(out[0]![0]!.slice(2)).toEqual([0, 0]);
    expect(out[0]![0]![0]! + out[0]![0]![1]!).toBeCloseTo(1, 6);
    expect(out[1]![1]).toEqual([0.25, 0.25, 0.25, 0.25]);
  });
});

function eyeValues(batch: number, n: number): Tensor {
  const data: number[][][] = [];
  for (let b = 0; b < batch; b++) data.push(Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 1 : 0))));
  return tensor(data);
}

describe('shapes and errors', () => {
  const mha = new nn.MultiheadAttention(64, 8);

  it('names the expected and actual shapes and the option', () => {
    expect(() => mha.forward(randn([32, 10]), randn([32, 10]), randn([32, 10]))).toThrow(
      'MultiheadAttention: expected query [seq, batch, 64] (batchFirst=false) or unbatched [seq, 64], got [32,10]',
    );
    const bf = new nn.MultiheadAttention(16, 2, { batchFirst: true, kdim: 6 });
    expect(() => bf.forward(randn([2, 3, 16]), randn([2, 3, 5]), randn([2, 3, 16]))).toThrow(
      'MultiheadAttention: expected key [batch, seq, 6] (batchFirst=true) or unbatched [seq, 6], got [2,3,5]',
    );
  });

  it('batch and length mismatches', () => {
    const x = randn([5, 2, 64]);
    expect(() => mha.forward(x, randn([5, 3, 64]), randn([5, 3, 64]))).toThrow(/same batch size/);
    expect(() => mha.forward(x, randn([5, 2, 64]), randn([6, 2, 64]))).toThrow(/same sequence length/);
    expect(() => mha.forward(x, randn([5, 64]), randn([5, 64]))).toThrow(/key and value must be too/);
  });

  it('mask shapes and dtypes', () => {
    const x = randn([5, 2, 64]);
    expect(() => mha.forward(x, x, x, { keyPaddingMask: zeros([2, 4], { dtype: 'bool' }) })).toThrow(
      'MultiheadAttention: expected keyPaddingMask [batch, seq] = [2,5], got [2,4]',
    );
    expect(() => mha.forward(x, x, x, { attnMask: zeros([4, 5], { dtype: 'bool' }) })).toThrow(
      'MultiheadAttention: expected attnMask [target, source] = [5,5] or [batch * numHeads, target, source] = [16,5,5], got [4,5]',
    );
    expect(() => mha.forward(x, x, x, { attnMask: zeros([5, 5], { dtype: 'int32' }) })).toThrow(/attnMask must be a bool tensor .* or a float tensor/);
  });

  it('isCausal is a hint and needs the mask, as in PyTorch', () => {
    const x = randn([5, 2, 64]);
    expect(() => mha.forward(x, x, x, { isCausal: true })).toThrow(/pass attnMask: generateSquareSubsequentMask\(5\)/);
    expect(() => mha.forward(x, x, x, { isCausal: true, attnMask: nn.generateSquareSubsequentMask(5) })).not.toThrow();
  });

  it('constructor arguments', () => {
    expect(() => new nn.MultiheadAttention(10, 3)).toThrow('MultiheadAttention: embedDim (10) must be divisible by numHeads (3)');
    expect(() => new nn.MultiheadAttention(8, 2, { dropout: 2 })).toThrow(/dropout must be a probability/);
    expect(() => new nn.AdditiveAttention(0, 2, 3)).toThrow(/keySize must be a positive integer/);
  });

  it('scaledDotProductAttention', () => {
    const q = randn([2, 3, 4]);
    expect(() => F.scaledDotProductAttention(q, randn([2, 5, 3]), randn([2, 5, 3]))).toThrow(/same feature size E; got query \[2,3,4\] and key \[2,5,3\]/);
    expect(() => F.scaledDotProductAttention(q, q, randn([2, 4, 4]))).toThrow(/same length S/);
    expect(() => F.scaledDotProductAttention(q, q, q, { isCausal: true, attnMask: zeros([3, 3], { dtype: 'bool' }) })).toThrow(/either attnMask or isCausal/);
    expect(() => F.scaledDotProductAttention(q, q, q, { attnMask: zeros([4, 3]) })).toThrow('scaledDotProductAttention: attnMask [4,3] must broadcast to the scores [..., L, S] = [2,3,3]');
    expect(() => F.scaledDotProductAttention(randn([2, 3, 4]), randn([3, 3, 4]), randn([3, 3, 4]))).toThrow(/cannot be broadcast together/);
  });

  it('AdditiveAttention, PositionalEncoding, maskedSoftmax', () => {
    const attn = new nn.AdditiveAttention(2, 3, 4);
    expect(() => attn.forward(randn([2, 1, 4]), randn([2, 5, 2]), randn([2, 5, 3]))).toThrow(
      'AdditiveAttention: expected queries [batch, queries, 3] (querySize=3), got [2,1,4]',
    );
    expect(() => attn.forward(randn([2, 1, 3]), randn([2, 5, 2]), randn([2, 4, 3]))).toThrow(/expected values \[batch, keys, features\] = \[2, 5, features\]/);
    expect(() => attn.forward(randn([2, 1, 3]), randn([2, 5, 2]), randn([2, 5, 3]), [1, 2, 3])).toThrow(/validLens must have shape \[2\]/);
    const pe = new nn.PositionalEncoding(8, { maxLen: 4 });
    expect(() => pe.forward(randn([5, 1, 8]))).toThrow('PositionalEncoding: the input has 5 positions but the table covers maxLen=4; create the module with a larger maxLen');
    expect(() => pe.forward(randn([3, 1, 6]))).toThrow('PositionalEncoding: expected input [seq, batch, 8] (batchFirst=false) or unbatched [seq, 8], got [3,1,6]');
    expect(() => F.maskedSoftmax(randn([2, 3]), tensor([1, 2, 3]))).toThrow(/validLens must have shape/);
  });

  it('returns the shapes PyTorch returns', () => {
    const m = new nn.MultiheadAttention(8, 2);
    const [o, w] = m.forward(randn([5, 3, 8]), randn([7, 3, 8]), randn([7, 3, 8]));
    expect([o.shape, w!.shape]).toEqual([[5, 3, 8], [3, 5, 7]]);
    const [o2, w2] = m.forward(randn([5, 8]), randn([7, 8]), randn([7, 8]), { averageAttnWeights: false });
    expect([o2.shape, w2!.shape]).toEqual([[5, 8], [2, 5, 7]]);
    const [, w3] = m.forward(randn([5, 3, 8]), randn([7, 3, 8]), randn([7, 3, 8]), { needWeights: false });
    expect(w3).toBeNull();
    const b = new nn.MultiheadAttention(8, 4, { batchFirst: true, kdim: 3, vdim: 5, addBiasKv: true, addZeroAttn: true });
    const [o4, w4] = b.forward(randn([3, 5, 8]), randn([3, 7, 3]), randn([3, 7, 5]), { averageAttnWeights: false });
    expect([o4.shape, w4!.shape]).toEqual([[3, 5, 8], [3, 4, 5, 9]]);
  });
});

describe('F.multiHeadAttentionForward', () => {
  it('is the maths behind MultiheadAttention (same result from the module parameters), and reports with module null', () => {
    manualSeed(12);
    const mha = new nn.MultiheadAttention(8, 2, { addBiasKv: true });
    mha.eval();
    const q = randn([3, 2, 8]);
    const kv = randn([4, 2, 8]);
    const kpm = tensor([[false, false, false, true], [false, false, false, false]]);
    const [o1, w1] = mha.forward(q, kv, kv, { keyPaddingMask: kpm });
    const { result, events } = collect(() =>
      F.multiHeadAttentionForward(q, kv, kv, {
        numHeads: 2,
        inProjWeight: mha.in_proj_weight,
        inProjBias: mha.in_proj_bias,
        biasK: mha.bias_k,
        biasV: mha.bias_v,
        outProjWeight: mha.out_proj.weight,
        outProjBias: mha.out_proj.bias,
        keyPaddingMask: kpm,
      }),
    );
    expect(result[0].toArray()).toEqual(o1.toArray());
    expect(result[1]!.toArray()).toEqual(w1!.toArray());
    expect(events.map((e) => [e.module, e.kind])).toEqual([[null, 'cross']]);
    expect(() => F.multiHeadAttentionForward(q, kv, kv, { numHeads: 3, inProjWeight: mha.in_proj_weight, outProjWeight: mha.out_proj.weight })).toThrow(
      'multiHeadAttentionForward: the embedding size 8 is not divisible by numHeads 3',
    );
    expect(() => F.multiHeadAttentionForward(q, kv, kv, { numHeads: 2, inProjWeight: mha.out_proj.weight, outProjWeight: mha.out_proj.weight })).toThrow(
      'multiHeadAttentionForward: inProjWeight must have shape [24,8], got [8,8]',
    );
  });
});

describe('initialisation and parameters as PyTorch', () => {
  it('Xavier uniform in_proj_weight, zero biases, Xavier normal bias_k/bias_v', () => {
    manualSeed(11);
    const m = new nn.MultiheadAttention(32, 4, { addBiasKv: true });
    const bound = Math.sqrt(6 / (32 + 96));
    const w = m.in_proj_weight!.toTypedArray();
    expect(Math.max(...Array.from(w, Math.abs))).toBeLessThanOrEqual(bound);
    expect(Math.max(...Array.from(w, Math.abs))).toBeGreaterThan(0.9 * bound);
    expect(Array.from(m.in_proj_bias!.toTypedArray()).every((x) => x === 0)).toBe(true);
    expect(Array.from(m.out_proj.bias!.toTypedArray()).every((x) => x === 0)).toBe(true);
    expect(m.bias_k!.shape).toEqual([1, 1, 32]);
    expect(Object.keys(m.stateDict())).toEqual(['in_proj_weight', 'in_proj_bias', 'bias_k', 'bias_v', 'out_proj.weight', 'out_proj.bias']);
    const sep = new nn.MultiheadAttention(8, 2, { kdim: 3, vdim: 5, bias: false });
    expect(Object.entries(sep.stateDict()).map(([k, v]) => `${k}:${v.shape}`)).toEqual([
      'q_proj_weight:8,8',
      'k_proj_weight:8,3',
      'v_proj_weight:8,5',
      'out_proj.weight:8,8',
    ]);
  });

  it('positional encoding values: sin on even, cos on odd features; saved in the state dict', () => {
    const pe = new nn.PositionalEncoding(4, { maxLen: 3, dropout: 0 });
    const t = pe.pe.select(1, 0).toArray() as number[][];
    expect(t[0]).toEqual([0, 1, 0, 1]);
    expect(t[2]![0]).toBeCloseTo(Math.sin(2), 6);
    expect(t[2]![3]).toBeCloseTo(Math.cos(2 / 100), 6);
    expect(Object.keys(pe.stateDict())).toEqual(['pe']);
    expect(new nn.PositionalEncoding(4, { batchFirst: true, maxLen: 3 }).pe.shape).toEqual([1, 3, 4]);
    // eval mode: no dropout; unbatched input
    pe.eval();
    expect(pe.forward(zeros([2, 4])).toArray()).toEqual(pe.pe.select(1, 0).narrow(0, 0, 2).toArray());
  });
});

describe('trace events', () => {
  manualSeed(6);
  const x = randn([4, 2, 8]);

  it('MultiheadAttention self-attention: one event, [batch, heads, q, k], rows sum to 1, even with needWeights false', () => {
    const mha = new nn.MultiheadAttention(8, 2);
    const { events } = collect(() => mha.forward(x, x, x, { needWeights: false }));
    expect(events).toHaveLength(1);
    const e = events[0]!;
    expect(e.module).toBe(mha);
    expect(e.kind).toBe('self');
    expect(e.weights.shape).toEqual([2, 2, 4, 4]);
    expect(e.mask).toBeNull();
    const sums = e.weights.sum(-1).toTypedArray();
    for (const s of sums) expect(s).toBeCloseTo(1, 6);
  });

  it('causal masks give kind causal-self and a bool mask, true above the diagonal', () => {
    const mha = new nn.MultiheadAttention(8, 2);
    for (const attnMask of [nn.generateSquareSubsequentMask(4), nn.generateSquareSubsequentMask(4).eq(-Infinity)]) {
      const { events } = collect(() => mha.forward(x, x, x, { attnMask }));
      const e = events[0]!;
      expect(e.kind).toBe('causal-self');
      expect(e.mask!.dtype).toBe('bool');
      expect(e.mask!.shape).toEqual([2, 2, 4, 4]);
      expect(e.mask!.select(0, 1).select(0, 0).toArray()).toEqual([
        [false, true, true, true],
        [false, false, true, true],
        [false, false, false, true],
        [false, false, false, false],
      ]);
    }
  });

  it('cross-attention, key padding and extra keys (addBiasKv, addZeroAttn) in the mask', () => {
    const mha = new nn.MultiheadAttention(8, 2, { addBiasKv: true, addZeroAttn: true });
    const mem = randn([3, 2, 8]);
    const kpm = tensor([[false, false, true], [false, false, false]]);
    const { events } = collect(() => mha.forward(x, mem, mem, { keyPaddingMask: kpm }));
    const e = events[0]!;
    expect(e.kind).toBe('cross');
    expect(e.weights.shape).toEqual([2, 2, 4, 5]);
    expect(e.mask!.select(0, 0).select(0, 0).select(0, 0).toArray()).toEqual([false, false, true, false, false]);
    expect(e.mask!.select(0, 1).select(0, 1).select(0, 3).toArray()).toEqual([false, false, false, false, false]);
  });

  it('unbatched input reports a batch of one; float -Infinity masks count as masked', () => {
    const mha = new nn.MultiheadAttention(8, 2);
    const u = randn([3, 8]);
    const { events } = collect(() => mha.forward(u, u, u, { keyPaddingMask: tensor([0, -Infinity, 0]) }));
    expect(events[0]!.weights.shape).toEqual([1, 2, 3, 3]);
    expect(events[0]!.mask!.select(0, 0).select(0, 0).select(0, 2).toArray()).toEqual([false, true, false]);
  });

  it('scaledDotProductAttention reports with module null; AdditiveAttention as additive [batch, 1, q, k]', () => {
    const q = randn([2, 3, 5, 4]);
    const { events } = collect(() => {
      F.scaledDotProductAttention(q, q, q, { isCausal: true });
      F.scaledDotProductAttention(q, q, q);
      F.scaledDotProductAttention(q, randn([2, 3, 6, 4]), randn([2, 3, 6, 4]));
      F.scaledDotProductAttention(randn([5, 4]), randn([6, 4]), randn([6, 4]), { attnMask: full([5, 6], 1, { dtype: 'bool' }) });
    });
    expect(events.map((e) => [e.module, e.kind, e.weights.shape])).toEqual([
      [null, 'causal-self', [2, 3, 5, 5]],
      [null, 'self', [2, 3, 5, 5]],
      [null, 'other', [2, 3, 5, 6]],
      [null, 'other', [1, 1, 5, 6]],
    ]);
    expect(events[3]!.mask!.any().item()).toBe(0);
    const attn = new nn.AdditiveAttention(2, 3, 4);
    const a = collect(() => attn.forward(randn([2, 1, 3]), randn([2, 4, 2]), randn([2, 4, 3]), [2, 4])).events;
    expect(a).toHaveLength(1);
    expect(a[0]!.kind).toBe('additive');
    expect(a[0]!.module).toBe(attn);
    expect(a[0]!.weights.shape).toEqual([2, 1, 1, 4]);
    expect(a[0]!.mask!.toArray()).toEqual([[[[false, false, true, true]]], [[[false, false, false, false]]]]);
  });

  it('reports nothing when no trace is active', () => {
    const events: AttentionEvent[] = [];
    const recorder = { attention: (e: AttentionEvent) => events.push(e), recurrent: () => {} };
    withRecorder(recorder, () => {}); // active only inside
    const mha = new nn.MultiheadAttention(8, 2);
    mha.forward(x, x, x);
    F.scaledDotProductAttention(x, x, x);
    new nn.AdditiveAttention(8, 8, 4).forward(x, x, x);
    expect(events).toHaveLength(0);
  });
});

describe('printing', () => {
  it('MultiheadAttention and AdditiveAttention print like PyTorch modules, with parameter counts', () => {
    const s = new nn.MultiheadAttention(8, 2, { batchFirst: true }).toString();
    expect(s).toContain('MultiheadAttention(');
    expect(s).toContain('embed_dim=8, num_heads=2, batch_first=True');
    expect(s).toContain('(out_proj): Linear(in_features=8, out_features=8, bias=True)  [72 params]');
    expect(s).toContain('Total parameters: 288');
    const a = new nn.AdditiveAttention(2, 3, 4, 0.1).toString();
    expect(a).toContain('(W_k): Linear(in_features=2, out_features=4, bias=False)  [8 params]');
    expect(a).toContain('(w_v): Linear(in_features=4, out_features=1, bias=False)  [4 params]');
    expect(a).toContain('(dropout): Dropout(p=0.1)');
    expect(new nn.PositionalEncoding(16).toString()).toContain('d_model=16, max_len=5000');
  });
});

describe('float64 runs use float64 throughout', () => {
  it('a float64 MultiheadAttention gives float64 outputs and weights', () => {
    const m = new nn.MultiheadAttention(4, 2).double();
    const x = randn([3, 2, 4], { dtype: 'float64' });
    const [o, w] = m.forward(x, x, x, { attnMask: nn.generateSquareSubsequentMask(3) });
    expect([o.dtype, w!.dtype]).toEqual(['float64', 'float64']);
  });
});
