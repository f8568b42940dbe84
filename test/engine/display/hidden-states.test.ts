import { describe, expect, it } from 'vitest';
import { hiddenStatesView } from '../../../engine/src/display/index.js';
import { JUPYTER_DISPLAY } from '../../../engine/src/display/protocol.js';
import { MIME } from '../../../engine/src/display/shared.js';
import { expectHtmlFallback, expectValid, HOSTILE, parseSvg, svgTexts } from './helpers.js';

const tokens = ['a', 'b', 'c'];
const h = [[0.1, -0.2], [0.3, 0.0], [0.5, -0.9]];
const c = [[1.5, -2], [3.25, 0.5], [-4, 0.125]];

describe('hiddenStatesView', () => {
  it('builds a valid bundle from a record of series', () => {
    const view = hiddenStatesView({ tokens, series: { h, c }, title: 'LSTM layer 0' });
    const bundle = view[JUPYTER_DISPLAY]();
    expect(Object.keys(bundle).sort()).toEqual([MIME.hiddenStates, MIME.svg, MIME.html, MIME.text].sort());
    expectHtmlFallback(bundle);
    expectValid(MIME.hiddenStates, view.payload);
    expect(view.payload.series.map((s) => s.name)).toEqual(['h', 'c']);
    expect(view.payload.series[0]!.states).toEqual(h);
    expect(view.text).toBe('LSTM layer 0: hidden states h, c, 3 time steps × 2 units (a b c)');
    const doc = parseSvg(view.svg);
    const texts = svgTexts(doc);
    for (const t of tokens) expect(texts).toContain(t);
    expect(texts).toEqual(expect.arrayContaining(['LSTM layer 0', 'h: units × time', 'c: units × time', '0', '1']));
  });

  it('accepts a list of series with descriptions and typed-array rows', () => {
    const view = hiddenStatesView({
      tokens,
      series: [{ name: 'h', description: 'hidden', states: h.map((r) => Float64Array.from(r)) }],
    });
    expectValid(MIME.hiddenStates, view.payload);
    expect(view.payload.series[0]).toEqual({ name: 'h', description: 'hidden', states: h });
    expect(svgTexts(parseSvg(view.svg))).toContain('h (hidden): units × time');
  });

  it('rounds each series relative to its largest magnitude', () => {
    const view = hiddenStatesView({ tokens: ['x'], series: { h: [[0.987654, 0.000123, -0.5]] }, precision: 2 });
    expect(view.payload.series[0]!.states).toEqual([[0.99, 0, -0.5]]);
  });

  it('caps time and units and states the cut', () => {
    const T = 20;
    const toks = Array.from({ length: T }, (_, i) => `t${i}`);
    const states = toks.map((_, t) => Array.from({ length: 10 }, (_, u) => Math.sin(t + u)));
    const view = hiddenStatesView({ tokens: toks, series: { h: states }, maxTime: 8, maxUnits: 4 });
    expectValid(MIME.hiddenStates, view.payload);
    expect(view.payload.tokens).toHaveLength(8);
    expect(view.payload.series[0]!.states).toHaveLength(8);
    expect(view.payload.series[0]!.states[0]).toHaveLength(4);
    expect(view.payload.truncation).toEqual([
      { axis: 'time', shown: 8, total: 20 },
      { axis: 'unit', shown: 4, total: 10 },
    ]);
    expect(view.text).toContain('20 time steps × 10 units');
    expect(view.text).toContain('showing the first 8 of 20 time steps, 4 of 10 units');
    expect(svgTexts(parseSvg(view.svg)).join(' ')).toContain('showing the first 8 of 20 time steps, 4 of 10 units');
  });

  it('keeps hostile tokens and names as text', () => {
    const view = hiddenStatesView({ tokens: [HOSTILE], series: [{ name: '<b>h</b>', states: [[1]] }] });
    expect(view.payload.tokens).toEqual([HOSTILE]);
    const doc = parseSvg(view.svg);
    expect(doc.getElementsByTagName('img')).toHaveLength(0);
    expect(doc.getElementsByTagName('b')).toHaveLength(0);
    expect(svgTexts(doc)).toContain('<b>h</b>: units × time');
  });

  it('names the argument and the shapes in its errors', () => {
    expect(() => hiddenStatesView({ tokens, series: { h: [[1, 2], [3, 4]] } })).toThrow(
      'hiddenStatesView: series[0].states (h) has 2 rows but tokens has 3 tokens; expected one row per token',
    );
    expect(() => hiddenStatesView({ tokens, series: { h: [[1, 2], [3], [4, 5]] } })).toThrow(
      /hiddenStatesView: series\[0\]\.states \(h\)\[1\] has 1 entries, expected 2/,
    );
    expect(() => hiddenStatesView({ tokens, series: { h: [[1, 2], [3, Infinity], [4, 5]] } })).toThrow(
      'hiddenStatesView: series[0].states (h)[1][1] is Infinity; expected a finite number',
    );
    expect(() => hiddenStatesView({ tokens, series: [] })).toThrow('hiddenStatesView: series must not be empty');
    expect(() => hiddenStatesView({ tokens, series: [{ name: 'h', states: h }, { name: 'h', states: h }] })).toThrow(
      'hiddenStatesView: series name "h" appears twice',
    );
    expect(() => hiddenStatesView({ tokens: [], series: { h } })).toThrow('hiddenStatesView: tokens must be a non-empty array of strings');
  });
});
