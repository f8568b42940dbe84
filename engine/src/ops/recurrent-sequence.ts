/**
 * A whole LSTM layer (one direction) as one op: every time step's recurrent product and
 * pointwise step run in a single call forward and a single call backward, on the fast
 * kernels when installed (kernels/fast.ts), else on the TypeScript reference
 * (kernels/recurrent.ts). Its result equals the per-step composition of
 * nn/functional-rnn.ts (`lstmStep` for t = 0..S-1), which stays the path for float64,
 * traces and runtimes without fast kernels; test/engine/ops/recurrent-sequence.test.ts
 * checks the two against each other.
 */
import { fmt } from '../shape.js';
import { Tensor } from '../tensor.js';
import { record, willRecord } from '../autograd/record.js';
import { fastKernels, type LstmBackwardArgs, type LstmForwardArgs } from '../kernels/fast.js';
import { lstmBackwardReference, lstmForwardReference } from '../kernels/recurrent.js';

/** The values of a float32 tensor as one contiguous Float32Array (no copy when already laid out so). */
function values(t: Tensor): Float32Array {
  const c = t.contiguous();
  const n = c.numel();
  const d = c.data as Float32Array;
  return c.offset === 0 && d.length === n ? d : d.subarray(c.offset, c.offset + n);
}

function expectShape(t: Tensor, shape: readonly number[], arg: string): void {
  if (t.dtype !== 'float32') throw new TypeError(`lstmSequence: ${arg} must be float32, got ${t.dtype}`);
  if (t.ndim !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
    throw new RangeError(`lstmSequence: ${arg} must have shape ${fmt(shape)}, got ${fmt(t.shape)}`);
  }
}

/**
 * Runs an LSTM layer over a sequence: `xProj` [S, B, 4H] = x W_ihᵀ + b_ih for every
 * step (time order), W_hh [4H, H], b_hh [4H] or null, initial state h0, c0 [B, H].
 * Returns one [S + 1, B, H] tensor: rows 0..S-1 are h at each time step, row S is the
 * final cell state. With `reverse`, steps run from t = S-1 down to 0 (so the final h is
 * row 0). float32 only.
 *
 * @example
 * const y = lstmSequence(linear(x, wIh, bIh), wHh, bHh, h0, c0, false);
 * const [out, hN, cN] = [y.narrow(0, 0, S), y.select(0, S - 1), y.select(0, S)];
 */
export function lstmSequence(xProj: Tensor, wHh: Tensor, bHh: Tensor | null, h0: Tensor, c0: Tensor, reverse: boolean): Tensor {
  if (xProj.ndim !== 3) throw new RangeError(`lstmSequence: xProj must be [seq, batch, 4 * hidden], got ${fmt(xProj.shape)}`);
  const [S, B, G] = xProj.shape as [number, number, number];
  const H = G / 4;
  if (!Number.isInteger(H) || H < 1) throw new RangeError(`lstmSequence: xProj's last dimension (${G}) must be 4 * hidden`);
  expectShape(xProj, [S, B, G], 'xProj');
  expectShape(wHh, [G, H], 'wHh');
  if (bHh !== null) expectShape(bHh, [G], 'bHh');
  expectShape(h0, [B, H], 'h0');
  expectShape(c0, [B, H], 'c0');
  const BH = B * H;
  const inputs = bHh !== null ? [xProj, wHh, bHh, h0, c0] : [xProj, wHh, h0, c0];
  const keep = willRecord(inputs);
  const weight = values(wHh);
  const h0v = values(h0);
  const hOut = new Float32Array(S * BH);
  const c = new Float32Array((S + 1) * BH);
  const gates = keep ? new Float32Array(S * B * G) : new Float32Array(0);
  const fwd: LstmForwardArgs = {
    S, B, H, xProj: values(xProj), bias: bHh !== null ? values(bHh) : null, weight, h0: h0v, c0: values(c0), reverse,
    hOut, c, gates: keep ? gates : null,
  };
  if (!(fastKernels()?.lstmForward(fwd) ?? false)) lstmForwardReference(fwd);
  const out = new Float32Array((S + 1) * BH);
  out.set(hOut);
  out.set(c.subarray(S * BH), S * BH);
  const result = new Tensor(out, [S + 1, B, H]);
  if (!keep) return result;
  const node = record(result, 'LstmBackward', inputs, (grad) => {
    const g = values(grad.dtype === 'float32' ? grad : grad.to('float32'));
    const bwd: LstmBackwardArgs = {
      S, B, H, weight, reverse, h0: h0v, hOut, c, gates,
      dhOut: g.subarray(0, S * BH),
      dcN: g.subarray(S * BH),
      dPre: new Float32Array(S * B * G),
      dWeight: new Float32Array(G * H),
      dBias: bHh !== null ? new Float32Array(G) : null,
      dh0: new Float32Array(BH),
      dc0: new Float32Array(BH),
    };
    if (!(fastKernels()?.lstmBackward(bwd) ?? false)) lstmBackwardReference(bwd);
    const grads: Tensor[] = [new Tensor(bwd.dPre, [S, B, G]), new Tensor(bwd.dWeight, [G, H])];
    if (bwd.dBias !== null) grads.push(new Tensor(bwd.dBias, [G]));
    grads.push(new Tensor(bwd.dh0, [B, H]), new Tensor(bwd.dc0, [B, H]));
    return grads;
  });
  if (node) {
    // The backward reads W_hh, h0 and its own copies of the states; in-place changes to
    // the weight or the initial state before backward are errors, as in the step path.
    node.save(wHh);
    node.save(h0);
  }
  return result;
}
