import { describe, expect, it } from 'vitest';
import { gatesView } from '../../../engine/src/display/index.js';
import { MIME } from '../../../engine/src/display/shared.js';
import { expectValid, HOSTILE, parseSvg, svgTexts } from './helpers.js';

const tokens = ['x', 'y', 'z'];
const sig = (v: number): number => 1 / (1 + Math.exp(-v));
const m = (f: (t: number, u: number) => number): number[][] => tokens.map((_, t) => [0, 1].map((u) => f(t, u)));
const lstm = {
  input: m((t, u) => sig(t - u)),
  forget: m((t, u) => sig(u - t)),
  candidate: m((t, u) => Math.tanh(t + u - 2)),
  output: m((t, u) => sig(t * u)),
  cell: m((t, u) => 3 * Math.sin(t + u)),
};

describe('gatesView', () => {
  it('builds an LSTM bundle with one panel per gate on a shared time axis', () => {
    const view = gatesView({ architecture: 'lstm', tokens, gates: lstm });
    expectValid(MIME.gates, view.payload);
    expect(Object.keys(view.payload.gates)).toEqual(['input', 'forget', 'candidate', 'output', 'cell']);
    expect(view.text).toBe('LSTM gates input, forget, candidate, output, cell, 3 time steps × 2 units (x y z)');
    const texts = svgTexts(parseSvg(view.svg));
    for (const g of ['input', 'forget', 'candidate', 'output', 'cell']) expect(texts).toContain(g);
    // Token labels once, under the last panel.
    for (const t of tokens) expect(texts.filter((s) => s === t)).toHaveLength(1);
  });

  it('orders gates canonically whatever the input order, and supports GRU', () => {
    const view = gatesView({ architecture: 'gru', tokens, gates: { hidden: lstm.candidate, reset: lstm.input, update: lstm.forget } });
    expectValid(MIME.gates, view.payload);
    expect(Object.keys(view.payload.gates)).toEqual(['reset', 'update', 'hidden']);
  });

  it('caps time and units and states the cut', () => {
    const view = gatesView({ architecture: 'lstm', tokens, gates: lstm, maxTime: 2, maxUnits: 1 });
    expectValid(MIME.gates, view.payload);
    expect(view.payload.gates.input!.map((r) => r.length)).toEqual([1, 1]);
    expect(view.payload.tokens).toEqual(['x', 'y']);
    expect(view.payload.truncation).toEqual([
      { axis: 'time', shown: 2, total: 3 },
      { axis: 'unit', shown: 1, total: 2 },
    ]);
    expect(svgTexts(parseSvg(view.svg)).join(' ')).toContain('showing the first 2 of 3 time steps, 1 of 2 units');
  });

  it('keeps hostile tokens as text', () => {
    const view = gatesView({ architecture: 'gru', tokens: [HOSTILE], gates: { reset: [[0.5]] } });
    const doc = parseSvg(view.svg);
    expect(doc.getElementsByTagName('img')).toHaveLength(0);
    expect(view.payload.tokens).toEqual([HOSTILE]);
  });

  it('names the argument and the shapes in its errors', () => {
    expect(() => gatesView({ architecture: 'rnn' as 'lstm', tokens, gates: lstm })).toThrow(`gatesView: architecture must be 'lstm' or 'gru', got "rnn"`);
    expect(() => gatesView({ architecture: 'gru', tokens, gates: lstm })).toThrow(
      'gatesView: gates.input is not a gate of GRU; expected some of reset, update, candidate, hidden',
    );
    expect(() => gatesView({ architecture: 'lstm', tokens, gates: { ...lstm, forget: [[0.5], [0.5], [0.5]] } })).toThrow(
      'gatesView: gates.forget has 1 units but gates.input has 2; every gate must have the same units',
    );
    expect(() => gatesView({ architecture: 'lstm', tokens, gates: { input: [[0.5, 0.5]] } })).toThrow(
      'gatesView: gates.input has 1 rows but tokens has 3 tokens; expected one row per token',
    );
    expect(() => gatesView({ architecture: 'lstm', tokens, gates: { input: [[0.5, NaN], [1, 1], [1, 1]] } })).toThrow(
      'gatesView: gates.input[0][1] is NaN; expected a finite number',
    );
    expect(() => gatesView({ architecture: 'lstm', tokens, gates: {} })).toThrow('gatesView: gates must hold at least one of input, forget');
  });
});
