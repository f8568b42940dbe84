/**
 * The browser kernel host (engine/src/backend/host/browser.ts): the wasm kernels come as
 * bytes fetched from the site, threads only where the page is cross-origin isolated. Here the
 * "site" is a fetch over engine/dist/wasm, so the engine's products run on kernels the
 * browser host provided; Chromium itself is covered by test/e2e/lite.test.ts and the
 * benchmark's browser runner.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { backend, matmul, randn } from '../../../engine/src/index.js';
import { browserKernelHost, KERNEL_VARIANTS } from '../../../engine/src/backend/host/browser.js';
import { kernelHost, setKernelHost } from '../../../engine/src/backend/host/index.js';

const WASM = fileURLToPath(new URL('../../../engine/dist/wasm/', import.meta.url));
const requested: string[] = [];

/** A fetch of the built kernels under https://site.example/course/build/engine/. */
async function siteFetch(url: string): Promise<{ ok: boolean; status: number; arrayBuffer(): Promise<ArrayBuffer> }> {
  requested.push(url);
  const m = /^https:\/\/site\.example\/course\/build\/engine\/(kernels-[a-z-]+)\.wasm$/.exec(url);
  if (!m) return { ok: false, status: 404, arrayBuffer: async () => new ArrayBuffer(0) };
  const bytes = readFileSync(`${WASM}${m[1]}.wasm`);
  return { ok: true, status: 200, arrayBuffer: async () => bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer };
}

describe('the browser kernel host', () => {
  const nodeHost = kernelHost();
  afterAll(async () => {
    await backend.stopWorkers();
    setKernelHost(nodeHost);
    backend.use('auto');
  });

  it('fetches the four kernel builds once and serves their bytes; no threads without cross-origin isolation', async () => {
    const host = await browserKernelHost({ baseUrl: 'https://site.example/course/build/engine', fetch: siteFetch });
    expect(requested.sort()).toEqual(KERNEL_VARIANTS.map((v) => `https://site.example/course/build/engine/${v}.wasm`).sort());
    expect(host.name).toBe('browser');
    expect(Array.from(host.kernelBytes('kernels-simd').subarray(0, 4))).toEqual([0, 0x61, 0x73, 0x6d]);
    // Node has no crossOriginIsolated: as a page that is not isolated.
    expect(host.canStartWorkers).toBe(false);
    expect(host.env('SEQLAB_THREADS')).toBeUndefined();
    expect(() => host.kernelBytes('kernels-other')).toThrow(/kernels-other.wasm is not among the kernels fetched from https:\/\/site.example\/course\/build\/engine\//);
  });

  it('names a kernel the site does not ship', async () => {
    await expect(browserKernelHost({ baseUrl: 'https://site.example/elsewhere/', fetch: siteFetch })).rejects.toThrow(
      /cannot fetch https:\/\/site.example\/elsewhere\/kernels-[a-z-]+\.wasm: HTTP 404/,
    );
    await expect(browserKernelHost({ baseUrl: 'not a url' })).rejects.toThrow(/baseUrl "not a url" is not a URL/);
  });

  it('useBrowserHost: products run on the wasm kernels it fetched, on one thread', async () => {
    const name = await backend.useBrowserHost({ baseUrl: 'https://site.example/course/build/engine/', fetch: siteFetch });
    expect(name).toMatch(/^wasm-/);
    expect(kernelHost().name).toBe('browser');
    const a = randn([300, 200]);
    const b = randn([200, 100]);
    const c = matmul(a, b);
    const info = backend.info();
    expect(info.active).toBe(true);
    expect(info.loadError).toBeNull();
    expect(info.threads).toBe(1);
    // The same product on the reference kernels, to float32 rounding.
    backend.use('reference');
    const r = matmul(a, b);
    const got = c.toArray() as number[][];
    const want = r.toArray() as number[][];
    expect(Math.max(...got.flatMap((row, i) => row.map((v, j) => Math.abs(v - want[i]![j]!))))).toBeLessThan(1e-3);
  });
});
