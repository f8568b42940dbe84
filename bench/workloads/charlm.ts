/**
 * charlm: one training step of a character-level language model: embedding(65, 128) ->
 * LSTM(128 -> 256) -> linear(256 -> 65) -> cross-entropy over every position, + Adam.
 */
import type * as Tf from '@tensorflow/tfjs-core';
import { tfLstm, tfLstmForward, uniformVar } from './shared/tfjs-models.js';
import type { Step, Workload } from './types.js';

const VOCAB = 65, EMBED = 128, HIDDEN = 256, SEQ = 64, BATCH = 32;

/** Deterministic token ids, the same in every implementation. */
function tokens(offset: number): number[] {
  return Array.from({ length: SEQ * BATCH }, (_, i) => (i * 7 + offset * 13 + ((i * i) % 11)) % VOCAB);
}

export const workloads: Workload[] = [
  {
    id: 'charlm',
    order: 50,
    description: `char LM step: Embedding(${VOCAB},${EMBED}) -> LSTM(${EMBED}->${HIDDEN}) -> Linear(${HIDDEN}->${VOCAB}) -> cross-entropy + Adam, seq ${SEQ}, batch ${BATCH}`,
    unit: 'ms',
    seqlab: (sl): Step => {
      sl.manualSeed(0);
      const emb = new sl.nn.Embedding(VOCAB, EMBED);
      const lstm = new sl.nn.LSTM(EMBED, HIDDEN);
      const head = new sl.nn.Linear(HIDDEN, VOCAB);
      const params = [...emb.parameters(), ...lstm.parameters(), ...head.parameters()];
      const opt = new sl.optim.Adam(params, { lr: 1e-3 });
      const input = sl.tensor(tokens(0), { dtype: 'int32', shape: [SEQ, BATCH] });
      const target = sl.tensor(tokens(1), { dtype: 'int32', shape: [SEQ * BATCH] });
      return {
        run: () => {
          opt.zeroGrad();
          const [h] = lstm.forward(emb.forward(input));
          const logits = head.forward(h).reshape([SEQ * BATCH, VOCAB]);
          sl.crossEntropy(logits, target).backward();
          opt.step();
        },
      };
    },
    tfjs: (tf): Step => {
      const emb = tf.variable(tf.randomNormal([VOCAB, EMBED]));
      const lstm = tfLstm(tf, EMBED, HIDDEN);
      const w = uniformVar(tf, [HIDDEN, VOCAB], HIDDEN);
      const b = uniformVar(tf, [VOCAB], HIDDEN);
      const vars = [emb, lstm.kernel, lstm.bias, w, b];
      const opt = tf.train.adam(1e-3);
      // tfjs-wasm cannot differentiate gather (no UnsortedSegmentSum kernel), so the
      // embedding lookup is the equivalent one-hot product.
      const input = tf.cast(tf.oneHot(tf.tensor1d(tokens(0), 'int32'), VOCAB), 'float32');
      const labels = tf.oneHot(tf.tensor1d(tokens(1), 'int32'), VOCAB);
      return {
        run: () => {
          tf.tidy(() => {
            opt.minimize(() => {
              const x = tf.reshape(tf.matMul(input as Tf.Tensor2D, emb as Tf.Tensor2D), [SEQ, BATCH, EMBED]) as Tf.Tensor3D;
              const hs = tfLstmForward(tf, lstm, tf.unstack(x) as Tf.Tensor2D[]);
              const logits = tf.add(tf.matMul(tf.concat(hs, 0), w as Tf.Tensor2D), b);
              return tf.losses.softmaxCrossEntropy(labels, logits) as Tf.Scalar;
            }, false, vars);
          });
        },
        dispose: () => {
          opt.dispose();
          tf.dispose([...vars, input, labels]);
        },
      };
    },
    torch: `
def make():
    torch.manual_seed(0)
    emb = torch.nn.Embedding(${VOCAB}, ${EMBED})
    lstm = torch.nn.LSTM(${EMBED}, ${HIDDEN})
    head = torch.nn.Linear(${HIDDEN}, ${VOCAB})
    params = list(emb.parameters()) + list(lstm.parameters()) + list(head.parameters())
    opt = torch.optim.Adam(params, lr=1e-3)
    ids = lambda off: torch.tensor([(i * 7 + off * 13 + ((i * i) % 11)) % ${VOCAB} for i in range(${SEQ * BATCH})])
    inp = ids(0).reshape(${SEQ}, ${BATCH})
    target = ids(1)
    def step():
        opt.zero_grad(set_to_none=True)
        h, _ = lstm(emb(inp))
        logits = head(h).reshape(${SEQ * BATCH}, ${VOCAB})
        torch.nn.functional.cross_entropy(logits, target).backward()
        opt.step()
    return step
`,
  },
];
