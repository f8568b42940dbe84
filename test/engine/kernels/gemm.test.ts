/** The reference GEMM against a naive triple loop, for every transpose variant and batching. */
import { describe, expect, it } from 'vitest';
import { gemmBatchedReference } from '../../../engine/src/kernels/gemm.js';
import { Generator } from '../../../engine/src/index.js';

function naive(tA: boolean, tB: boolean, M: number, N: number, K: number, A: Float64Array, lda: number, B: Float64Array, ldb: number): Float64Array {
  const C = new Float64Array(M * N);
  for (let m = 0; m < M; m++)
    for (let n = 0; n < N; n++) {
      let s = 0;
      for (let k = 0; k < K; k++) s += (tA ? A[k * lda + m]! : A[m * lda + k]!) * (tB ? B[n * ldb + k]! : B[k * ldb + n]!);
      C[m * N + n] = s;
    }
  return C;
}

describe('gemmBatchedReference', () => {
  const g = new Generator(11);
  const fill = (n: number): Float64Array => Float64Array.from({ length: n }, () => g.normal());
  for (const [tA, tB] of [[false, false], [true, false], [false, true], [true, true]] as const) {
    it(`transA=${tA} transB=${tB}, with padding in the leading dimensions, accumulate and batches`, () => {
      const [M, N, K, batch] = [5, 7, 3, 2];
      const lda = (tA ? M : K) + 2;
      const ldb = (tB ? K : N) + 1;
      const aRows = tA ? K : M;
      const bRows = tB ? N : K;
      const A = fill(batch * aRows * lda);
      const B = fill(batch * bRows * ldb);
      const C = new Float64Array(batch * M * N).fill(1);
      gemmBatchedReference({ transA: tA, transB: tB, M, N, K, A, aOffset: 0, lda, B, bOffset: 0, ldb, C, cOffset: 0, ldc: N, accumulate: true, batch, strideA: aRows * lda, strideB: bRows * ldb, strideC: M * N });
      for (let b = 0; b < batch; b++) {
        const want = naive(tA, tB, M, N, K, A.subarray(b * aRows * lda), lda, B.subarray(b * bRows * ldb), ldb);
        for (let i = 0; i < M * N; i++) expect(C[b * M * N + i]).toBeCloseTo(want[i]! + 1, 12);
      }
    });
  }
  it('propagates NaN and Infinity (no skipping of zeros)', () => {
    const A = new Float64Array([0, 1]);
    const B = new Float64Array([NaN, 2]);
    const C = new Float64Array(1);
    gemmBatchedReference({ transA: false, transB: false, M: 1, N: 1, K: 2, A, aOffset: 0, lda: 2, B, bOffset: 0, ldb: 1, C, cOffset: 0, ldc: 1, accumulate: false, batch: 1, strideA: 0, strideB: 0, strideC: 0 });
    expect(C[0]).toBeNaN();
  });
});
