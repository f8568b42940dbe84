/**
 * matmul reads strided views in place: attention heads viewed inside a [seq, batch, 3·E]
 * projection (two unrelated batch strides), transposed heads, broadcast batch dims. The
 * product of the views equals the product of contiguous copies (bit for bit on the wasm
 * backend) and the reference GEMM (within float32 rounding), values and gradients.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { manualSeed, matmul, randn, type Tensor } from '../../../engine/src/index.js';
import { getGemmBackend, setGemmBackend } from '../../../engine/src/kernels/gemm.js';

const installed = getGemmBackend();
afterEach(() => {
  setGemmBackend(installed);
});

function maxRel(a: Tensor, b: Tensor): number {
  expect(a.shape).toEqual(b.shape);
  return a.sub(b).abs().max().item() / Math.max(b.abs().max().item(), 1e-30);
}

/** q, k, v heads [B, H, L, D] as views of one [L, B, 3E] tensor (as multi-head attention makes them). */
function heads(L: number, B: number, H: number, D: number): { qkv: Tensor; q: Tensor; k: Tensor; v: Tensor } {
  const E = H * D;
  const qkv = randn([L, B, 3 * E]).requiresGrad_();
  const view = (i: number) => qkv.narrow(-1, i * E, E).reshape([L, B, H, D]).permute(1, 2, 0, 3);
  return { qkv, q: view(0), k: view(1), v: view(2) };
}

describe('matmul on strided views', () => {
  for (const gemm of ['wasm', 'reference'] as const) {
    it(`${gemm}: q kᵀ and (q kᵀ) v over heads views equal the products of contiguous copies, values and gradients`, () => {
      if (gemm === 'reference') setGemmBackend(null);
      else expect(installed, 'the wasm backend is installed').not.toBeNull();
      manualSeed(1);
      const { qkv, q, k, v } = heads(9, 3, 4, 8);
      const s = matmul(q, k.mT);
      const o = matmul(s.softmax(-1), v);
      const up = randn(o.shape);
      o.mul(up).sum().backward();
      const g1 = qkv.grad!;
      const c = qkv.detach().clone().requiresGrad_();
      const E = 32;
      const cv = (i: number) => c.narrow(-1, i * E, E).reshape([9, 3, 4, 8]).permute(1, 2, 0, 3).contiguous();
      const s2 = matmul(cv(0), cv(1).mT.contiguous());
      const o2 = matmul(s2.softmax(-1), cv(2));
      o2.mul(up).sum().backward();
      // wasm packs both layouts into the same panels: identical sums. The reference loops
      // in another order for a transposed operand: equal within rounding.
      expect(maxRel(s, s2)).toBeLessThanOrEqual(gemm === 'wasm' ? 0 : 1e-6);
      expect(maxRel(o, o2)).toBeLessThanOrEqual(gemm === 'wasm' ? 0 : 1e-6);
      expect(maxRel(g1, c.grad!)).toBeLessThan(1e-6);
    });
  }

  it('the wasm backend and the reference agree on two-level batches', () => {
    manualSeed(2);
    const { q, k } = heads(17, 5, 2, 16);
    const fast = matmul(q, k.mT);
    setGemmBackend(null);
    const ref = matmul(q, k.mT);
    expect(maxRel(fast, ref)).toBeLessThan(1e-6);
  });

  it('broadcast batch dims mixed with strided ones ([B, 1, M, K] · [1, H, K, N] views)', () => {
    manualSeed(3);
    const a = randn([6, 3, 1, 7, 5]).permute(1, 0, 2, 3, 4).select(0, 1).unsqueeze(0); // [1, 6, 1, 7, 5], strided
    const b = randn([4, 5, 9]).unsqueeze(0).unsqueeze(0).expand([1, 1, 4, 5, 9]); // broadcast
    const fast = matmul(a, b);
    const copies = matmul(a.contiguous(), b.contiguous());
    expect(fast.shape).toEqual([1, 6, 4, 7, 9]);
    expect(maxRel(fast, copies)).toBeLessThan(1e-6);
    setGemmBackend(null);
    expect(maxRel(matmul(a, b), copies)).toBeLessThan(1e-6);
  });
});
