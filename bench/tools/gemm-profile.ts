/**
 * Where the time of one seqlab matrix product goes, size by size (a development tool,
 * not part of `npm run bench`):
 *
 *   node bench/dist/tools/gemm-profile.js [--threads=1] [sizes...]
 *   node --experimental-wasm-relaxed-simd bench/dist/tools/gemm-profile.js
 *
 * - kernel: the wasm sgemm alone on operands already in wasm memory (packing included);
 * - copies: copying A and B in and C out between Float32Arrays and wasm memory;
 * - backend: GemmBackend.gemmBatched into a preallocated C (kernel + copies + dispatch);
 * - matmul: the engine's public `matmul` (also allocates the result tensor).
 * Best of several timed runs, in GFLOP/s and microseconds per product.
 */
import { matmul, tensor } from '@seqlab/engine';
// Engine internals (not part of its public API), loaded from the built engine.
type BackendModule = typeof import('../../engine/dist/backend/wasm/backend.js');
type KernelModule = typeof import('../../engine/dist/backend/wasm/kernel-module.js');
type FeaturesModule = typeof import('../../engine/dist/backend/wasm/features.js');
type WasmApiModule = typeof import('../../engine/dist/backend/wasm/wasm-api.js');
const internal = (file: string) => new URL(`../../../engine/dist/backend/wasm/${file}`, import.meta.url).href;
const { WasmBackend } = (await import(internal('backend.js'))) as BackendModule;
const { instantiateKernel, kernelModule, kernelVariant } = (await import(internal('kernel-module.js'))) as KernelModule;
const { detectFeatures } = (await import(internal('features.js'))) as FeaturesModule;
const { wasmApi } = (await import(internal('wasm-api.js'))) as WasmApiModule;

const args = process.argv.slice(2);
const threads = Number(args.find((a) => a.startsWith('--threads='))?.split('=')[1] ?? 1);
const sizes = args.filter((a) => !a.startsWith('--')).map(Number);
if (sizes.length === 0) sizes.push(128, 256, 512, 1024);

/**
 * Best of 7 runs of ~150 ms. Also reports GFLOP/s per second of this process's user CPU
 * time, which on a loaded (shared) machine is steadier than wall time: time the thread
 * was not scheduled does not count. It is only meaningful for single-threaded products.
 */
function best(fn: () => void, flops: number): { gflops: number; us: number; cpuGflops: number } {
  for (let i = 0; i < 3; i++) fn();
  const t0 = performance.now();
  fn();
  const once = Math.max(performance.now() - t0, 1e-3);
  const reps = Math.max(1, Math.round(150 / once));
  let bestT = Infinity;
  let bestCpu = Infinity;
  for (let r = 0; r < 7; r++) {
    const c = process.cpuUsage();
    const t = performance.now();
    for (let i = 0; i < reps; i++) fn();
    bestT = Math.min(bestT, (performance.now() - t) / reps);
    bestCpu = Math.min(bestCpu, process.cpuUsage(c).user / 1e3 / reps);
  }
  return { gflops: flops / (bestT / 1e3) / 1e9, us: bestT * 1e3, cpuGflops: flops / (bestCpu / 1e3) / 1e9 };
}

const features = detectFeatures();
const relaxed = features.relaxedSimd;
const Memory = wasmApi()!.Memory;
const memory = new Memory({ initial: 1024, maximum: 65536 });
const k = instantiateKernel(kernelModule(kernelVariant(relaxed, false)), memory);
const backend = new WasmBackend({ threads });
console.log(`kernels: ${relaxed ? 'relaxed-SIMD FMA' : 'SIMD128'} ${k.tileRows()}x${k.tileCols()}, backend ${backend.name}`);
await backend.startWorkers();

const rows: string[] = [];
for (const n of sizes) {
  const flops = 2 * n * n * n;
  const ws = 65536, pA = ws + k.workspaceBytes(), pB = pA + n * n * 4, pC = pB + n * n * 4;
  const need = pC + n * n * 4;
  if (memory.buffer.byteLength < need) memory.grow(Math.ceil((need - memory.buffer.byteLength) / 65536));
  const view = new Float32Array(memory.buffer);
  const A = Float32Array.from({ length: n * n }, (_, i) => Math.sin(i));
  const B = Float32Array.from({ length: n * n }, (_, i) => Math.cos(i));
  const C = new Float32Array(n * n);
  view.set(A, pA / 4);
  view.set(B, pB / 4);
  const kernel = best(() => k.sgemm(0, 0, n, n, n, pA, n, pB, n, pC, n, 0, ws), flops);
  const copies = best(() => {
    view.set(A, pA / 4);
    view.set(B, pB / 4);
    C.set(view.subarray(pC / 4, pC / 4 + n * n));
  }, flops);
  const gemmArgs = {
    transA: false, transB: false, M: n, N: n, K: n, A, aOffset: 0, lda: n, B, bOffset: 0, ldb: n,
    C, cOffset: 0, ldc: n, accumulate: false, batch: 1, strideA: 0, strideB: 0, strideC: 0,
  };
  const viaBackend = best(() => backend.gemmBatched(gemmArgs), flops);
  const ta = tensor(A, { shape: [n, n] }), tb = tensor(B, { shape: [n, n] });
  const viaMatmul = best(() => void matmul(ta, tb), flops);
  rows.push(
    `${String(n).padStart(5)}  kernel ${kernel.gflops.toFixed(1).padStart(5)} GFLOP/s (cpu ${kernel.cpuGflops.toFixed(1).padStart(5)}) ${kernel.us.toFixed(0).padStart(7)} us | ` +
      `copies ${copies.us.toFixed(0).padStart(5)} us | backend ${viaBackend.gflops.toFixed(1).padStart(5)} GFLOP/s | ` +
      `matmul ${viaMatmul.gflops.toFixed(1).padStart(5)} GFLOP/s ${viaMatmul.us.toFixed(0).padStart(7)} us`,
  );
  console.log(rows[rows.length - 1]);
}
await backend.stopWorkers();
