/**
 * The GEMM family's driver (kernels in engine/assembly/gemm.ts; reference in
 * kernels/gemm.ts): batched, strided, transposed products with an optional row bias, on
 * one thread or cut into chunks of whole batches, row tiles or column tiles for the pool.
 *
 * The engine's tensors are ordinary Float32Arrays whose contents may change between
 * calls, so every call copies the spans of A and B it reads into the kernel's memory and
 * copies C's span back (C is copied in too when it is accumulated into or has gaps).
 * Those copies are memcpy-speed and are the only per-call overhead besides packing.
 */
import type { GemmBatchedArgs } from '../../kernels/gemm.js';
import { JOB, KIND_GEMM, MAX_CHUNKS, SPLIT_BATCH, SPLIT_COLS, SPLIT_ROWS } from './protocol.js';
import { RESERVED, type LoadedKernels, type WasmRuntime } from './runtime.js';

/** The elements one operand occupies: `rows` x `cols` with leading dimension `ld`, `count` times (`outer` groups of them). */
interface Span {
  /** First element used. */
  offset: number;
  /** Elements from the first to the last used, inclusive. */
  length: number;
}

function span(offset: number, rows: number, cols: number, ld: number, stride: number, count: number, outerStride = 0, outer = 1): Span {
  return { offset, length: (outer - 1) * outerStride + (count - 1) * stride + (rows - 1) * ld + cols };
}

function isIndex(n: number): boolean {
  return Number.isInteger(n) && n >= 0;
}

/** True when C's matrices of the batch never share an element. */
function batchesDisjoint(M: number, N: number, ldc: number, sC: number, batch: number): boolean {
  if (batch <= 1) return true;
  if (sC >= (M - 1) * ldc + N) return true; // one after the other
  return sC >= N && (batch - 1) * sC + N <= ldc; // side by side within each row
}

function copyIn(rt: WasmRuntime, k: LoadedKernels, src: Float32Array, s: Span, dst: number): void {
  k.arena.put(dst, src, s.offset, s.length);
  rt.counters.bytesCopied += s.length * 4;
}

/** `GemmBackend.gemmBatched` on the wasm kernels; false (declined) leaves the product to the reference. */
export function gemmBatched(rt: WasmRuntime, args: GemmBatchedArgs): boolean {
  const { A, B, C, transA, transB, K } = args;
  let { M, batch } = args;
  const { N } = args;
  let outer = args.outer ?? 1;
  if (!(A instanceof Float32Array && B instanceof Float32Array && C instanceof Float32Array)) return rt.decline();
  const bias = args.rowBias ?? null;
  const biasOffset = args.rowBiasOffset ?? 0;
  if (bias !== null && (!(bias instanceof Float32Array) || args.accumulate || !isIndex(biasOffset) || biasOffset + N > bias.length)) return rt.decline();
  if (M * N * K * batch * outer < rt.options.minWork) return rt.decline();
  const { lda, ldb, ldc } = args;
  let { strideA, strideB, strideC } = args;
  let oA = args.outerStrideA ?? 0, oB = args.outerStrideB ?? 0, oC = args.outerStrideC ?? 0;
  const aRows = transA ? K : M, aCols = transA ? M : K;
  const bRows = transB ? N : K, bCols = transB ? K : N;
  if (
    !isIndex(M) || !isIndex(N) || !isIndex(K) || !isIndex(batch) || !isIndex(outer) ||
    !isIndex(args.aOffset) || !isIndex(args.bOffset) || !isIndex(args.cOffset) ||
    !isIndex(strideA) || !isIndex(strideB) || !isIndex(strideC) || !isIndex(oA) || !isIndex(oB) || !isIndex(oC) ||
    !Number.isInteger(lda) || !Number.isInteger(ldb) || !Number.isInteger(ldc) ||
    lda < aCols || ldb < bCols || ldc < N || (aRows > 1 && lda < 1) || (bRows > 1 && ldb < 1)
  ) {
    return rt.decline();
  }
  // A two-level batch with one product per group is a one-level batch over the groups.
  if (outer > 1 && batch === 1) {
    [batch, strideA, strideB, strideC] = [outer, oA, oB, oC];
    outer = 1;
  }
  if (outer === 1) oA = oB = oC = 0;
  // [batch, M, K] . [K, N] with a shared B is one [batch*M, K] . [K, N] product.
  if (outer === 1 && batch > 1 && strideB === 0 && !transA && strideA === M * lda && strideC === M * ldc) {
    M *= batch;
    batch = 1;
    strideA = strideC = 0;
  }
  if (batch === 1) strideA = strideB = strideC = 0;
  const total = outer * batch;
  const sa = span(args.aOffset, transA ? K : M, transA ? M : K, lda, strideA, batch, oA, outer);
  const sb = span(args.bOffset, bRows, bCols, ldb, strideB, batch, oB, outer);
  const sc = span(args.cOffset, M, N, ldc, strideC, batch, oC, outer);
  if (sa.offset + sa.length > A.length || sb.offset + sb.length > B.length || sc.offset + sc.length > C.length) {
    return rt.decline();
  }
  const k = rt.load();
  if (k === null) return rt.decline();
  const arena = k.arena;
  arena.reset();
  const pA = arena.floats(sa.length);
  const pB = arena.floats(sb.length);
  const pC = arena.floats(sc.length);
  const pBias = bias !== null ? arena.floats(N) : 0;
  if (pA < 0 || pB < 0 || pC < 0 || pBias < 0) return rt.decline();

  copyIn(rt, k, A, sa, pA);
  copyIn(rt, k, B, sb, pB);
  // C's old values matter when accumulating, and in the gaps of a strided C (which are
  // copied back unchanged). Products one after the other, row after row, leave no gaps.
  const flatC = outer === 1 || oC === batch * strideC;
  const denseC = ldc === N && (total === 1 || (strideC === M * N && flatC));
  const cIn = args.accumulate || !denseC;
  if (cIn) copyIn(rt, k, C, sc, pC);

  const disjoint = flatC && (strideC === 0 || batchesDisjoint(M, N, ldc, strideC, total));
  product(
    rt, transA, transB, M, N, K, pA, lda, strideA, oA, pB, ldb, strideB, oB, pC, ldc, strideC, oC, batch, outer,
    args.accumulate, disjoint, () => {
      // A worker failed part-way; C may hold partial sums. Start over on this thread.
      if (cIn) copyIn(rt, k, C, sc, pC);
    },
  );
  if (bias !== null) {
    // One pass over C while it is still in the kernel memory (and mostly in cache).
    copyIn(rt, k, bias, { offset: biasOffset, length: N }, pBias);
    addRowBias(k, pC, M, N, ldc, strideC, oC, batch, outer, pBias);
  }
  arena.get(pC, sc.length, C, sc.offset);
  rt.counters.bytesCopied += sc.length * 4;
  rt.counters.calls++;
  return true;
}

/** Adds the bias at `pBias` to every row of every C matrix of a (two-level) batch at `pC`. */
function addRowBias(k: LoadedKernels, pC: number, M: number, N: number, ldc: number, strideC: number, oC: number, batch: number, outer: number, pBias: number): void {
  // A stride of 0 means the products overwrite one C in turn: it gets the bias once.
  const groups = oC === 0 ? 1 : outer, count = strideC === 0 ? 1 : batch;
  for (let o = 0; o < groups; o++) {
    for (let i = 0; i < count; i++) {
      const p = pC + (o * oC + i * strideC) * 4;
      if (ldc === N) k.kernel.addRowBias(p, M, N, pBias);
      else for (let m = 0; m < M; m++) k.kernel.addRowBias(p + m * ldc * 4, 1, N, pBias);
    }
  }
}

/**
 * Runs a (two-level batched) product on operands already in kernel memory: on the
 * worker pool when it is large enough and C's matrices are `disjoint`, else (or when a
 * worker fails, after `restore` puts C back) on this thread; or on `rt.memoryProducts`
 * (the native backend) when it is set and takes it. The recurrent family uses it for the
 * weight gradient of a whole sequence.
 */
export function product(
  rt: WasmRuntime, transA: boolean, transB: boolean, M: number, N: number, K: number,
  pA: number, lda: number, strideA: number, oA: number, pB: number, ldb: number, strideB: number, oB: number,
  pC: number, ldc: number, strideC: number, oC: number, batch: number, outer: number,
  accumulate: boolean, disjoint: boolean, restore: () => void,
): void {
  const { kernel, arena } = rt.load()!;
  if (rt.memoryProducts !== null) {
    const mem = arena.view;
    const done = rt.memoryProducts.tryGemm({
      transA, transB, M, N, K, accumulate,
      A: mem, aOffset: pA >>> 2, lda, strideA, outerStrideA: oA,
      B: mem, bOffset: pB >>> 2, ldb, strideB, outerStrideB: oB,
      C: mem, cOffset: pC >>> 2, ldc, strideC, outerStrideC: oC,
      batch, outer,
    });
    if (done) return;
  }
  const acc = accumulate ? 1 : 0;
  const tA = transA ? 1 : 0, tB = transB ? 1 : 0;
  const total = batch * outer;
  const par = disjoint ? rt.parallel(2 * M * N * K * total) : null;
  if (par !== null) {
    const job = rt.job;
    const T = par.threads;
    job[JOB.KIND] = KIND_GEMM;
    job[JOB.TRANS_A] = tA; job[JOB.TRANS_B] = tB;
    job[JOB.M] = M; job[JOB.N] = N; job[JOB.K] = K;
    job[JOB.PA] = pA; job[JOB.LDA] = lda; job[JOB.SA] = strideA;
    job[JOB.PB] = pB; job[JOB.LDB] = ldb; job[JOB.SB] = strideB;
    job[JOB.PC] = pC; job[JOB.LDC] = ldc; job[JOB.SC] = strideC;
    job[JOB.BATCH] = total; job[JOB.ACCUMULATE] = acc;
    job[JOB.INNER] = batch; job[JOB.OA] = oA; job[JOB.OB] = oB; job[JOB.OC] = oC;
    const mTiles = Math.ceil(M / rt.tileRows), nTiles = Math.ceil(N / rt.tileCols);
    let split: number, per: number, work: number;
    if (total >= T && strideC !== 0) {
      // Whole products per chunk: nothing is packed twice.
      split = SPLIT_BATCH; work = total;
      per = Math.ceil(total / Math.min(total, 4 * T, MAX_CHUNKS));
    } else if (mTiles >= nTiles) {
      split = SPLIT_ROWS; work = M;
      per = Math.ceil(mTiles / T) * rt.tileRows;
    } else {
      split = SPLIT_COLS; work = N;
      per = Math.ceil(nTiles / T) * rt.tileCols;
    }
    job[JOB.SPLIT] = split;
    job[JOB.PER_CHUNK] = per;
    if (rt.runJob(par.pool, Math.ceil(work / per))) return;
    restore();
  }
  kernel.sgemmStrided(tA, tB, M, N, K, pA, lda, strideA, oA, pB, ldb, strideB, oB, pC, ldc, strideC, oC, batch, 0, total, acc, RESERVED);
}
