/**
 * The kernel host the wasm backend uses (see host.ts): Node's where this is Node, else one
 * that runs every kernel on the calling thread and has no kernel bytes until a host that
 * can provide them is installed with `setKernelHost`.
 */
import type { KernelHost } from './host.js';
import { isNode, nodeHost } from './node.js';

export type { KernelHost, KernelWorkerHandle } from './host.js';

/** A runtime without Node: no files, no threads, no environment. */
const bareHost: KernelHost = {
  name: 'none',
  kernelBytes(variant: string): Uint8Array {
    throw new Error(`seqlab wasm backend: no kernel host can provide ${variant}.wasm in this runtime (install one with setKernelHost)`);
  },
  canStartWorkers: false,
  startWorker(): never {
    throw new Error('seqlab wasm backend: this runtime cannot start kernel workers');
  },
  cores(): number {
    const hc = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency;
    return typeof hc === 'number' && hc >= 1 ? Math.floor(hc) : 1;
  },
  cpuQuota: () => null,
  env: () => undefined,
  setEngineFlags: () => false,
};

let current: KernelHost | null = null;

/** The host in use. */
export function kernelHost(): KernelHost {
  return (current ??= isNode() ? nodeHost : bareHost);
}

/**
 * Installs `host` for every wasm backend created from now on (backend.use() builds a new
 * one); returns the previous host.
 */
export function setKernelHost(host: KernelHost): KernelHost {
  const prev = kernelHost();
  current = host;
  return prev;
}
