/** Exercises of lectures 6–10: positional encoding, masks, LayerNorm, the learning-rate schedule, self-attention, heads, GPT decoding. */
import { Tensor } from '../tensor.js';
import { describe } from '../shape.js';
import type { Generator } from '../random.js';
import { randn, tensor, triu, ones } from '../ops/creation.js';
import type { Exercise } from './framework.js';

const rand = (g: Generator, ...shape: number[]) => randn(shape, { generator: g });

function sinusoid(maxLen: number, d: number, mistake: 'none' | 'swap' | 'index' = 'none'): Tensor {
  const rows: number[][] = [];
  for (let pos = 0; pos < maxLen; pos++) {
    const row: number[] = [];
    for (let j = 0; j < d; j++) {
      const i = Math.floor(j / 2);
      const w = Math.pow(10000, -(mistake === 'index' ? j : 2 * i) / d);
      const sin = j % 2 === 0;
      row.push((mistake === 'swap' ? !sin : sin) ? Math.sin(pos * w) : Math.cos(pos * w));
    }
    rows.push(row);
  }
  return tensor(rows);
}

function layerNorm(x: Tensor, eps: number, unbiased = false, withEps = true): Tensor {
  const d = x.shape[x.ndim - 1]!;
  const mean = x.mean(-1, true);
  const centred = x.sub(mean);
  const v = centred.square().sum(-1, true).div(unbiased ? d - 1 : d);
  return centred.div(v.add(withEps ? eps : 0).sqrt());
}

function head(X: Tensor, Wq: Tensor, Wk: Tensor, Wv: Tensor, mistake: 'none' | 'no-scale' | 'columns' = 'none'): [Tensor, Tensor] {
  const Q = X.matmul(Wq.t());
  const K = X.matmul(Wk.t());
  const V = X.matmul(Wv.t());
  const s = Q.matmul(K.t()).div(mistake === 'no-scale' ? 1 : Math.sqrt(Wk.shape[0]!));
  const A = mistake === 'columns' ? s.softmax(0) : s.softmax(-1);
  return [A.matmul(V), A];
}

function causal(q: Tensor, k: Tensor, mistake: 'none' | 'no-mask' | 'diagonal' | 'no-scale' = 'none'): Tensor {
  const T = q.shape[0]!;
  let s = q.matmul(k.t()).div(mistake === 'no-scale' ? 1 : Math.sqrt(q.shape[1]!));
  if (mistake !== 'no-mask') {
    const blocked = triu(ones([T, T]), mistake === 'diagonal' ? 0 : 1).bool();
    if (mistake === 'diagonal') s = s.maskedFill(blocked, -1e9); // row 0 then has no key at all: uniform
    else s = s.maskedFill(blocked, -Infinity);
  }
  return s.softmax(-1);
}

function topK(logits: number[], k: number, mistake: 'none' | 'smallest' | 'plus-one' = 'none'): number[] {
  const sorted = [...logits].sort((a, b) => (mistake === 'smallest' ? a - b : b - a));
  const t = sorted[Math.min(logits.length, mistake === 'plus-one' ? k + 1 : k) - 1]!;
  return logits.map((v) => ((mistake === 'smallest' ? v <= t : v >= t) ? v : -Infinity));
}

const toNumber = (v: unknown) => (v instanceof Tensor && v.numel() === 1 ? v.item() : v);

export const transformerExercises: Exercise[] = [
  {
    id: 'positional-encoding',
    notebook: '06-transformer',
    fn: 'positionalEncoding',
    title: 'the sinusoidal table PE [maxLen, d]: sin at even dimensions, cos at odd ones',
    cases: () => [[4, 6], [10, 8], [3, 2]],
    expected: (maxLen: number, d: number) => sinusoid(maxLen, d),
    mistakes: [
      { hint: 'sin and cos are swapped: PE(pos, 2i) = sin(pos·ω_i), PE(pos, 2i+1) = cos(pos·ω_i).', wrong: (maxLen: number, d: number) => sinusoid(maxLen, d, 'swap') },
      { hint: 'The frequency uses the dimension index j; a sine/cosine pair (2i, 2i+1) shares one frequency ω_i = 10000^(−2i/d).', wrong: (maxLen: number, d: number) => sinusoid(maxLen, d, 'index') },
    ],
  },
  {
    id: 'causal-mask',
    notebook: '06-transformer',
    fn: 'causalMask',
    title: 'a bool [n, n] mask, true where query i may not see key j (j > i)',
    cases: () => [[4], [7], [1]],
    expected: (n: number) => triu(ones([n, n]), 1).bool(),
    mistakes: [
      { hint: 'The diagonal is blocked: a position may attend to itself (j = i).', wrong: (n: number) => triu(ones([n, n]), 0).bool() },
      { hint: 'true and false are swapped: here true means blocked (the convention of nn.MultiheadAttention).', wrong: (n: number) => triu(ones([n, n]), 1).bool().logicalNot() },
      { hint: 'This blocks the past instead of the future: query i must not see keys j > i (above the diagonal).', wrong: (n: number) => triu(ones([n, n]), 1).bool().t() },
    ],
    normalize: (v) => {
      if (!(v instanceof Tensor)) throw new TypeError(`it returned ${describe(v)}; expected a bool Tensor [n, n]`);
      return v.dtype === 'bool' ? v : v.ne(0);
    },
  },
  {
    id: 'layer-norm',
    notebook: '06-transformer',
    fn: 'layerNorm',
    title: 'LayerNorm without its gain and bias: each vector to mean 0 and variance 1 over its last dimension',
    cases: (g) => [[rand(g, 3, 4).mul(3).add(1), 1e-5], [rand(g, 2, 3, 5), 1e-5], [tensor([[1, 1, 1, 1]]), 1e-5]],
    expected: (x: Tensor, eps: number) => layerNorm(x, eps),
    mistakes: [
      { hint: 'This divides the variance by d − 1 (the unbiased estimate); LayerNorm divides by d.', wrong: (x: Tensor, eps: number) => layerNorm(x, eps, true) },
      { hint: 'ε is missing: it keeps a constant vector (variance 0) from dividing by zero.', wrong: (x: Tensor, eps: number) => layerNorm(x, eps, false, false) },
      { hint: 'This normalises over the wrong dimension: LayerNorm normalises each vector over its features (the last dimension).', wrong: (x: Tensor, eps: number) => layerNorm(x.transpose(0, x.ndim - 1), eps).transpose(0, x.ndim - 1) },
    ],
    tolerance: 1e-3,
  },
  {
    id: 'transformer-lr',
    notebook: '07-training-transformers',
    fn: 'transformerLr',
    title: 'the learning rate of "Attention Is All You Need": d^−0.5 · min(step^−0.5, step · warmup^−1.5)',
    cases: () => [[1, 512, 4000], [4000, 512, 4000], [20000, 512, 4000], [100, 32, 30]],
    expected: (step: number, d: number, w: number) => Math.pow(d, -0.5) * Math.min(Math.pow(step, -0.5), step * Math.pow(w, -1.5)),
    mistakes: [
      { hint: 'max instead of min: the rate is the smaller of the warm-up line and the 1/√step decay.', wrong: (step: number, d: number, w: number) => Math.pow(d, -0.5) * Math.max(Math.pow(step, -0.5), step * Math.pow(w, -1.5)) },
      { hint: 'The factor d_model^−0.5 is missing.', wrong: (step: number, _d: number, w: number) => Math.min(Math.pow(step, -0.5), step * Math.pow(w, -1.5)) },
    ],
    tolerance: 1e-12,
  },
  {
    id: 'shift-right',
    notebook: '07-training-transformers',
    fn: 'decoderInput',
    title: "teacher forcing: the decoder's input is <bos> followed by the target without its last token",
    cases: () => [[[[5, 6, 7]], 0], [[[3, 4, 2, 9], [1, 1, 8, 9]], 2]],
    expected: (targets: number[][], bos: number) => targets.map((t) => [bos, ...t.slice(0, -1)]),
    mistakes: [
      { hint: 'The last target token must be dropped, so that input and target have the same length: position t predicts target t.', wrong: (targets: number[][], bos: number) => targets.map((t) => [bos, ...t]) },
      { hint: "The decoder's input starts with <bos>: position 0 has seen nothing yet and predicts the first target token.", wrong: (targets: number[][]) => targets.map((t) => t.slice(0, -1)) },
      { hint: 'This is the target itself: the model would be shown the token it must predict.', wrong: (targets: number[][]) => targets },
    ],
    tolerance: 0,
  },
  {
    id: 'sequence-accuracy',
    notebook: '07-training-transformers',
    fn: 'exactMatch',
    title: 'the fraction of outputs that equal their reference exactly',
    cases: () => [[[[1, 2, 3], [4, 5, 6], [7, 8]], [[1, 2, 3], [4, 5, 0], [7, 8]]], [[[1], [2, 2]], [[1], [2]]]],
    expected: (outputs: number[][], refs: number[][]) => outputs.filter((o, i) => o.length === refs[i]!.length && o.every((t, j) => t === refs[i]![j])).length / outputs.length,
    mistakes: [
      { hint: 'This counts tokens; exact match counts whole sequences, all tokens right.', wrong: (outputs: number[][], refs: number[][]) => { let ok = 0, n = 0; outputs.forEach((o, i) => o.forEach((t, j) => { n++; if (refs[i]![j] === t) ok++; })); return ok / n; } },
      { hint: 'An output longer than its reference is not an exact match, even if it starts with it.', wrong: (outputs: number[][], refs: number[][]) => outputs.filter((o, i) => refs[i]!.every((t, j) => o[j] === t)).length / outputs.length },
    ],
    tolerance: 1e-12,
  },
  {
    id: 'self-attention-head',
    notebook: '08-self-attention',
    fn: 'selfAttentionHead',
    title: 'one head of self-attention: [Y, A] with A = softmax(Q Kᵀ / √d_k), Y = A V',
    cases: (g) => [[rand(g, 5, 8), rand(g, 4, 8), rand(g, 4, 8), rand(g, 4, 8)], [rand(g, 3, 4), rand(g, 2, 4), rand(g, 2, 4), rand(g, 3, 4)]],
    expected: (X: Tensor, Wq: Tensor, Wk: Tensor, Wv: Tensor) => head(X, Wq, Wk, Wv),
    describeArgs: (X: Tensor, Wq: Tensor, _k: Tensor, Wv: Tensor) => `X [${X.shape}], W_Q and W_K [${Wq.shape}], W_V [${Wv.shape}]`,
    mistakes: [
      { hint: 'The scores are not scaled by 1/√d_k.', wrong: (X: Tensor, Wq: Tensor, Wk: Tensor, Wv: Tensor) => head(X, Wq, Wk, Wv, 'no-scale') },
      { hint: 'The softmax runs down the columns; each query\'s row of A must sum to 1 (softmax over the keys, the last dimension).', wrong: (X: Tensor, Wq: Tensor, Wk: Tensor, Wv: Tensor) => head(X, Wq, Wk, Wv, 'columns') },
    ],
  },
  {
    id: 'attention-entropy',
    notebook: '08-self-attention',
    fn: 'attentionEntropy',
    title: 'the entropy −Σ α log α of one row of attention weights (in nats; 0 · log 0 = 0)',
    cases: () => [[[0.25, 0.25, 0.25, 0.25]], [[1, 0, 0]], [[0.7, 0.2, 0.1, 0]]],
    expected: (w: number[]) => -w.reduce((s, a) => s + (a > 0 ? a * Math.log(a) : 0), 0),
    normalize: toNumber,
    mistakes: [
      { hint: 'A weight of 0 contributes 0 (the limit of α log α), not NaN: skip zeros.', wrong: (w: number[]) => -w.reduce((s, a) => s + a * Math.log(a), 0) },
      { hint: 'The sign: entropy is −Σ α log α, which is ≥ 0.', wrong: (w: number[]) => w.reduce((s, a) => s + (a > 0 ? a * Math.log(a) : 0), 0) },
      { hint: 'Use the natural logarithm (nats), as the loss does.', wrong: (w: number[]) => -w.reduce((s, a) => s + (a > 0 ? a * Math.log2(a) : 0), 0) },
    ],
    tolerance: 1e-9,
  },
  {
    id: 'split-heads',
    notebook: '09-multi-head-attention',
    fn: 'splitHeads',
    title: 'split [B, L, h·d_k] into heads: [B, h, L, d_k]',
    cases: (g) => [[rand(g, 2, 3, 8), 2], [rand(g, 1, 4, 6), 3], [rand(g, 2, 2, 4), 1]],
    expected: (x: Tensor, h: number) => x.reshape([x.shape[0]!, x.shape[1]!, h, x.shape[2]! / h]).transpose(1, 2),
    describeArgs: (x: Tensor, h: number) => `x [${x.shape}], ${h} head${h > 1 ? 's' : ''}`,
    mistakes: [
      { hint: 'A single reshape to [B, h, L, d_k] mixes positions and heads: reshape to [B, L, h, d_k] first (each position\'s vector splits into heads), then swap L and h.', wrong: (x: Tensor, h: number) => x.reshape([x.shape[0]!, h, x.shape[1]!, x.shape[2]! / h]) },
      { hint: 'The result has the right size but the wrong layout: head i must get dimensions i·d_k … (i+1)·d_k − 1 of every position.', wrong: (x: Tensor, h: number) => x.reshape([x.shape[0]!, x.shape[1]!, x.shape[2]! / h, h]).permute(0, 3, 1, 2) },
    ],
  },
  {
    id: 'merge-heads',
    notebook: '09-multi-head-attention',
    fn: 'mergeHeads',
    title: 'concatenate the heads again: [B, h, L, d_k] → [B, L, h·d_k]',
    cases: (g) => [[rand(g, 2, 2, 3, 4)], [rand(g, 1, 3, 4, 2)]],
    expected: (x: Tensor) => x.transpose(1, 2).reshape([x.shape[0]!, x.shape[2]!, x.shape[1]! * x.shape[3]!]),
    describeArgs: (x: Tensor) => `x [${x.shape}]`,
    mistakes: [
      { hint: 'A reshape alone mixes positions and heads: swap h and L back first, then reshape.', wrong: (x: Tensor) => x.reshape([x.shape[0]!, x.shape[2]!, x.shape[1]! * x.shape[3]!]) },
    ],
  },
  {
    id: 'mha-parameters',
    notebook: '09-multi-head-attention',
    fn: 'multiheadParameterCount',
    title: 'parameters of nn.MultiheadAttention(E, h) with biases',
    cases: () => [[8, 2], [512, 8], [32, 1], [32, 4]],
    expected: (E: number) => 4 * E * E + 4 * E,
    mistakes: [
      { hint: 'The heads do not multiply the parameters: each head projects to E/h dimensions, so h heads together have the size of one full-width head.', wrong: (E: number, h: number) => h * (4 * E * E + 4 * E) },
      { hint: 'The biases are missing (in_proj_bias has 3E entries, out_proj.bias E).', wrong: (E: number) => 4 * E * E },
      { hint: 'The output projection W^O (E × E, and its bias) is part of the module too.', wrong: (E: number) => 3 * E * E + 3 * E },
    ],
    tolerance: 0,
  },
  {
    id: 'causal-attention',
    notebook: '10-gpt',
    fn: 'causalAttentionWeights',
    title: 'causal attention weights [T, T]: softmax(q kᵀ/√d) where key j ≤ query i, 0 elsewhere',
    cases: (g) => [[rand(g, 4, 8), rand(g, 4, 8)], [rand(g, 6, 4), rand(g, 6, 4)], [rand(g, 1, 2), rand(g, 1, 2)]],
    expected: (q: Tensor, k: Tensor) => causal(q, k),
    describeArgs: (q: Tensor) => `q and k [${q.shape}]`,
    mistakes: [
      { hint: 'Nothing is masked: position i must not see the keys j > i (the future).', wrong: (q: Tensor, k: Tensor) => causal(q, k, 'no-mask') },
      { hint: 'The diagonal is masked too: position i sees itself (j = i).', wrong: (q: Tensor, k: Tensor) => causal(q, k, 'diagonal') },
      { hint: 'The scores are not scaled by 1/√d.', wrong: (q: Tensor, k: Tensor) => causal(q, k, 'no-scale') },
    ],
  },
  {
    id: 'top-k-filter',
    notebook: '10-gpt',
    fn: 'topKFilter',
    title: 'keep the k largest logits, set the others to −Infinity',
    cases: () => [[[2, 0.5, 3, -1, 1], 2], [[0.1, 0.2, 0.3], 3], [[5, 1, 4, 2], 1]],
    expected: (logits: number[], k: number) => topK(logits, k),
    mistakes: [
      { hint: 'This keeps the k smallest logits; keep the k largest.', wrong: (logits: number[], k: number) => topK(logits, k, 'smallest') },
      { hint: 'One logit too many is kept.', wrong: (logits: number[], k: number) => topK(logits, k, 'plus-one') },
      { hint: 'The kept logits must stay as they are (the softmax comes later); only the others become −Infinity.', wrong: (logits: number[], k: number) => topK(logits, k).map((v) => (v === -Infinity ? v : 1)) },
    ],
    tolerance: 0,
  },
  {
    id: 'previous-token-score',
    notebook: '10-gpt',
    fn: 'previousTokenScore',
    title: "a head's mean weight on the previous position, over the positions t ≥ 1",
    cases: () => [
      [[[1, 0, 0], [0.9, 0.1, 0], [0.1, 0.6, 0.3]]],
      [[[1, 0], [0, 1]]],
      [[[1, 0, 0, 0], [0.5, 0.5, 0, 0], [0.2, 0.2, 0.6, 0], [0.1, 0.1, 0.7, 0.1]]],
    ],
    expected: (w: number[][]) => w.slice(1).reduce((s, row, i) => s + row[i]!, 0) / (w.length - 1),
    normalize: toNumber,
    mistakes: [
      { hint: 'This reads the diagonal (a position attending to itself); the previous token of position t is t − 1.', wrong: (w: number[][]) => w.slice(1).reduce((s, row, i) => s + row[i + 1]!, 0) / (w.length - 1) },
      { hint: 'Position 0 has no previous token: average over t = 1 … T − 1 only.', wrong: (w: number[][]) => w.slice(1).reduce((s, row, i) => s + row[i]!, 0) / w.length },
    ],
    tolerance: 1e-9,
  },
];
