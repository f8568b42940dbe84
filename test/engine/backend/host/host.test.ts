// The wasm backend reaches its JavaScript host only through the KernelHost interface: a
// host installed with backend.setHost provides the kernel bytes, decides whether worker
// threads exist, and gives the cores, quota and settings (what a browser host will do).
import { afterEach, describe, expect, it } from 'vitest';
import * as backend from '../../../../engine/src/backend/index.js';
import { nodeHost } from '../../../../engine/src/backend/host/node.js';
import type { KernelHost } from '../../../../engine/src/backend/host/host.js';
import { gemm, gemmBatchedReference } from '../../../../engine/src/kernels/gemm.js';

/** Node's host seen through a host of its own: no threads, one core, bytes counted. */
function singleThreadHost(requests: string[]): KernelHost {
  return {
    name: 'test',
    kernelBytes: (variant) => {
      requests.push(variant);
      return nodeHost.kernelBytes(variant);
    },
    canStartWorkers: false,
    startWorker: () => {
      throw new Error('no workers here');
    },
    cores: () => 1,
    cpuQuota: () => null,
    env: () => undefined,
    setEngineFlags: () => false,
  };
}

function product(): { C: Float32Array; R: Float32Array } {
  const M = 40, N = 50, K = 30;
  const A = Float32Array.from({ length: M * K }, (_, i) => Math.sin(i));
  const B = Float32Array.from({ length: K * N }, (_, i) => Math.cos(i));
  const C = new Float32Array(M * N), R = new Float32Array(M * N);
  const args = { transA: false, transB: false, M, N, K, A, aOffset: 0, lda: K, B, bOffset: 0, ldb: N, C, cOffset: 0, ldc: N, accumulate: false };
  gemm(args);
  gemmBatchedReference({ ...args, C: R, batch: 1, strideA: 0, strideB: 0, strideC: 0 });
  return { C, R };
}

describe('kernel host', () => {
  afterEach(() => {
    backend.setHost(nodeHost);
    backend.use('auto');
  });

  it('a host installed with backend.setHost provides the kernels and decides about threads', () => {
    const requests: string[] = [];
    const prev = backend.setHost(singleThreadHost(requests));
    expect(prev.name).toBe('node');
    const info = backend.info();
    expect(info).toMatchObject({ active: true, name: 'wasm-simd128 x1', threads: 1, features: { threads: false, cores: 1 } });
    const { C, R } = product();
    expect(requests).toEqual(['kernels-simd']);
    expect(backend.info().stats?.calls).toBe(1);
    for (let i = 0; i < C.length; i++) expect(Math.abs(C[i]! - R[i]!)).toBeLessThan(1e-4);
  });

  it('a host without the kernel bytes leaves every product to the reference, and says why', () => {
    const host: KernelHost = {
      ...singleThreadHost([]),
      kernelBytes: (variant) => {
        throw new Error(`test host: no ${variant}.wasm`);
      },
    };
    backend.setHost(host);
    const { C, R } = product();
    expect(Array.from(C)).toEqual(Array.from(R));
    expect(backend.info().loadError).toBe('test host: no kernels-simd.wasm');
  });
});
