/**
 * encoder: one post-norm Transformer encoder layer (ReLU, no dropout), forward + backward
 * (loss = sum of outputs) + an Adam step.
 */
import { encoderVariables, tfEncoder, tfEncoderForward } from './shared/tfjs-models.js';
import type * as Tf from '@tensorflow/tfjs-core';
import type { Step, Workload } from './types.js';

const D_MODEL = 128, HEADS = 4, FF = 512, SEQ = 64, BATCH = 16;

export const workloads: Workload[] = [
  {
    id: 'encoder',
    order: 40,
    description: `TransformerEncoderLayer(${D_MODEL}, ${HEADS}, ff ${FF}, post-norm, dropout 0) forward+backward + Adam, seq ${SEQ}, batch ${BATCH}`,
    unit: 'ms',
    seqlab: (sl): Step => {
      sl.manualSeed(0);
      const layer = new sl.nn.TransformerEncoderLayer(D_MODEL, HEADS, { dimFeedforward: FF, dropout: 0 });
      const opt = new sl.optim.Adam(layer.parameters(), { lr: 1e-3 });
      const x = sl.randn([SEQ, BATCH, D_MODEL]);
      return {
        run: () => {
          opt.zeroGrad();
          layer.forward(x).sum().backward();
          opt.step();
        },
      };
    },
    tfjs: (tf): Step => {
      const e = tfEncoder(tf, D_MODEL, HEADS, FF);
      const vars = encoderVariables(e);
      const opt = tf.train.adam(1e-3);
      const x = tf.randomNormal([SEQ, BATCH, D_MODEL]) as Tf.Tensor3D;
      return {
        run: () => {
          tf.tidy(() => {
            opt.minimize(() => tf.sum(tfEncoderForward(tf, e, x)), false, vars);
          });
        },
        dispose: () => {
          opt.dispose();
          tf.dispose([...vars, x]);
        },
      };
    },
    torch: `
def make():
    torch.manual_seed(0)
    layer = torch.nn.TransformerEncoderLayer(${D_MODEL}, ${HEADS}, ${FF}, dropout=0.0)
    opt = torch.optim.Adam(layer.parameters(), lr=1e-3)
    x = torch.randn(${SEQ}, ${BATCH}, ${D_MODEL})
    def step():
        opt.zero_grad(set_to_none=True)
        layer(x).sum().backward()
        opt.step()
    return step
`,
  },
];
