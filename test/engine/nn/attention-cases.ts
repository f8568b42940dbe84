/**
 * Runs the attention and Transformer fixture cases (test/fixtures/attention.json and
 * transformer.json, written by test/fixtures/generators/attention.py) through seqlab:
 * builds the module from the case's constructor arguments, loads PyTorch's state dict by
 * name, runs forward with the case's inputs, masks and options, seeds backward with
 * PyTorch's upstream gradients, and compares outputs and every gradient.
 */
import { expect } from 'vitest';
import { nn, F, Tensor, tensor, gradcheck } from '../../../engine/src/index.js';
import { withRecorder, type AttentionEvent } from '../../../engine/src/trace/recorder.js';
import { compare, decode, loadFixtures, type EncodedTensor } from '../fixtures.js';

export interface ModuleCase {
  name: string;
  module: string;
  args: Record<string, any>;
  state: Record<string, EncodedTensor>;
  inputs: Record<string, EncodedTensor>;
  masks: Record<string, EncodedTensor>;
  outputs: Record<string, EncodedTensor>;
  gradOutputs: Record<string, EncodedTensor>;
  grads: { inputs: Record<string, EncodedTensor>; params: Record<string, EncodedTensor> };
  torchFloat32Error: number;
  forward?: Record<string, any>;
  alias?: Record<string, string>;
  validLens?: number[] | number[][];
  tableRows?: number[];
  table?: EncodedTensor;
}

export function loadCases(file: string): { torch: string; cases: ModuleCase[] } {
  return loadFixtures(file) as unknown as { torch: string; cases: ModuleCase[] };
}

type DType = 'float32' | 'float64';

/** float32 agrees to 1e-5 or PyTorch's own float32 error on the case, whichever is larger; float64 to 1e-12. */
export const tolerance = (c: ModuleCase, dtype: DType): number => (dtype === 'float64' ? 1e-12 : Math.max(1e-5, c.torchFloat32Error));

/** The seqlab module a case describes (null for the functional cases). */
export function build(c: ModuleCase): nn.Module | null {
  const a = c.args;
  switch (c.module) {
    case 'scaledDotProductAttention':
      return null;
    case 'MultiheadAttention':
      return new nn.MultiheadAttention(a.embedDim, a.numHeads, a.options);
    case 'AdditiveAttention':
      return new nn.AdditiveAttention(a.keySize, a.querySize, a.numHiddens, a.dropout);
    case 'PositionalEncoding':
      return new nn.PositionalEncoding(a.dModel, a.options);
    case 'PositionwiseFeedForward':
      return new nn.PositionwiseFeedForward(a.dModel, a.dimFeedforward, a.options);
    case 'TransformerEncoderLayer':
      return new nn.TransformerEncoderLayer(a.dModel, a.nhead, a.options);
    case 'TransformerDecoderLayer':
      return new nn.TransformerDecoderLayer(a.dModel, a.nhead, a.options);
    case 'TransformerEncoder':
      return new nn.TransformerEncoder(new nn.TransformerEncoderLayer(a.layer.dModel, a.layer.nhead, a.layer.options), a.numLayers, {
        norm: a.norm ? new nn.LayerNorm(a.layer.dModel) : null,
      });
    case 'TransformerDecoder':
      return new nn.TransformerDecoder(new nn.TransformerDecoderLayer(a.layer.dModel, a.layer.nhead, a.layer.options), a.numLayers, {
        norm: a.norm ? new nn.LayerNorm(a.layer.dModel) : null,
      });
    case 'Transformer':
      return new nn.Transformer(a.options);
    default:
      throw new Error(`no builder for fixture module ${c.module}`);
  }
}

/** Runs the case's forward; returns the named outputs and the attention events it reported. */
export function forward(c: ModuleCase, m: nn.Module | null, ins: Record<string, Tensor>, masks: Record<string, Tensor>): { outs: Record<string, Tensor>; events: AttentionEvent[] } {
  const events: AttentionEvent[] = [];
  const fwd = c.forward ?? {};
  const outs = withRecorder({ attention: (e) => events.push(e), recurrent: () => {} }, (): Record<string, Tensor> => {
    switch (c.module) {
      case 'scaledDotProductAttention':
        return { output: F.scaledDotProductAttention(ins.query!, ins.key!, ins.value!, { ...fwd, attnMask: masks.attnMask ?? null }) };
      case 'MultiheadAttention': {
        const alias = c.alias ?? {};
        const [output, weights] = (m as nn.MultiheadAttention).forward(ins.query!, ins[alias.key ?? 'key']!, ins[alias.value ?? 'value']!, {
          ...fwd,
          keyPaddingMask: masks.keyPaddingMask ?? null,
          attnMask: masks.attnMask ?? null,
        });
        return weights ? { output, weights } : { output };
      }
      case 'AdditiveAttention': {
        const lens = c.validLens ? tensor(c.validLens, { dtype: 'int32' }) : null;
        const output = (m as nn.AdditiveAttention).forward(ins.queries!, ins.keys!, ins.values!, lens, { keyPaddingMask: masks.keyPaddingMask ?? null });
        // The live weights come from the trace event (the module keeps a detached copy).
        return { output, attentionWeights: events[events.length - 1]!.weights.squeeze(1) };
      }
      case 'PositionalEncoding':
      case 'PositionwiseFeedForward':
        return { output: (m as nn.PositionalEncoding).forward(ins.input!) };
      case 'TransformerEncoderLayer':
        return { output: (m as nn.TransformerEncoderLayer).forward(ins.src!, { ...fwd, ...masks }) };
      case 'TransformerDecoderLayer':
        return { output: (m as nn.TransformerDecoderLayer).forward(ins.tgt!, ins.memory!, { ...fwd, ...masks }) };
      case 'TransformerEncoder':
        return { output: (m as nn.TransformerEncoder).forward(ins.src!, { ...fwd, ...masks }) };
      case 'TransformerDecoder':
        return { output: (m as nn.TransformerDecoder).forward(ins.tgt!, ins.memory!, { ...fwd, ...masks }) };
      case 'Transformer':
        return { output: (m as nn.Transformer).forward(ins.src!, ins.tgt!, { ...fwd, ...masks }) };
      default:
        throw new Error(`no forward for fixture module ${c.module}`);
    }
  });
  return { outs, events };
}

/** Builds, loads the state dict, runs forward and backward in `dtype`. */
export function runCase(c: ModuleCase, dtype: DType) {
  const m = build(c);
  if (m) {
    m.to(dtype);
    if (Object.keys(c.state).length > 0) m.loadStateDict(Object.fromEntries(Object.entries(c.state).map(([k, v]) => [k, decode(v, dtype)])));
  }
  const ins: Record<string, Tensor> = {};
  for (const [k, v] of Object.entries(c.inputs)) ins[k] = decode(v, dtype, true);
  const masks: Record<string, Tensor> = {};
  for (const [k, v] of Object.entries(c.masks)) masks[k] = decode(v, dtype, false);
  const { outs, events } = forward(c, m, ins, masks);
  let loss: Tensor | null = null;
  for (const [k, g] of Object.entries(c.gradOutputs)) {
    const term = outs[k]!.mul(decode(g, dtype)).sum();
    loss = loss ? loss.add(term) : term;
  }
  loss!.backward();
  return { m, ins, outs, events };
}

/** Checks one case in one dtype; returns the largest relative error seen. */
export function checkCase(c: ModuleCase, dtype: DType): number {
  const { m, ins, outs } = runCase(c, dtype);
  const tol = tolerance(c, dtype);
  let worst = 0;
  const check = (what: string, actual: Tensor | null | undefined, expected: EncodedTensor): void => {
    expect(actual, what).toBeInstanceOf(Tensor);
    const { error, problem } = compare(actual!, expected);
    expect(problem, what).toBeNull();
    expect(error, `${what} relative error`).toBeLessThanOrEqual(tol);
    worst = Math.max(worst, error);
  };
  expect(Object.keys(outs).sort()).toEqual(Object.keys(c.outputs).sort());
  for (const [k, e] of Object.entries(c.outputs)) check(k, outs[k], e);
  for (const [k, e] of Object.entries(c.grads.inputs)) check(`grad of ${k}`, ins[k]!.grad, e);
  if (m) {
    const params = Object.fromEntries(m.namedParameters());
    expect(Object.keys(params)).toEqual(Object.keys(c.grads.params));
    for (const [k, e] of Object.entries(c.grads.params)) check(`grad of ${k}`, params[k]!.grad, e);
  }
  return worst;
}

/**
 * gradcheck over the inputs and every parameter of `m`: the parameters are swapped for the
 * checked tensors (by their dotted names) inside `run`.
 */
export function gradcheckModule(m: nn.Module, inputs: Tensor[], run: (...xs: Tensor[]) => Tensor | Tensor[]): boolean {
  const named = Array.from(m.namedParameters());
  const set = (path: string, t: Tensor): void => {
    const parts = path.split('.');
    let obj = m as unknown as Record<string, unknown>;
    for (const p of parts.slice(0, -1)) obj = obj[p] as Record<string, unknown>;
    obj[parts[parts.length - 1]!] = t;
  };
  const fn = (...xs: Tensor[]): Tensor[] => {
    named.forEach(([name], i) => set(name, xs[inputs.length + i]!));
    const out = run(...xs.slice(0, inputs.length));
    return out instanceof Tensor ? [out] : out;
  };
  return gradcheck(fn, [...inputs, ...named.map(([, p]) => p.detach().requiresGrad_(true))]);
}
