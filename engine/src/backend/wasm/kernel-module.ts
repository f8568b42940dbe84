/**
 * Compiling and instantiating the kernels built from engine/assembly by
 * `npm run build:wasm` (into engine/dist/wasm), with the bytes from the kernel host.
 * Compilation is synchronous (the modules are a few KiB) and happens once per variant, on
 * the first product large enough to use the backend, never at import.
 */
import { kernelHost } from '../host/index.js';
import { wasmApi, type WasmMemory, type WasmModule } from './wasm-api.js';

/** The four builds of engine/assembly (entry index.ts). */
export type KernelVariant = 'kernels-simd' | 'kernels-simd-shared' | 'kernels-relaxed' | 'kernels-relaxed-shared';

/** The functions the kernel module exports (pointers are byte addresses in its memory). */
export interface KernelExports {
  sgemm(
    transA: number, transB: number, M: number, N: number, K: number,
    pA: number, lda: number, pB: number, ldb: number, pC: number, ldc: number,
    accumulate: number, ws: number,
  ): void;
  sgemmBatched(
    transA: number, transB: number, M: number, N: number, K: number,
    pA: number, lda: number, strideA: number, pB: number, ldb: number, strideB: number,
    pC: number, ldc: number, strideC: number, batch: number, accumulate: number, ws: number,
  ): void;
  packedBBytes(K: number, N: number): number;
  packBFull(pB: number, ldb: number, transB: number, K: number, N: number, dst: number): void;
  sgemmPackedB(
    transA: number, M: number, N: number, K: number, pA: number, lda: number, pBPacked: number,
    pC: number, ldc: number, accumulate: number, ws: number,
  ): void;
  addRowBias(p: number, rows: number, cols: number, bias: number): void;
  columnSums(p: number, rows: number, cols: number, out: number): void;
  lstmForwardStep(
    B: number, H: number, u0: number, u1: number, pre: number, wPacked: number, blockBytes: number,
    h: number, c: number, hNext: number, cNext: number, ws: number,
  ): void;
  lstmBackwardStep(
    B: number, H: number, u0: number, u1: number, dpreNext: number, wPacked: number,
    gates: number, c: number, cNext: number, dhOut: number, dh: number, dc: number, dpre: number, ws: number,
  ): void;
  gruForwardStep(
    B: number, H: number, u0: number, u1: number, pre: number, wPacked: number, blockBytes: number, bias: number,
    h: number, hNext: number, an: number, scratch: number, ws: number,
  ): void;
  gruBackwardStep(
    B: number, H: number, u0: number, u1: number, daNext: number, wPacked: number,
    gates: number, an: number, h: number, dhOut: number, dh: number, dx: number, da: number, ws: number,
  ): void;
  rnnForwardStep(
    B: number, H: number, u0: number, u1: number, pre: number, wPacked: number, h: number, hNext: number, relu: number, ws: number,
  ): void;
  rnnBackwardStep(
    B: number, H: number, u0: number, u1: number, dpreNext: number, wPacked: number, y: number, dhOut: number, dh: number,
    dpre: number, relu: number, ws: number,
  ): void;
  recurrentWeightGrad(S: number, B: number, H: number, G: number, dpre: number, h: number, dW: number, ws: number): void;
  softmaxRows(x: number, out: number, rows: number, n: number, log: number): void;
  softmaxBackwardRows(y: number, g: number, gx: number, rows: number, n: number, log: number): void;
  unaryMap(kind: number, x: number, out: number, n: number): void;
  binaryMap(kind: number, a: number, b: number, out: number, n: number): void;
  layerNormRows(x: number, w: number, b: number, out: number, xhat: number, rstd: number, rows: number, D: number, eps: number): void;
  layerNormBackwardRows(
    g: number, w: number, xhat: number, rstd: number, gx: number, dw: number, db: number, part: number, rows: number, D: number,
  ): void;
  sgemmStrided(
    transA: number, transB: number, M: number, N: number, K: number,
    pA: number, lda: number, strideA: number, outerA: number, pB: number, ldb: number, strideB: number, outerB: number,
    pC: number, ldc: number, strideC: number, outerC: number, inner: number, first: number, count: number,
    accumulate: number, ws: number,
  ): void;
  columnSumsF64(x: number, rows: number, cols: number, out: number): void;
  workspaceBytes(): number;
  tileRows(): number;
  tileCols(): number;
  usesRelaxedSimd(): number;
}

/** The variant to use for a runtime: relaxed FMA when allowed, shared memory for threads. */
export function kernelVariant(relaxed: boolean, shared: boolean): KernelVariant {
  return `kernels-${relaxed ? 'relaxed' : 'simd'}${shared ? '-shared' : ''}`;
}

/** The modules compiled so far, per host (another host may provide other bytes). */
const compiled = new WeakMap<object, Map<KernelVariant, WasmModule>>();

/** Compiles (once per host) and returns the module of a variant; throws a clear error when it is missing. */
export function kernelModule(variant: KernelVariant): WasmModule {
  const host = kernelHost();
  let modules = compiled.get(host);
  if (modules === undefined) compiled.set(host, (modules = new Map()));
  const cached = modules.get(variant);
  if (cached !== undefined) return cached;
  const wasm = wasmApi();
  if (wasm === null) throw new Error('seqlab wasm backend: this runtime has no WebAssembly');
  const mod = new wasm.Module(host.kernelBytes(variant));
  modules.set(variant, mod);
  return mod;
}

/** Instantiates a kernel module on a memory (synchronously). */
export function instantiateKernel(mod: WasmModule, memory: WasmMemory): KernelExports {
  const wasm = wasmApi();
  if (wasm === null) throw new Error('seqlab wasm backend: this runtime has no WebAssembly');
  const instance = new wasm.Instance(mod, { env: { memory } });
  return instance.exports as unknown as KernelExports;
}
