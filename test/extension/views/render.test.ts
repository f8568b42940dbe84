// @vitest-environment jsdom
import { describe, expect, it } from 'vitest';
import { renderView } from '../../../extension/src/views/render.js';
import { HOSTILE, viewFixture } from '../plotly-recorder.js';

const ATT = 'application/vnd.seqlab.attention.v1+json';
const HS = 'application/vnd.seqlab.hidden-states.v1+json';
const GATES = 'application/vnd.seqlab.gates.v1+json';
const PLOTLY = 'application/vnd.plotly.v1+json';

const f = viewFixture();

function problems(mime: string, data: unknown, fallbackSvg?: string): string[] {
  const view = renderView(mime, data, f.host, { loadPlotly: f.rec.loader, theme: 'light', ...(fallbackSvg && { fallbackSvg }) });
  const error = view.element.querySelector('.seqlab-error[role="alert"]');
  expect(error, 'an inline error').not.toBeNull();
  expect(error!.querySelector('strong')!.textContent).toMatch(/^Cannot draw this /);
  return Array.from(error!.querySelectorAll('li')).map((li) => li.textContent!);
}

const att = (extra: Record<string, unknown>) => ({ version: 1, queryTokens: ['a', 'b'], keyTokens: ['a', 'b'], weights: [[[[1, 0], [0.5, 0.5]]]], ...extra });

describe('malformed payloads render an inline error naming the problem', () => {
  it('attention: schema problems', () => {
    expect(problems(ATT, { version: 1, queryTokens: ['a'], keyTokens: ['a'] })).toEqual(['the payload lacks the field "weights"']);
    expect(problems(ATT, att({ version: 2 }))).toEqual(['version must be 1']);
    expect(problems(ATT, att({ weights: [[[[1, 'x'], [0.5, 0.5]]]] }))).toEqual(['weights.0.0.0.1 must be number']);
    expect(problems(ATT, att({ queryTokens: [] }))).toEqual(['queryTokens must NOT have fewer than 1 items']);
    expect(problems(ATT, att({ colour: 'red' }))).toEqual(['the payload has an unknown field "colour"']);
    expect(problems(ATT, att({ kind: 'sideways' }))).toEqual(['kind must be one of "self", "cross", "causal-self", "additive", "other"']);
  });

  it('attention: shapes the schema cannot state', () => {
    expect(problems(ATT, att({ queryTokens: ['a', 'b', 'c'] }))).toEqual(['weights[0][0] has 2 rows but queryTokens has 3']);
    expect(problems(ATT, att({ weights: [[[[1, 0], [0.5]]]] }))).toEqual(['weights[0][0][1] has 1 entries but keyTokens has 2']);
    expect(problems(ATT, att({ weights: [[[[1, 0], [0.5, 0.5]]], []] }))).toEqual(['weights.1 must NOT have fewer than 1 items']);
    expect(problems(ATT, att({ headNames: ['x', 'y'] }))).toEqual(['headNames has 2 names but there are 1 heads']);
    expect(problems(ATT, att({ mask: [[false, true]] }))).toEqual(['mask has 1 rows but queryTokens has 2']);
  });

  it('hidden states and gates', () => {
    expect(problems(HS, { version: 1, tokens: ['a', 'b'], series: [{ name: 'h', states: [[1, 2]] }] })).toEqual([
      'series[0].states (h) has 1 rows but tokens has 2',
    ]);
    expect(problems(HS, { version: 1, tokens: ['a', 'b'], series: [{ name: 'h', states: [[1, 2], [3]] }] })).toEqual([
      'series[0].states (h)[1] has 1 entries but series[0].states (h)[0] has 2; rows must have equal length',
    ]);
    expect(problems(GATES, { version: 1, architecture: 'gru', tokens: ['a'], gates: { input: [[0.5]] } })).toEqual([
      'gates.input is not a gate of GRU (expected reset, update, candidate, hidden)',
    ]);
    expect(problems(GATES, { version: 1, architecture: 'lstm', tokens: ['a'], gates: { input: [[0.5, 0.5]], forget: [[0.5]] } })).toEqual([
      'gates.forget[0] has 1 entries but gates.input has 2',
    ]);
  });

  it('plotly figures, strings and unknown MIME types', () => {
    expect(problems(PLOTLY, { layout: {} })).toEqual(['the payload lacks the field "data"']);
    expect(problems(PLOTLY, '{"data": []}')).toEqual(['the payload is a string; a JSON MIME type carries an object (was it serialised twice?)']);
    expect(problems('application/vnd.seqlab.attention.v9+json', {})[0]).toMatch(/^seqlab does not draw the MIME type application\/vnd\.seqlab\.attention\.v9\+json/);
    expect(problems(ATT, null)).toEqual(['the payload must be object']);
  });

  it('shows the static figure under the error, as an image, and keeps hostile text as text', () => {
    const svg = '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert(1)</script></svg>';
    problems(ATT, att({ queryTokens: [HOSTILE, 'b', 'c'] }), svg);
    const img = f.host.querySelector<HTMLImageElement>('img.seqlab-fallback')!;
    expect(img.getAttribute('src')).toBe(`data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`);
    expect(f.host.querySelectorAll('script')).toHaveLength(0);
    expect(f.host.querySelectorAll('img')).toHaveLength(1);
  });

  it('never throws: a payload that breaks a view becomes an error too', () => {
    const hostile = att({});
    Object.defineProperty(hostile, 'title', { get: () => { throw new Error('boom'); }, enumerable: true });
    expect(problems(ATT, hostile)).toEqual(['the payload could not be checked: boom']);
  });
});
