/**
 * The kernel host in a browser (a page or a Web Worker; see host.ts): the wasm kernels are
 * bytes fetched once from the site before the first product (they load synchronously,
 * inside an op), kernel threads are Web Workers running host/browser-worker.ts from the same
 * folder, and the cores are `navigator.hardwareConcurrency`. Threads need shared memory, so
 * the page must be cross-origin isolated; otherwise every product runs on the calling thread.
 * There is no environment: `backend.setThreads` chooses the threads.
 *
 * The folder (`baseUrl`) holds `kernels-simd.wasm`, `kernels-simd-shared.wasm`,
 * `kernels-relaxed.wasm`, `kernels-relaxed-shared.wasm` (engine/dist/wasm) and
 * `kernel-worker.js` (host/browser-worker.ts, bundled); the seqlab site ships it as
 * `build/engine/`.
 */
import type { KernelHost, KernelWorkerHandle } from './host.js';

/** The built kernel variants (engine/assembly/build.mjs). */
export const KERNEL_VARIANTS = ['kernels-simd', 'kernels-simd-shared', 'kernels-relaxed', 'kernels-relaxed-shared'] as const;

/** Options of {@link browserKernelHost}. */
export interface BrowserHostOptions {
  /** URL of the folder with the wasm kernels and `kernel-worker.js` (absolute, or relative to the page/worker). */
  baseUrl: string | URL;
  /** Where to fetch from (default the global `fetch`; tests pass their own). */
  fetch?: (url: string) => Promise<{ ok: boolean; status: number; arrayBuffer(): Promise<ArrayBuffer> }>;
}

interface WebWorkerLike {
  postMessage(message: unknown): void;
  terminate(): void;
  addEventListener(type: 'message' | 'error', listener: (event: { message?: string; preventDefault?(): void }) => void): void;
}

type WorkerConstructor = new (url: string, options?: { name?: string }) => WebWorkerLike;

function resolveBase(baseUrl: string | URL): string {
  const here = (globalThis as { location?: { href?: string } }).location?.href;
  let url: URL;
  try {
    url = here === undefined ? new URL(String(baseUrl)) : new URL(String(baseUrl), here);
  } catch {
    throw new TypeError(`useBrowserHost: baseUrl ${JSON.stringify(String(baseUrl))} is not a URL`);
  }
  return url.href.endsWith('/') ? url.href : `${url.href}/`;
}

/**
 * Fetches the kernels from `options.baseUrl` and returns a host for `setKernelHost`
 * (`backend.useBrowserHost` does both and rebuilds the backend).
 *
 * @throws naming the URL of a kernel that could not be fetched
 */
export async function browserKernelHost(options: BrowserHostOptions): Promise<KernelHost> {
  const base = resolveBase(options.baseUrl);
  const get = options.fetch ?? ((url: string) => fetch(url));
  const bytes = new Map<string, Uint8Array>();
  await Promise.all(
    KERNEL_VARIANTS.map(async (variant) => {
      const url = `${base}${variant}.wasm`;
      let response;
      try {
        response = await get(url);
      } catch (e) {
        throw new Error(`seqlab wasm backend: cannot fetch ${url}: ${(e as Error).message}`);
      }
      if (!response.ok) throw new Error(`seqlab wasm backend: cannot fetch ${url}: HTTP ${response.status}`);
      bytes.set(variant, new Uint8Array(await response.arrayBuffer()));
    }),
  );
  const workerUrl = `${base}kernel-worker.js`;
  const scope = globalThis as { Worker?: WorkerConstructor; crossOriginIsolated?: boolean; navigator?: { hardwareConcurrency?: number } };
  return {
    name: 'browser',
    kernelBytes(variant: string): Uint8Array {
      const b = bytes.get(variant);
      if (b === undefined) throw new Error(`seqlab wasm backend: ${variant}.wasm is not among the kernels fetched from ${base}`);
      return b;
    },
    // Kernel threads share the wasm memory: only on a cross-origin isolated page.
    canStartWorkers: typeof scope.Worker === 'function' && scope.crossOriginIsolated === true,
    startWorker(data: unknown, name: string): KernelWorkerHandle {
      const WorkerClass = scope.Worker;
      if (WorkerClass === undefined) throw new Error('seqlab wasm backend: this browser context cannot start Web Workers');
      const worker = new WorkerClass(workerUrl, { name });
      const listeners: Array<(e: Error) => void> = [];
      let settle: { resolve(): void; reject(e: Error): void } | null = null;
      const ready = new Promise<void>((resolve, reject) => (settle = { resolve, reject }));
      ready.catch(() => undefined);
      worker.addEventListener('message', () => {
        settle?.resolve();
        settle = null;
      });
      worker.addEventListener('error', (event) => {
        event.preventDefault?.();
        const error = new Error(`seqlab kernel worker ${name} (${workerUrl}): ${event.message ?? 'failed'}`);
        settle?.reject(error);
        settle = null;
        for (const l of listeners) l(error);
      });
      worker.postMessage(data);
      return {
        ready,
        onError: (listener) => void listeners.push(listener),
        // A Web Worker never keeps a page alive: nothing to do.
        ref: () => undefined,
        unref: () => undefined,
        terminate: async () => {
          worker.terminate();
          settle?.resolve();
          settle = null;
        },
      };
    },
    cores(): number {
      const hc = scope.navigator?.hardwareConcurrency;
      return typeof hc === 'number' && hc >= 1 ? Math.floor(hc) : 1;
    },
    cpuQuota: () => null,
    env: () => undefined,
    setEngineFlags: () => false,
  };
}
