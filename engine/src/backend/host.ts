/**
 * The few Node facilities the wasm backend needs (reading the .wasm file, worker threads,
 * the core count, the environment), looked up lazily so importing the engine stays cheap
 * and does not fail where they do not exist (a browser bundle). Each returns null when
 * the facility is missing.
 */
import type * as fsTypes from 'node:fs';
import type * as osTypes from 'node:os';
import type * as v8Types from 'node:v8';
import type * as workerTypes from 'node:worker_threads';

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

/** `node:fs`, or null. */
export function nodeFs(): typeof fsTypes | null {
  return builtin<typeof fsTypes>('node:fs');
}

/** `node:v8`, or null. */
export function nodeV8(): typeof v8Types | null {
  return builtin<typeof v8Types>('node:v8');
}

/** `node:worker_threads`, or null. */
export function nodeWorkerThreads(): typeof workerTypes | null {
  return builtin<typeof workerTypes>('node:worker_threads');
}

/** Number of cores this process may use (at least 1). */
export function coreCount(): number {
  const os = builtin<typeof osTypes>('node:os');
  if (os !== null) {
    const n = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
    if (Number.isFinite(n) && n >= 1) return Math.floor(n);
  }
  const hc = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency;
  return typeof hc === 'number' && hc >= 1 ? Math.floor(hc) : 1;
}

/** An environment variable, or undefined (also where there is no environment). */
export function envVar(name: string): string | undefined {
  const v = nodeProcess()?.env?.[name];
  return v === undefined || v === '' ? undefined : v;
}
