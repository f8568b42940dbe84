/**
 * Language-model minibatches: D2L's sequential partitioning gives exactly D2L's batches
 * for a given offset; random partitioning gives the same windows in a seeded order.
 */
import { describe, expect, it } from 'vitest';
import { data, Generator, manualSeed, tensor, type Tensor } from '../../../engine/src/index.js';

const { seqDataIterRandom, seqDataIterSequential, SeqDataLoader, splitCorpus } = data;
const range = (a: number, b: number): number[] => Array.from({ length: b - a }, (_, i) => a + i);
const mySeq = range(0, 35); // D2L's example corpus

function collect(it: Iterable<[Tensor, Tensor]>): [number[][], number[][]][] {
  return Array.from(it, ([X, Y]) => [X.toArray() as number[][], Y.toArray() as number[][]]);
}

describe('seqDataIterSequential', () => {
  it("gives D2L's batches: rows continue across batches (offset 0)", () => {
    const batches = collect(seqDataIterSequential(mySeq, 2, 5, { offset: 0 }));
    expect(batches).toEqual([
      [[range(0, 5), range(17, 22)], [range(1, 6), range(18, 23)]],
      [[range(5, 10), range(22, 27)], [range(6, 11), range(23, 28)]],
      [[range(10, 15), range(27, 32)], [range(11, 16), range(28, 33)]],
    ]);
  });

  it('offset 3, and the yielded tensors are int32 [batch, numSteps]', () => {
    const it = seqDataIterSequential(Int32Array.from(mySeq), 2, 5, { offset: 3 });
    const [X, Y] = it.next().value as [Tensor, Tensor];
    expect(X.dtype).toBe('int32');
    expect(X.shape).toEqual([2, 5]);
    expect(X.toArray()).toEqual([range(3, 8), range(18, 23)]);
    expect(Y.toArray()).toEqual([range(4, 9), range(19, 24)]);
    expect(collect(it).map(([x]) => x)).toEqual([
      [range(8, 13), range(23, 28)],
      [range(13, 18), range(28, 33)],
    ]);
  });

  it('draws the offset in [0, numSteps] from the generator, reproducibly', () => {
    const firsts = new Set<number>();
    for (let seed = 0; seed < 60; seed++) {
      const [[X]] = collect(seqDataIterSequential(mySeq, 2, 5, { generator: new Generator(seed) }));
      firsts.add(X![0]![0]!);
    }
    expect([...firsts].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5]);
    manualSeed(11);
    const a = collect(seqDataIterSequential(mySeq, 2, 5));
    manualSeed(11);
    expect(collect(seqDataIterSequential(mySeq, 2, 5))).toEqual(a);
  });
});

describe('seqDataIterRandom', () => {
  it('uses each non-overlapping window once, with Y = X shifted by one (offset 2)', () => {
    const batches = collect(seqDataIterRandom(mySeq, 2, 5, { offset: 2, generator: new Generator(1) }));
    expect(batches).toHaveLength(3);
    const rows = batches.flatMap(([X]) => X);
    expect(rows.map((r) => r[0]!).sort((a, b) => a - b)).toEqual([2, 7, 12, 17, 22, 27]);
    for (const [X, Y] of batches) {
      X.forEach((row, r) => {
        expect(row).toEqual(range(row[0]!, row[0]! + 5));
        expect(Y[r]).toEqual(row.map((v) => v + 1));
      });
    }
  });

  it('shuffles by the seed: same seed, same order; other seeds, other orders', () => {
    const order = (seed: number): number[] => collect(seqDataIterRandom(mySeq, 1, 5, { offset: 0, generator: new Generator(seed) })).map(([X]) => X[0]![0]!);
    expect(order(5)).toEqual(order(5));
    const orders = new Set(range(0, 20).map((s) => order(s).join(',')));
    expect(orders.size).toBeGreaterThan(10);
    expect(order(5).slice().sort((a, b) => a - b)).toEqual([0, 5, 10, 15, 20, 25]);
  });

  it('drops the windows that do not fill a batch, as D2L', () => {
    // 34 usable tokens / 5 = 6 windows; batches of 4 -> one batch.
    expect(collect(seqDataIterRandom(mySeq, 4, 5, { offset: 0 }))).toHaveLength(1);
  });
});

describe('argument errors and the loader', () => {
  it('names the problem', () => {
    expect(() => seqDataIterRandom(range(0, 10), 2, 5)).toThrow(/a corpus of 10 tokens is too short for one batch of 2 × 5 tokens/);
    expect(() => seqDataIterSequential(mySeq, 0, 5)).toThrow(/batchSize must be a positive integer, got number 0/);
    expect(() => seqDataIterSequential(mySeq, 2, 5, { offset: 6 })).toThrow(/offset must be an integer in \[0, 5\]/);
    expect(() => seqDataIterRandom(mySeq, 2, 5, { offset: 5 })).toThrow(/offset must be an integer in \[0, 4\]/);
    expect(() => seqDataIterRandom([0, 1.5, 2] as number[], 1, 1)).toThrow(/corpus\[1\] is number 1.5, not an integer token index/);
    expect(() => seqDataIterRandom(tensor([1, 2, 3]), 1, 1)).toThrow(/must be int32 token indices, got float32/);
    expect(() => new SeqDataLoader(range(0, 12), { batchSize: 2, numSteps: 5, partition: 'sequential' })).toThrow(/too short/);
  });

  it('SeqDataLoader runs one epoch per iteration, each with a fresh offset', () => {
    const loader = new SeqDataLoader(range(0, 200), { batchSize: 3, numSteps: 4, partition: 'sequential', generator: new Generator(4) });
    const epochs = range(0, 8).map(() => collect(loader));
    for (const e of epochs) {
      expect(e.length).toBeGreaterThan(0);
      // Sequential: row r of batch b+1 continues row r of batch b.
      for (let b = 1; b < e.length; b++) e[b]![0].forEach((row, r) => expect(row[0]).toBe(e[b - 1]![0][r]![3]! + 1));
    }
    expect(new Set(epochs.map((e) => e[0]![0][0]![0])).size).toBeGreaterThan(1);
    const random = new SeqDataLoader(range(0, 200), { batchSize: 3, numSteps: 4, generator: new Generator(4) });
    expect(collect(random).length).toBeGreaterThan(10);
  });

  it('splitCorpus keeps the validation part after the training part', () => {
    const { train, val } = splitCorpus(range(0, 100), { valFraction: 0.2 });
    expect([train.length, val.length, train[79], val[0]]).toEqual([80, 20, 79, 80]);
    expect(splitCorpus(range(0, 10), { numVal: 3 }).val).toEqual(Int32Array.from([7, 8, 9]));
    expect(() => splitCorpus(range(0, 10), { valFraction: 1 })).toThrow(/valFraction must be a number in \(0, 1\)/);
    expect(() => splitCorpus(range(0, 10), { numVal: 10 })).toThrow(/numVal must be an integer in \[1, 9\]/);
  });
});
