/**
 * mha-weights: multi-head self-attention that also returns the per-head attention
 * weights (needWeights, averageAttnWeights false: what traces and attention views ask
 * for), forward + backward (loss = sum of outputs; the weights are returned, not used).
 */
import type { Step, Workload } from './types.js';

const D_MODEL = 128, HEADS = 4, SEQ = 64, BATCH = 16;

export const workloads: Workload[] = [
  {
    id: 'mha-weights',
    order: 31,
    description: `MultiheadAttention(${D_MODEL}, ${HEADS}) self-attention returning per-head weights [batch, heads, L, S], forward+backward, seq ${SEQ}, batch ${BATCH}`,
    unit: 'ms',
    seqlab: (sl): Step => {
      sl.manualSeed(0);
      const mha = new sl.nn.MultiheadAttention(D_MODEL, HEADS);
      const x = sl.randn([SEQ, BATCH, D_MODEL]);
      return {
        run: () => {
          mha.zeroGrad();
          const [out, w] = mha.forward(x, x, x, { needWeights: true, averageAttnWeights: false });
          if (w === null || w.ndim !== 4) throw new Error('mha-weights: expected per-head weights');
          out.sum().backward();
        },
      };
    },
    tfjs: { skip: 'no TensorFlow.js version of per-head weights in this bench' },
    torch: `
def make():
    torch.manual_seed(0)
    mha = torch.nn.MultiheadAttention(${D_MODEL}, ${HEADS})
    x = torch.randn(${SEQ}, ${BATCH}, ${D_MODEL})
    def step():
        mha.zero_grad(set_to_none=True)
        out, w = mha(x, x, x, need_weights=True, average_attn_weights=False)
        assert w.dim() == 4
        out.sum().backward()
    return step
`,
  },
];
