/**
 * The WebAssembly GEMM backend: implements `GemmBackend` from kernels/gemm.ts with the
 * SIMD kernels of engine/assembly, on one thread or, for large products, on all cores.
 *
 * The engine's tensors are ordinary Float32Arrays whose contents may change between
 * calls, so every call copies the spans of A and B it reads into the kernel's memory and
 * copies C's span back (C is copied in too when it is accumulated into or has gaps).
 * Those copies are memcpy-speed and are the only per-call overhead besides packing.
 */
import type { GemmBackend, GemmBatchedArgs } from '../kernels/gemm.js';
import type { FastKernels, FastUnary, LstmBackwardArgs, LstmForwardArgs, RecurrentBackwardArgs, RnnBackwardArgs, RnnForwardArgs } from '../kernels/fast.js';
import { Arena } from './arena.js';
import { detectFeatures, type RuntimeFeatures } from './features.js';
import { instantiateKernel, kernelModule, kernelVariant, type KernelExports } from './kernel-module.js';
import { KernelWorkerPool } from './pool.js';
import { wasmApi, type WasmMemory, type WasmModule } from './wasm-api.js';
import { JOB, JOB_WORDS, KIND_GEMM, KIND_LSTM_BACKWARD, KIND_LSTM_FORWARD, KIND_RNN_BACKWARD, KIND_RNN_FORWARD, MAX_CHUNKS, SPLIT_BATCH, SPLIT_COLS, SPLIT_ROWS, STEP } from './protocol.js';

/** Tuning and capability overrides for `WasmGemmBackend`. */
export interface WasmBackendOptions {
  /** Runtime capabilities (default: detected). Tests pass poorer ones to simulate fallbacks. */
  features?: RuntimeFeatures;
  /** Threads per product, the caller included (default: all cores when threads work). */
  threads?: number;
  /** Use relaxed-SIMD FMA kernels when the runtime has them (default true). */
  relaxedSimd?: boolean;
  /**
   * Products with M*N*K*batch below this stay on the reference (default 256: below it,
   * copying in and out costs more than the reference loop).
   */
  minWork?: number;
  /** Products with 2*M*N*K*batch at or above this use worker threads (default 2^22). */
  minParallelFlops?: number;
  /** Called once if the kernels cannot be loaded (the reference then runs every product). */
  onLoadError?: (error: Error) => void;
  /**
   * Whether the calling thread runs chunks of a parallel product itself (default true).
   * Tests set false so that, with workers ready, every chunk provably runs on a worker.
   */
  callerClaims?: boolean;
}

/** Counters for tests and diagnostics. */
export interface WasmBackendStats {
  /** Calls that ran on the wasm kernels. */
  calls: number;
  /** Calls declined (left to the reference). */
  declined: number;
  /** Calls published to the worker pool. */
  parallel: number;
  /** Chunks run by worker threads. */
  workerChunks: number;
  /** Bytes copied into and out of the kernel memory. */
  bytesCopied: number;
}

/**
 * Elementwise and row kernels below this many elements stay in TypeScript: copying in
 * and out and the call cost more than the loop saves.
 */
const MIN_ELEMENTWISE = 256;
/** engine/assembly/elementwise.ts's kind numbers (the gradient kinds use the same numbers). */
const UNARY_KIND: Record<FastUnary, number> = { relu: 0, tanh: 1, sigmoid: 2 };
const PAGE = 65536;
const MAX_PAGES = 65536;
/** Below this address nothing is used (AssemblyScript's static area would live there). */
const RESERVED = 65536;
const ALIGN = 64;

function align(n: number): number {
  return Math.ceil(n / ALIGN) * ALIGN;
}

/** Elements of one operand stored as `rows` x `cols` with leading dimension `ld`, `count` times (`outer` groups of them). */
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

export class WasmGemmBackend implements GemmBackend, FastKernels {
  readonly features: RuntimeFeatures;
  private readonly options: Required<Omit<WasmBackendOptions, 'features' | 'threads' | 'onLoadError'>>;
  private readonly onLoadError: ((error: Error) => void) | undefined;
  private threadCount: number;
  private loadError: Error | null = null;
  private kernel: KernelExports | null = null;
  private module: WasmModule | null = null;
  private memory: WasmMemory | null = null;
  private arena: Arena | null = null;
  private pool: KernelWorkerPool | null = null;
  private wsBytes = 0;
  private tileRows = 4;
  private tileCols = 8;
  private readonly job = new Int32Array(JOB_WORDS);
  private readonly counters = { calls: 0, declined: 0, parallel: 0, bytesCopied: 0 };

  constructor(options: WasmBackendOptions = {}) {
    this.features = options.features ?? detectFeatures();
    this.options = {
      relaxedSimd: options.relaxedSimd ?? true,
      minWork: options.minWork ?? 256,
      minParallelFlops: options.minParallelFlops ?? 2 ** 22,
      callerClaims: options.callerClaims ?? true,
    };
    this.onLoadError = options.onLoadError;
    this.threadCount = this.clampThreads(options.threads ?? this.features.cores);
  }

  /** Whether this runtime can run the backend at all (WebAssembly SIMD). */
  get supported(): boolean {
    return this.features.simd;
  }

  /** Uses relaxed-SIMD FMA kernels (decided when the kernels load). */
  get relaxed(): boolean {
    return this.options.relaxedSimd && this.features.relaxedSimd;
  }

  get name(): string {
    return `wasm-${this.relaxed ? 'relaxed-simd' : 'simd128'} x${this.threadCount}`;
  }

  /** Threads per large product (the caller included). */
  get threads(): number {
    return this.threadCount;
  }

  set threads(n: number) {
    this.threadCount = this.clampThreads(n);
  }

  /** Why the kernels could not be loaded, or null. */
  get failure(): Error | null {
    return this.loadError;
  }

  get stats(): WasmBackendStats {
    return { ...this.counters, workerChunks: this.pool?.workerChunks ?? 0 };
  }

  /** Worker threads ready for jobs. */
  get workersReady(): number {
    return this.pool?.ready ?? 0;
  }

  private clampThreads(n: number): number {
    if (!Number.isInteger(n) || n < 1) throw new Error(`seqlab backend: threads must be a positive integer, got ${n}`);
    if (!this.features.threads) return 1;
    return Math.min(n, this.features.cores);
  }

  /** Loads and instantiates the kernels (once); false when that is impossible here. */
  load(): boolean {
    if (this.kernel !== null) return true;
    if (this.loadError !== null) return false;
    try {
      if (!this.features.simd) throw new Error('seqlab wasm backend: this runtime has no WebAssembly SIMD');
      const shared = this.features.threads;
      const mod = kernelModule(kernelVariant(this.relaxed, shared));
      const slots = shared ? this.features.cores : 1;
      // Room for the workspaces (about 2.2 MiB per thread) and a few MiB of operands; grows on demand.
      const initial = Math.ceil((RESERVED + (slots + 2) * 4 * 1024 * 1024) / PAGE);
      const Memory = wasmApi()!.Memory;
      const memory = new Memory(shared ? { initial, maximum: MAX_PAGES, shared: true } : { initial, maximum: MAX_PAGES });
      const kernel = instantiateKernel(mod, memory);
      this.wsBytes = align(kernel.workspaceBytes());
      this.arena = new Arena(memory, RESERVED + slots * this.wsBytes);
      this.tileRows = kernel.tileRows();
      this.tileCols = kernel.tileCols();
      this.module = mod;
      this.memory = memory;
      this.kernel = kernel;
      return true;
    } catch (e) {
      this.loadError = e instanceof Error ? e : new Error(String(e));
      this.onLoadError?.(this.loadError);
      return false;
    }
  }

  /** Starts the worker threads now and resolves when they are ready (otherwise lazy). */
  async startWorkers(): Promise<number> {
    if (!this.load() || this.threadCount < 2) return 0;
    const pool = this.ensurePool();
    if (pool === null) return 0;
    await pool.whenReady();
    return pool.ready;
  }

  /** Stops the worker threads (they restart lazily if needed). */
  async stopWorkers(): Promise<void> {
    const pool = this.pool;
    this.pool = null;
    if (pool !== null) await pool.terminate();
  }

  private ensurePool(): KernelWorkerPool | null {
    if (this.threadCount < 2 || this.module === null || this.memory === null) return null;
    if (this.pool === null) this.pool = new KernelWorkerPool(this.module, this.memory);
    if (this.pool.failure !== null) return null;
    if (this.pool.size < this.threadCount - 1 && !this.pool.grow(this.threadCount - 1)) return null;
    return this.pool;
  }

  private copyIn(src: Float32Array, s: Span, dst: number): void {
    this.arena!.put(dst, src, s.offset, s.length);
    this.counters.bytesCopied += s.length * 4;
  }

  gemmBatched(args: GemmBatchedArgs): boolean {
    const { A, B, C, transA, transB, K } = args;
    let { M, batch } = args;
    const { N } = args;
    let outer = args.outer ?? 1;
    if (!(A instanceof Float32Array && B instanceof Float32Array && C instanceof Float32Array)) return this.decline();
    const bias = args.rowBias ?? null;
    const biasOffset = args.rowBiasOffset ?? 0;
    if (bias !== null && (!(bias instanceof Float32Array) || args.accumulate || !isIndex(biasOffset) || biasOffset + N > bias.length)) return this.decline();
    if (M * N * K * batch * outer < this.options.minWork) return this.decline();
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
      return this.decline();
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
      return this.decline();
    }
    if (!this.load()) return this.decline();
    const arena = this.arena!;
    arena.reset();
    const pA = arena.floats(sa.length);
    const pB = arena.floats(sb.length);
    const pC = arena.floats(sc.length);
    const pBias = bias !== null ? arena.floats(N) : 0;
    if (pA < 0 || pB < 0 || pC < 0 || pBias < 0) return this.decline();

    this.copyIn(A, sa, pA);
    this.copyIn(B, sb, pB);
    // C's old values matter when accumulating, and in the gaps of a strided C (which are
    // copied back unchanged). Products one after the other, row after row, leave no gaps.
    const flatC = outer === 1 || oC === batch * strideC;
    const denseC = ldc === N && (total === 1 || (strideC === M * N && flatC));
    const cIn = args.accumulate || !denseC;
    if (cIn) this.copyIn(C, sc, pC);

    const disjoint = flatC && (strideC === 0 || batchesDisjoint(M, N, ldc, strideC, total));
    this.product(
      transA, transB, M, N, K, pA, lda, strideA, oA, pB, ldb, strideB, oB, pC, ldc, strideC, oC, batch, outer,
      args.accumulate, disjoint, () => {
        // A worker failed part-way; C may hold partial sums. Start over on this thread.
        if (cIn) this.copyIn(C, sc, pC);
      },
    );
    if (bias !== null) {
      // One pass over C while it is still in the kernel memory (and mostly in cache).
      this.copyIn(bias, { offset: biasOffset, length: N }, pBias);
      this.addRowBias(pC, M, N, ldc, strideC, oC, batch, outer, pBias);
    }
    arena.get(pC, sc.length, C, sc.offset);
    this.counters.bytesCopied += sc.length * 4;
    this.counters.calls++;
    return true;
  }

  /** Adds the bias at `pBias` to every row of every C matrix of a (two-level) batch at `pC`. */
  private addRowBias(pC: number, M: number, N: number, ldc: number, strideC: number, oC: number, batch: number, outer: number, pBias: number): void {
    const k = this.kernel!;
    // A stride of 0 means the products overwrite one C in turn: it gets the bias once.
    const groups = oC === 0 ? 1 : outer, count = strideC === 0 ? 1 : batch;
    for (let o = 0; o < groups; o++) {
      for (let i = 0; i < count; i++) {
        const p = pC + (o * oC + i * strideC) * 4;
        if (ldc === N) k.addRowBias(p, M, N, pBias);
        else for (let m = 0; m < M; m++) k.addRowBias(p + m * ldc * 4, 1, N, pBias);
      }
    }
  }

  /**
   * Runs a (two-level batched) product on operands already in kernel memory: on the
   * worker pool when it is large enough and C's matrices are `disjoint`, else (or when a
   * worker fails, after `restore` puts C back) on this thread.
   */
  private product(
    transA: boolean, transB: boolean, M: number, N: number, K: number,
    pA: number, lda: number, strideA: number, oA: number, pB: number, ldb: number, strideB: number, oB: number,
    pC: number, ldc: number, strideC: number, oC: number, batch: number, outer: number,
    accumulate: boolean, disjoint: boolean, restore: () => void,
  ): void {
    const kernel = this.kernel!;
    const acc = accumulate ? 1 : 0;
    const tA = transA ? 1 : 0, tB = transB ? 1 : 0;
    const total = batch * outer;
    const flops = 2 * M * N * K * total;
    if (this.threadCount > 1 && flops >= this.options.minParallelFlops && disjoint) {
      const pool = this.ensurePool();
      if (pool !== null && pool.ready > 0) {
        const job = this.job;
        const T = Math.min(this.threadCount, pool.ready + 1);
        job[JOB.KIND] = KIND_GEMM;
        job[JOB.TRANS_A] = tA; job[JOB.TRANS_B] = tB;
        job[JOB.M] = M; job[JOB.N] = N; job[JOB.K] = K;
        job[JOB.PA] = pA; job[JOB.LDA] = lda; job[JOB.SA] = strideA;
        job[JOB.PB] = pB; job[JOB.LDB] = ldb; job[JOB.SB] = strideB;
        job[JOB.PC] = pC; job[JOB.LDC] = ldc; job[JOB.SC] = strideC;
        job[JOB.BATCH] = total; job[JOB.ACCUMULATE] = acc;
        job[JOB.INNER] = batch; job[JOB.OA] = oA; job[JOB.OB] = oB; job[JOB.OC] = oC;
        job[JOB.WS_BASE] = RESERVED; job[JOB.WS_BYTES] = this.wsBytes;
        const mTiles = Math.ceil(M / this.tileRows), nTiles = Math.ceil(N / this.tileCols);
        let split: number, per: number, work: number;
        if (total >= T && strideC !== 0) {
          // Whole products per chunk: nothing is packed twice.
          split = SPLIT_BATCH; work = total;
          per = Math.ceil(total / Math.min(total, 4 * T, MAX_CHUNKS));
        } else if (mTiles >= nTiles) {
          split = SPLIT_ROWS; work = M;
          per = Math.ceil(mTiles / T) * this.tileRows;
        } else {
          split = SPLIT_COLS; work = N;
          per = Math.ceil(nTiles / T) * this.tileCols;
        }
        job[JOB.SPLIT] = split;
        job[JOB.PER_CHUNK] = per;
        job[JOB.CHUNKS] = Math.ceil(work / per);
        this.counters.parallel++;
        if (pool.run(kernel, job, this.options.callerClaims)) return;
        restore();
      }
    }
    kernel.sgemmStrided(tA, tB, M, N, K, pA, lda, strideA, oA, pB, ldb, strideB, oB, pC, ldc, strideC, oC, batch, 0, total, acc, RESERVED);
  }

  /**
   * How many threads share the steps of a recurrent layer with hidden size H whose step
   * costs `flops`: the hidden units are split into that many ranges (multiples of 4).
   */
  private stepThreads(H: number, flops: number): { T: number; pool: KernelWorkerPool | null } {
    if (this.threadCount < 2 || flops < this.options.minParallelFlops || H < 8) return { T: 1, pool: null };
    const pool = this.ensurePool();
    if (pool === null || pool.ready === 0) return { T: 1, pool: null };
    return { T: Math.min(this.threadCount, pool.ready + 1, Math.floor(H / 4)), pool };
  }

  /**
   * The threads of a recurrent layer's steps, the hidden units each takes (a multiple of 4)
   * and the bytes of one packed block of W_hh columns for those units (K rows).
   */
  private unitSplit(H: number, flops: number, K: number): { T: number; pool: KernelWorkerPool | null; units: number; blockBytes: number } {
    const { T, pool } = this.stepThreads(H, flops);
    const units = Math.ceil(H / T / 4) * 4;
    return { T, pool, units, blockBytes: this.kernel!.packedBBytes(K, units) };
  }

  /** Runs one step job on the pool; false when a worker failed (the caller then starts over). */
  private runStep(pool: KernelWorkerPool, chunks: number): boolean {
    const job = this.job;
    job[JOB.CHUNKS] = chunks;
    job[JOB.WS_BASE] = RESERVED;
    job[JOB.WS_BYTES] = this.wsBytes;
    this.counters.parallel++;
    return pool.run(this.kernel!, job, this.options.callerClaims);
  }

  /**
   * The end of a recurrent backward, from the pre-activation gradients `pdPre` [S·B, G] and
   * the state before each step `pPrev` [S·B, H] (processing order) in the arena: dW_hh =
   * dPreᵀ · hPrev as one product over all steps (on every thread), db_hh as column sums of
   * dPre, then dW_hh, db_hh, dPre (time order) and dh0 (`pdh`) copied out.
   */
  private recurrentGradients(a: RecurrentBackwardArgs, G: number, pdPre: number, pPrev: number, pdW: number, pdb: number, pdh: number): void {
    const { S, B, H } = a;
    const arena = this.arena!;
    this.product(true, false, G, H, S * B, pdPre, G, 0, 0, pPrev, H, 0, 0, pdW, H, 0, 0, 1, 1, false, true, () => undefined);
    arena.get(pdW, G * H, a.dWeight);
    if (a.dBias !== null) {
      this.kernel!.columnSums(pdPre, S * B, G, pdb);
      arena.get(pdb, G, a.dBias);
    }
    getSteps(arena, pdPre, a.dPre, S, B * G, a.reverse);
    arena.get(pdh, B * H, a.dh0);
  }

  /** One LSTM layer-direction forward over the whole sequence (see kernels/fast.ts). */
  lstmForward(a: LstmForwardArgs): boolean {
    if (!this.load()) return false;
    const k = this.kernel!, arena = this.arena!;
    const { S, B, H, reverse } = a;
    const G = 4 * H, BH = B * H, BG = B * G;
    const { T, pool, units, blockBytes } = this.unitSplit(H, 2 * B * G * H, H);
    arena.reset();
    const pW = arena.floats(G * H);
    const pWp = arena.alloc(4 * T * blockBytes);
    const pPre = arena.floats(S * BG);
    const pH = arena.floats((S + 1) * BH);
    const pC = arena.floats((S + 1) * BH);
    const pBias = arena.floats(2 * G);
    if (pW < 0 || pWp < 0 || pPre < 0 || pH < 0 || pC < 0 || pBias < 0) return false;
    arena.put(pW, a.weight);
    // Per unit range t and gate g: the columns of W_hhᵀ (rows of W_hh) of those units.
    forUnitRanges(H, T, units, (t, u0, w) => {
      for (let g = 0; g < 4; g++) k.packBFull(pW + (g * H + u0) * H * 4, H, 1, H, w, pWp + (4 * t + g) * blockBytes);
    });
    putSteps(arena, pPre, a.xProj, S, BG, reverse);
    addBiases(k, arena, pPre, S * B, G, pBias, a.inputBias, a.bias);
    arena.put(pH, a.h0);
    arena.put(pC, a.c0);
    const job = this.job;
    if (pool !== null) {
      job[JOB.KIND] = KIND_LSTM_FORWARD;
      job[STEP.B] = B; job[STEP.H] = H; job[STEP.UNITS] = units;
      job[STEP.W] = pWp; job[STEP.W_STRIDE] = 4 * blockBytes; job[STEP.BLOCK] = blockBytes;
    }
    for (let s = 0; s < S; s++) {
      const pre = pPre + s * BG * 4, h = pH + s * BH * 4, c = pC + s * BH * 4;
      if (pool === null) {
        k.lstmForwardStep(B, H, 0, H, pre, pWp, blockBytes, h, c, h + BH * 4, c + BH * 4, RESERVED);
        continue;
      }
      job[STEP.PRE] = pre; job[STEP.H_PREV] = h; job[STEP.C_PREV] = c; job[STEP.H_NEXT] = h + BH * 4; job[STEP.C_NEXT] = c + BH * 4;
      if (!this.runStep(pool, T)) return false;
    }
    if (a.gates !== null) arena.get(pPre, S * BG, a.gates);
    arena.get(pC, (S + 1) * BH, a.c);
    getSteps(arena, pH + BH * 4, a.hOut, S, BH, reverse);
    this.counters.calls++;
    return true;
  }

  /** The matching backward (see kernels/fast.ts). */
  lstmBackward(a: LstmBackwardArgs): boolean {
    if (!this.load()) return false;
    const k = this.kernel!, arena = this.arena!;
    const { S, B, H, reverse } = a;
    const G = 4 * H, BH = B * H, BG = B * G;
    const { T, pool, units, blockBytes } = this.unitSplit(H, 2 * B * G * H, G);
    arena.reset();
    const pW = arena.floats(G * H);
    const pWp = arena.alloc(T * blockBytes);
    const pGates = arena.floats(S * BG);
    const pC = arena.floats((S + 1) * BH);
    const pdhOut = arena.floats(S * BH);
    const pdh = arena.floats(BH);
    const pdc = arena.floats(BH);
    const pdPre = arena.floats(S * BG);
    const pPrev = arena.floats(S * BH);
    const pdW = arena.floats(G * H);
    const pdb = arena.floats(G);
    if ([pW, pWp, pGates, pC, pdhOut, pdh, pdc, pdPre, pPrev, pdW, pdb].some((p) => p < 0)) return false;
    arena.put(pW, a.weight);
    // Per unit range: the columns of W_hh (K = 4H) of those units.
    forUnitRanges(H, T, units, (t, u0, w) => k.packBFull(pW + u0 * 4, H, 0, G, w, pWp + t * blockBytes));
    arena.put(pGates, a.gates);
    arena.put(pC, a.c);
    putSteps(arena, pdhOut, a.dhOut, S, BH, reverse);
    arena.put(pdc, a.dcN);
    const job = this.job;
    if (pool !== null) {
      job[JOB.KIND] = KIND_LSTM_BACKWARD;
      job[STEP.B] = B; job[STEP.H] = H; job[STEP.UNITS] = units;
      job[STEP.W] = pWp; job[STEP.W_STRIDE] = blockBytes;
      job[STEP.DH] = pdh; job[STEP.DC] = pdc;
    }
    // Steps S-1 .. 0, then one call that only turns step 0's gate gradients into dh0.
    for (let s = S - 1; s >= -1; s--) {
      const dpreNext = s < S - 1 ? pdPre + (s + 1) * BG * 4 : 0;
      const last = s < 0;
      const gates = last ? 0 : pGates + s * BG * 4, c = last ? 0 : pC + s * BH * 4, cNext = last ? 0 : c + BH * 4;
      const dhOut = last ? 0 : pdhOut + s * BH * 4, dpre = last ? 0 : pdPre + s * BG * 4;
      if (pool === null) {
        k.lstmBackwardStep(B, H, 0, H, dpreNext, pWp, gates, c, cNext, dhOut, pdh, pdc, dpre, RESERVED);
        continue;
      }
      job[STEP.DPRE_NEXT] = dpreNext; job[STEP.GATES] = gates; job[STEP.C_PREV] = c; job[STEP.C_NEXT] = cNext;
      job[STEP.DH_OUT] = dhOut; job[STEP.DPRE] = dpre;
      if (!this.runStep(pool, T)) return false;
    }
    // The state before each step, in processing order: h0, then the outputs of steps 0..S-2.
    arena.put(pPrev, a.h0);
    if (S > 1) {
      if (!reverse) arena.put(pPrev + BH * 4, a.hOut, 0, (S - 1) * BH);
      else for (let s = 1; s < S; s++) arena.put(pPrev + s * BH * 4, a.hOut, (S - s) * BH, BH);
    }
    this.recurrentGradients(a, G, pdPre, pPrev, pdW, pdb, pdh);
    arena.get(pdc, BH, a.dc0);
    this.counters.calls++;
    return true;
  }

  /** One Elman RNN layer-direction forward over the whole sequence (see kernels/fast.ts). */
  rnnForward(a: RnnForwardArgs): boolean {
    if (!this.load()) return false;
    const k = this.kernel!, arena = this.arena!;
    const { S, B, H, reverse } = a;
    const BH = B * H;
    const { T, pool, units, blockBytes } = this.unitSplit(H, 2 * B * H * H, H);
    arena.reset();
    const pW = arena.floats(H * H);
    const pWp = arena.alloc(T * blockBytes);
    const pPre = arena.floats(S * BH);
    const pH = arena.floats((S + 1) * BH);
    const pBias = arena.floats(2 * H);
    if (pW < 0 || pWp < 0 || pPre < 0 || pH < 0 || pBias < 0) return false;
    arena.put(pW, a.weight);
    forUnitRanges(H, T, units, (t, u0, w) => k.packBFull(pW + u0 * H * 4, H, 1, H, w, pWp + t * blockBytes));
    putSteps(arena, pPre, a.xProj, S, BH, reverse);
    addBiases(k, arena, pPre, S * B, H, pBias, a.inputBias, a.bias);
    arena.put(pH, a.h0);
    const relu = a.relu ? 1 : 0;
    const job = this.job;
    if (pool !== null) {
      job[JOB.KIND] = KIND_RNN_FORWARD;
      job[STEP.B] = B; job[STEP.H] = H; job[STEP.UNITS] = units; job[STEP.RELU] = relu;
      job[STEP.W] = pWp; job[STEP.W_STRIDE] = blockBytes;
    }
    for (let s = 0; s < S; s++) {
      const pre = pPre + s * BH * 4, h = pH + s * BH * 4;
      if (pool === null) {
        k.rnnForwardStep(B, H, 0, H, pre, pWp, h, h + BH * 4, relu, RESERVED);
        continue;
      }
      job[STEP.PRE] = pre; job[STEP.H_PREV] = h; job[STEP.H_NEXT] = h + BH * 4;
      if (!this.runStep(pool, T)) return false;
    }
    getSteps(arena, pH + BH * 4, a.hOut, S, BH, reverse);
    this.counters.calls++;
    return true;
  }

  /** The matching backward (see kernels/fast.ts). */
  rnnBackward(a: RnnBackwardArgs): boolean {
    if (!this.load()) return false;
    const k = this.kernel!, arena = this.arena!;
    const { S, B, H, reverse } = a;
    const BH = B * H;
    const { T, pool, units, blockBytes } = this.unitSplit(H, 2 * B * H * H, H);
    arena.reset();
    const pW = arena.floats(H * H);
    const pWp = arena.alloc(T * blockBytes);
    const pY = arena.floats(S * BH);
    const pdhOut = arena.floats(S * BH);
    const pdh = arena.floats(BH);
    const pdPre = arena.floats(S * BH);
    const pPrev = arena.floats(S * BH);
    const pdW = arena.floats(H * H);
    const pdb = arena.floats(H);
    if ([pW, pWp, pY, pdhOut, pdh, pdPre, pPrev, pdW, pdb].some((p) => p < 0)) return false;
    arena.put(pW, a.weight);
    forUnitRanges(H, T, units, (t, u0, w) => k.packBFull(pW + u0 * 4, H, 0, H, w, pWp + t * blockBytes));
    putSteps(arena, pY, a.hOut, S, BH, reverse);
    putSteps(arena, pdhOut, a.dhOut, S, BH, reverse);
    const relu = a.relu ? 1 : 0;
    const job = this.job;
    if (pool !== null) {
      job[JOB.KIND] = KIND_RNN_BACKWARD;
      job[STEP.B] = B; job[STEP.H] = H; job[STEP.UNITS] = units; job[STEP.RELU] = relu;
      job[STEP.W] = pWp; job[STEP.W_STRIDE] = blockBytes; job[STEP.DH] = pdh;
    }
    for (let s = S - 1; s >= -1; s--) {
      const dpreNext = s < S - 1 ? pdPre + (s + 1) * BH * 4 : 0;
      const last = s < 0;
      const y = last ? 0 : pY + s * BH * 4, dhOut = last ? 0 : pdhOut + s * BH * 4, dpre = last ? 0 : pdPre + s * BH * 4;
      if (pool === null) {
        k.rnnBackwardStep(B, H, 0, H, dpreNext, pWp, y, dhOut, pdh, dpre, relu, RESERVED);
        continue;
      }
      job[STEP.DPRE_NEXT] = dpreNext; job[STEP.GATES] = y; job[STEP.DH_OUT] = dhOut; job[STEP.DPRE] = dpre;
      if (!this.runStep(pool, T)) return false;
    }
    // The state before each step, in processing order: h0, then the outputs of steps 0..S-2.
    arena.put(pPrev, a.h0);
    if (S > 1) arena.put(pPrev + BH * 4, arena.view, (pY >>> 2), (S - 1) * BH);
    this.recurrentGradients(a, H, pdPre, pPrev, pdW, pdb, pdh);
    this.counters.calls++;
    return true;
  }

  /** softmax / log-softmax over contiguous rows (see kernels/fast.ts). */
  softmax(x: Float32Array, xOff: number, out: Float32Array, rows: number, n: number, log: boolean): boolean {
    const len = rows * n;
    if (len < MIN_ELEMENTWISE || !this.load()) return false;
    const arena = this.arena!;
    arena.reset();
    const p = arena.floats(len);
    if (p < 0) return false;
    arena.put(p, x, xOff, len);
    this.kernel!.softmaxRows(p, p, rows, n, log ? 1 : 0);
    arena.get(p, len, out);
    return true;
  }

  /** The backward of `softmax` (see kernels/fast.ts). */
  softmaxBackward(y: Float32Array, g: Float32Array, gOff: number, gx: Float32Array, rows: number, n: number, log: boolean): boolean {
    const len = rows * n;
    if (len < MIN_ELEMENTWISE || !this.load()) return false;
    const arena = this.arena!;
    arena.reset();
    const py = arena.floats(len);
    const pg = arena.floats(len);
    if (py < 0 || pg < 0) return false;
    arena.put(py, y, 0, len);
    arena.put(pg, g, gOff, len);
    this.kernel!.softmaxBackwardRows(py, pg, pg, rows, n, log ? 1 : 0);
    arena.get(pg, len, gx);
    return true;
  }

  /** An elementwise function (see kernels/fast.ts). */
  unary(kind: FastUnary, x: Float32Array, xOff: number, out: Float32Array, n: number): boolean {
    if (n < MIN_ELEMENTWISE || !this.load()) return false;
    const arena = this.arena!;
    arena.reset();
    const p = arena.floats(n);
    if (p < 0) return false;
    arena.put(p, x, xOff, n);
    this.kernel!.unaryMap(UNARY_KIND[kind], p, p, n);
    arena.get(p, n, out);
    return true;
  }

  /** The gradient of an elementwise function (see kernels/fast.ts). */
  unaryGrad(kind: FastUnary, g: Float32Array, gOff: number, s: Float32Array, sOff: number, out: Float32Array, n: number): boolean {
    if (n < MIN_ELEMENTWISE || !this.load()) return false;
    const arena = this.arena!;
    arena.reset();
    const pg = arena.floats(n);
    const ps = arena.floats(n);
    if (pg < 0 || ps < 0) return false;
    arena.put(pg, g, gOff, n);
    arena.put(ps, s, sOff, n);
    this.kernel!.binaryMap(UNARY_KIND[kind], pg, ps, pg, n);
    arena.get(pg, n, out);
    return true;
  }

  /** Layer norm over contiguous rows (see kernels/fast.ts). */
  layerNorm(
    x: Float32Array, xOff: number, w: Float32Array | null, b: Float32Array | null, eps: number,
    out: Float32Array, xhat: Float32Array, rstd: Float32Array, rows: number, D: number,
  ): boolean {
    const len = rows * D;
    if (len < MIN_ELEMENTWISE || !this.load()) return false;
    const arena = this.arena!;
    arena.reset();
    const px = arena.floats(len), ph = arena.floats(len), pr = arena.floats(rows);
    const pw = w ? arena.floats(D) : 0, pb = b ? arena.floats(D) : 0;
    if (px < 0 || ph < 0 || pr < 0 || pw < 0 || pb < 0) return false;
    arena.put(px, x, xOff, len);
    if (w) arena.put(pw, w);
    if (b) arena.put(pb, b);
    this.kernel!.layerNormRows(px, pw, pb, px, ph, pr, rows, D, eps);
    arena.get(px, len, out);
    arena.get(ph, len, xhat);
    arena.get(pr, rows, rstd);
    return true;
  }

  /** The backward of `layerNorm` (see kernels/fast.ts). */
  layerNormBackward(
    g: Float32Array, gOff: number, w: Float32Array | null, xhat: Float32Array, rstd: Float32Array,
    gx: Float32Array | null, gw: Float64Array | null, gb: Float64Array | null, rows: number, D: number,
  ): boolean {
    const len = rows * D;
    if (len < MIN_ELEMENTWISE || !this.load()) return false;
    const arena = this.arena!;
    arena.reset();
    const pg = arena.floats(len), ph = arena.floats(len), pr = arena.floats(rows), part = arena.floats(2 * D);
    const pw = w ? arena.floats(D) : 0;
    const pdw = gw ? arena.alloc(8 * D) : 0, pdb = gb ? arena.alloc(8 * D) : 0;
    if (pg < 0 || ph < 0 || pr < 0 || part < 0 || pw < 0 || pdw < 0 || pdb < 0) return false;
    arena.put(pg, g, gOff, len);
    arena.put(ph, xhat);
    arena.put(pr, rstd);
    if (w) arena.put(pw, w);
    if (pdw) arena.zero(pdw, 8 * D);
    if (pdb) arena.zero(pdb, 8 * D);
    // gx overwrites g in place (each row's g is read before its gx is written).
    this.kernel!.layerNormBackwardRows(pg, pw, ph, pr, gx ? pg : 0, pdw, pdb, part, rows, D);
    if (gx) arena.get(pg, len, gx);
    const tmp = new Float64Array(D);
    if (gw) {
      arena.getDoubles(pdw, D, tmp);
      for (let j = 0; j < D; j++) gw[j]! += tmp[j]!;
    }
    if (gb) {
      arena.getDoubles(pdb, D, tmp);
      for (let j = 0; j < D; j++) gb[j]! += tmp[j]!;
    }
    return true;
  }

  /** Column sums in float64 (see kernels/fast.ts). */
  columnSums(x: Float32Array, xOff: number, rows: number, cols: number, out: Float64Array): boolean {
    const len = rows * cols;
    if (len < MIN_ELEMENTWISE || !this.load()) return false;
    const arena = this.arena!;
    arena.reset();
    const px = arena.floats(len), po = arena.alloc(8 * cols);
    if (px < 0 || po < 0) return false;
    arena.put(px, x, xOff, len);
    this.kernel!.columnSumsF64(px, rows, cols, po);
    arena.getDoubles(po, cols, out);
    return true;
  }

  private decline(): false {
    this.counters.declined++;
    return false;
  }
}

/**
 * rows x G pre-activations at `p` += b_ih, then += b_hh (each that is not null; two
 * roundings, as adding b_ih in the input projection and b_hh after it). `pBias` has room for 2G floats.
 */
/** Calls `pack(t, u0, w)` for each thread t's non-empty range of hidden units [u0, u0 + w). */
function forUnitRanges(H: number, T: number, units: number, pack: (t: number, u0: number, w: number) => void): void {
  for (let t = 0; t < T; t++) {
    const u0 = Math.min(H, t * units), w = Math.min(H, u0 + units) - u0;
    if (w > 0) pack(t, u0, w);
  }
}

function addBiases(k: KernelExports, arena: Arena, p: number, rows: number, G: number, pBias: number, first: Float32Array | null, second: Float32Array | null): void {
  for (const [i, b] of [first, second].entries()) {
    if (b === null) continue;
    arena.put(pBias + i * G * 4, b);
    k.addRowBias(p, rows, G, pBias + i * G * 4);
  }
}

/** Copies S blocks of `n` floats from time order in `src` to processing order at `p`. */
function putSteps(arena: Arena, p: number, src: Float32Array, S: number, n: number, reverse: boolean): void {
  if (!reverse) arena.put(p, src, 0, S * n);
  else for (let k = 0; k < S; k++) arena.put(p + k * n * 4, src, (S - 1 - k) * n, n);
}

/** Copies S blocks of `n` floats from processing order at `p` to time order in `dst`. */
function getSteps(arena: Arena, p: number, dst: Float32Array, S: number, n: number, reverse: boolean): void {
  if (!reverse) arena.get(p, S * n, dst);
  else for (let k = 0; k < S; k++) arena.get(p + k * n * 4, n, dst, (S - 1 - k) * n);
}
