// The chunk protocol shared by the calling thread and the workers: claiming is bounded by
// the job's generation and chunk count, and a chunk addresses the right sub-product.
import { describe, expect, it } from 'vitest';
import {
  CHUNK_BITS, CTL, CTL_WORDS, JOB, JOB_WORDS, MAX_CHUNKS, SPLIT_BATCH, SPLIT_COLS, SPLIT_ROWS,
  claimChunk, nextGeneration, runChunk,
} from '../../../engine/src/backend/wasm/protocol.js';
import type { KernelExports } from '../../../engine/src/backend/wasm/kernel-module.js';

function recorder(): { kernel: KernelExports; calls: number[][] } {
  const calls: number[][] = [];
  const kernel = {
    sgemmStrided: (...a: number[]) => void calls.push(a),
  } as unknown as KernelExports;
  return { kernel, calls };
}

function job(fields: Partial<Record<keyof typeof JOB, number>>): Int32Array {
  const j = new Int32Array(JOB_WORDS);
  for (const [k, v] of Object.entries(fields)) j[JOB[k as keyof typeof JOB]] = v!;
  return j;
}

describe('kernel worker protocol', () => {
  it('claims each chunk of the current generation once, then reports none left', () => {
    const ctl = new Int32Array(new SharedArrayBuffer(CTL_WORDS * 4));
    const gen = nextGeneration(0);
    Atomics.store(ctl, CTL.NEXT, gen << CHUNK_BITS);
    expect([0, 1, 2, 3].map(() => claimChunk(ctl, gen, 3))).toEqual([0, 1, 2, -1]);
  });

  it('refuses to claim for a generation that is no longer current', () => {
    const ctl = new Int32Array(new SharedArrayBuffer(CTL_WORDS * 4));
    const old = nextGeneration(5), current = nextGeneration(old);
    Atomics.store(ctl, CTL.NEXT, current << CHUNK_BITS);
    expect(claimChunk(ctl, old, 10)).toBe(-1);
    expect(claimChunk(ctl, current, 10)).toBe(0);
  });

  it('generations stay positive and wrap below the chunk bits', () => {
    const top = (1 << (31 - CHUNK_BITS)) - 1;
    for (const g of [0, 1, top - 1, top]) {
      const next = nextGeneration(g);
      expect(next).toBeGreaterThanOrEqual(0);
      expect(next << CHUNK_BITS).toBeGreaterThanOrEqual(0); // the NEXT word stays a positive int32
      expect((next << CHUNK_BITS) >>> CHUNK_BITS).toBe(next);
    }
    expect(nextGeneration(top)).toBe(0);
    expect(MAX_CHUNKS).toBe((1 << CHUNK_BITS) - 1);
  });

  // BATCH counts all products: 2 groups (OA/OB/OC apart) of INNER = 3 (SA/SB/SC apart).
  const common = {
    M: 10, N: 20, K: 7, PA: 1000, LDA: 7, SA: 70, OA: 700, PB: 5000, LDB: 20, SB: 140, OB: 1400,
    PC: 9000, LDC: 20, SC: 200, OC: 600, BATCH: 6, INNER: 3, WS_BASE: 65536, WS_BYTES: 4096, ACCUMULATE: 1,
  };
  // The kernel's arguments after the operand pointers and leading dimensions: strides, inner, first, count, accumulate, workspace.
  const tail = (first: number, count: number, ws = 65536) => [3, first, count, 1, ws];

  it('a batch chunk is a range of products of the two-level batch (the kernel walks the levels)', () => {
    const { kernel, calls } = recorder();
    runChunk(kernel, job({ ...common, SPLIT: SPLIT_BATCH, PER_CHUNK: 4 }), 1, 1);
    // chunk 1 of 4-product chunks = products 4 and 5
    expect(calls).toEqual([[0, 0, 10, 20, 7, 1000, 7, 70, 700, 5000, 20, 140, 1400, 9000, 20, 200, 600, ...tail(4, 2, 65536 + 4096)]]);
  });

  it('a row chunk shifts A (by rows, or by columns when transposed) and C, for every product', () => {
    const { kernel, calls } = recorder();
    runChunk(kernel, job({ ...common, SPLIT: SPLIT_ROWS, PER_CHUNK: 4 }), 2, 0);
    runChunk(kernel, job({ ...common, TRANS_A: 1, LDA: 10, SPLIT: SPLIT_ROWS, PER_CHUNK: 4 }), 1, 0);
    expect(calls[0]).toEqual([0, 0, 2, 20, 7, 1000 + 8 * 7 * 4, 7, 70, 700, 5000, 20, 140, 1400, 9000 + 8 * 20 * 4, 20, 200, 600, ...tail(0, 6)]);
    expect(calls[1]).toEqual([1, 0, 4, 20, 7, 1000 + 4 * 4, 10, 70, 700, 5000, 20, 140, 1400, 9000 + 4 * 20 * 4, 20, 200, 600, ...tail(0, 6)]);
  });

  it('a column chunk shifts B (by columns, or by rows when transposed) and C, for every product', () => {
    const { kernel, calls } = recorder();
    runChunk(kernel, job({ ...common, SPLIT: SPLIT_COLS, PER_CHUNK: 8 }), 2, 0);
    runChunk(kernel, job({ ...common, TRANS_B: 1, LDB: 7, SPLIT: SPLIT_COLS, PER_CHUNK: 8 }), 1, 0);
    expect(calls[0]).toEqual([0, 0, 10, 4, 7, 1000, 7, 70, 700, 5000 + 16 * 4, 20, 140, 1400, 9000 + 16 * 4, 20, 200, 600, ...tail(0, 6)]);
    expect(calls[1]).toEqual([0, 1, 10, 8, 7, 1000, 7, 70, 700, 5000 + 8 * 7 * 4, 7, 140, 1400, 9000 + 8 * 4, 20, 200, 600, ...tail(0, 6)]);
  });
});
