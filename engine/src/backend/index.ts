/**
 * Which GEMM implementation the engine uses, and its threads.
 *
 * Importing `@seqlab/engine` installs the WebAssembly SIMD backend when the runtime has
 * WebAssembly SIMD; otherwise (or with `SEQLAB_BACKEND=reference`) every product runs on
 * the plain TypeScript reference in kernels/gemm.ts. In Node, where the optional native
 * addon was built (a C compiler and OpenBLAS at `npm run build`: native/native.ts), the
 * products run on OpenBLAS and everything else on the wasm kernels. The kernels themselves
 * are compiled on the first product big enough to use them, and worker threads start on
 * the first product big enough to share.
 *
 * Environment (read once, at import):
 * - `SEQLAB_BACKEND`: `auto` (default: native products where built, else wasm), `native`
 *   (fail loudly if the addon cannot load), `wasm` (products on the wasm kernels too, bit
 *   for bit what a browser computes) or `reference`;
 * - `SEQLAB_THREADS`: threads per large product, the caller included (default: one per core the
 *   process may run on, but no more than its cgroup CPU quota allows; SEQLAB_THREADS may go up
 *   to the cores);
 * - `SEQLAB_RELAXED_SIMD=0`: do not use relaxed-SIMD FMA kernels even where available.
 *
 * @example
 * ```ts
 * import { backend } from '@seqlab/engine';
 * backend.info();            // { name: 'openblas x2', kernels: 'wasm-simd128 x2', active: true, ... }
 * backend.setThreads(1);     // one thread per product
 * backend.use('reference');  // plain TypeScript from now on
 * ```
 */
import { getGemmBackend, setGemmBackend } from '../kernels/gemm.js';
import { fastKernels, setFastKernels } from '../kernels/fast.js';
import { kernelHost, setKernelHost, type KernelHost } from './host/index.js';
import { browserKernelHost, type BrowserHostOptions } from './host/browser.js';
import { detectFeatures, type RuntimeFeatures } from './wasm/features.js';
import { WasmBackend, type WasmBackendOptions, type WasmBackendStats } from './wasm/backend.js';
import { checkNativeBlas, NativeGemm, tuneMalloc, type NativeGemmStats } from './native/native.js';

export type { RuntimeFeatures } from './wasm/features.js';
export type { KernelHost, KernelWorkerHandle } from './host/index.js';
export type { WasmBackendOptions, WasmBackendStats } from './wasm/backend.js';
export type { BrowserHostOptions } from './host/browser.js';
export type { NativeGemmStats } from './native/native.js';

/**
 * `auto`: native products where the addon loads, the wasm kernels where the runtime has
 * SIMD, else reference. `native`: the addon (and wasm for the rest) or an error. `wasm`:
 * the wasm kernels for everything, or an error. `reference`: TypeScript.
 */
export type BackendChoice = 'auto' | 'native' | 'wasm' | 'reference';

/** The native product backend's state. */
export interface NativeInfo {
  /** Whether products run on it. */
  active: boolean;
  /** OpenBLAS's version and build options, and the CPU kernels it chose (when loaded). */
  library: { config: string; core: string } | null;
  /** Why it could not be loaded, if it was tried and could not. */
  loadError: string | null;
  /** Whether it set glibc's malloc thresholds for tensor buffers (native/native.ts `tuneMalloc`). */
  mallocTuned: boolean;
  stats: NativeGemmStats | null;
}

/** A snapshot of the backends' state. */
export interface BackendInfo {
  /**
   * What runs the products: `reference`, the wasm backend's name such as `wasm-simd128 x2`,
   * or the native one's such as `openblas x2`.
   */
  name: string;
  /** What runs the other fast kernels (recurrent layers, softmax, layer norm, ...): the wasm backend's name, or `reference`. */
  kernels: string;
  /** Whether the wasm backend is installed. */
  active: boolean;
  native: NativeInfo;
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
/** The native product backend once loaded (it wraps the wasm backend as its fallback). */
let native: NativeGemm | null = null;
/** Why the native backend cannot load on this host (null: not tried yet, or loaded). */
let nativeError: string | null = null;
/** Whether loading it tuned glibc's malloc (once per process). */
let mallocTuned = false;
/** Whether `wasm` was built with caller options rather than the defaults and environment. */
let customized = false;
let features: RuntimeFeatures | null = null;
let warned = false;

function runtimeFeatures(): RuntimeFeatures {
  return (features ??= detectFeatures());
}

function warnOnce(error: Error, consequence = 'falling back to the TypeScript reference kernels'): void {
  if (warned) return;
  warned = true;
  const proc = (globalThis as { process?: { emitWarning?: (msg: string, type: string) => void } }).process;
  const msg = `${error.message} (${consequence})`;
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
  if (choice !== 'auto' && choice !== 'native' && choice !== 'wasm') {
    throw new Error(`backend.use: unknown backend '${String(choice)}' (expected 'auto', 'native', 'wasm' or 'reference')`);
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
  const kernels = backend.supported ? backend : null;
  const products = choice === 'wasm' ? null : loadNative();
  if (choice === 'native' && products === null) throw new Error(`backend.use('native'): ${nativeError}`);
  install(kernels, products);
  return getGemmBackend()?.name ?? 'reference';
}

/** The native backend, loaded through the kernel host once; null (and `nativeError` says why) where it cannot load. */
function loadNative(): NativeGemm | null {
  if (native !== null || nativeError !== null) return native;
  const host = kernelHost();
  if (host.nativeBlas === undefined) {
    nativeError = `the ${host.name} host has no native code`;
    return null;
  }
  try {
    const blas = checkNativeBlas(host.nativeBlas());
    native = new NativeGemm(blas, null, 1);
    mallocTuned ||= tuneMalloc(blas, (name) => host.env(name));
  } catch (e) {
    nativeError = e instanceof Error ? e.message : String(e);
  }
  return native;
}

/**
 * Installs the wasm backend for the fast kernels (or the reference, with null) and for the
 * products too, unless `products` (the native backend) takes them, with the wasm backend
 * behind it for what it declines; its threads follow the wasm backend's, and it also runs
 * the wasm kernels' own large products (a recurrent layer's weight gradient) in place.
 */
function install(kernels: WasmBackend | null, products: NativeGemm | null = null): void {
  if (products !== null) {
    products.fallback = kernels;
    products.threads = kernels?.threads ?? 1;
  }
  if (kernels !== null) kernels.memoryProducts = products;
  setGemmBackend(products ?? kernels);
  setFastKernels(kernels);
}

/** Whether products run on the native backend. */
function nativeActive(): boolean {
  return native !== null && getGemmBackend() === native;
}

/** Whether the wasm backend is installed (`install` always gives it the fast kernels; products may be native). */
function wasmActive(): boolean {
  return wasm !== null && fastKernels() === wasm;
}

/** Replaces the installed wasm backend by `next`, keeping native products if they are on. */
function reinstall(next: WasmBackend): void {
  install(next, nativeActive() ? native : null);
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
      const installed = wasmActive();
      const old = wasm;
      wasm = new WasmBackend({ ...envOptions(), features });
      customized = false;
      void old.stopWorkers();
      if (installed) reinstall(wasm);
    }
  }
  return true;
}

/**
 * Runs the wasm backend on `host` from now on (backend/host/host.ts: where the kernel bytes
 * come from, how worker threads start, the cores and settings): a browser host for
 * JupyterLite, or a test's. The runtime's features are detected again and the backend is
 * rebuilt on the host (the previous one's workers stop), installed if a wasm backend was.
 * Returns the previous host.
 */
export function setHost(host: KernelHost): KernelHost {
  const prev = setKernelHost(host);
  features = null;
  // The native addon belongs to the host it was loaded through.
  const nativeWas = nativeActive();
  const installed = wasmActive();
  native = null;
  nativeError = null;
  if (wasm !== null) {
    const old = wasm;
    wasm = null;
    customized = false;
    void old.stopWorkers();
    if (installed) use('auto');
  } else if (nativeWas) {
    use('auto');
  }
  return prev;
}

/**
 * Runs the wasm kernels in a browser: fetches them from `options.baseUrl` (the folder with
 * the four `kernels-*.wasm` builds and `kernel-worker.js`, which the seqlab site ships as
 * `build/engine/`), installs the browser kernel host (Web Worker threads where the page is
 * cross-origin isolated, one thread otherwise) with {@link setHost}. Call it once, before the
 * first product; resolves with the backend's name. `relaxedSimd: false` keeps the SIMD128
 * kernels where the browser has relaxed SIMD (Chromium), so results are bit for bit those of
 * Node 20, which runs them by default.
 *
 * @example await backend.useBrowserHost({ baseUrl: '/course/build/engine/' });  // 'wasm-simd128 x2'
 */
export async function useBrowserHost(options: BrowserHostOptions & Pick<WasmBackendOptions, 'relaxedSimd' | 'threads'>): Promise<string> {
  const { relaxedSimd, threads, ...hostOptions } = options;
  setHost(await browserKernelHost(hostOptions));
  const backendOptions: WasmBackendOptions = { ...(relaxedSimd === undefined ? {} : { relaxedSimd }), ...(threads === undefined ? {} : { threads }) };
  return Object.keys(backendOptions).length > 0 ? use('auto', backendOptions) : use('auto');
}

/** The current backend's state. */
export function info(): BackendInfo {
  const active = wasmActive();
  const nativeOn = nativeActive();
  return {
    name: getGemmBackend()?.name ?? 'reference',
    kernels: active ? wasm!.name : 'reference',
    active,
    native: {
      active: nativeOn,
      library: native?.library ?? null,
      loadError: nativeError,
      mallocTuned,
      stats: native?.stats ?? null,
    },
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
  if (native !== null) native.threads = wasm!.threads;
}

/** Starts the worker threads now instead of on the first large product; resolves with how many are ready. */
export function startWorkers(): Promise<number> {
  return wasmActive() ? wasm!.startWorkers() : Promise.resolve(0);
}

/** Stops the worker threads (they would restart on the next large product). */
export function stopWorkers(): Promise<void> {
  return wasm !== null ? wasm.stopWorkers() : Promise.resolve();
}

function installFromEnvironment(): void {
  const choice = kernelHost().env('SEQLAB_BACKEND') ?? 'auto';
  if (choice === 'reference') return;
  if (choice !== 'auto' && choice !== 'native' && choice !== 'wasm') {
    warnOnce(new Error(`SEQLAB_BACKEND must be 'auto', 'native', 'wasm' or 'reference', got '${choice}'`), "using 'auto'");
    use('auto');
    return;
  }
  use(choice);
}

installFromEnvironment();
