// Falling back cleanly: without WebAssembly SIMD the backend never installs and every
// product runs on the reference; without SharedArrayBuffer (a real Node process started
// with --no-harmony-sharedarraybuffer) it runs on one thread with unshared memory; and
// the environment chooses or forbids the backend at import. Where the native addon is built
// (engine/dist/native: `npm run build` with a C compiler and OpenBLAS, as `npm test` sets up),
// importing the engine runs products on it and the other kernels on wasm.
import { execFileSync, spawnSync } from 'node:child_process';
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
const nativeBuilt = existsSync(join(engineDist, 'native', 'seqlab_blas.node'));

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
  console.log(JSON.stringify({ name: info.name, kernels: info.kernels, active: info.active, threads: info.threads, features: info.features,
    calls: info.stats?.calls ?? 0, native: info.native.active, nativeCalls: info.native.stats?.calls ?? 0, sab: typeof SharedArrayBuffer, maxDiff }));
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

  it("use('auto') without SIMD installs no wasm kernels and gemm still computes (natively where built, else on the reference)", () => {
    expect(backend.use('auto', { features: noSimd })).toBe(nativeBuilt ? 'openblas x1' : 'reference');
    if (nativeBuilt) expect(getGemmBackend()?.name).toBe('openblas x1');
    else expect(getGemmBackend()).toBeNull();
    expect(backend.info()).toMatchObject({ active: false, kernels: 'reference' });
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
    expect(backend.use('wasm')).toMatch(/^wasm-/);
    expect(backend.info()).toMatchObject({ kernels: backend.info().name, native: { active: false } });
    expect(backend.use('auto')).toMatch(nativeBuilt ? /^openblas x/ : /^wasm-/);
    expect(getGemmBackend()).not.toBeNull();
    expect(backend.info().kernels).toMatch(/^wasm-/);
    expect(() => backend.use('fast' as never)).toThrow(/unknown backend 'fast'/);
  });

  it('importing the engine installs the wasm backend (and native products where built) with every core its CPU quota allows', () => {
    const r = runNode(productScript) as Record<string, unknown>;
    const f = detectFeatures();
    const threads = String(defaultThreadCount(f.cores, f.cpuQuota));
    expect(r).toMatchObject({ active: true, kernels: 'wasm-simd128 x' + threads, threads: Number(threads) });
    if (nativeBuilt) expect(r).toMatchObject({ name: 'openblas x' + threads, native: true, nativeCalls: 1, calls: 0 });
    else expect(r).toMatchObject({ name: 'wasm-simd128 x' + threads, native: false, calls: 1 });
    expect(r.maxDiff as number).toBeLessThan(1e-5);
  });

  it('an unknown SEQLAB_BACKEND is named in a warning that says auto is used', () => {
    const dir = mkdtempSync(join(tmpdir(), 'seqlab-fallback-'));
    try {
      const file = join(dir, 'script.mjs');
      writeFileSync(file, productScript);
      const r = spawnSync(process.execPath, [file], { encoding: 'utf8', timeout: 20_000, env: { ...process.env, SEQLAB_BACKEND: 'fast', SEQLAB_THREADS: '' } });
      expect(r.status).toBe(0);
      expect(r.stderr).toContain("SEQLAB_BACKEND must be 'auto', 'native', 'wasm' or 'reference', got 'fast' (using 'auto')");
      expect(JSON.parse(r.stdout.trim().split('\n').pop()!)).toMatchObject({ active: true, native: nativeBuilt });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('SEQLAB_BACKEND=wasm keeps products on the wasm kernels too', () => {
    const r = runNode(productScript, [], { SEQLAB_BACKEND: 'wasm' }) as Record<string, unknown>;
    expect(r).toMatchObject({ active: true, native: false, calls: 1, nativeCalls: 0 });
    expect(r.name).toMatch(/^wasm-simd128 x/);
    expect(r.name).toBe(r.kernels);
  });

  it('without SharedArrayBuffer (--no-harmony-sharedarraybuffer) it runs on one thread', () => {
    const r = runNode(productScript, ['--no-harmony-sharedarraybuffer'], { SEQLAB_BACKEND: 'wasm' }) as Record<string, unknown>;
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
    const r = runNode(script, [], { SEQLAB_BACKEND: 'wasm' }) as Record<string, unknown>;
    expect(r).toMatchObject({ active: true, calls: 1, features: { relaxedSimd: true } });
    expect(r.name).toMatch(/^wasm-relaxed-simd x/);
    expect(r.maxDiff as number).toBeLessThan(1e-5);
  });

  it('SEQLAB_BACKEND=reference keeps the reference; SEQLAB_THREADS and SEQLAB_RELAXED_SIMD are honoured', () => {
    expect(runNode(productScript, [], { SEQLAB_BACKEND: 'reference' })).toMatchObject({ active: false, name: 'reference', calls: 0 });
    expect(runNode(productScript, [], { SEQLAB_THREADS: '1' })).toMatchObject({ active: true, kernels: 'wasm-simd128 x1', threads: 1 });
    const fma = runNode(productScript, ['--experimental-wasm-relaxed-simd'], { SEQLAB_BACKEND: 'wasm' }) as Record<string, unknown>;
    expect(fma).toMatchObject({ active: true, calls: 1 });
    expect(fma.name).toMatch(/^wasm-relaxed-simd x/);
    expect(runNode(productScript, ['--experimental-wasm-relaxed-simd'], { SEQLAB_RELAXED_SIMD: '0' })).toMatchObject({ kernels: expect.stringMatching(/^wasm-simd128/) });
  });
});
