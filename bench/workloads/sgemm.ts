/**
 * sgemm-N: C = A·B for square float32 matrices, N = 128, 256, 512, 1024, through each
 * framework's public matrix product (result allocated by the call, as user code does).
 */
import type { Step, Workload } from './types.js';

/** Deterministic values in [-1, 1) so every implementation multiplies the same numbers. */
function values(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.sin((i + 1) * 12.9898 + seed * 78.233) % 1;
  return out;
}

function sgemm(n: number, order: number): Workload {
  return {
    id: `sgemm-${n}`,
    order,
    description: `C = A·B, ${n}x${n} float32`,
    unit: 'GFLOP/s',
    flops: 2 * n * n * n,
    seqlab: (sl): Step => {
      const a = sl.tensor(values(n * n, 1), { shape: [n, n] });
      const b = sl.tensor(values(n * n, 2), { shape: [n, n] });
      return { run: () => void sl.matmul(a, b) };
    },
    tfjs: (tf): Step => {
      const a = tf.tensor2d(values(n * n, 1), [n, n]);
      const b = tf.tensor2d(values(n * n, 2), [n, n]);
      return {
        // dataSync waits for the product (the wasm backend is synchronous anyway).
        run: () => {
          const c = tf.matMul(a, b);
          c.dataSync();
          c.dispose();
        },
        dispose: () => tf.dispose([a, b]),
      };
    },
    torch: `
def make():
    a = torch.randn(${n}, ${n})
    b = torch.randn(${n}, ${n})
    def step():
        torch.mm(a, b)
    return step
`,
  };
}

export const workloads: Workload[] = [sgemm(128, 10), sgemm(256, 11), sgemm(512, 12), sgemm(1024, 13)];
