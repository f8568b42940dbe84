/**
 * The WebAssembly backend: the engine's `GemmBackend` (kernels/gemm.ts) and `FastKernels`
 * (kernels/fast.ts) on the SIMD kernels of engine/assembly, on one thread or, for large
 * products and recurrent layers, on all the threads the process may use. Each method is
 * its kernel family's driver (gemm.ts, recurrent.ts, rows.ts, elementwise.ts) over the
 * one runtime they share (runtime.ts: the kernels, their memory, the worker pool).
 */
import type {
  FastKernels, FastUnary, GruBackwardArgs, GruForwardArgs, LstmBackwardArgs, LstmForwardArgs, RnnBackwardArgs, RnnForwardArgs,
} from '../../kernels/fast.js';
import type { GemmBackend, GemmBatchedArgs, InPlaceProducts } from '../../kernels/gemm.js';
import * as elementwise from './elementwise.js';
import type { RuntimeFeatures } from './features.js';
import * as gemm from './gemm.js';
import * as recurrent from './recurrent.js';
import * as rows from './rows.js';
import { WasmRuntime, type WasmBackendOptions, type WasmBackendStats } from './runtime.js';

export type { WasmBackendOptions, WasmBackendStats } from './runtime.js';

export class WasmBackend implements GemmBackend, FastKernels {
  private readonly rt: WasmRuntime;

  constructor(options: WasmBackendOptions = {}) {
    this.rt = new WasmRuntime(options);
  }

  get features(): RuntimeFeatures {
    return this.rt.features;
  }

  /** Whether this runtime can run the backend at all (WebAssembly SIMD). */
  get supported(): boolean {
    return this.rt.features.simd;
  }

  /** Uses relaxed-SIMD FMA kernels (decided when the kernels load). */
  get relaxed(): boolean {
    return this.rt.relaxed;
  }

  get name(): string {
    return `wasm-${this.relaxed ? 'relaxed-simd' : 'simd128'} x${this.rt.threads}`;
  }

  /** Threads per large product (the caller included). */
  get threads(): number {
    return this.rt.threads;
  }

  set threads(n: number) {
    this.rt.threads = n;
  }

  /**
   * Where products on operands already in the kernel memory go (the native backend), or
   * null for the wasm GEMM (see runtime.ts).
   */
  get memoryProducts(): InPlaceProducts | null {
    return this.rt.memoryProducts;
  }

  set memoryProducts(next: InPlaceProducts | null) {
    this.rt.memoryProducts = next;
  }

  /** Why the kernels could not be loaded, or null. */
  get failure(): Error | null {
    return this.rt.failure;
  }

  get stats(): WasmBackendStats {
    return this.rt.stats;
  }

  /** Worker threads ready for jobs. */
  get workersReady(): number {
    return this.rt.workersReady;
  }

  /** Loads and instantiates the kernels (once); false when that is impossible here. */
  load(): boolean {
    return this.rt.load() !== null;
  }

  /** Starts the worker threads now and resolves with how many are ready (otherwise they start lazily). */
  startWorkers(): Promise<number> {
    return this.rt.startWorkers();
  }

  /** Stops the worker threads (they restart lazily if needed). */
  stopWorkers(): Promise<void> {
    return this.rt.stopWorkers();
  }

  gemmBatched(args: GemmBatchedArgs): boolean {
    return gemm.gemmBatched(this.rt, args);
  }

  /** One LSTM layer-direction forward over the whole sequence (see kernels/fast.ts). */
  lstmForward(a: LstmForwardArgs): boolean {
    return recurrent.lstmForward(this.rt, a);
  }

  lstmBackward(a: LstmBackwardArgs): boolean {
    return recurrent.lstmBackward(this.rt, a);
  }

  /** One GRU layer-direction forward over the whole sequence (see kernels/fast.ts). */
  gruForward(a: GruForwardArgs): boolean {
    return recurrent.gruForward(this.rt, a);
  }

  gruBackward(a: GruBackwardArgs): boolean {
    return recurrent.gruBackward(this.rt, a);
  }

  /** One Elman RNN layer-direction forward over the whole sequence (see kernels/fast.ts). */
  rnnForward(a: RnnForwardArgs): boolean {
    return recurrent.rnnForward(this.rt, a);
  }

  rnnBackward(a: RnnBackwardArgs): boolean {
    return recurrent.rnnBackward(this.rt, a);
  }

  softmax(x: Float32Array, xOff: number, out: Float32Array, rowCount: number, n: number, log: boolean): boolean {
    return rows.softmax(this.rt, x, xOff, out, rowCount, n, log);
  }

  softmaxBackward(y: Float32Array, g: Float32Array, gOff: number, gx: Float32Array, rowCount: number, n: number, log: boolean): boolean {
    return rows.softmaxBackward(this.rt, y, g, gOff, gx, rowCount, n, log);
  }

  layerNorm(
    x: Float32Array, xOff: number, w: Float32Array | null, b: Float32Array | null, eps: number,
    out: Float32Array, xhat: Float32Array, rstd: Float32Array, rowCount: number, D: number,
  ): boolean {
    return rows.layerNorm(this.rt, x, xOff, w, b, eps, out, xhat, rstd, rowCount, D);
  }

  layerNormBackward(
    g: Float32Array, gOff: number, w: Float32Array | null, xhat: Float32Array, rstd: Float32Array,
    gx: Float32Array | null, gw: Float64Array | null, gb: Float64Array | null, rowCount: number, D: number,
  ): boolean {
    return rows.layerNormBackward(this.rt, g, gOff, w, xhat, rstd, gx, gw, gb, rowCount, D);
  }

  columnSums(x: Float32Array, xOff: number, rowCount: number, cols: number, out: Float64Array): boolean {
    return rows.columnSums(this.rt, x, xOff, rowCount, cols, out);
  }

  unary(kind: FastUnary, x: Float32Array, xOff: number, out: Float32Array, n: number): boolean {
    return elementwise.unary(this.rt, kind, x, xOff, out, n);
  }

  unaryGrad(kind: FastUnary, g: Float32Array, gOff: number, s: Float32Array, sOff: number, out: Float32Array, n: number): boolean {
    return elementwise.unaryGrad(this.rt, kind, g, gOff, s, sOff, out, n);
  }
}
