// Storage allocation: `allocate` gives zeros; `allocateForOverwrite` (a product's output, a
// contiguous copy) skips zeroing large blocks in Node, so every caller must write all of
// it. The ops that use it are checked here on the input where that is easiest to get wrong
// (an empty inner dimension); that each backend's product overwrites whatever C held is
// tested with C full of NaN in the backend suites (wasm-backend, native).
import { afterEach, describe, expect, it } from 'vitest';
import { allocate, allocateForOverwrite } from '../../engine/src/dtype.js';
import * as backend from '../../engine/src/backend/index.js';
import { matmul, randn, zeros } from '../../engine/src/index.js';

describe('allocateForOverwrite', () => {
  afterEach(() => {
    backend.use('auto');
  });

  it('gives the typed array of the dtype and length; small blocks and bool are zeroed as allocate gives them', () => {
    for (const [dtype, Ctor] of [['float32', Float32Array], ['float64', Float64Array], ['int32', Int32Array], ['bool', Uint8Array]] as const) {
      for (const n of [0, 5, 1 << 17]) {
        const a = allocateForOverwrite(dtype, n);
        expect(a).toBeInstanceOf(Ctor);
        expect(a.length).toBe(n);
        if (n * a.BYTES_PER_ELEMENT < 1 << 16 || dtype === 'bool') expect(a.every((v) => v === 0)).toBe(true);
      }
    }
    expect(allocate('float32', 3)).toEqual(new Float32Array(3));
  });

  it('names the op, shape and bytes when the block is too large, as allocate does', () => {
    expect(() => allocateForOverwrite('float32', 1e10, 'matmul', [100000, 100000])).toThrow(/^matmul: cannot allocate a float32 tensor of shape \[100000,100000\]/);
  });

  it('matmul writes every element of its output, on every backend, also with K = 0', () => {
    for (const choice of ['auto', 'wasm', 'reference'] as const) {
      backend.use(choice);
      {
        const empty = matmul(zeros(256, 0), zeros(0, 200));
        expect(empty.shape).toEqual([256, 200]);
        expect((empty.toTypedArray() as Float32Array).every((v) => v === 0), `${choice}: [256,0]·[0,200] is zeros`).toBe(true);
        const a = randn([4, 64, 48]), b = randn([48, 96]);
        const c = matmul(a, b).toTypedArray() as Float32Array;
        const ref = new Float64Array(4 * 64 * 96);
        const ad = a.toTypedArray() as Float32Array, bd = b.toTypedArray() as Float32Array;
        for (let r = 0; r < 4 * 64; r++) for (let k = 0; k < 48; k++) for (let n = 0; n < 96; n++) ref[r * 96 + n]! += ad[r * 48 + k]! * bd[k * 96 + n]!;
        let worst = 0;
        for (let i = 0; i < ref.length; i++) worst = Math.max(worst, Math.abs(c[i]! - ref[i]!));
        expect(worst, choice).toBeLessThan(1e-4);
      }
    }
  });

  it('a contiguous copy of a strided view is exactly the view', () => {
    const x = randn([128, 300]);
    const t = x.transpose(0, 1).contiguous();
    const xd = x.toTypedArray() as Float32Array, td = t.toTypedArray() as Float32Array;
    for (let i = 0; i < 128; i++) for (let j = 0; j < 300; j++) expect(td[j * 128 + i]).toBe(xd[i * 300 + j]);
  });
});
