import type { Tensor } from '@seqlab/engine';

/** One LSTM step; rows of the weights stacked as i, f, g, o. Returns [h_t, C_t]. */
export function lstmStep(x: Tensor, h: Tensor, c: Tensor, Wih: Tensor, Whh: Tensor, b: Tensor): [Tensor, Tensor] {
  const H = h.shape[0];
  const [zi, zf, zg, zo] = Wih.matmul(x).add(Whh.matmul(h)).add(b).split(H);
  const i = zi.sigmoid(), f = zf.sigmoid(), g = zg.tanh(), o = zo.sigmoid();
  const cNew = f.mul(c).add(i.mul(g));
  return [o.mul(cNew.tanh()), cNew];
}

/** One GRU step in PyTorch's convention: rows r, z, n; h_t = (1 − z) ⊙ n + z ⊙ h_{t−1}. */
export function gruStep(x: Tensor, h: Tensor, Wih: Tensor, Whh: Tensor, bih: Tensor, bhh: Tensor): Tensor {
  const H = h.shape[0];
  const [xr, xz, xn] = Wih.matmul(x).add(bih).split(H);
  const [hr, hz, hn] = Whh.matmul(h).add(bhh).split(H);
  const r = xr.add(hr).sigmoid();
  const z = xz.add(hz).sigmoid();
  const n = xn.add(r.mul(hn)).tanh();
  return z.neg().add(1).mul(n).add(z.mul(h));
}

/** gates × (H·(I + H) + 2H): W_ih, W_hh, b_ih and b_hh for each gate. */
export function recurrentParameterCount(kind: 'rnn' | 'gru' | 'lstm', inputSize: number, hiddenSize: number): number {
  const gates = { rnn: 1, gru: 3, lstm: 4 }[kind];
  return gates * (hiddenSize * (inputSize + hiddenSize) + 2 * hiddenSize);
}
