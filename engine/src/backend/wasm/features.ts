/**
 * What the JavaScript runtime offers the wasm kernels: SIMD128, relaxed SIMD (fused
 * multiply-add; Node 20 needs `--experimental-wasm-relaxed-simd`, Node 22+ has it by
 * default), threads (shared WebAssembly memory, SharedArrayBuffer, worker threads from
 * the kernel host), and the cores and CPU quota the process has.
 *
 * Detection validates tiny hand-assembled modules, so it costs microseconds and never
 * compiles the real kernels. Tests simulate a poorer runtime by passing their own probe.
 */
import { kernelHost } from '../host/index.js';
import { wasmApi } from './wasm-api.js';

/** The runtime's capabilities as seen by the backend. */
export interface RuntimeFeatures {
  /** WebAssembly with 128-bit SIMD. Without it the backend stays off. */
  simd: boolean;
  /** Relaxed SIMD (f32x4.relaxed_madd). */
  relaxedSimd: boolean;
  /** Shared memory + atomics in wasm, SharedArrayBuffer and a way to start worker threads. */
  threads: boolean;
  /** Cores this process may run on (CPU affinity): no more threads than this. */
  cores: number;
  /**
   * The CPU time the process may use, in cores (its cgroup quota), or null/absent when
   * only `cores` limits it. The default thread count follows it.
   */
  cpuQuota?: number | null;
}

/** The checks detection relies on; replaceable to simulate another runtime. */
export interface FeatureProbe {
  validate(bytes: Uint8Array): boolean;
  sharedArrayBuffer: boolean;
  sharedMemory(): boolean;
  workerThreads: boolean;
  cores: number;
  cpuQuota: number | null;
}

const HEADER = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
const V128_ZERO = [0xfd, 0x0c, ...new Array<number>(16).fill(0)];
/** One function type `() -> v128`, one function of that type. */
const V128_FUNC = [0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b, 0x03, 0x02, 0x01, 0x00];

function codeSection(body: number[]): number[] {
  return [0x0a, body.length + 2, 0x01, body.length, ...body];
}

/** `(func (result v128) v128.const 0)` */
export const SIMD_PROBE = new Uint8Array([...HEADER, ...V128_FUNC, ...codeSection([0x00, ...V128_ZERO, 0x0b])]);

/** `(func (result v128) (f32x4.relaxed_madd (v128.const 0) (v128.const 0) (v128.const 0)))` */
export const RELAXED_SIMD_PROBE = new Uint8Array([
  ...HEADER,
  ...V128_FUNC,
  ...codeSection([0x00, ...V128_ZERO, ...V128_ZERO, ...V128_ZERO, 0xfd, 0x85, 0x02, 0x0b]),
]);

/** `(memory 1 1 shared) (func atomic.fence)` */
export const THREADS_PROBE = new Uint8Array([
  ...HEADER,
  0x01, 0x04, 0x01, 0x60, 0x00, 0x00, // type () -> ()
  0x03, 0x02, 0x01, 0x00, // one function
  0x05, 0x04, 0x01, 0x03, 0x01, 0x01, // shared memory, min 1, max 1
  ...codeSection([0x00, 0xfe, 0x03, 0x00, 0x0b]),
]);

/** The probe of the running JavaScript engine. */
export function runtimeProbe(): FeatureProbe {
  const wasm = wasmApi();
  const host = kernelHost();
  return {
    validate: (bytes) => {
      try {
        return wasm !== null && wasm.validate(bytes);
      } catch {
        return false;
      }
    },
    sharedArrayBuffer: typeof SharedArrayBuffer === 'function',
    sharedMemory: () => {
      try {
        return wasm !== null && new wasm.Memory({ initial: 1, maximum: 1, shared: true }).buffer instanceof SharedArrayBuffer;
      } catch {
        return false;
      }
    },
    workerThreads: host.canStartWorkers,
    cores: host.cores(),
    cpuQuota: host.cpuQuota(),
  };
}

/** Detects the runtime's features (see the file comment). */
export function detectFeatures(probe: FeatureProbe = runtimeProbe()): RuntimeFeatures {
  const simd = probe.validate(SIMD_PROBE);
  return {
    simd,
    relaxedSimd: simd && probe.validate(RELAXED_SIMD_PROBE),
    threads:
      probe.sharedArrayBuffer && probe.workerThreads && probe.validate(THREADS_PROBE) && probe.sharedMemory(),
    cores: Math.max(1, Math.floor(probe.cores)),
    cpuQuota: probe.cpuQuota,
  };
}
