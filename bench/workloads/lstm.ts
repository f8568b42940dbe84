/** lstm: one LSTM layer, forward + backward (loss = sum of outputs). */
import type * as Tf from '@tensorflow/tfjs-core';
import { tfLstm, tfLstmForward } from './shared/tfjs-models.js';
import { BATCH, HIDDEN, INPUT, SEQ, recurrentLayerWorkload } from './shared/recurrent.js';
import type { Step, Workload } from './types.js';

export const workloads: Workload[] = [
  recurrentLayerWorkload({
    id: 'lstm',
    order: 20,
    layer: 'LSTM',
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
  }),
];
