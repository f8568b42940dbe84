/**
 * What every kernel family of the wasm backend shares: loading the kernel module onto one
 * WebAssembly memory, the scratch arena in it, the per-thread workspaces, the worker
 * pool, and running a job (protocol.ts) on this thread or on the pool. The family drivers
 * (gemm.ts, recurrent.ts, rows.ts, elementwise.ts) copy their operands into the arena,
 * call the kernels, and copy the results out; backend.ts puts them behind the engine's
 * `GemmBackend` and `FastKernels` interfaces.
 */
import type { InPlaceProducts } from '../../kernels/gemm.js';
import { defaultThreadCount } from '../host/cpu-quota.js';
import { Arena } from './arena.js';
import { detectFeatures, type RuntimeFeatures } from './features.js';
import { instantiateKernel, kernelModule, kernelVariant, type KernelExports } from './kernel-module.js';
import { KernelWorkerPool } from './pool.js';
import { JOB, JOB_WORDS, runChunk } from './protocol.js';
import { wasmApi, type WasmMemory, type WasmModule } from './wasm-api.js';

/** Tuning and capability overrides for the wasm backend. */
export interface WasmBackendOptions {
  /** Runtime capabilities (default: detected). Tests pass poorer ones to simulate fallbacks. */
  features?: RuntimeFeatures;
  /**
   * Threads per product, the caller included (default: one per core the process may
   * run on, no more than its CPU quota allows; at most the cores).
   */
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
export const MIN_ELEMENTWISE = 256;
const PAGE = 65536;
const MAX_PAGES = 65536;
/** Below this address nothing is used (AssemblyScript's static area would live there); thread 0's workspace starts here. */
export const RESERVED = 65536;
const ALIGN = 64;

function align(n: number): number {
  return Math.ceil(n / ALIGN) * ALIGN;
}

/** The kernels once loaded: what the family drivers work with. */
export interface LoadedKernels {
  kernel: KernelExports;
  arena: Arena;
}

export class WasmRuntime {
  readonly features: RuntimeFeatures;
  readonly options: Required<Omit<WasmBackendOptions, 'features' | 'threads' | 'onLoadError'>>;
  /** The job words the calling thread fills and publishes (protocol.ts). */
  readonly job = new Int32Array(JOB_WORDS);
  readonly counters = { calls: 0, declined: 0, parallel: 0, bytesCopied: 0 };
  /**
   * Runs products whose operands are already in the kernel memory (a recurrent layer's
   * weight gradient) instead of the wasm GEMM, when set: the native backend, given the
   * memory's float view as A, B and C. It may decline a product (the wasm GEMM runs it).
   */
  memoryProducts: InPlaceProducts | null = null;
  /** The GEMM micro-tile, for cutting products into chunks of whole tiles. */
  tileRows = 4;
  tileCols = 8;
  private readonly onLoadError: ((error: Error) => void) | undefined;
  private threadCount: number;
  private loadError: Error | null = null;
  private loaded: LoadedKernels | null = null;
  private module: WasmModule | null = null;
  private memory: WasmMemory | null = null;
  private pool: KernelWorkerPool | null = null;
  private wsBytes = 0;

  constructor(options: WasmBackendOptions = {}) {
    this.features = options.features ?? detectFeatures();
    this.options = {
      relaxedSimd: options.relaxedSimd ?? true,
      minWork: options.minWork ?? 256,
      minParallelFlops: options.minParallelFlops ?? 2 ** 22,
      callerClaims: options.callerClaims ?? true,
    };
    this.onLoadError = options.onLoadError;
    this.threadCount = this.clampThreads(options.threads ?? defaultThreadCount(this.features.cores, this.features.cpuQuota));
  }

  /** Uses relaxed-SIMD FMA kernels (decided when the kernels load). */
  get relaxed(): boolean {
    return this.options.relaxedSimd && this.features.relaxedSimd;
  }

  /** Threads per large job (the caller included). */
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

  /** Loads and instantiates the kernels (once); null when that is impossible here. */
  load(): LoadedKernels | null {
    if (this.loaded !== null) return this.loaded;
    if (this.loadError !== null) return null;
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
      this.tileRows = kernel.tileRows();
      this.tileCols = kernel.tileCols();
      this.module = mod;
      this.memory = memory;
      this.loaded = { kernel, arena: new Arena(memory, RESERVED + slots * this.wsBytes) };
      return this.loaded;
    } catch (e) {
      this.loadError = e instanceof Error ? e : new Error(String(e));
      this.onLoadError?.(this.loadError);
      return null;
    }
  }

  /**
   * The kernels with an empty arena, for a call on `elements` elements of an elementwise
   * or row kernel: null when that is too small to pay for the copies, or when the kernels
   * cannot be loaded (the caller then declines).
   */
  scratch(elements: number): LoadedKernels | null {
    const k = elements < MIN_ELEMENTWISE ? null : this.load();
    k?.arena.reset();
    return k;
  }

  /** Starts the worker threads now and resolves when they are ready (otherwise lazy). */
  async startWorkers(): Promise<number> {
    if (this.load() === null || this.threadCount < 2) return 0;
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

  /**
   * The pool and how many threads (the caller included) may share a job of `flops`
   * floating-point operations: null when it runs on this thread (too small, one thread,
   * or no worker ready yet).
   */
  parallel(flops: number): { pool: KernelWorkerPool; threads: number } | null {
    if (this.threadCount < 2 || flops < this.options.minParallelFlops) return null;
    const pool = this.ensurePool();
    if (pool === null || pool.ready === 0) return null;
    return { pool, threads: Math.min(this.threadCount, pool.ready + 1) };
  }

  /**
   * Runs the job in `job` as `chunks` chunks: on the pool, or (without one) its single
   * chunk on this thread. False when a worker failed: the caller must then start over,
   * as partial results may have been written.
   */
  runJob(pool: KernelWorkerPool | null, chunks: number): boolean {
    const job = this.job;
    job[JOB.CHUNKS] = chunks;
    job[JOB.WS_BASE] = RESERVED;
    job[JOB.WS_BYTES] = this.wsBytes;
    if (pool === null) {
      runChunk(this.loaded!.kernel, job, 0, 0);
      return true;
    }
    this.counters.parallel++;
    return pool.run(this.loaded!.kernel, job, this.options.callerClaims);
  }

  /** Counts a call left to the reference and returns false (the declining kernel's answer). */
  decline(): false {
    this.counters.declined++;
    return false;
  }
}
