/**
 * Whole recurrent layers (one layer, one direction) as single ops: every time step's
 * recurrent product and pointwise step run in a single call forward and a single call
 * backward, on the fast kernels when installed (kernels/fast.ts), else on the TypeScript
 * reference (kernels/recurrent.ts). `lstmSequence` equals the per-step composition of
 * nn/functional-rnn.ts (`lstmStep` for t = 0..S-1), `gruSequence` that of `gruStep` and
 * `rnnSequence` that of `rnnStep`; the steps stay the path for float64, traces and
 * runtimes without fast kernels.
 * test/engine/ops/recurrent-sequence.test.ts checks the two against each other.
 */
import { fmt } from '../shape.js';
import { Tensor } from '../tensor-core.js';
import { record, willRecord } from '../autograd/record.js';
import { asContiguous } from './raw/layout.js';
import { to } from './cast.js';
import {
  fastKernels, type GruBackwardArgs, type GruForwardArgs, type LstmBackwardArgs, type LstmForwardArgs, type RnnBackwardArgs, type RnnForwardArgs,
} from '../kernels/fast.js';
import {
  gruBackwardReference, gruForwardReference, lstmBackwardReference, lstmForwardReference, rnnBackwardReference, rnnForwardReference,
} from '../kernels/recurrent.js';

/** The values of a float32 tensor as one contiguous Float32Array (no copy when already laid out so). */
function values(t: Tensor): Float32Array {
  const c = asContiguous(t);
  const n = c.numel();
  const d = c.data as Float32Array;
  return c.offset === 0 && d.length === n ? d : d.subarray(c.offset, c.offset + n);
}

function expectShape(op: string, t: Tensor, shape: readonly number[], arg: string): void {
  if (t.dtype !== 'float32') throw new TypeError(`${op}: ${arg} must be float32, got ${t.dtype}`);
  if (t.ndim !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
    throw new RangeError(`${op}: ${arg} must have shape ${fmt(shape)}, got ${fmt(t.shape)}`);
  }
}

/**
 * The inputs of a sequence op in gradient order (null biases left out), and the function
 * that lays out the gradients in that order. For the LSTM and the Elman RNN both biases
 * get the same gradient (the column sums of the pre-activation gradients); the GRU passes
 * b_ih's own as `dInputBias`.
 */
function sequenceInputs(
  xProj: Tensor, wHh: Tensor, bHh: Tensor | null, states: readonly Tensor[], bIh: Tensor | null,
): {
  inputs: Tensor[];
  grads: (dPre: Tensor, dW: Tensor, dBias: Tensor | null, dStates: readonly Tensor[], dInputBias?: Tensor | null) => Tensor[];
} {
  const inputs = [xProj, wHh, ...(bHh !== null ? [bHh] : []), ...states, ...(bIh !== null ? [bIh] : [])];
  return {
    inputs,
    grads: (dPre, dW, dBias, dStates, dInputBias = dBias) => [
      dPre, dW, ...(bHh !== null ? [dBias!] : []), ...dStates, ...(bIh !== null ? [dInputBias!] : []),
    ],
  };
}

/**
 * Checks the arguments shared by every whole-sequence layer with `gates` blocks of H
 * (xProj [S, B, gates*H], W_hh [gates*H, H], b_hh [gates*H] or null, states [B, H]) and
 * returns the sizes.
 */
function checkSequence(
  op: string, gates: number, xProj: Tensor, wHh: Tensor, bHh: Tensor | null, bIh: Tensor | null, states: readonly [string, Tensor][],
): { S: number; B: number; H: number; G: number } {
  const gateDim = gates === 1 ? 'hidden' : `${gates} * hidden`;
  if (xProj.ndim !== 3) throw new RangeError(`${op}: xProj must be [seq, batch, ${gateDim}], got ${fmt(xProj.shape)}`);
  const [S, B, G] = xProj.shape as [number, number, number];
  const H = G / gates;
  if (!Number.isInteger(H) || H < 1) throw new RangeError(`${op}: xProj's last dimension (${G}) must be ${gateDim}`);
  expectShape(op, xProj, [S, B, G], 'xProj');
  expectShape(op, wHh, [G, H], 'wHh');
  if (bHh !== null) expectShape(op, bHh, [G], 'bHh');
  if (bIh !== null) expectShape(op, bIh, [G], 'bIh');
  for (const [arg, t] of states) expectShape(op, t, [B, H], arg);
  return { S, B, H, G };
}

/**
 * Runs an LSTM layer over a sequence: `xProj` [S, B, 4H] = x W_ihᵀ + b_ih for every
 * step (time order), W_hh [4H, H], b_hh [4H] or null, initial state h0, c0 [B, H].
 * b_ih [4H] may instead be passed as `bIh` (then `xProj` = x W_ihᵀ): it is added inside
 * (rounded as the projection would have) before b_hh, saving the projection's own bias
 * pass and its [S, B, 4H] temporary.
 * Returns one [S + 1, B, H] tensor: rows 0..S-1 are h at each time step, row S is the
 * final cell state. With `reverse`, steps run from t = S-1 down to 0 (so the final h is
 * row 0). float32 only.
 *
 * @example
 * const y = lstmSequence(linear(x, wIh, bIh), wHh, bHh, h0, c0, false);
 * const [out, hN, cN] = [y.narrow(0, 0, S), y.select(0, S - 1), y.select(0, S)];
 */
export function lstmSequence(
  xProj: Tensor, wHh: Tensor, bHh: Tensor | null, h0: Tensor, c0: Tensor, reverse: boolean, bIh: Tensor | null = null,
): Tensor {
  const { S, B, H, G } = checkSequence('lstmSequence', 4, xProj, wHh, bHh, bIh, [['h0', h0], ['c0', c0]]);
  const BH = B * H;
  const { inputs, grads: order } = sequenceInputs(xProj, wHh, bHh, [h0, c0], bIh);
  const hasBias = bHh !== null || bIh !== null;
  const keep = willRecord(inputs);
  const weight = values(wHh);
  const h0v = values(h0);
  const hOut = new Float32Array(S * BH);
  const c = new Float32Array((S + 1) * BH);
  const gates = keep ? new Float32Array(S * B * G) : new Float32Array(0);
  const fwd: LstmForwardArgs = {
    S, B, H, xProj: values(xProj), bias: bHh && values(bHh), inputBias: bIh && values(bIh), weight, h0: h0v, c0: values(c0), reverse,
    hOut, c, gates: keep ? gates : null,
  };
  if (!(fastKernels()?.lstmForward(fwd) ?? false)) lstmForwardReference(fwd);
  const out = new Float32Array((S + 1) * BH);
  out.set(hOut);
  out.set(c.subarray(S * BH), S * BH);
  const result = new Tensor(out, [S + 1, B, H]);
  if (!keep) return result;
  const node = record(result, 'LstmBackward', inputs, (grad) => {
    const g = values(grad.dtype === 'float32' ? grad : to(grad, 'float32'));
    const bwd: LstmBackwardArgs = {
      S, B, H, weight, reverse, h0: h0v, hOut, c, gates,
      dhOut: g.subarray(0, S * BH),
      dcN: g.subarray(S * BH),
      dPre: new Float32Array(S * B * G),
      dWeight: new Float32Array(G * H),
      dBias: hasBias ? new Float32Array(G) : null,
      dh0: new Float32Array(BH),
      dc0: new Float32Array(BH),
    };
    if (!(fastKernels()?.lstmBackward(bwd) ?? false)) lstmBackwardReference(bwd);
    return order(
      new Tensor(bwd.dPre, [S, B, G]), new Tensor(bwd.dWeight, [G, H]), bwd.dBias && new Tensor(bwd.dBias, [G]),
      [new Tensor(bwd.dh0, [B, H]), new Tensor(bwd.dc0, [B, H])],
    );
  });
  if (node) {
    // The backward reads W_hh, h0 and its own copies of the states; in-place changes to
    // the weight or the initial state before backward are errors, as in the step path.
    node.save(wHh);
    node.save(h0);
  }
  return result;
}

/**
 * Runs a GRU layer over a sequence: `xProj` [S, B, 3H] = x W_ihᵀ + b_ih for every step
 * (time order, gate order r, z, n), W_hh [3H, H], b_hh [3H] or null, initial state
 * h0 [B, H]; with a = h W_hhᵀ + b_hh, r = σ(x_r + a_r), z = σ(x_z + a_z),
 * n = tanh(x_n + r ⊙ a_n), h' = (1 - z) ⊙ n + z ⊙ h (PyTorch's GRU: b_hh's n block is
 * inside the product with r). b_ih may be passed as `bIh` instead of being in `xProj`
 * (added to x inside, rounded as the projection would have); its gradient differs from
 * b_hh's in the n block. Returns h at every time step, [S, B, H]; the final state is row
 * S-1, or row 0 with `reverse` (steps from t = S-1 down to 0). float32 only.
 *
 * @example
 * const y = gruSequence(linear(x, wIh, null), wHh, bHh, h0, false, bIh);
 * const hN = y.select(0, S - 1);
 */
export function gruSequence(
  xProj: Tensor, wHh: Tensor, bHh: Tensor | null, h0: Tensor, reverse: boolean, bIh: Tensor | null = null,
): Tensor {
  const { S, B, H, G } = checkSequence('gruSequence', 3, xProj, wHh, bHh, bIh, [['h0', h0]]);
  const BH = B * H;
  const { inputs, grads: order } = sequenceInputs(xProj, wHh, bHh, [h0], bIh);
  const keep = willRecord(inputs);
  const weight = values(wHh);
  const h0v = values(h0);
  const hOut = new Float32Array(S * BH);
  const gates = keep ? new Float32Array(S * B * G) : null;
  const hn = keep ? new Float32Array(S * BH) : null;
  const fwd: GruForwardArgs = {
    S, B, H, xProj: values(xProj), bias: bHh && values(bHh), inputBias: bIh && values(bIh), weight, h0: h0v, reverse, hOut, gates, hn,
  };
  if (!(fastKernels()?.gruForward(fwd) ?? false)) gruForwardReference(fwd);
  const result = new Tensor(hOut, [S, B, H]);
  if (!keep) return result;
  const node = record(result, 'GruBackward', inputs, (grad) => {
    const bwd: GruBackwardArgs = {
      S, B, H, weight, reverse, h0: h0v, hOut, gates: gates!, hn: hn!,
      dhOut: values(grad.dtype === 'float32' ? grad : to(grad, 'float32')),
      dPre: new Float32Array(S * B * G),
      dWeight: new Float32Array(G * H),
      dBias: bHh !== null ? new Float32Array(G) : null,
      dInputBias: bIh !== null ? new Float32Array(G) : null,
      dh0: new Float32Array(BH),
    };
    if (!(fastKernels()?.gruBackward(bwd) ?? false)) gruBackwardReference(bwd);
    return order(
      new Tensor(bwd.dPre, [S, B, G]), new Tensor(bwd.dWeight, [G, H]), bwd.dBias && new Tensor(bwd.dBias, [G]),
      [new Tensor(bwd.dh0, [B, H])], bwd.dInputBias && new Tensor(bwd.dInputBias, [G]),
    );
  });
  if (node) {
    // The backward reads W_hh, h0 and the outputs (the states before each step): in-place
    // changes to any of them before backward are errors, as on the step path.
    node.save(wHh);
    node.save(h0);
    node.save(result);
  }
  return result;
}

/**
 * Runs an Elman RNN layer over a sequence: `xProj` [S, B, H] = x W_ihᵀ + b_ih for every
 * step (time order), W_hh [H, H], b_hh [H] or null, initial state h0 [B, H];
 * h_t = tanh(xProj_t + h_{t-1} W_hhᵀ + b_hh) (or relu). As for `lstmSequence`, b_ih may
 * be passed as `bIh` instead of being in `xProj`. Returns h at every time step,
 * [S, B, H]; the final state is row S-1, or row 0 with `reverse` (steps from t = S-1
 * down to 0). float32 only.
 *
 * @example
 * const y = rnnSequence(linear(x, wIh, bIh), wHh, bHh, h0, false, 'tanh');
 * const hN = y.select(0, S - 1);
 */
export function rnnSequence(
  xProj: Tensor, wHh: Tensor, bHh: Tensor | null, h0: Tensor, reverse: boolean, nonlinearity: 'tanh' | 'relu',
  bIh: Tensor | null = null,
): Tensor {
  if (nonlinearity !== 'tanh' && nonlinearity !== 'relu') {
    throw new RangeError(`rnnSequence: nonlinearity must be 'tanh' or 'relu', got ${JSON.stringify(nonlinearity)}`);
  }
  const { S, B, H } = checkSequence('rnnSequence', 1, xProj, wHh, bHh, bIh, [['h0', h0]]);
  const BH = B * H;
  const relu = nonlinearity === 'relu';
  const { inputs, grads: order } = sequenceInputs(xProj, wHh, bHh, [h0], bIh);
  const weight = values(wHh);
  const h0v = values(h0);
  const hOut = new Float32Array(S * BH);
  const fwd: RnnForwardArgs = {
    S, B, H, xProj: values(xProj), bias: bHh && values(bHh), inputBias: bIh && values(bIh), weight, h0: h0v, reverse, relu, hOut,
  };
  if (!(fastKernels()?.rnnForward(fwd) ?? false)) rnnForwardReference(fwd);
  const result = new Tensor(hOut, [S, B, H]);
  if (!willRecord(inputs)) return result;
  const node = record(result, 'RnnBackward', inputs, (grad) => {
    const bwd: RnnBackwardArgs = {
      S, B, H, weight, reverse, relu, h0: h0v, hOut,
      dhOut: values(grad.dtype === 'float32' ? grad : to(grad, 'float32')),
      dPre: new Float32Array(S * BH),
      dWeight: new Float32Array(H * H),
      dBias: bHh !== null || bIh !== null ? new Float32Array(H) : null,
      dh0: new Float32Array(BH),
    };
    if (!(fastKernels()?.rnnBackward(bwd) ?? false)) rnnBackwardReference(bwd);
    return order(new Tensor(bwd.dPre, [S, B, H]), new Tensor(bwd.dWeight, [H, H]), bwd.dBias && new Tensor(bwd.dBias, [H]), [new Tensor(bwd.dh0, [B, H])]);
  });
  if (node) {
    // The backward reads W_hh, h0 and the outputs (`result`'s own storage): in-place
    // changes to any of them before backward are errors, as on the step path (tanh saves its output).
    node.save(wHh);
    node.save(h0);
    node.save(result);
  }
  return result;
}
