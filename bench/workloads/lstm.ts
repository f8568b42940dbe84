/** lstm: one LSTM layer, forward + backward (loss = sum of outputs). */
import type * as Tf from '@tensorflow/tfjs-core';
import { tfLstm, tfLstmForward } from './shared/tfjs-models.js';
import type { Step, Workload } from './types.js';

const SEQ = 64, BATCH = 32, INPUT = 64, HIDDEN = 256;

export const workloads: Workload[] = [
  {
    id: 'lstm',
    order: 20,
    description: `LSTM(${INPUT}->${HIDDEN}) forward+backward, seq ${SEQ}, batch ${BATCH}`,
    unit: 'ms',
    seqlab: (sl): Step => {
      sl.manualSeed(0);
      const lstm = new sl.nn.LSTM(INPUT, HIDDEN);
      const x = sl.randn([SEQ, BATCH, INPUT]);
      return {
        run: () => {
          lstm.zeroGrad();
          const [out] = lstm.forward(x);
          out.sum().backward();
        },
      };
    },
    tfjs: (tf): Step => {
      const layer = tfLstm(tf, INPUT, HIDDEN);
      const xs = tf.unstack(tf.randomNormal([SEQ, BATCH, INPUT])) as Tf.Tensor2D[];
      return {
        run: () => {
          const { value, grads } = tf.variableGrads(() => tf.addN(tfLstmForward(tf, layer, xs).map((h) => tf.sum(h))) as Tf.Scalar);
          tf.dispose([value, ...Object.values(grads)]);
        },
        dispose: () => tf.dispose([layer.kernel, layer.bias, ...xs]),
      };
    },
    torch: `
def make():
    torch.manual_seed(0)
    lstm = torch.nn.LSTM(${INPUT}, ${HIDDEN})
    x = torch.randn(${SEQ}, ${BATCH}, ${INPUT})
    def step():
        lstm.zero_grad(set_to_none=True)
        out, _ = lstm(x)
        out.sum().backward()
    return step
`,
  },
];
