/**
 * A recurrent-layer workload: one `nn.LSTM`/`nn.GRU`/`nn.RNN` (any number of layers, either
 * direction count) over a random [SEQ, BATCH, INPUT] input, forward + backward with
 * loss = sum of outputs, built the same way on seqlab and on PyTorch.
 */
import type { Skip, Step, TfLib, Workload } from '../types.js';

export const SEQ = 64, BATCH = 32, INPUT = 64, HIDDEN = 256;

export interface RecurrentLayerOptions {
  id: string;
  order: number;
  layer: 'LSTM' | 'GRU' | 'RNN';
  numLayers?: number;
  bidirectional?: boolean;
  tfjs: ((tf: TfLib) => Step) | Skip;
}

export function recurrentLayerWorkload(o: RecurrentLayerOptions): Workload {
  const numLayers = o.numLayers ?? 1;
  const bidirectional = o.bidirectional ?? false;
  const shape = [numLayers > 1 && `${numLayers} layers`, bidirectional && 'bidirectional'].filter(Boolean).join(', ');
  return {
    id: o.id,
    order: o.order,
    description: `${o.layer}(${INPUT}->${HIDDEN}${shape ? `, ${shape}` : ''}) forward+backward, seq ${SEQ}, batch ${BATCH}`,
    unit: 'ms',
    seqlab: (sl): Step => {
      sl.manualSeed(0);
      const layer = new sl.nn[o.layer](INPUT, HIDDEN, { numLayers, bidirectional });
      const x = sl.randn([SEQ, BATCH, INPUT]);
      return {
        run: () => {
          layer.zeroGrad();
          const [out] = layer.forward(x);
          out.sum().backward();
        },
      };
    },
    tfjs: o.tfjs,
    torch: `
def make():
    torch.manual_seed(0)
    layer = torch.nn.${o.layer}(${INPUT}, ${HIDDEN}, num_layers=${numLayers}, bidirectional=${bidirectional ? 'True' : 'False'})
    x = torch.randn(${SEQ}, ${BATCH}, ${INPUT})
    def step():
        layer.zero_grad(set_to_none=True)
        out, _ = layer(x)
        out.sum().backward()
    return step
`,
  };
}
