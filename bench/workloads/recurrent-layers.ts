/**
 * gru: one GRU layer, forward + backward (loss = sum of outputs), shaped like `lstm`.
 * lstm-bi2: a 2-layer bidirectional LSTM, forward + backward, same sizes.
 */
import { recurrentLayerWorkload } from './shared/recurrent.js';
import type { Workload } from './types.js';

export const workloads: Workload[] = [
  recurrentLayerWorkload({ id: 'gru', order: 21, layer: 'GRU', tfjs: { skip: 'tfjs-core has no GRU layer (only tfjs-layers)' } }),
  recurrentLayerWorkload({
    id: 'lstm-bi2',
    order: 22,
    layer: 'LSTM',
    numLayers: 2,
    bidirectional: true,
    tfjs: { skip: 'not written for tfjs (the lstm workload compares one layer)' },
  }),
];
