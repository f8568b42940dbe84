/**
 * One time step of the recurrent cells, as PyTorch computes them. Layers precompute the
 * input projection W_ih·x + b_ih for the whole sequence in one product and pass it in;
 * the cell modules pass the raw input. Each step returns the gate activations too, so
 * traces can show them without recomputation.
 *
 *   RNN:  h' = tanh(W_ih x + b_ih + W_hh h + b_hh)            (or relu)
 *   LSTM: [i, f, g, o] = W_ih x + b_ih + W_hh h + b_hh          (gate order i, f, g, o)
 *         i = σ(i), f = σ(f), g = tanh(g), o = σ(o)
 *         c' = f ⊙ c + i ⊙ g,   h' = o ⊙ tanh(c')
 *   GRU:  [r_x, z_x, n_x] = W_ih x + b_ih,  [r_h, z_h, n_h] = W_hh h + b_hh
 *         r = σ(r_x + r_h), z = σ(z_x + z_h), n = tanh(n_x + r ⊙ n_h)
 *         h' = (1 - z) ⊙ n + z ⊙ h
 */
import type { Tensor } from '../tensor.js';
import { add } from '../ops/binary.js';
import { relu, tanh } from '../ops/unary.js';
import { gruPointwise, lstmPointwise } from '../ops/recurrent.js';
import { linear } from './functional-linear.js';

export interface RnnStep {
  h: Tensor;
}

export interface LstmStep {
  h: Tensor;
  c: Tensor;
  /** Input gate σ(·) in (0, 1). */
  input: Tensor;
  /** Forget gate σ(·) in (0, 1). */
  forget: Tensor;
  /** Candidate cell value tanh(·) in (-1, 1). */
  candidate: Tensor;
  /** Output gate σ(·) in (0, 1). */
  output: Tensor;
}

export interface GruStep {
  h: Tensor;
  /** Reset gate σ(·). */
  reset: Tensor;
  /** Update gate σ(·): how much of the old state is kept. */
  update: Tensor;
  /** Candidate state tanh(·). */
  candidate: Tensor;
}

/** `W_hh h + b_hh` (the recurrent half of every cell). */
function recurrent(h: Tensor, wHh: Tensor, bHh: Tensor | null): Tensor {
  return linear(h, wHh, bHh);
}

/**
 * One step of an Elman RNN. `xProj` is W_ih x + b_ih ([batch, hidden]).
 */
export function rnnStep(xProj: Tensor, h: Tensor, wHh: Tensor, bHh: Tensor | null, nonlinearity: 'tanh' | 'relu'): RnnStep {
  const pre = add(xProj, recurrent(h, wHh, bHh));
  return { h: nonlinearity === 'tanh' ? tanh(pre) : relu(pre) };
}

/** One LSTM step. `xProj` is W_ih x + b_ih ([batch, 4 * hidden]). */
export function lstmStep(xProj: Tensor, h: Tensor, c: Tensor, wHh: Tensor, bHh: Tensor | null): LstmStep {
  // The pointwise part is one fused op; its packed result is [h' | c' | i | f | g | o].
  const packed = lstmPointwise(add(xProj, recurrent(h, wHh, bHh)), c);
  const [hNext, cNext, input, forget, candidate, output] = packed.chunk(6, -1) as [Tensor, Tensor, Tensor, Tensor, Tensor, Tensor];
  return { h: hNext, c: cNext, input, forget, candidate, output };
}

/** One GRU step. `xProj` is W_ih x + b_ih ([batch, 3 * hidden]). */
export function gruStep(xProj: Tensor, h: Tensor, wHh: Tensor, bHh: Tensor | null): GruStep {
  // The pointwise part is one fused op; its packed result is [h' | r | z | n].
  const packed = gruPointwise(xProj, recurrent(h, wHh, bHh), h);
  const [hNext, reset, update, candidate] = packed.chunk(4, -1) as [Tensor, Tensor, Tensor, Tensor];
  return { h: hNext, reset, update, candidate };
}

/** An RNN cell on raw input: `x` [batch, input] (see `rnnStep`). */
export function rnnCell(
  x: Tensor,
  h: Tensor,
  wIh: Tensor,
  wHh: Tensor,
  bIh: Tensor | null,
  bHh: Tensor | null,
  nonlinearity: 'tanh' | 'relu' = 'tanh',
): Tensor {
  return rnnStep(linear(x, wIh, bIh), h, wHh, bHh, nonlinearity).h;
}

/** An LSTM cell on raw input: returns `[h', c']`. */
export function lstmCell(x: Tensor, state: [Tensor, Tensor], wIh: Tensor, wHh: Tensor, bIh: Tensor | null, bHh: Tensor | null): [Tensor, Tensor] {
  const s = lstmStep(linear(x, wIh, bIh), state[0], state[1], wHh, bHh);
  return [s.h, s.c];
}

/** A GRU cell on raw input: returns h'. */
export function gruCell(x: Tensor, h: Tensor, wIh: Tensor, wHh: Tensor, bIh: Tensor | null, bHh: Tensor | null): Tensor {
  return gruStep(linear(x, wIh, bIh), h, wHh, bHh).h;
}
