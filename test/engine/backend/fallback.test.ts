// Falling back cleanly: without WebAssembly SIMD the backend never installs and every
// product runs on the reference; without SharedArrayBuffer (a real Node process started
// with --no-harmony-sharedarraybuffer) it runs on one thread with unshared memory; and
// the environment chooses or forbids the backend at import.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { WasmBackend } from '../../../engine/src/backend/wasm/backend.js';
import { detectFeatures } from '../../../engine/src/backend/wasm/features.js';
import { defaultThreadCount } from '../../../engine/src/backend/host/cpu-quota.js';
import * as backend from '../../../engine/src/backend/index.js';
import { gemm, getGemmBackend } from '../../../engine/src/kernels/gemm.js';
import { expectMatchesReference, makeArgs } from './gemm-check.js';

const noSimd = { ...detectFeatures(), simd: false, relaxedSimd: false };
const engineDist = fileURLToPath(new URL('../../../engine/dist/', import.meta.url));

/** Runs an ES module script with node and the given flags/env; returns its JSON output. */
function runNode(script: string, flags: string[] = [], env: Record<string, string> = {}): unknown {
  expect(existsSync(join(engineDist, 'index.js')), `built engine in ${engineDist} (run npm run build)`).toBe(true);
  const dir = mkdtempSync(join(tmpdir(), 'seqlab-fallback-'));
  try {
    const file = join(dir, 'script.mjs');
    writeFileSync(file, script);
    const out = execFileSync(process.execPath, [...flags, file], {
      encoding: 'utf8',
      timeout: 20_000,
      env: { ...process.env, SEQLAB_BACKEND: '', SEQLAB_THREADS: '', SEQLAB_RELAXED_SIMD: '', ...env },
    });
    return JSON.parse(out.trim().split('\n').pop()!);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A script that multiplies 70x80 by 80x90 with `gemm` and compares with the reference. */
const productScript = `
  import { backend, kernels } from ${JSON.stringify(`${engineDist}index.js`)};
  const rnd = (n) => Float32Array.from({ length: n }, (_, i) => Math.sin(i * 12.9898) * 0.5);
  const M = 70, N = 90, K = 80, A = rnd(M * K), B = rnd(K * N), C = new Float32Array(M * N), R = new Float32Array(M * N);
  const args = { transA: false, transB: false, M, N, K, A, aOffset: 0, lda: K, B, bOffset: 0, ldb: N, C, cOffset: 0, ldc: N, accumulate: false };
  kernels.gemm(args);
  kernels.gemmBatchedReference({ ...args, C: R, batch: 1, strideA: 0, strideB: 0, strideC: 0 });
  let maxDiff = 0;
  for (let i = 0; i < C.length; i++) maxDiff = Math.max(maxDiff, Math.abs(C[i] - R[i]));
  const info = backend.info();
  console.log(JSON.stringify({ name: info.name, active: info.active, threads: info.threads, features: info.features,
    calls: info.stats?.calls ?? 0, sab: typeof SharedArrayBuffer, maxDiff }));
`;

describe('fallback to the reference kernels', () => {
  afterEach(async () => {
    backend.use('auto');
    await backend.stopWorkers();
  });

  it('a runtime without SIMD never loads the kernels and declines every product', () => {
    const errors: Error[] = [];
    const be = new WasmBackend({ features: noSimd, onLoadError: (e) => errors.push(e) });
    expect(be.supported).toBe(false);
    const args = makeArgs({ M: 64, N: 64, K: 64 });
    expect(be.gemmBatched(args)).toBe(false);
    expect(be.gemmBatched(args)).toBe(false);
    expect(be.failure?.message).toMatch(/no WebAssembly SIMD/);
    expect(errors).toHaveLength(1);
  });

  it("use('auto') without SIMD installs nothing and gemm still computes (on the reference)", () => {
    expect(backend.use('auto', { features: noSimd })).toBe('reference');
    expect(getGemmBackend()).toBeNull();
    expect(backend.info().active).toBe(false);
    const args = makeArgs({ M: 40, N: 30, K: 20 });
    const c0 = args.C.slice();
    gemm(args);
    expectMatchesReference(args, args.C, c0);
  });

  it("use('wasm') without SIMD is an error that says why", () => {
    expect(() => backend.use('wasm', { features: noSimd })).toThrow(/use\('wasm'\).*no WebAssembly SIMD/);
  });

  it("use('reference') and use('auto') switch the installed backend", () => {
    expect(backend.use('reference')).toBe('reference');
    expect(getGemmBackend()).toBeNull();
    expect(backend.use('auto')).toMatch(/^wasm-/);
    expect(getGemmBackend()).not.toBeNull();
    expect(() => backend.use('fast' as never)).toThrow(/unknown backend 'fast'/);
  });

  it('importing the engine installs the wasm backend with every core its CPU quota allows', () => {
    const r = runNode(productScript) as Record<string, unknown>;
    const f = detectFeatures();
    expect(r).toMatchObject({ active: true, name: 'wasm-simd128 x' + String(defaultThreadCount(f.cores, f.cpuQuota)), calls: 1 });
    expect(r.maxDiff as number).toBeLessThan(1e-5);
  });

  it('without SharedArrayBuffer (--no-harmony-sharedarraybuffer) it runs on one thread', () => {
    const r = runNode(productScript, ['--no-harmony-sharedarraybuffer']) as Record<string, unknown>;
    expect(r).toMatchObject({ sab: 'undefined', active: true, name: 'wasm-simd128 x1', threads: 1, calls: 1 });
    expect((r.features as Record<string, unknown>).threads).toBe(false);
    expect(r.maxDiff as number).toBeLessThan(1e-5);
  });

  it('enableRelaxedSimd() switches a plain Node 20 process to the FMA kernels', () => {
    // The child starts without --experimental-wasm-relaxed-simd.
    const script = productScript.replace(
      'kernels.gemm(args);',
      'if (backend.info().features.relaxedSimd || !backend.enableRelaxedSimd()) throw new Error("relaxed SIMD"); kernels.gemm(args);',
    );
    const r = runNode(script) as Record<string, unknown>;
    expect(r).toMatchObject({ active: true, calls: 1, features: { relaxedSimd: true } });
    expect(r.name).toMatch(/^wasm-relaxed-simd x/);
    expect(r.maxDiff as number).toBeLessThan(1e-5);
  });

  it('SEQLAB_BACKEND=reference keeps the reference; SEQLAB_THREADS and SEQLAB_RELAXED_SIMD are honoured', () => {
    expect(runNode(productScript, [], { SEQLAB_BACKEND: 'reference' })).toMatchObject({ active: false, name: 'reference', calls: 0 });
    expect(runNode(productScript, [], { SEQLAB_THREADS: '1' })).toMatchObject({ active: true, name: 'wasm-simd128 x1' });
    const fma = runNode(productScript, ['--experimental-wasm-relaxed-simd']) as Record<string, unknown>;
    expect(fma).toMatchObject({ active: true, calls: 1 });
    expect(fma.name).toMatch(/^wasm-relaxed-simd x/);
    expect(runNode(productScript, ['--experimental-wasm-relaxed-simd'], { SEQLAB_RELAXED_SIMD: '0' })).toMatchObject({ name: expect.stringMatching(/^wasm-simd128/) });
  });
});
