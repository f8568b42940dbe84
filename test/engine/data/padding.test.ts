/** Padding variable-length sequences, padding masks and lengths. */
import { describe, expect, it } from 'vitest';
import { data, tensor, Tensor } from '../../../engine/src/index.js';

const { padSequence, lengthsToMask, padBatch } = data;

describe('padSequence (PyTorch pad_sequence semantics)', () => {
  it('pads token index arrays to int32 [maxLen, batch] (default) or [batch, maxLen]', () => {
    const seqs = [[5, 6, 7], [8], [9, 10]];
    const tb = padSequence(seqs);
    expect(tb.dtype).toBe('int32');
    expect(tb.toArray()).toEqual([
      [5, 8, 9],
      [6, 0, 10],
      [7, 0, 0],
    ]);
    expect(padSequence(seqs, { batchFirst: true, paddingValue: 1 }).toArray()).toEqual([
      [5, 6, 7],
      [8, 1, 1],
      [9, 10, 1],
    ]);
  });

  it('pads float tensors with trailing dimensions and passes gradients to the sequences', () => {
    const a = tensor([[1, 2], [3, 4], [5, 6]], { requiresGrad: true });
    const b = tensor([[7, 8]], { requiresGrad: true });
    const out = padSequence([a, b], { batchFirst: true, paddingValue: -1 });
    expect(out.shape).toEqual([2, 3, 2]);
    expect(out.toArray()).toEqual([
      [[1, 2], [3, 4], [5, 6]],
      [[7, 8], [-1, -1], [-1, -1]],
    ]);
    out.mul(tensor([1, 2])).sum().backward();
    expect(b.grad!.toArray()).toEqual([[1, 2]]);
    expect(a.grad!.toArray()).toEqual([[1, 2], [1, 2], [1, 2]]);
  });

  it('rejects mismatched trailing shapes, empty lists and fractional token ids', () => {
    expect(() => padSequence([tensor([[1, 2]]), tensor([[1, 2, 3]])])).toThrow(/every sequence must have shape \[length,2\] like sequences\[0\] \[1,2\], but sequences\[1\] is \[1,3\]/);
    expect(() => padSequence([])).toThrow(/non-empty array of sequences/);
    expect(() => padSequence([[1, 2.5]])).toThrow(/sequences\[0\]\[1\] is number 2.5/);
    expect(() => padSequence([[1]], { paddingValue: 0.5 })).toThrow(/paddingValue 0.5 is not an integer/);
  });
});

describe('lengthsToMask and padBatch', () => {
  it('marks padding positions true (the keyPaddingMask convention)', () => {
    const m = lengthsToMask([3, 1, 0]);
    expect(m.dtype).toBe('bool');
    expect(m.toArray()).toEqual([
      [false, false, false],
      [false, true, true],
      [true, true, true],
    ]);
    expect(lengthsToMask(tensor([2, 1], { dtype: 'int32' }), 4).toArray()).toEqual([
      [false, false, true, true],
      [false, true, true, true],
    ]);
    expect(() => lengthsToMask([5], 3)).toThrow(/a length of 5 does not fit in maxLen 3/);
    expect(() => lengthsToMask([-1])).toThrow(/lengths\[0\] must be a non-negative integer/);
  });

  it('padBatch returns the padded batch, its mask and its lengths', () => {
    const { padded, paddingMask, lengths } = padBatch([[4, 5], [6, 7, 8]], { batchFirst: true, paddingValue: 1 });
    expect(padded.toArray()).toEqual([
      [4, 5, 1],
      [6, 7, 8],
    ]);
    expect(paddingMask.toArray()).toEqual([
      [false, false, true],
      [false, false, false],
    ]);
    expect(lengths).toBeInstanceOf(Tensor);
    expect([lengths.dtype, lengths.toArray()]).toEqual(['int32', [2, 3]]);
  });
});
