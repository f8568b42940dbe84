/**
 * Which GEMM implementation the engine uses, and its threads.
 *
 * Importing `@seqlab/engine` installs the WebAssembly SIMD backend when the runtime has
 * WebAssembly SIMD; otherwise (or with `SEQLAB_BACKEND=reference`) every product runs on
 * the plain TypeScript reference in kernels/gemm.ts. The kernels themselves are compiled
 * on the first product big enough to use them, and worker threads start on the first
 * product big enough to share.
 *
 * Environment (read once, at import):
 * - `SEQLAB_BACKEND`: `auto` (default), `wasm` (fail loudly if unavailable) or `reference`;
 * - `SEQLAB_THREADS`: threads per large product, the caller included (default: one per core the
 *   process may run on, but no more than its cgroup CPU quota allows; SEQLAB_THREADS may go up
 *   to the cores);
 * - `SEQLAB_RELAXED_SIMD=0`: do not use relaxed-SIMD FMA kernels even where available.
 *
 * @example
 * ```ts
 * import { backend } from '@seqlab/engine';
 * backend.info();            // { name: 'wasm-simd128 x2', active: true, ... }
 * backend.setThreads(1);     // one thread per product
 * backend.use('reference');  // plain TypeScript from now on
 * ```
 */
import { getGemmBackend, setGemmBackend } from '../kernels/gemm.js';
import { setFastKernels } from '../kernels/fast.js';
import { kernelHost, setKernelHost } from './host/index.js';
import { browserKernelHost, type BrowserHostOptions } from './host/browser.js';
import { detectFeatures, type RuntimeFeatures } from './wasm/features.js';
import { WasmBackend, type WasmBackendOptions, type WasmBackendStats } from './wasm/backend.js';

export type { RuntimeFeatures } from './wasm/features.js';
export { setKernelHost, type KernelHost, type KernelWorkerHandle } from './host/index.js';
export type { WasmBackendOptions, WasmBackendStats } from './wasm/backend.js';
export type { BrowserHostOptions } from './host/browser.js';

/** `auto`: wasm when supported, else reference. `wasm`: wasm or an error. `reference`: TypeScript. */
export type BackendChoice = 'auto' | 'wasm' | 'reference';

/** A snapshot of the GEMM backend's state. */
export interface BackendInfo {
  /** `reference`, or the wasm backend's name such as `wasm-simd128 x2`. */
  name: string;
  /** Whether the wasm backend is installed. */
  active: boolean;
  features: RuntimeFeatures;
  /** Threads per large product (1 on the reference). */
  threads: number;
  /** Worker threads started and waiting for jobs. */
  workersReady: number;
  /** Why the wasm kernels could not be loaded, if they could not. */
  loadError: string | null;
  stats: WasmBackendStats | null;
}

let wasm: WasmBackend | null = null;
/** Whether `wasm` was built with caller options rather than the defaults and environment. */
let customized = false;
let features: RuntimeFeatures | null = null;
let warned = false;

function runtimeFeatures(): RuntimeFeatures {
  return (features ??= detectFeatures());
}

function warnOnce(error: Error): void {
  if (warned) return;
  warned = true;
  const proc = (globalThis as { process?: { emitWarning?: (msg: string, type: string) => void } }).process;
  const msg = `${error.message} (falling back to the TypeScript reference kernels)`;
  if (typeof proc?.emitWarning === 'function') proc.emitWarning(msg, 'SeqlabBackendWarning');
  else console.warn(msg);
}

function envOptions(): WasmBackendOptions {
  const options: WasmBackendOptions = { onLoadError: warnOnce };
  const threads = kernelHost().env('SEQLAB_THREADS');
  if (threads !== undefined) {
    const n = Number(threads);
    if (Number.isInteger(n) && n >= 1) options.threads = n;
    else warnOnce(new Error(`SEQLAB_THREADS must be a positive integer, got '${threads}'`));
  }
  if (kernelHost().env('SEQLAB_RELAXED_SIMD') === '0') options.relaxedSimd = false;
  return options;
}

/**
 * Chooses the GEMM implementation. Returns the name of the one now in use.
 * `wasm` throws when the runtime or the build cannot provide it. Options (threads,
 * thresholds, simulated features) replace the defaults; without options the defaults and
 * the environment apply again.
 */
export function use(choice: BackendChoice = 'auto', options: WasmBackendOptions = {}): string {
  if (choice === 'reference') {
    install(null);
    return 'reference';
  }
  if (choice !== 'auto' && choice !== 'wasm') {
    throw new Error(`backend.use: unknown backend '${String(choice)}' (expected 'auto', 'wasm' or 'reference')`);
  }
  const custom = Object.keys(options).length > 0;
  if (wasm === null || custom || customized) {
    const old = wasm;
    wasm = new WasmBackend({ ...envOptions(), features: runtimeFeatures(), ...options });
    customized = custom;
    if (old !== null) void old.stopWorkers();
  }
  const backend = wasm!;
  if (choice === 'wasm' && !backend.load()) {
    throw new Error(`backend.use('wasm'): ${backend.failure?.message ?? 'unavailable'}`);
  }
  if (!backend.supported) {
    install(null);
    return 'reference';
  }
  install(backend);
  return backend.name;
}

/** Installs the wasm backend for products and the other fast kernels together (or neither). */
function install(backend: WasmBackend | null): void {
  setGemmBackend(backend);
  setFastKernels(backend);
}

/**
 * Lets this process use the relaxed-SIMD (fused multiply-add) kernels on Node 20, where
 * V8 ships relaxed SIMD behind `--experimental-wasm-relaxed-simd`, by setting that V8
 * flag at run time (wasm features are read when a module is compiled, so this works
 * before and after the first product; the backend is rebuilt on the new kernels).
 * Meant for hosts such as the seqlab kernel, at start-up; Node 22+ needs nothing.
 * Returns whether relaxed SIMD is now available.
 */
export function enableRelaxedSimd(): boolean {
  if (!runtimeFeatures().relaxedSimd) {
    if (!kernelHost().setEngineFlags('--experimental-wasm-relaxed-simd')) return false;
    features = detectFeatures();
    if (!features.relaxedSimd) return false;
    if (wasm !== null) {
      const installed = getGemmBackend() === wasm;
      const old = wasm;
      wasm = new WasmBackend({ ...envOptions(), features });
      customized = false;
      void old.stopWorkers();
      if (installed) install(wasm);
    }
  }
  return true;
}

/**
 * Runs the wasm kernels in a browser: fetches them from `options.baseUrl` (the folder with
 * the four `kernels-*.wasm` builds and `kernel-worker.js`, which the seqlab site ships as
 * `build/engine/`), installs the browser kernel host (Web Worker threads where the page is
 * cross-origin isolated, one thread otherwise) and rebuilds the backend on it. Call it once,
 * before the first product; resolves with the backend's name.
 *
 * @example await backend.useBrowserHost({ baseUrl: '/course/build/engine/' });  // 'wasm-relaxed-simd x4'
 */
export async function useBrowserHost(options: BrowserHostOptions): Promise<string> {
  setKernelHost(await browserKernelHost(options));
  features = detectFeatures();
  const old = wasm;
  wasm = null;
  customized = false;
  if (old !== null) void old.stopWorkers();
  return use('auto');
}

/** The current backend's state. */
export function info(): BackendInfo {
  const active = wasm !== null && getGemmBackend() === wasm;
  return {
    name: active ? wasm!.name : 'reference',
    active,
    features: runtimeFeatures(),
    threads: active ? wasm!.threads : 1,
    workersReady: wasm?.workersReady ?? 0,
    loadError: wasm?.failure?.message ?? null,
    stats: wasm?.stats ?? null,
  };
}

/** Threads per large product, the caller included (capped at the cores; 1 without threads). */
export function setThreads(n: number): void {
  if (wasm === null) use('auto', { threads: n });
  else wasm.threads = n;
}

/** Starts the worker threads now instead of on the first large product; resolves with how many are ready. */
export function startWorkers(): Promise<number> {
  return wasm !== null && getGemmBackend() === wasm ? wasm.startWorkers() : Promise.resolve(0);
}

/** Stops the worker threads (they would restart on the next large product). */
export function stopWorkers(): Promise<void> {
  return wasm !== null ? wasm.stopWorkers() : Promise.resolve();
}

function installFromEnvironment(): void {
  const choice = kernelHost().env('SEQLAB_BACKEND') ?? 'auto';
  if (choice === 'reference') return;
  if (choice !== 'auto' && choice !== 'wasm') {
    warnOnce(new Error(`SEQLAB_BACKEND must be 'auto', 'wasm' or 'reference', got '${choice}'`));
    use('auto');
    return;
  }
  use(choice);
}

installFromEnvironment();
