/**
 * decoder: one post-norm Transformer decoder layer (ReLU, no dropout): causal
 * self-attention over the target, cross-attention to a memory, the feed-forward network;
 * forward + backward (loss = sum of outputs) + an Adam step. The memory is a leaf
 * without gradient (an encoder's output held fixed), the same on both sides.
 */
import type { Step, Workload } from './types.js';

const D_MODEL = 128, HEADS = 4, FF = 512, TGT = 64, SRC = 64, BATCH = 16;

export const workloads: Workload[] = [
  {
    id: 'decoder',
    order: 45,
    description: `TransformerDecoderLayer(${D_MODEL}, ${HEADS}, ff ${FF}, post-norm, dropout 0) with a causal target mask, forward+backward + Adam, target ${TGT}, memory ${SRC}, batch ${BATCH}`,
    unit: 'ms',
    seqlab: (sl): Step => {
      sl.manualSeed(0);
      const layer = new sl.nn.TransformerDecoderLayer(D_MODEL, HEADS, { dimFeedforward: FF, dropout: 0 });
      const opt = new sl.optim.Adam(layer.parameters(), { lr: 1e-3 });
      const tgt = sl.randn([TGT, BATCH, D_MODEL]);
      const memory = sl.randn([SRC, BATCH, D_MODEL]);
      const tgtMask = sl.nn.Transformer.generateSquareSubsequentMask(TGT);
      return {
        run: () => {
          opt.zeroGrad();
          layer.forward(tgt, memory, { tgtMask }).sum().backward();
          opt.step();
        },
      };
    },
    tfjs: { skip: 'no TensorFlow.js decoder layer in this bench' },
    torch: `
def make():
    torch.manual_seed(0)
    layer = torch.nn.TransformerDecoderLayer(${D_MODEL}, ${HEADS}, ${FF}, dropout=0.0)
    opt = torch.optim.Adam(layer.parameters(), lr=1e-3)
    tgt = torch.randn(${TGT}, ${BATCH}, ${D_MODEL})
    memory = torch.randn(${SRC}, ${BATCH}, ${D_MODEL})
    tgt_mask = torch.nn.Transformer.generate_square_subsequent_mask(${TGT})
    def step():
        opt.zero_grad(set_to_none=True)
        layer(tgt, memory, tgt_mask=tgt_mask).sum().backward()
        opt.step()
    return step
`,
  },
];
