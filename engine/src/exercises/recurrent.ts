/** Exercises of lectures 1–3: the recurrence, perplexity, temperature; BPTT and clipping; LSTM and GRU cells. */
import type { Tensor } from '../tensor.js';
import type { Generator } from '../random.js';
import { randn } from '../ops/creation.js';
import type { Exercise } from './framework.js';

const rand = (g: Generator, ...shape: number[]) => randn(shape, { generator: g }).mul(0.7);
const sum = (a: number[]) => a.reduce((s, x) => s + x, 0);

function softmax(z: number[]): number[] {
  const m = Math.max(...z);
  const e = z.map((v) => Math.exp(v - m));
  const s = sum(e);
  return e.map((v) => v / s);
}

/** The LSTM step with PyTorch's gate order (i, f, g, o); options produce the common mistakes. */
function lstm(x: Tensor, h: Tensor, c: Tensor, wih: Tensor, whh: Tensor, b: Tensor, mistake: 'none' | 'no-forget' | 'no-tanh' | 'sigmoid-candidate' | 'ifog' = 'none'): [Tensor, Tensor] {
  const H = h.shape[0]!;
  const z = wih.matmul(x).add(whh.matmul(h)).add(b);
  let [zi, zf, zg, zo] = z.split(H);
  if (mistake === 'ifog') [zg, zo] = [zo!, zg!];
  const i = zi!.sigmoid();
  const f = zf!.sigmoid();
  const g = mistake === 'sigmoid-candidate' ? zg!.sigmoid() : zg!.tanh();
  const o = zo!.sigmoid();
  const cNew = mistake === 'no-forget' ? i.mul(g) : f.mul(c).add(i.mul(g));
  return [mistake === 'no-tanh' ? o.mul(cNew) : o.mul(cNew.tanh()), cNew];
}

/** PyTorch's GRU step (r, z, n); options produce the common mistakes. */
function gru(x: Tensor, h: Tensor, wih: Tensor, whh: Tensor, bih: Tensor, bhh: Tensor, mistake: 'none' | 'swap-z' | 'reset-bias' = 'none'): Tensor {
  const H = h.shape[0]!;
  const [xr, xz, xn] = wih.matmul(x).add(bih).split(H);
  const hh = whh.matmul(h);
  const [hr, hz, hn] = hh.add(bhh).split(H);
  const r = xr!.add(hr!).sigmoid();
  const z = xz!.add(hz!).sigmoid();
  const n = mistake === 'reset-bias' ? xn!.add(r.mul(hh.split(H)[2]!)).add(bhh.split(H)[2]!).tanh() : xn!.add(r.mul(hn!)).tanh();
  return mistake === 'swap-z' ? z.mul(n).add(z.neg().add(1).mul(h)) : z.neg().add(1).mul(n).add(z.mul(h));
}

function matPow(W: Tensor, g: Tensor, k: number, transpose: boolean): Tensor {
  let v = g;
  for (let i = 0; i < k; i++) v = (transpose ? W.t() : W).matmul(v);
  return v;
}

function clip(grads: Tensor[], maxNorm: number, mode: 'global' | 'each' | 'always'): Tensor[] {
  const norm = (ts: Tensor[]) => Math.sqrt(sum(ts.map((t) => t.square().sum().item())));
  if (mode === 'each') return grads.map((t) => t.mul(Math.min(1, maxNorm / norm([t]))));
  const n = norm(grads);
  return grads.map((t) => t.mul(mode === 'always' ? maxNorm / n : Math.min(1, maxNorm / n)));
}

const gates = { rnn: 1, gru: 3, lstm: 4 } as const;

export const recurrentExercises: Exercise[] = [
  {
    id: 'rnn-step',
    notebook: '01-recurrent-neural-networks',
    fn: 'rnnStep',
    title: 'one step of the recurrence: h_t = tanh(W_xh x_t + W_hh h_{t−1} + b)',
    cases: (g) =>
      [[3, 3], [4, 3], [2, 5]].map(([I, H]) => [rand(g, I!), rand(g, H!), rand(g, H!, I!), rand(g, H!, H!), rand(g, H!)]),
    expected: (x: Tensor, h: Tensor, Wxh: Tensor, Whh: Tensor, b: Tensor) => Wxh.matmul(x).add(Whh.matmul(h)).add(b).tanh(),
    describeArgs: (x: Tensor, h: Tensor) => `x_t of size ${x.shape[0]}, h_{t−1} of size ${h.shape[0]}`,
    mistakes: [
      { hint: 'The non-linearity is missing: the sum goes through tanh.', wrong: (x: Tensor, h: Tensor, Wxh: Tensor, Whh: Tensor, b: Tensor) => Wxh.matmul(x).add(Whh.matmul(h)).add(b) },
      { hint: 'The bias b is missing.', wrong: (x: Tensor, h: Tensor, Wxh: Tensor, Whh: Tensor) => Wxh.matmul(x).add(Whh.matmul(h)).tanh() },
      { hint: 'This is a sigmoid; the recurrence of this lecture squashes with tanh, into (−1, 1).', wrong: (x: Tensor, h: Tensor, Wxh: Tensor, Whh: Tensor, b: Tensor) => Wxh.matmul(x).add(Whh.matmul(h)).add(b).sigmoid() },
      { hint: 'W_xh and W_hh are swapped: W_xh multiplies the input x_t, W_hh the previous state.', wrong: (x: Tensor, h: Tensor, Wxh: Tensor, Whh: Tensor, b: Tensor) => Whh.matmul(x).add(Wxh.matmul(h)).add(b).tanh() },
      { hint: 'A matrix is transposed: W_xh is [hidden, input] and W_hh is [hidden, hidden], so W_xh x_t and W_hh h_{t−1} need no transpose.', wrong: (x: Tensor, h: Tensor, Wxh: Tensor, Whh: Tensor, b: Tensor) => Wxh.t().matmul(x).add(Whh.t().matmul(h)).add(b).tanh() },
    ],
  },
  {
    id: 'perplexity',
    notebook: '01-recurrent-neural-networks',
    fn: 'perplexityOf',
    title: 'perplexity from the per-token losses −log P (in nats)',
    cases: (g) => [[[2.1, 1.3, 0.4, 3.0]], [Array.from({ length: 20 }, () => 0.2 + 2 * g.random())], [[Math.log(28)]]],
    expected: (losses: number[]) => Math.exp(sum(losses) / losses.length),
    describeArgs: (losses: number[]) => `${losses.length} losses`,
    mistakes: [
      { hint: 'This averages the exponentials; perplexity is the exponential of the average loss.', wrong: (losses: number[]) => sum(losses.map(Math.exp)) / losses.length },
      { hint: 'This is the exponential of the sum: average over the tokens first.', wrong: (losses: number[]) => Math.exp(sum(losses)) },
      { hint: 'The losses are natural logarithms (nats): use exp, not a power of 2.', wrong: (losses: number[]) => Math.pow(2, sum(losses) / losses.length) },
      { hint: 'This is the average loss itself; perplexity is its exponential.', wrong: (losses: number[]) => sum(losses) / losses.length },
    ],
  },
  {
    id: 'temperature-softmax',
    notebook: '01-recurrent-neural-networks',
    fn: 'softmaxWithTemperature',
    title: 'the distribution P(c) ∝ exp(z_c / τ)',
    cases: () => [[[2, 1, 0.5, -1], 1], [[2, 1, 0.5, -1], 0.5], [[3, 0, 1], 2], [[60, 59.5, 58], 0.05]],
    expected: (z: number[], tau: number) => softmax(z.map((v) => v / tau)),
    mistakes: [
      { hint: 'The logits are multiplied by τ; they are divided by it (a small τ sharpens).', wrong: (z: number[], tau: number) => softmax(z.map((v) => v * tau)) },
      { hint: 'The values are not normalised: divide by their sum so they add up to 1.', wrong: (z: number[], tau: number) => z.map((v) => Math.exp(v / tau)) },
      {
        hint: 'Overflow: exp of a large number is Infinity, and Infinity / Infinity is NaN. Subtract the largest logit before exp (it does not change the softmax).',
        wrong: (z: number[], tau: number) => {
          const e = z.map((v) => Math.exp(v / tau));
          return e.map((v) => v / sum(e));
        },
      },
    ],
    tolerance: 1e-9,
  },
  {
    id: 'backprop-linear',
    notebook: '02-backpropagation-through-time',
    fn: 'gradientStepsBack',
    title: 'for h_t = W h_{t−1} + x_t: ∂L/∂h_{T−k} from ∂L/∂h_T',
    cases: (g) => [[rand(g, 3, 3), rand(g, 3), 1], [rand(g, 4, 4), rand(g, 4), 5], [rand(g, 2, 2), rand(g, 2), 0]],
    expected: (W: Tensor, g: Tensor, k: number) => matPow(W, g, k, true),
    describeArgs: (W: Tensor, _g: Tensor, k: number) => `W of shape [${W.shape.join(', ')}], k = ${k}`,
    mistakes: [
      { hint: 'This multiplies by W; the chain rule through h_t = W h_{t−1} multiplies the gradient by Wᵀ at every step back.', wrong: (W: Tensor, g: Tensor, k: number) => matPow(W, g, k, false) },
      { hint: 'One product too few: k steps back is k Jacobians.', wrong: (W: Tensor, g: Tensor, k: number) => matPow(W, g, Math.max(0, k - 1), true) },
      { hint: 'One product too many: k steps back is k Jacobians (and k = 0 is the gradient itself).', wrong: (W: Tensor, g: Tensor, k: number) => matPow(W, g, k + 1, true) },
    ],
  },
  {
    id: 'clip-grad-norm',
    notebook: '02-backpropagation-through-time',
    fn: 'clipByGlobalNorm',
    title: 'rescale all gradients together when their joint norm exceeds θ',
    cases: (g) => [[[rand(g, 3, 2).mul(5), rand(g, 4).mul(5)], 1], [[rand(g, 2), rand(g, 2, 2), rand(g, 3)], 100], [[rand(g, 5).mul(10)], 2.5]],
    expected: (grads: Tensor[], maxNorm: number) => clip(grads, maxNorm, 'global'),
    describeArgs: (grads: Tensor[], maxNorm: number) => `${grads.length} gradient tensor${grads.length > 1 ? 's' : ''}, θ = ${maxNorm}`,
    mistakes: [
      { hint: 'Each tensor is clipped on its own; clipping uses one norm over all gradients together, so the direction of the whole update is kept.', wrong: (grads: Tensor[], maxNorm: number) => clip(grads, maxNorm, 'each') },
      { hint: 'Gradients whose norm is already below θ must stay as they are (the factor is min(1, θ/‖g‖)).', wrong: (grads: Tensor[], maxNorm: number) => clip(grads, maxNorm, 'always') },
      { hint: 'Nothing was rescaled.', wrong: (grads: Tensor[]) => grads },
    ],
  },
  {
    id: 'lstm-step',
    notebook: '03-lstm-and-gru',
    fn: 'lstmStep',
    title: 'one LSTM step with the gates stacked i, f, g, o',
    cases: (g) => [[3, 2], [2, 4]].map(([I, H]) => [rand(g, I!), rand(g, H!), rand(g, H!), rand(g, 4 * H!, I!), rand(g, 4 * H!, H!), rand(g, 4 * H!)]),
    expected: (x: Tensor, h: Tensor, c: Tensor, wih: Tensor, whh: Tensor, b: Tensor) => lstm(x, h, c, wih, whh, b),
    describeArgs: (x: Tensor, h: Tensor) => `x_t of size ${x.shape[0]}, hidden size ${h.shape[0]}`,
    mistakes: [
      { hint: 'The new cell state ignores C_{t−1}: C_t = i_t ⊙ C̃_t is the unit notes\' mistake. The forget gate decides how much of the old cell to keep, and the new part is added.', wrong: (x: Tensor, h: Tensor, c: Tensor, wih: Tensor, whh: Tensor, b: Tensor) => lstm(x, h, c, wih, whh, b, 'no-forget') },
      { hint: 'h_t is o_t ⊙ tanh(C_t): the cell state is squashed before the output gate.', wrong: (x: Tensor, h: Tensor, c: Tensor, wih: Tensor, whh: Tensor, b: Tensor) => lstm(x, h, c, wih, whh, b, 'no-tanh') },
      { hint: 'The candidate C̃_t uses tanh, so it can lower the cell as well as raise it; only the gates are sigmoids.', wrong: (x: Tensor, h: Tensor, c: Tensor, wih: Tensor, whh: Tensor, b: Tensor) => lstm(x, h, c, wih, whh, b, 'sigmoid-candidate') },
      { hint: 'The rows are read in the wrong order: seqlab and PyTorch stack them as i, f, g (the candidate), o.', wrong: (x: Tensor, h: Tensor, c: Tensor, wih: Tensor, whh: Tensor, b: Tensor) => lstm(x, h, c, wih, whh, b, 'ifog') },
    ],
  },
  {
    id: 'gru-step',
    notebook: '03-lstm-and-gru',
    fn: 'gruStep',
    title: "one GRU step in PyTorch's convention (r, z, n)",
    cases: (g) => [[3, 2], [2, 3]].map(([I, H]) => [rand(g, I!), rand(g, H!), rand(g, 3 * H!, I!), rand(g, 3 * H!, H!), rand(g, 3 * H!), rand(g, 3 * H!)]),
    expected: (x: Tensor, h: Tensor, wih: Tensor, whh: Tensor, bih: Tensor, bhh: Tensor) => gru(x, h, wih, whh, bih, bhh),
    describeArgs: (x: Tensor, h: Tensor) => `x_t of size ${x.shape[0]}, hidden size ${h.shape[0]}`,
    mistakes: [
      { hint: 'z_t and 1 − z_t are swapped: in this convention an update gate near 1 keeps the old state, h_t = (1 − z_t) ⊙ n_t + z_t ⊙ h_{t−1}.', wrong: (x: Tensor, h: Tensor, wih: Tensor, whh: Tensor, bih: Tensor, bhh: Tensor) => gru(x, h, wih, whh, bih, bhh, 'swap-z') },
      { hint: 'The reset gate must scale the whole recurrent term, b_hn included: n_t = tanh(W_in x_t + b_in + r_t ⊙ (W_hn h_{t−1} + b_hn)).', wrong: (x: Tensor, h: Tensor, wih: Tensor, whh: Tensor, bih: Tensor, bhh: Tensor) => gru(x, h, wih, whh, bih, bhh, 'reset-bias') },
    ],
  },
  {
    id: 'recurrent-parameters',
    notebook: '03-lstm-and-gru',
    fn: 'recurrentParameterCount',
    title: 'parameters of one RNN, GRU or LSTM layer (two bias vectors, as PyTorch)',
    cases: () => [['lstm', 3, 2], ['gru', 32, 64], ['rnn', 28, 128], ['lstm', 64, 256]],
    expected: (kind: 'rnn' | 'gru' | 'lstm', I: number, H: number) => gates[kind] * (H * (I + H) + 2 * H),
    mistakes: [
      { hint: 'One bias vector per gate is missing: PyTorch (and seqlab) keep two, b_ih and b_hh.', wrong: (kind: 'rnn' | 'gru' | 'lstm', I: number, H: number) => gates[kind] * (H * (I + H) + H) },
      { hint: 'Count every gate: an LSTM layer has four blocks of weights (i, f, g, o), a GRU three (r, z, n).', wrong: (_k: string, I: number, H: number) => H * (I + H) + 2 * H },
      { hint: 'The biases are missing.', wrong: (kind: 'rnn' | 'gru' | 'lstm', I: number, H: number) => gates[kind] * H * (I + H) },
    ],
  },
];
