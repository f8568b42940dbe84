/**
 * The TensorFlow.js side of the model workloads, written with tfjs-core ops only (no
 * tfjs-layers): an LSTM layer from `tf.basicLSTMCell`, multi-head self-attention and a
 * post-norm Transformer encoder layer, so each workload runs the same computation as
 * seqlab's and PyTorch's modules. Weights use PyTorch's initialisation ranges.
 */
import type { TfLib } from '../types.js';
import type * as Tf from '@tensorflow/tfjs-core';

/** uniform(-1/sqrt(fanIn), 1/sqrt(fanIn)), PyTorch's default for Linear/LSTM. */
export function uniformVar(tf: TfLib, shape: number[], fanIn: number): Tf.Variable {
  const k = 1 / Math.sqrt(fanIn);
  return tf.variable(tf.randomUniform(shape, -k, k));
}

/** An LSTM layer (gate order of basicLSTMCell: i, j(=g), f, o; one fused bias). */
export interface TfLstm {
  kernel: Tf.Variable;
  bias: Tf.Variable;
  hidden: number;
}

export function tfLstm(tf: TfLib, input: number, hidden: number): TfLstm {
  return { kernel: uniformVar(tf, [input + hidden, 4 * hidden], hidden), bias: uniformVar(tf, [4 * hidden], hidden), hidden };
}

/** Runs the layer over xs (one [batch, input] tensor per step); returns the outputs h_t. */
export function tfLstmForward(tf: TfLib, l: TfLstm, xs: Tf.Tensor2D[]): Tf.Tensor2D[] {
  const batch = xs[0]!.shape[0];
  let c: Tf.Tensor2D = tf.zeros([batch, l.hidden]);
  let h: Tf.Tensor2D = tf.zeros([batch, l.hidden]);
  const out: Tf.Tensor2D[] = [];
  for (const x of xs) {
    [c, h] = tf.basicLSTMCell(0, l.kernel as Tf.Tensor2D, l.bias as Tf.Tensor1D, x, c, h);
    out.push(h);
  }
  return out;
}

export interface TfMha {
  wIn: Tf.Variable;
  bIn: Tf.Variable;
  wOut: Tf.Variable;
  bOut: Tf.Variable;
  heads: number;
}

export function tfMha(tf: TfLib, dModel: number, heads: number): TfMha {
  return {
    wIn: uniformVar(tf, [dModel, 3 * dModel], dModel),
    bIn: tf.variable(tf.zeros([3 * dModel])),
    wOut: uniformVar(tf, [dModel, dModel], dModel),
    bOut: tf.variable(tf.zeros([dModel])),
    heads,
  };
}

/** Self-attention on x [seq, batch, dModel] (sequence first, like torch's default). */
export function tfMhaForward(tf: TfLib, m: TfMha, x: Tf.Tensor3D): Tf.Tensor3D {
  const [L, B, E] = x.shape;
  const H = m.heads, d = E / H;
  const qkv = tf.add(tf.matMul(tf.reshape(x, [L * B, E]), m.wIn as Tf.Tensor2D), m.bIn);
  const [q, k, v] = tf.split(qkv, 3, 1).map((t) => tf.transpose(tf.reshape(t, [L, B, H, d]), [1, 2, 0, 3])) as [Tf.Tensor4D, Tf.Tensor4D, Tf.Tensor4D];
  const scores = tf.mul(tf.matMul(q, k, false, true), 1 / Math.sqrt(d));
  const ctx = tf.matMul(tf.softmax(scores), v); // [B, H, L, d]
  const merged = tf.reshape(tf.transpose(ctx, [2, 0, 1, 3]), [L * B, E]);
  return tf.reshape(tf.add(tf.matMul(merged, m.wOut as Tf.Tensor2D), m.bOut), [L, B, E]);
}

export interface TfEncoder {
  attn: TfMha;
  w1: Tf.Variable;
  b1: Tf.Variable;
  w2: Tf.Variable;
  b2: Tf.Variable;
  g1: Tf.Variable;
  be1: Tf.Variable;
  g2: Tf.Variable;
  be2: Tf.Variable;
}

export function tfEncoder(tf: TfLib, dModel: number, heads: number, ff: number): TfEncoder {
  return {
    attn: tfMha(tf, dModel, heads),
    w1: uniformVar(tf, [dModel, ff], dModel),
    b1: uniformVar(tf, [ff], dModel),
    w2: uniformVar(tf, [ff, dModel], ff),
    b2: uniformVar(tf, [dModel], ff),
    g1: tf.variable(tf.ones([dModel])),
    be1: tf.variable(tf.zeros([dModel])),
    g2: tf.variable(tf.ones([dModel])),
    be2: tf.variable(tf.zeros([dModel])),
  };
}

function layerNorm(tf: TfLib, x: Tf.Tensor, g: Tf.Variable, b: Tf.Variable): Tf.Tensor {
  const { mean, variance } = tf.moments(x, -1, true);
  return tf.add(tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, 1e-5))), g), b);
}

/** Post-norm encoder layer (ReLU feed-forward, no dropout) on x [seq, batch, dModel]. */
export function tfEncoderForward(tf: TfLib, e: TfEncoder, x: Tf.Tensor3D): Tf.Tensor {
  const [L, B, E] = x.shape;
  const h1 = layerNorm(tf, tf.add(x, tfMhaForward(tf, e.attn, x)), e.g1, e.be1);
  const flat = tf.reshape(h1, [L * B, E]);
  const ff = tf.add(tf.matMul(tf.relu(tf.add(tf.matMul(flat, e.w1 as Tf.Tensor2D), e.b1)), e.w2 as Tf.Tensor2D), e.b2);
  return layerNorm(tf, tf.add(flat, ff), e.g2, e.be2);
}

export function encoderVariables(e: TfEncoder): Tf.Variable[] {
  return [e.attn.wIn, e.attn.bIn, e.attn.wOut, e.attn.bOut, e.w1, e.b1, e.w2, e.b2, e.g1, e.be1, e.g2, e.be2];
}
