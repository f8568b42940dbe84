/**
 * Learning, deterministic with a seed: a character-level LSTM language model on a slice of
 * The Time Machine (notebooks/data, prepared as Dive into Deep Learning does: 28 tokens)
 * brings its validation perplexity below 9 within 150 Adam steps. Unigram frequencies
 * alone give a perplexity of about 18, and a uniform guess 28.
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { nn, optim, data, manualSeed, crossEntropy, noGrad, Generator, type Tensor } from '../../../engine/src/index.js';

class CharLM extends nn.Module {
  emb: nn.Embedding;
  rnn: nn.LSTM;
  head: nn.Linear;
  constructor(vocab: number) {
    super();
    this.emb = new nn.Embedding(vocab, 32);
    this.rnn = new nn.LSTM(32, 128, { batchFirst: true });
    this.head = new nn.Linear(128, vocab);
  }
  forward(x: Tensor): Tensor {
    return this.head.forward(this.rnn.forward(this.emb.forward(x))[0]);
  }
}

describe('a character-level LSTM language model learns The Time Machine', () => {
  it('reaches validation perplexity < 9 within 150 steps (batch 32 × 32 characters)', async () => {
    manualSeed(0);
    const path = fileURLToPath(new URL('../../../notebooks/data/timemachine.txt', import.meta.url));
    const { corpus, vocab } = await data.loadTimeMachine(path, { sha1: data.CORPORA.timemachine.sha1 });
    expect(vocab.length).toBe(28);
    const train = corpus.subarray(0, 20_000);
    const val = corpus.subarray(20_000, 25_000);
    const model = new CharLM(vocab.length);
    const opt = new optim.Adam(model.parameters(), { lr: 0.01 });
    const g = new Generator(1);
    const t0 = performance.now();
    const perplexity = (): number => {
      model.eval();
      let nll = 0;
      let n = 0;
      noGrad(() => {
        for (const [X, Y] of data.seqDataIterSequential(val, 32, 32)) {
          const logits = model.forward(X);
          nll += crossEntropy(logits.reshape(-1, vocab.length), Y.reshape(-1), { reduction: 'sum' }).item();
          n += Y.numel();
        }
      });
      model.train();
      return Math.exp(nll / n);
    };
    const before = perplexity();
    let steps = 0;
    while (steps < 150) {
      for (const [X, Y] of data.seqDataIterRandom(train, 32, 32, { generator: g })) {
        const loss = crossEntropy(model.forward(X).reshape(-1, vocab.length), Y.reshape(-1));
        opt.zeroGrad();
        loss.backward();
        nn.utils.clipGradNorm_(model.parameters(), 1);
        opt.step();
        if (++steps === 150) break;
      }
    }
    const after = perplexity();
    console.log(`char LSTM on The Time Machine: validation perplexity ${before.toFixed(1)} -> ${after.toFixed(2)} in ${steps} steps, ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    expect(before).toBeGreaterThan(25);
    expect(after).toBeLessThan(9);
  }, 300_000);
});
