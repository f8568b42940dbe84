/**
 * mha: multi-head self-attention, forward + backward (loss = sum of outputs).
 * mha-weights: the same, also returning the per-head attention weights (needWeights,
 * averageAttnWeights false: what traces and attention views ask for; returned, not used).
 */
import { tfMha, tfMhaForward } from './shared/tfjs-models.js';
import type * as Tf from '@tensorflow/tfjs-core';
import type { Step, Workload } from './types.js';

const D_MODEL = 128, HEADS = 4, SEQ = 64, BATCH = 16;

function mhaWorkload(perHeadWeights: boolean): Workload {
  return {
    id: perHeadWeights ? 'mha-weights' : 'mha',
    order: perHeadWeights ? 31 : 30,
    description: `MultiheadAttention(${D_MODEL}, ${HEADS}) self-attention${perHeadWeights ? ' returning per-head weights [batch, heads, L, S]' : ''} forward+backward, seq ${SEQ}, batch ${BATCH}`,
    unit: 'ms',
    seqlab: (sl): Step => {
      sl.manualSeed(0);
      const mha = new sl.nn.MultiheadAttention(D_MODEL, HEADS);
      const x = sl.randn([SEQ, BATCH, D_MODEL]);
      const options = perHeadWeights ? { needWeights: true, averageAttnWeights: false } : { needWeights: false };
      return {
        run: () => {
          mha.zeroGrad();
          const [out, w] = mha.forward(x, x, x, options);
          if (perHeadWeights && (w === null || w.ndim !== 4)) throw new Error('mha-weights: expected per-head weights');
          out.sum().backward();
        },
      };
    },
    tfjs: perHeadWeights
      ? { skip: 'no TensorFlow.js version of per-head weights in this bench' }
      : (tf): Step => {
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
        out, w = mha(x, x, x, ${perHeadWeights ? 'need_weights=True, average_attn_weights=False' : 'need_weights=False'})
        ${perHeadWeights ? 'assert w.dim() == 4' : 'pass'}
        out.sum().backward()
    return step
`,
  };
}

export const workloads: Workload[] = [mhaWorkload(false), mhaWorkload(true)];
