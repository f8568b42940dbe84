/**
 * add16: 10,000 elementwise adds of two 16-element tensors, one result each (the
 * per-op dispatch cost), without autograd and with inputs that require gradients (so
 * every add also records a graph node). Reported in µs per add.
 */
import type { Step, Workload } from './types.js';

const OPS = 10_000;
const A = Array.from({ length: 16 }, (_, i) => Math.sin(i + 1));
const B = Array.from({ length: 16 }, (_, i) => Math.cos(i + 1));

function add16(autograd: boolean, order: number): Workload {
  return {
    id: autograd ? 'add16-autograd' : 'add16',
    order,
    description: `${OPS} adds of 16-element tensors${autograd ? ', inputs require grad (graph recorded)' : ''}`,
    unit: 'µs/op',
    ops: OPS,
    seqlab: (sl): Step => {
      const a = sl.tensor(A, { requiresGrad: autograd });
      const b = sl.tensor(B, { requiresGrad: autograd });
      return {
        run: () => {
          for (let i = 0; i < OPS; i++) a.add(b);
        },
      };
    },
    tfjs: autograd
      ? { skip: 'TensorFlow.js records a tape only inside tf.grad(); no per-op equivalent' }
      : (tf): Step => {
          const a = tf.tensor1d(A);
          const b = tf.tensor1d(B);
          return {
            run: () => {
              for (let i = 0; i < OPS; i++) tf.add(a, b).dispose();
            },
            dispose: () => tf.dispose([a, b]),
          };
        },
    torch: `
def make():
    a = torch.tensor(${JSON.stringify(A)}, requires_grad=${autograd ? 'True' : 'False'})
    b = torch.tensor(${JSON.stringify(B)}, requires_grad=${autograd ? 'True' : 'False'})
    def step():
        for _ in range(${OPS}):
            a + b
    return step
`,
  };
}

export const workloads: Workload[] = [add16(false, 60), add16(true, 61)];
