/**
 * The strided loops against a naive element-by-element walk: copies and scatters of
 * permuted, sliced, broadcast and size-1 layouts, binary maps with every broadcast
 * pattern, for every typed-array type and mixed types (each combination gets its own
 * compiled loop), and the dimension merging they rely on.
 */
import { describe, expect, it } from 'vitest';
import { coalesce, copyStrided, makeBinaryLoop, makeUnaryLoop, makeUpdateLoop, scatterStrided } from '../../../engine/src/kernels/strided.js';

type Arr = Float32Array | Float64Array | Int32Array | Uint8Array;
const TYPES = [Float32Array, Float64Array, Int32Array, Uint8Array] as const;

function* indices(shape: readonly number[]): Generator<number[]> {
  if (shape.some((d) => d === 0)) return;
  const idx = shape.map(() => 0);
  for (;;) {
    yield idx.slice();
    let d = shape.length - 1;
    for (; d >= 0; d--) {
      if (++idx[d]! < shape[d]!) break;
      idx[d] = 0;
    }
    if (d < 0) return;
  }
}
const at = (idx: number[], strides: readonly number[], offset: number): number => idx.reduce((o, i, d) => o + i * strides[d]!, offset);

/** Layouts over a buffer of 400 elements: [shape, strides, offset]. */
const LAYOUTS: [number[], number[], number][] = [
  [[3, 4], [4, 1], 0], // contiguous
  [[4, 3], [1, 4], 2], // transposed
  [[2, 3, 4, 5], [60, 5, 15, 1], 1], // permuted [B, H, L, D]-like
  [[2, 1, 3, 1, 5], [100, 7, 20, 9, 2], 3], // size-1 dims and a stride-2 inner dim
  [[6], [0], 5], // broadcast
  [[3, 5], [0, 1], 0], // row broadcast
  [[4, 4, 4], [64, 16, 4], 10], // stride-4 inner
  [[], [], 7], // 0-d
  [[2, 0, 3], [3, 3, 1], 0], // empty
];

describe('strided copies', () => {
  for (const Src of TYPES) {
    for (const Dst of TYPES) {
      it(`copyStrided and scatterStrided ${Src.name} -> ${Dst.name}`, () => {
        const src = new Src(400) as Arr;
        for (let i = 0; i < 400; i++) src[i] = (i * 7) % 97;
        for (const [shape, strides, offset] of LAYOUTS) {
          const n = shape.reduce((a, b) => a * b, 1);
          const dst = new Dst(n + 3) as Arr;
          copyStrided(src, shape, strides, offset, dst, 2);
          let k = 2;
          for (const idx of indices(shape)) expect(dst[k++], `${JSON.stringify(shape)} at ${idx}`).toBe(src[at(idx, strides, offset)]);
          if (strides.includes(0)) continue; // scatter targets must not overlap
          const back = new Src(400) as Arr;
          scatterStrided(dst, 2, back, shape, strides, offset);
          for (const idx of indices(shape)) expect(back[at(idx, strides, offset)]).toBe(src[at(idx, strides, offset)]);
        }
      });
    }
  }
});

describe('binary and unary maps', () => {
  const sub = makeBinaryLoop('testSub', 'x - 2 * y');
  const sq = makeUnaryLoop('testSq', 'x * x + 1');
  const patterns: [number[], number[], number, number[], number][] = [
    // shape, a strides, a offset, b strides, b offset
    [[3, 4], [4, 1], 0, [4, 1], 1], // both contiguous
    [[3, 4], [4, 1], 0, [0, 0], 5], // b scalar
    [[3, 4], [0, 0], 2, [4, 1], 0], // a scalar
    [[5, 6], [6, 1], 0, [0, 1], 3], // b broadcast along rows (a bias)
    [[5, 6], [6, 1], 0, [1, 0], 3], // b broadcast along columns
    [[2, 3, 4], [1, 8, 2], 0, [12, 4, 1], 0], // a permuted
    [[2, 1, 4], [4, 4, 1], 0, [0, 9, 2], 1], // size-1 dim, strided b
    [[], [], 3, [], 4], // 0-d
  ];
  for (const A of TYPES) {
    it(`every broadcast pattern, a ${A.name}, b and out of every type`, () => {
      for (const B of TYPES) {
        for (const O of [Float32Array, Float64Array, Int32Array] as const) {
          const a = new A(100) as Arr;
          const b = new B(100) as Arr;
          for (let i = 0; i < 100; i++) {
            a[i] = (i * 13) % 50;
            b[i] = (i * 3) % 7;
          }
          for (const [shape, as, ao, bs, bo] of patterns) {
            const n = shape.reduce((p, q) => p * q, 1);
            const out = new O(n) as Arr;
            sub(shape, a, as, ao, b, bs, bo, out);
            let k = 0;
            for (const idx of indices(shape)) {
              const want = new O([a[at(idx, as, ao)]! - 2 * b[at(idx, bs, bo)]!])[0];
              expect(out[k++], `${A.name} ${B.name} ${O.name} ${JSON.stringify(shape)} at ${idx}`).toBe(want);
            }
          }
          const u = new O(10) as Arr;
          sq(a, 5, u, 10);
          for (let i = 0; i < 10; i++) expect(u[i]).toBe(new O([a[5 + i]! * a[5 + i]! + 1])[0]);
        }
      }
    });
  }
});

describe('in-place update loops', () => {
  const addInto = makeUpdateLoop('testAddInto', 'x + 2 * y');
  for (const D of TYPES) {
    it(`dst ${D.name} += 2 src through both layouts, src of every type, the rest of dst untouched`, () => {
      for (const S of TYPES) {
        for (const [shape, ds, dOff, ss, sOff] of [
          [[3, 4], [8, 2], 1, [4, 1], 0], // strided window of dst
          [[2, 3, 5], [1, 10, 2], 0, [15, 5, 1], 3], // permuted window
          [[4, 3], [3, 1], 2, [0, 1], 1], // broadcast src rows
          [[], [], 5, [], 7], // 0-d
        ] as [number[], number[], number, number[], number][]) {
          const dst = new D(64) as Arr;
          const src = new S(64) as Arr;
          for (let i = 0; i < 64; i++) {
            dst[i] = i % 9;
            src[i] = (i * 5) % 11;
          }
          const before = dst.slice();
          addInto(shape, dst, ds, dOff, src, ss, sOff);
          const touched = new Set<number>();
          for (const idx of indices(shape)) {
            const p = at(idx, ds, dOff);
            touched.add(p);
            expect(dst[p], `${S.name} ${JSON.stringify(shape)} at ${idx}`).toBe(new D([before[p]! + 2 * src[at(idx, ss, sOff)]!])[0]);
          }
          for (let i = 0; i < 64; i++) if (!touched.has(i)) expect(dst[i]).toBe(before[i]);
        }
      }
    });
  }
});

describe('coalesce', () => {
  it('merges dimensions walked contiguously by every stride list and drops size-1 ones', () => {
    expect(coalesce([2, 3, 4], [12, 4, 1])).toEqual({ shape: [24], strides: [[1]] });
    expect(coalesce([16, 4, 64, 32], [128, 32, 2048, 1])).toEqual({ shape: [64, 64, 32], strides: [[32, 2048, 1]] });
    expect(coalesce([16, 4, 64, 32], [384, 32, 6144, 1]).shape).toEqual([16, 4, 64, 32]);
    expect(coalesce([2, 3, 4], [12, 4, 1], [0, 4, 1])).toEqual({ shape: [2, 12], strides: [[12, 1], [0, 1]] });
    expect(coalesce([1, 5, 1], [9, 2, 7])).toEqual({ shape: [5], strides: [[2]] });
    expect(coalesce([1, 1], [3, 1])).toEqual({ shape: [1], strides: [[1]] });
  });
});
