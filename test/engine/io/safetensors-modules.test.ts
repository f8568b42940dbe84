/**
 * PyTorch's weights in seqlab's modules and back, through safetensors files:
 * torch.nn.LSTM, GRU, MultiheadAttention and TransformerEncoderLayer weights (written by
 * test/fixtures/generators/safetensors_io.py) load into nn.LSTM, nn.GRU,
 * nn.MultiheadAttention and nn.TransformerEncoderLayer under PyTorch's parameter names
 * and give PyTorch's outputs; seqlab's own (differently initialised) weights, saved by
 * seqlab, load into the PyTorch modules (strict) and give seqlab's outputs there.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSafetensors, manualSeed, nn, saveSafetensors, tensor, type Tensor } from '../../../engine/src/index.js';
import { compare, decode, type EncodedTensor } from '../fixtures.js';
import { runPython } from './python.js';

const DIR = fileURLToPath(new URL('../../fixtures/safetensors/', import.meta.url));

interface ModuleCase {
  module: string;
  options: Record<string, number | boolean>;
  weights: string;
  parameters: string[];
  inputs: Record<string, EncodedTensor>;
  masks: Record<string, boolean[][]>;
  outputs: Record<string, EncodedTensor>;
}

const cases = JSON.parse(readFileSync(DIR + 'modules.json', 'utf8')).cases as Record<string, ModuleCase>;
type Kind = 'lstm' | 'gru' | 'mha' | 'encoder-layer';
const KINDS: Kind[] = ['lstm', 'gru', 'mha', 'encoder-layer'];

function build(kind: Kind): nn.Module {
  const o = cases[kind]!.options as Record<string, never>;
  switch (kind) {
    case 'lstm':
      return new nn.LSTM(o.inputSize, o.hiddenSize, { numLayers: o.numLayers, bidirectional: o.bidirectional, batchFirst: o.batchFirst });
    case 'gru':
      return new nn.GRU(o.inputSize, o.hiddenSize, { numLayers: o.numLayers, bidirectional: o.bidirectional, batchFirst: o.batchFirst });
    case 'mha':
      return new nn.MultiheadAttention(o.embedDim, o.numHeads, { batchFirst: o.batchFirst });
    case 'encoder-layer':
      return new nn.TransformerEncoderLayer(o.dModel, o.nhead, { dimFeedforward: o.dimFeedforward, dropout: o.dropout, batchFirst: o.batchFirst });
  }
}

/** The module's outputs by the names the generator uses. */
function run(kind: Kind, module: nn.Module, dtype: 'float32' | 'float64'): Record<string, Tensor> {
  const c = cases[kind]!;
  const x = Object.fromEntries(Object.entries(c.inputs).map(([k, e]) => [k, decode(e, dtype)])) as Record<string, Tensor>;
  const m = Object.fromEntries(Object.entries(c.masks).map(([k, v]) => [k, tensor(v)])) as Record<string, Tensor>;
  switch (kind) {
    case 'lstm': {
      const [output, [hN, cN]] = (module as nn.LSTM).forward(x.x!, [x.h0!, x.c0!]);
      return { output, hN, cN };
    }
    case 'gru': {
      const [output, hN] = (module as nn.GRU).forward(x.x!, x.h0!);
      return { output, hN };
    }
    case 'mha': {
      const [output, weights] = (module as nn.MultiheadAttention).forward(x.query!, x.key!, x.value!, { keyPaddingMask: m.keyPaddingMask!, needWeights: true });
      return { output, weights: weights! };
    }
    case 'encoder-layer':
      return { output: (module as nn.TransformerEncoderLayer).forward(x.src!, { srcKeyPaddingMask: m.srcKeyPaddingMask! }) };
  }
}

const worst = { float32: 0, float64: 0, reverse: 0 };

describe('PyTorch weights load into seqlab modules and give the same outputs', () => {
  for (const kind of KINDS) {
    for (const dtype of ['float32', 'float64'] as const) {
      it(`${cases[kind]!.module} (${dtype})`, () => {
        const module = build(kind);
        const weights = loadSafetensors(DIR + cases[kind]!.weights);
        expect(Object.keys(weights).sort()).toEqual(cases[kind]!.parameters.slice().sort());
        module.loadStateDict(weights);
        module.eval();
        if (dtype === 'float64') module.double();
        const got = run(kind, module, dtype);
        for (const [name, e] of Object.entries(cases[kind]!.outputs)) {
          const { error, problem } = compare(got[name]!, e);
          expect(problem, name).toBeNull();
          worst[dtype] = Math.max(worst[dtype], error);
          expect(error, `${name} relative error`).toBeLessThanOrEqual(dtype === 'float32' ? 1e-5 : 1e-12);
        }
      });
    }
  }
});

describe("seqlab's weights load into PyTorch modules and give the same outputs", () => {
  const tmp = mkdtempSync(join(tmpdir(), 'seqlab-modules-'));
  const seqlabOutputs: Partial<Record<Kind, Record<string, Tensor>>> = {};
  let torchOutputs: Record<string, Record<string, EncodedTensor>>;
  beforeAll(() => {
    manualSeed(2024);
    for (const kind of KINDS) {
      const module = build(kind).eval();
      saveSafetensors(module, join(tmp, `${kind}.safetensors`));
      seqlabOutputs[kind] = run(kind, module.double(), 'float64');
    }
    torchOutputs = JSON.parse(runPython('safetensors_io.py', ['run-modules', tmp]));
  });
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  for (const kind of KINDS) {
    it(`${cases[kind]!.module}`, () => {
      const theirs = torchOutputs[kind]!;
      expect(Object.keys(theirs).sort()).toEqual(Object.keys(seqlabOutputs[kind]!).sort());
      for (const [name, e] of Object.entries(theirs)) {
        const { error, problem } = compare(seqlabOutputs[kind]![name]!, e);
        expect(problem, name).toBeNull();
        worst.reverse = Math.max(worst.reverse, error);
        expect(error, `${name} relative error`).toBeLessThanOrEqual(1e-12);
      }
    });
  }
});

afterAll(() => {
  console.log(
    `safetensors module round trips: worst relative error vs PyTorch ${worst.float32.toExponential(2)} (float32), ` +
      `${worst.float64.toExponential(2)} (float64), seqlab weights in PyTorch ${worst.reverse.toExponential(2)}`,
  );
});
