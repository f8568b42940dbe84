/**
 * The kernel host in Node: the .wasm files from engine/dist/wasm, worker_threads running
 * host/node-worker.ts, the cores from CPU affinity and the cgroup quota, and process.env.
 * Node's modules are looked up lazily through `process.getBuiltinModule`, so importing
 * the engine stays cheap and does not fail where they do not exist (a browser bundle).
 */
import type * as fsTypes from 'node:fs';
import type * as moduleTypes from 'node:module';
import type * as osTypes from 'node:os';
import type * as v8Types from 'node:v8';
import type * as workerTypes from 'node:worker_threads';
import { cgroupCpuQuota } from './cpu-quota.js';
import type { KernelHost, KernelWorkerHandle } from './host.js';

interface NodeProcessLike {
  env?: Record<string, string | undefined>;
  getBuiltinModule?: (id: string) => unknown;
}

function nodeProcess(): NodeProcessLike | null {
  const p = (globalThis as { process?: NodeProcessLike }).process;
  return p !== undefined && typeof p === 'object' ? p : null;
}

function builtin<T>(id: string): T | null {
  const get = nodeProcess()?.getBuiltinModule;
  if (typeof get !== 'function') return null;
  try {
    return (get(id) as T | undefined) ?? null;
  } catch {
    return null;
  }
}

/** Whether this is Node (it has `process.getBuiltinModule`, Node 20.16+). */
export function isNode(): boolean {
  return typeof nodeProcess()?.getBuiltinModule === 'function';
}

/**
 * Where a built kernel variant lives. This file is engine/src/backend/host/*.ts when run
 * from source (tests) and engine/dist/backend/host/*.js when built: both are three levels
 * below the package root, so one relative URL serves both.
 */
export function kernelUrl(variant: string): URL {
  return new URL(`../../../dist/wasm/${variant}.wasm`, import.meta.url);
}

/** The native GEMM addon, built by engine/native/build.mjs (same trick as kernelUrl). */
export function nativeUrl(): URL {
  return new URL('../../../dist/native/seqlab_blas.node', import.meta.url);
}

/** The built worker script (same three-levels-below-the-package-root trick as kernelUrl). */
export function workerUrl(): URL {
  return new URL('../../../dist/backend/host/node-worker.js', import.meta.url);
}

function readText(fs: typeof fsTypes, path: string): string | null {
  try {
    return fs.readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

let quota: { value: number | null } | null = null;

export const nodeHost: KernelHost = {
  name: 'node',

  kernelBytes(variant: string): Uint8Array {
    const fs = builtin<typeof fsTypes>('node:fs');
    if (fs === null) throw new Error(`seqlab wasm backend: cannot read ${variant}.wasm here (no node:fs)`);
    const url = kernelUrl(variant);
    try {
      return fs.readFileSync(url);
    } catch {
      throw new Error(
        `seqlab wasm backend: ${url.pathname} is missing; build it with \`npm run build\` (or \`npm run build:wasm -w @seqlab/engine\`)`,
      );
    }
  },

  get canStartWorkers(): boolean {
    return builtin<typeof workerTypes>('node:worker_threads') !== null;
  },

  startWorker(data: unknown, name: string): KernelWorkerHandle {
    const wt = builtin<typeof workerTypes>('node:worker_threads');
    if (wt === null) throw new Error('seqlab wasm backend: node:worker_threads is not available');
    const worker = new wt.Worker(workerUrl(), { workerData: data, name } as never);
    worker.unref();
    const ready = new Promise<void>((resolve, reject) => {
      worker.once('message', () => resolve());
      worker.once('error', reject);
      worker.once('exit', () => resolve());
    });
    ready.catch(() => undefined);
    return {
      ready,
      onError: (listener) => void worker.once('error', listener),
      ref: () => worker.ref(),
      unref: () => worker.unref(),
      terminate: async () => {
        await worker.terminate();
      },
    };
  },

  cores(): number {
    const os = builtin<typeof osTypes>('node:os');
    if (os === null) return 1;
    const n = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
    return Number.isFinite(n) && n >= 1 ? Math.floor(n) : 1;
  },

  cpuQuota(): number | null {
    if (quota === null) {
      const fs = builtin<typeof fsTypes>('node:fs');
      quota = { value: fs === null ? null : cgroupCpuQuota((path) => readText(fs, path)) };
    }
    return quota.value;
  },

  env(name: string): string | undefined {
    const v = nodeProcess()?.env?.[name];
    return v === undefined || v === '' ? undefined : v;
  },

  nativeBlas(): unknown {
    const mod = builtin<typeof moduleTypes>('node:module');
    const fs = builtin<typeof fsTypes>('node:fs');
    if (mod === null || fs === null) throw new Error('no node:module here');
    const url = nativeUrl();
    if (!fs.existsSync(url)) throw new Error(`${url.pathname} is not built (it needs a C compiler and OpenBLAS: bash scripts/system-deps.sh, then npm run build)`);
    // OpenBLAS's idle threads spin for 2^28 cycles (~75 ms) after each threaded product
    // by default, taking a core from the wasm workers, the other students' kernels on a
    // shared machine, or the next cell. 2^16 cycles (~20 µs) keeps them responsive
    // between the products of one step (measured: as fast or faster on every bench
    // workload). It is read when the library loads; a value set by the user wins.
    const env = nodeProcess()?.env;
    if (env !== undefined && (env.OPENBLAS_THREAD_TIMEOUT ?? '') === '') env.OPENBLAS_THREAD_TIMEOUT = '16';
    return mod.createRequire(import.meta.url)(decodeURIComponent(url.pathname));
  },

  setEngineFlags(flags: string): boolean {
    const v8 = builtin<typeof v8Types>('node:v8');
    if (v8 === null) return false;
    v8.setFlagsFromString(flags);
    return true;
  },
};
