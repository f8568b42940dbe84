/** mha: multi-head self-attention, forward + backward (loss = sum of outputs). */
import { tfMha, tfMhaForward } from './shared/tfjs-models.js';
import type * as Tf from '@tensorflow/tfjs-core';
import type { Step, Workload } from './types.js';

const D_MODEL = 128, HEADS = 4, SEQ = 64, BATCH = 16;

export const workloads: Workload[] = [
  {
    id: 'mha',
    order: 30,
    description: `MultiheadAttention(${D_MODEL}, ${HEADS}) self-attention forward+backward, seq ${SEQ}, batch ${BATCH}`,
    unit: 'ms',
    seqlab: (sl): Step => {
      sl.manualSeed(0);
      const mha = new sl.nn.MultiheadAttention(D_MODEL, HEADS);
      const x = sl.randn([SEQ, BATCH, D_MODEL]);
      return {
        run: () => {
          mha.zeroGrad();
          const [out] = mha.forward(x, x, x, { needWeights: false });
          out.sum().backward();
        },
      };
    },
    tfjs: (tf): Step => {
      const m = tfMha(tf, D_MODEL, HEADS);
      const x = tf.randomNormal([SEQ, BATCH, D_MODEL]) as Tf.Tensor3D;
      return {
        run: () => {
          const { value, grads } = tf.variableGrads(() => tf.sum(tfMhaForward(tf, m, x)));
          tf.dispose([value, ...Object.values(grads)]);
        },
        dispose: () => tf.dispose([m.wIn, m.bIn, m.wOut, m.bOut, x]),
      };
    },
    torch: `
def make():
    torch.manual_seed(0)
    mha = torch.nn.MultiheadAttention(${D_MODEL}, ${HEADS})
    x = torch.randn(${SEQ}, ${BATCH}, ${D_MODEL})
    def step():
        mha.zero_grad(set_to_none=True)
        out, _ = mha(x, x, x, need_weights=False)
        out.sum().backward()
    return step
`,
  },
];
