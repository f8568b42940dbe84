/** The lecture's encoder-decoder with additive attention: shapes, errors, traces, decoding. */
import { describe, expect, it } from 'vitest';
import { nn, tensor, manualSeed, trace } from '../../../engine/src/index.js';

const ids = (rows: number[][]) => tensor(rows, { dtype: 'int32' });

describe('Seq2Seq with additive attention', () => {
  it('produces [batch, steps, vocab] logits with GRU or LSTM layers and names its parts like D2L', () => {
    manualSeed(1);
    for (const cell of ['gru', 'lstm'] as const) {
      const m = new nn.Seq2Seq(7, 9, { embedSize: 4, hiddenSize: 6, numLayers: 2, cell });
      const logits = m.forward(ids([[1, 2, 3], [4, 5, 0]]), ids([[1, 6, 7, 8], [1, 2, 3, 4]]), [3, 2]);
      expect(logits.shape).toEqual([2, 4, 9]);
      logits.sum().backward();
      for (const [name, p] of m.namedParameters()) expect(p.grad, name).not.toBeNull();
    }
    const names = Object.keys(new nn.Seq2Seq(5, 5).stateDict());
    expect(names).toContain('decoder.attention.W_q.weight');
    expect(names).toContain('encoder.rnn.weight_hh_l1');
  });

  it('masks source padding: padded positions get no attention', () => {
    manualSeed(2);
    const m = new nn.Seq2Seq(6, 6, { hiddenSize: 8 });
    const { attention } = m.greedyDecode(ids([[1, 2, 0, 0]]), { bos: 1, eos: 5, maxLength: 3, srcValidLens: [2] });
    for (const step of attention[0]!) {
      expect(step[2]).toBe(0);
      expect(step[3]).toBe(0);
      expect(step[0]! + step[1]!).toBeCloseTo(1, 5);
    }
  });

  it('draws one target × source alignment map in a trace', () => {
    manualSeed(3);
    const m = new nn.Seq2Seq(6, 6, { hiddenSize: 8 });
    const t = trace(m, () => m.forward(ids([[1, 2, 3]]), ids([[1, 4, 4, 5]])), { tokens: { source: ['a', 'b', 'c'], target: ['<bos>', 'x', 'y', 'z'] } });
    expect(t.attentionRecords.length).toBe(1);
    expect(t.attentionRecords[0]!.weights.shape).toEqual([1, 1, 4, 3]);
    const payload = (t.attention('additive') as unknown as { payload: { queryTokens: string[]; keyTokens: string[] } }).payload;
    expect(payload.queryTokens).toEqual(['<bos>', 'x', 'y', 'z']);
    expect(payload.keyTokens).toEqual(['a', 'b', 'c']);
  });

  it('reads the source in both directions with bidirectional: annotations and states join the two halves', () => {
    manualSeed(4);
    for (const cell of ['gru', 'lstm'] as const) {
      const m = new nn.Seq2Seq(7, 9, { embedSize: 4, hiddenSize: 6, numLayers: 2, cell, bidirectional: true });
      expect(m.encoder.rnn.hiddenSize).toBe(3);
      expect(m.encoder.rnn.bidirectional).toBe(true);
      const src = ids([[1, 2, 3, 4], [4, 5, 6, 1]]);
      const [out, state] = m.encoder.forward(src);
      expect(out.shape).toEqual([2, 4, 6]);
      const h = Array.isArray(state) ? state[0] : state;
      expect(h.shape).toEqual([2, 2, 6]);
      // Top layer: the forward half ends at the last step, the reverse half at the first.
      const top = h.select(0, 1);
      expect(top.narrow(1, 0, 3).toArray()).toEqual(out.select(1, 3).narrow(1, 0, 3).toArray());
      expect(top.narrow(1, 3, 3).toArray()).toEqual(out.select(1, 0).narrow(1, 3, 3).toArray());
      // Layer 0 from the recurrent layer's own [layers * directions, batch, h] state.
      const raw = m.encoder.rnn.forward(m.encoder.embedding.forward(src))[1];
      const rawH = Array.isArray(raw) ? raw[0] : raw;
      expect(h.select(0, 0).toArray()).toEqual([...Array(2).keys()].map((b) => [...rawH.select(0, 0).select(0, b).toArray() as number[], ...rawH.select(0, 1).select(0, b).toArray() as number[]]));
      const logits = m.forward(src, ids([[1, 6, 7], [1, 2, 3]]), [4, 4]);
      expect(logits.shape).toEqual([2, 3, 9]);
      logits.sum().backward();
      for (const [name, p] of m.namedParameters()) expect(p.grad, name).not.toBeNull();
      expect(m.greedyDecode(src, { bos: 1, eos: 2, maxLength: 3 }).ids.length).toBe(2);
    }
  });

  it('explains bad input', () => {
    const m = new nn.Seq2Seq(5, 5);
    expect(() => m.forward(tensor([[1, 2]]), ids([[1]]))).toThrow('Seq2SeqEncoder: src must be an int32 tensor of indices, got float32');
    expect(() => m.forward(ids([[1, 2]]), ids([1]) as never)).toThrow('AttentionDecoder: expected tgtIn [batch, steps] of token ids, got [1]');
    expect(() => new nn.Seq2Seq(5, 5, { hiddenSize: 7, bidirectional: true })).toThrow('Seq2SeqEncoder: bidirectional needs an even hiddenSize (hiddenSize / 2 units per direction), got 7');
    expect(() => new nn.Seq2Seq(5, 5, { hidden: 8 } as never)).toThrow("Seq2SeqEncoder: unknown option 'hidden'");
  });
});

describe('Embedding with a padding index', () => {
  it('starts the padding row at zero and never trains it', () => {
    const e = new nn.Embedding(4, 3, { paddingIdx: 1 });
    expect(e.weight.select(0, 1).toArray()).toEqual([0, 0, 0]);
    e.forward(ids([[1, 2, 1]])).sum().backward();
    expect(e.weight.grad!.select(0, 1).toArray()).toEqual([0, 0, 0]);
    expect(e.weight.grad!.select(0, 2).toArray()).toEqual([1, 1, 1]);
  });
});
