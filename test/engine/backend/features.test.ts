// Feature detection: the hand-assembled probe modules say what this runtime supports, and
// a poorer runtime (simulated through the probe) turns the matching features off.
import { setFlagsFromString } from 'node:v8';
import { describe, expect, it } from 'vitest';
import {
  RELAXED_SIMD_PROBE, SIMD_PROBE, THREADS_PROBE, detectFeatures, runtimeProbe, type FeatureProbe,
} from '../../../engine/src/backend/wasm/features.js';

function probe(overrides: Partial<FeatureProbe>): FeatureProbe {
  return { ...runtimeProbe(), ...overrides };
}

describe('runtime feature detection', () => {
  it('Node 20+ has SIMD128, wasm threads and worker_threads', () => {
    const f = detectFeatures();
    expect(f.simd).toBe(true);
    expect(f.threads).toBe(true);
    expect(f.cores).toBeGreaterThanOrEqual(1);
  });

  it('the probe modules are well-formed wasm (only their feature can make them invalid)', () => {
    expect(WebAssembly.validate(SIMD_PROBE)).toBe(true);
    expect(WebAssembly.validate(THREADS_PROBE)).toBe(true);
    // A corrupted probe is rejected, so `validate` is really looking at the bytes.
    const broken = SIMD_PROBE.slice();
    broken[broken.length - 1] = 0xff;
    expect(WebAssembly.validate(broken)).toBe(false);
  });

  it('relaxed SIMD is detected exactly when V8 has it enabled', () => {
    // Node 20 needs --experimental-wasm-relaxed-simd; turning the flag on here makes the
    // same probe valid (and it stays valid on runtimes that ship relaxed SIMD).
    setFlagsFromString('--experimental-wasm-relaxed-simd');
    expect(WebAssembly.validate(RELAXED_SIMD_PROBE)).toBe(true);
    expect(detectFeatures().relaxedSimd).toBe(true);
    expect(detectFeatures(probe({ validate: (b) => b !== RELAXED_SIMD_PROBE && WebAssembly.validate(b) })).relaxedSimd).toBe(false);
  });

  it('without SIMD nothing is reported usable', () => {
    const f = detectFeatures(probe({ validate: (b) => b !== SIMD_PROBE && WebAssembly.validate(b) }));
    expect(f.simd).toBe(false);
    expect(f.relaxedSimd).toBe(false);
  });

  it('threads need SharedArrayBuffer, shared wasm memory, the threads proposal and worker threads', () => {
    expect(detectFeatures(probe({ sharedArrayBuffer: false })).threads).toBe(false);
    expect(detectFeatures(probe({ sharedMemory: () => false })).threads).toBe(false);
    expect(detectFeatures(probe({ workerThreads: false })).threads).toBe(false);
    expect(detectFeatures(probe({ validate: (b) => b !== THREADS_PROBE && WebAssembly.validate(b) })).threads).toBe(false);
    expect(detectFeatures(probe({ sharedArrayBuffer: false })).simd).toBe(true);
  });
});
