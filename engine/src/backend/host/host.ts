/**
 * What the wasm backend needs from the JavaScript host it runs in, and nothing more: the
 * bytes of a built kernel module, a way to start kernel worker threads, how many cores
 * the process may use, and the `SEQLAB_*` settings. Everything else in backend/wasm/
 * (compiling, the memory arena, the job protocol, the worker loop) is plain JavaScript
 * and WebAssembly that runs the same in Node and in a browser's Web Worker.
 *
 * Node's implementation is node.ts (files, worker_threads, cgroup quota, process.env). A
 * browser host implements this interface with bytes fetched before the first product
 * (the kernels load synchronously, inside an op) and a pool of Web Workers whose entry
 * calls `runKernelWorker` (backend/wasm/worker-loop.ts) with the start data it is sent,
 * as host/node-worker.ts does for worker_threads; `backend.setHost(host)` installs it.
 */

/** A started kernel worker thread, as the worker pool sees it. */
export interface KernelWorkerHandle {
  /**
   * Resolves when the worker has instantiated its kernels and waits for jobs (its first
   * message), or when it exited; rejects with the error that stopped it from starting.
   */
  readonly ready: Promise<void>;
  /** Calls `listener` when the worker fails (while starting or later). */
  onError(listener: (error: Error) => void): void;
  /** Lets the worker keep the process alive (while the caller waits for it to start). */
  ref(): void;
  /** The default: the worker never keeps the process alive. */
  unref(): void;
  terminate(): Promise<void>;
}

export interface KernelHost {
  /** For diagnostics: `node`, `none`, ... */
  readonly name: string;
  /**
   * The bytes of the built kernel module `variant` (engine/dist/wasm/<variant>.wasm).
   * Synchronous, because the kernels load on the first product large enough to use
   * them, inside an op. Throws an error that says how to get them when they are missing.
   */
  kernelBytes(variant: string): Uint8Array;
  /** Whether `startWorker` can start threads here. */
  readonly canStartWorkers: boolean;
  /**
   * Starts a kernel worker thread with `data` (structured-cloneable: a compiled module, a
   * shared memory, the control block), named `name` where the host shows thread names.
   * Throws when it cannot start one.
   */
  startWorker(data: unknown, name: string): KernelWorkerHandle;
  /** Cores this process may run on (CPU affinity or the browser's hardwareConcurrency), at least 1. */
  cores(): number;
  /**
   * The CPU time this process may use, in cores (a cgroup quota: 1.5 is 150 ms per 100
   * ms), or null when nothing limits it but the cores.
   */
  cpuQuota(): number | null;
  /** A setting such as `SEQLAB_THREADS`, or undefined when it is not set (or there is no environment). */
  env(name: string): string | undefined;
  /**
   * Sets JavaScript engine flags at run time (V8's `--experimental-wasm-relaxed-simd`);
   * returns false where the host cannot.
   */
  setEngineFlags(flags: string): boolean;
  /**
   * The optional native GEMM addon (engine/dist/native/seqlab_blas.node, see
   * backend/native/native.ts), loaded; throws why it cannot be. Hosts without native code
   * (a browser) leave it out.
   */
  nativeBlas?(): unknown;
}
