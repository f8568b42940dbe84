/**
 * gru: one GRU layer, forward + backward (loss = sum of outputs), shaped like `lstm`.
 * lstm-bi2: a 2-layer bidirectional LSTM, forward + backward, same sizes.
 */
import type { Step, Workload } from './types.js';

const SEQ = 64, BATCH = 32, INPUT = 64, HIDDEN = 256;

export const workloads: Workload[] = [
  {
    id: 'gru',
    order: 21,
    description: `GRU(${INPUT}->${HIDDEN}) forward+backward, seq ${SEQ}, batch ${BATCH}`,
    unit: 'ms',
    seqlab: (sl): Step => {
      sl.manualSeed(0);
      const gru = new sl.nn.GRU(INPUT, HIDDEN);
      const x = sl.randn([SEQ, BATCH, INPUT]);
      return {
        run: () => {
          gru.zeroGrad();
          const [out] = gru.forward(x);
          out.sum().backward();
        },
      };
    },
    tfjs: { skip: 'tfjs-core has no GRU layer (only tfjs-layers)' },
    torch: `
def make():
    torch.manual_seed(0)
    gru = torch.nn.GRU(${INPUT}, ${HIDDEN})
    x = torch.randn(${SEQ}, ${BATCH}, ${INPUT})
    def step():
        gru.zero_grad(set_to_none=True)
        out, _ = gru(x)
        out.sum().backward()
    return step
`,
  },
  {
    id: 'lstm-bi2',
    order: 22,
    description: `LSTM(${INPUT}->${HIDDEN}, 2 layers, bidirectional) forward+backward, seq ${SEQ}, batch ${BATCH}`,
    unit: 'ms',
    seqlab: (sl): Step => {
      sl.manualSeed(0);
      const lstm = new sl.nn.LSTM(INPUT, HIDDEN, { numLayers: 2, bidirectional: true });
      const x = sl.randn([SEQ, BATCH, INPUT]);
      return {
        run: () => {
          lstm.zeroGrad();
          const [out] = lstm.forward(x);
          out.sum().backward();
        },
      };
    },
    tfjs: { skip: 'not written for tfjs (the lstm workload compares one layer)' },
    torch: `
def make():
    torch.manual_seed(0)
    lstm = torch.nn.LSTM(${INPUT}, ${HIDDEN}, num_layers=2, bidirectional=True)
    x = torch.randn(${SEQ}, ${BATCH}, ${INPUT})
    def step():
        lstm.zero_grad(set_to_none=True)
        out, _ = lstm(x)
        out.sum().backward()
    return step
`,
  },
];
