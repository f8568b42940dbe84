/**
 * The optional native GEMM backend: every product the engine makes (kernels/gemm.ts,
 * float32 and float64) on OpenBLAS through a small Node-API addon (engine/native/
 * seqlab_blas.c, built by `npm run build` where a C compiler and Debian's libopenblas-dev
 * exist). OpenBLAS reads and writes the engine's arrays in place, so a product costs no
 * copies, and its AVX2/AVX-512 kernels run about twice as fast as WebAssembly's 128-bit
 * SIMD allows (sgemm-512 on one thread here: 97 against 43 GFLOP/s).
 *
 * Only products move: the recurrent, row and elementwise kernels stay on the wasm backend,
 * which is also the fallback for any product the addon declines. Where the addon is
 * missing (a browser, a machine without a compiler or OpenBLAS), nothing changes: the wasm
 * kernels run everything, as before.
 *
 * Results are not bit for bit those of the wasm kernels (OpenBLAS sums in another order);
 * like any two BLAS libraries they agree to float32 rounding. `SEQLAB_BACKEND=wasm` keeps
 * the wasm kernels for products (what a browser computes, bit for bit).
 */
import type { FloatArray, GemmBackend, GemmBatchedArgs, InPlaceProducts } from '../../kernels/gemm.js';

/** What the addon exports (engine/native/seqlab_blas.c). */
export interface NativeBlas {
  /** Length of the parameter block `gemm` reads. */
  readonly paramCount: number;
  gemm(params: Float64Array, A: FloatArray, B: FloatArray, C: FloatArray, bias: FloatArray | null): void;
  setThreads(n: number): void;
  info(): { threads: number; config: string; core: string };
  /** glibc malloc thresholds (bytes); false where the C library is not glibc. */
  tuneMalloc(mmapThreshold: number, trimThreshold: number, topPad: number): boolean;
}

// The parameter block's layout, as in seqlab_blas.c.
const P = {
  TRANS_A: 0, TRANS_B: 1, M: 2, N: 3, K: 4,
  A_OFF: 5, LDA: 6, SA: 7, OA: 8,
  B_OFF: 9, LDB: 10, SB: 11, OB: 12,
  C_OFF: 13, LDC: 14, SC: 15, OC: 16,
  BATCH: 17, OUTER: 18, ACCUMULATE: 19, BIAS_OFF: 20,
  COUNT: 21,
} as const;

/** Checks that `blas` is the addon this engine was built with. */
export function checkNativeBlas(blas: unknown): NativeBlas {
  const b = blas as Partial<NativeBlas> | null;
  if (
    b === null || typeof b !== 'object' || typeof b.gemm !== 'function' || typeof b.setThreads !== 'function' ||
    typeof b.info !== 'function' || typeof b.tuneMalloc !== 'function'
  ) {
    throw new Error('seqlab native backend: the addon does not export gemm, setThreads, info and tuneMalloc; rebuild it with `npm run build`');
  }
  if (b.paramCount !== P.COUNT) {
    throw new Error(`seqlab native backend: the addon reads ${String(b.paramCount)} parameters, this engine writes ${P.COUNT}; rebuild it with \`npm run build\``);
  }
  return b as NativeBlas;
}

/**
 * The allocator policy the native backend brings (Node on glibc): V8 allocates every
 * tensor's buffer with calloc, and glibc maps blocks above a threshold that adapts up to
 * 32 MiB fresh from the kernel, so a training step's new outputs (scores, activations,
 * gradients) take a page fault for every 4 KiB they touch, and freed ones go back at once.
 * Fixing the thresholds keeps blocks up to 32 MiB in the heap and up to 128 MiB of freed
 * heap mapped, so a step reuses the pages the previous step freed (measured: the encoder
 * step 27-28 -> 22 ms, mha 10-12 -> 9.5-9.7 ms on one thread). The process keeps up to
 * 128 MiB more mapped after a spike. Not applied with `SEQLAB_MALLOC_TUNING=0`, or when
 * the user set glibc's own MALLOC_*_ or GLIBC_TUNABLES variables.
 */
export function tuneMalloc(blas: NativeBlas, env: (name: string) => string | undefined): boolean {
  if (env('SEQLAB_MALLOC_TUNING') === '0') return false;
  for (const name of ['MALLOC_MMAP_THRESHOLD_', 'MALLOC_TRIM_THRESHOLD_', 'MALLOC_TOP_PAD_', 'GLIBC_TUNABLES']) {
    if (env(name) !== undefined) return false;
  }
  return blas.tuneMalloc(32 << 20, 128 << 20, 16 << 20);
}

function sameKind(a: FloatArray, b: FloatArray): boolean {
  return a instanceof Float32Array ? b instanceof Float32Array : a instanceof Float64Array && b instanceof Float64Array;
}

export interface NativeGemmStats {
  /** Products run by OpenBLAS. */
  calls: number;
  /** Products passed on to the fallback (too small, mixed element types, or refused by the addon). */
  declined: number;
}

export class NativeGemm implements GemmBackend, InPlaceProducts {
  private readonly params: Float64Array;
  private nThreads: number;
  /** The products the addon does not take go here (the wasm backend), or to the reference when null. */
  fallback: GemmBackend | null;
  readonly stats: NativeGemmStats = { calls: 0, declined: 0 };

  constructor(
    private readonly blas: NativeBlas,
    fallback: GemmBackend | null,
    threads: number,
    /**
     * Below this many multiply-adds (M·N·K over the whole batch) a product goes to the
     * fallback: a Node-API call costs about as much as a tiny product on the wasm kernels.
     */
    private readonly minWork = 4096,
  ) {
    this.params = new Float64Array(P.COUNT);
    this.fallback = fallback;
    this.nThreads = 1;
    this.threads = threads;
  }

  get name(): string {
    return `openblas x${this.nThreads}`;
  }

  /** OpenBLAS's identification: its version and build options, and the CPU kernels it chose. */
  get library(): { config: string; core: string } {
    const { config, core } = this.blas.info();
    return { config, core };
  }

  get threads(): number {
    return this.nThreads;
  }

  set threads(n: number) {
    if (!Number.isInteger(n) || n < 1) throw new RangeError(`native backend: threads must be a positive integer, got ${n}`);
    this.blas.setThreads(n);
    this.nThreads = n;
  }

  gemmBatched(args: GemmBatchedArgs): boolean {
    if (this.tryGemm(args)) return true;
    this.stats.declined++;
    return this.fallback !== null && this.fallback.gemmBatched(args);
  }

  /** The product on OpenBLAS, or false (nothing written) for one it does not take; never the fallback. */
  tryGemm(args: GemmBatchedArgs): boolean {
    const { A, B, C } = args;
    const bias = args.rowBias ?? null;
    if (!sameKind(A, C) || !sameKind(B, C) || (bias !== null && !sameKind(bias, C))) return false;
    const outer = args.outer ?? 1;
    if (args.M * args.N * args.K * args.batch * outer < this.minWork) return false;
    const p = this.params;
    p[P.TRANS_A] = args.transA ? 1 : 0;
    p[P.TRANS_B] = args.transB ? 1 : 0;
    p[P.M] = args.M; p[P.N] = args.N; p[P.K] = args.K;
    p[P.A_OFF] = args.aOffset; p[P.LDA] = args.lda; p[P.SA] = args.strideA; p[P.OA] = args.outerStrideA ?? 0;
    p[P.B_OFF] = args.bOffset; p[P.LDB] = args.ldb; p[P.SB] = args.strideB; p[P.OB] = args.outerStrideB ?? 0;
    p[P.C_OFF] = args.cOffset; p[P.LDC] = args.ldc; p[P.SC] = args.strideC; p[P.OC] = args.outerStrideC ?? 0;
    p[P.BATCH] = args.batch; p[P.OUTER] = outer;
    p[P.ACCUMULATE] = args.accumulate ? 1 : 0;
    p[P.BIAS_OFF] = args.rowBiasOffset ?? 0;
    try {
      this.blas.gemm(p, A, B, C, bias);
    } catch {
      // The addon validates every call and refuses layouts it cannot read (it has then
      // written nothing); the fallback decides what such a call means.
      return false;
    }
    this.stats.calls++;
    return true;
  }
}
