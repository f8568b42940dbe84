import { describe, expect, it } from 'vitest';
import { attentionView } from '../../../engine/src/display/index.js';
import { JUPYTER_DISPLAY } from '../../../engine/src/display/protocol.js';
import { MIME } from '../../../engine/src/display/shared.js';
import { expectHtmlFallback, expectValid, HOSTILE, parseSvg, softmaxRows, svgTexts } from './helpers.js';

const tokens = ['The', 'cat', 'sat', 'down'];

describe('attentionView', () => {
  it('builds a bundle with the payload, text/plain and a labelled SVG', () => {
    const weights = softmaxRows(4, 4);
    const view = attentionView({ queryTokens: tokens, weights, title: 'encoder self-attention' });
    const bundle = view[JUPYTER_DISPLAY]();
    expect(Object.keys(bundle).sort()).toEqual([MIME.attention, MIME.svg, MIME.html, MIME.text].sort());
    expectHtmlFallback(bundle);
    expect(bundle).toEqual((view as unknown as Record<symbol, () => unknown>)[Symbol.for('Jupyter.display')]!());
    const payload = bundle[MIME.attention] as Record<string, unknown>;
    expectValid(MIME.attention, payload);
    expect(payload.weights).toHaveLength(1); // [q][k] is lifted to [layer][head][q][k]
    expect((payload.weights as number[][][][])[0]).toHaveLength(1);
    expect(payload.keyTokens).toEqual(tokens); // self-attention: keys default to the queries
    expect(payload.precision).toBe(3);
    const text = bundle[MIME.text] as string;
    expect(text).not.toContain('\n');
    expect(text).toContain('encoder self-attention');
    expect(text).toContain('1 layer × 1 head, 4 query × 4 key tokens');
    const doc = parseSvg(bundle[MIME.svg] as string);
    const texts = svgTexts(doc);
    for (const t of tokens) expect(texts.filter((s) => s === t)).toHaveLength(2); // query axis and key axis
    expect(texts).toContain('encoder self-attention');
    expect(texts).toContain('weight'); // colour scale title
    expect(doc.documentElement.getAttribute('width')).toMatch(/^\d+$/);
  });

  it('accepts [head][q][k] and [layer][head][q][k] with names, and typed-array rows', () => {
    const heads = [softmaxRows(4, 4, 1), softmaxRows(4, 4, 2)].map((m) => m.map((r) => Float32Array.from(r)));
    const v3 = attentionView({ queryTokens: tokens, weights: heads, headNames: ['h-a', 'h-b'] });
    expectValid(MIME.attention, v3.payload);
    expect(v3.payload.weights).toHaveLength(1);
    expect(v3.payload.weights[0]).toHaveLength(2);
    expect(svgTexts(parseSvg(v3.svg))).toEqual(expect.arrayContaining(['h-a', 'h-b']));
    const v4 = attentionView({ queryTokens: tokens, weights: [heads, heads, heads], layerNames: ['L0', 'L1', 'L2'] });
    expectValid(MIME.attention, v4.payload);
    expect(v4.payload.weights.map((l) => l.length)).toEqual([2, 2, 2]);
    expect(v4.payload.layerNames).toEqual(['L0', 'L1', 'L2']);
    // Several layers: the static figure shows one panel per layer averaged over heads.
    expect(svgTexts(parseSvg(v4.svg))).toEqual(expect.arrayContaining(['L0, mean of 2 heads', 'L2, mean of 2 heads']));
    expect(v4.text).toContain('3 layers × 2 heads');
  });

  it('draws cross-attention with different query and key lengths', () => {
    const keys = ['Le', 'chat', 'est', 'assis', '.'];
    const view = attentionView({ queryTokens: tokens, keyTokens: keys, weights: softmaxRows(4, 5), kind: 'cross' });
    expectValid(MIME.attention, view.payload);
    expect(view.payload.kind).toBe('cross');
    const texts = svgTexts(parseSvg(view.svg));
    for (const k of keys) expect(texts).toContain(k);
    expect(view.text).toContain('cross attention');
    expect(view.text).toContain('4 query × 5 key tokens');
  });

  it('keeps a [query][key] or key-padding mask and draws masked cells hatched', () => {
    const causal = tokens.map((_, i) => tokens.map((_, j) => j > i));
    const view = attentionView({ queryTokens: tokens, weights: softmaxRows(4, 4, 1, (i, j) => j > i), mask: causal, kind: 'causal-self' });
    expectValid(MIME.attention, view.payload);
    expect(view.payload.mask).toEqual(causal);
    const doc = parseSvg(view.svg);
    const hatch = Array.from(doc.getElementsByTagName('path')).filter((p) => p.getAttribute('stroke') === '#7a7a7a');
    expect(hatch).toHaveLength(1);
    expect(hatch[0]!.getAttribute('d')!.match(/M/g)).toHaveLength(6); // 6 masked cells above the diagonal
    expect(svgTexts(doc).join(' ')).toContain('hatched: masked');
    const none = attentionView({ queryTokens: tokens, weights: softmaxRows(4, 4), mask: [0, 0, 0, 0] });
    expect(svgTexts(parseSvg(none.svg)).join(' ')).not.toContain('masked');
    const padding = attentionView({ queryTokens: tokens, weights: softmaxRows(4, 4), mask: [0, 0, 0, 1] });
    expect(padding.payload.mask).toEqual(tokens.map(() => [false, false, false, true]));
  });

  it('rounds each map relative to its largest weight', () => {
    const view = attentionView({ queryTokens: ['a', 'b'], weights: [[0.123456, 0.876544], [1e-9, 0.999999999]], precision: 2 });
    expect(view.payload.weights[0]![0]).toEqual([[0.12, 0.88], [0, 1]]);
    expect(view.payload.precision).toBe(2);
    expect(JSON.stringify(view.payload.weights)).toBe('[[[[0.12,0.88],[0,1]]]]');
  });

  it('keeps hostile tokens as text in the payload, the SVG and text/plain', () => {
    const view = attentionView({ queryTokens: [HOSTILE, 'ok'], weights: [[0.5, 0.5], [0.2, 0.8]], title: `<script>alert(1)</script>` });
    expect(view.payload.queryTokens[0]).toBe(HOSTILE); // the payload keeps the token exactly
    const doc = parseSvg(view.svg);
    expect(doc.getElementsByTagName('img')).toHaveLength(0);
    expect(doc.getElementsByTagName('script')).toHaveLength(0);
    expect(view.svg).not.toContain('<img');
    expect(view.svg).toContain('&lt;img src=x on'); // shortened label, escaped
    // The full token is the label's tooltip, escaped too.
    const titles = Array.from(doc.getElementsByTagName('title')).map((t) => t.textContent);
    expect(titles).toContain(HOSTILE);
    expect(titles).toContain('<script>alert(1)</script>');
    expectHtmlFallback(view.bundle());
  });

  it('caps long sequences and states the cut everywhere instead of failing', () => {
    const n = 40;
    const toks = Array.from({ length: n }, (_, i) => `t${i}`);
    const view = attentionView({ queryTokens: toks, weights: softmaxRows(n, n), maxTokens: 32 });
    expectValid(MIME.attention, view.payload);
    expect(view.payload.queryTokens).toHaveLength(32);
    expect(view.payload.weights[0]![0]).toHaveLength(32);
    expect(view.payload.weights[0]![0]![0]).toHaveLength(32);
    expect(view.payload.truncation).toEqual([
      { axis: 'query', shown: 32, total: 40 },
      { axis: 'key', shown: 32, total: 40 },
    ]);
    expect(view.text).toContain('showing the first 32 of 40 query tokens, 32 of 40 key tokens');
    expect(svgTexts(parseSvg(view.svg)).join(' ')).toContain('showing the first 32 of 40 query tokens');
  });

  it('cuts trailing layers, then heads, beyond maxWeights', () => {
    const map = softmaxRows(4, 4);
    const weights = Array.from({ length: 6 }, () => Array.from({ length: 8 }, () => map));
    const view = attentionView({ queryTokens: tokens, weights, maxWeights: 4 * 4 * 8 * 2 });
    expect(view.payload.weights).toHaveLength(2);
    expect(view.payload.truncation).toEqual([{ axis: 'layer', shown: 2, total: 6 }]);
    const heads = attentionView({ queryTokens: tokens, weights, maxWeights: 4 * 4 * 3 });
    expect(heads.payload.weights.map((l) => l.length)).toEqual([3]);
    expect(heads.payload.truncation).toEqual([
      { axis: 'layer', shown: 1, total: 6 },
      { axis: 'head', shown: 3, total: 8 },
    ]);
    expectValid(MIME.attention, heads.payload);
  });

  it('handles a 6 x 8 x 128 x 128 input with a bounded static figure', () => {
    const toks = Array.from({ length: 128 }, (_, i) => `w${i}`);
    const map = softmaxRows(128, 128);
    const weights = Array.from({ length: 6 }, () => Array.from({ length: 8 }, () => map));
    const view = attentionView({ queryTokens: toks, weights });
    expect(view.payload.truncation).toBeUndefined();
    expectValid(MIME.attention, view.payload);
    // 65,536 static cells at most: 4 of the 6 layer panels.
    expect(view.svg.length).toBeLessThan(2_000_000);
    expect(svgTexts(parseSvg(view.svg)).join(' ')).toContain('static preview shows 4 of 6 panels');
  });

  it('opens on a chosen layer and head, by index or by name, and draws that map as the static figure', () => {
    const map = (seed: number) => softmaxRows(4, 4, seed);
    const weights = [0, 1].map((l) => [0, 1, 2].map((h) => map(1 + l * 3 + h)));
    const base = { queryTokens: tokens, weights, layerNames: ['encoder.layers.0.self_attn', 'encoder.layers.1.self_attn'] };
    const plain = attentionView(base);
    expect('open' in plain.payload).toBe(false); // written only when asked for
    const byIndex = attentionView({ ...base, open: { layer: 1, head: 2 } });
    expect(byIndex.payload.open).toEqual({ layer: 1, head: 2 });
    expectValid(MIME.attention, byIndex.payload);
    expect(attentionView({ ...base, open: { layer: 'layers.1', head: 'head 3' } }).payload.open).toEqual({ layer: 1, head: 2 });
    expect(attentionView({ ...base, open: { layer: 'encoder.layers.1.self_attn', head: 'mean' } }).payload.open).toEqual({ layer: 1, head: 'mean' });
    expect(attentionView({ ...base, open: { head: 1 } }).payload.open).toEqual({ layer: 0, head: 1 });
    expect(attentionView({ ...base, headNames: ['syntax', 'position', 'coref'], open: { head: 'coref' } }).payload.open).toEqual({ layer: 0, head: 2 });
    // The static figure shows the chosen map alone, named, instead of the per-layer means.
    const texts = svgTexts(parseSvg(byIndex.svg));
    expect(texts).toContain('encoder.layers.1.self_attn, head 3');
    expect(texts.join(' ')).toContain('the map the view opens on, of 2 layers × 3 heads');
    expect(texts.join(' ')).not.toContain('mean of 3 heads');
    expect(svgTexts(parseSvg(plain.svg))).toContain('encoder.layers.1.self_attn, mean of 3 heads');

    expect(() => attentionView({ ...base, open: { layer: 2 } })).toThrow('attentionView: open.layer 2 is not a layer index; there are 2 layers (0–1)');
    expect(() => attentionView({ ...base, open: { layer: 'layers' } })).toThrow(/open.layer "layers" names more than one layer; the layers are "encoder.layers.0.self_attn", "encoder.layers.1.self_attn"/);
    expect(() => attentionView({ ...base, open: { head: 'head 9' } })).toThrow(/open.head "head 9" names no head; the heads are "head 1", "head 2", "head 3"/);
    expect(() => attentionView({ ...base, open: { layer: 1, heads: 2 } as never })).toThrow('attentionView: open has an unknown field "heads"; it takes layer and head');
    expect(() => attentionView({ ...base, open: { layer: 1 }, maxWeights: 3 * 16 })).toThrow(/open chooses layer 1 and head 0, but maxWeights \(48\) keeps only the first 1 layer × 3 heads/);
  });

  it('names the argument and the shapes in its errors', () => {
    expect(() => attentionView({ queryTokens: tokens, weights: [[0.5, 0.5], [0.5]] })).toThrow(
      /attentionView: weights\[1\] has 1 entries, expected 2/,
    );
    expect(() => attentionView({ queryTokens: tokens, weights: softmaxRows(3, 4) })).toThrow(
      'attentionView: weights has 3 query rows (shape [3][4]) but queryTokens has 4 tokens',
    );
    expect(() => attentionView({ queryTokens: tokens, weights: softmaxRows(4, 5) })).toThrow(
      /weights has 5 key columns \(shape \[4\]\[5\]\) but queryTokens has 4 tokens; pass keyTokens/,
    );
    expect(() => attentionView({ queryTokens: tokens, keyTokens: ['a'], weights: softmaxRows(4, 5) })).toThrow(
      'attentionView: weights has 5 key columns (shape [4][5]) but keyTokens has 1 tokens',
    );
    const nan = softmaxRows(4, 4);
    nan[2]![1] = NaN;
    expect(() => attentionView({ queryTokens: tokens, weights: [[nan]] })).toThrow(
      'attentionView: weights[0][0][2][1] is NaN; expected a finite number',
    );
    expect(() => attentionView({ queryTokens: tokens, weights: [1, 2, 3, 4] })).toThrow(
      /weights must be \[layer\]\[head\]\[query\]\[key\], \[head\]\[query\]\[key\] or \[query\]\[key\] numbers, got an array of shape \[4\]/,
    );
    expect(() => attentionView({ queryTokens: 'The cat' as unknown as string[], weights: softmaxRows(4, 4) })).toThrow(
      'attentionView: queryTokens must be a non-empty array of strings, got a string',
    );
    expect(() => attentionView({ queryTokens: tokens, weights: [softmaxRows(4, 4)], headNames: ['a', 'b'] })).toThrow(
      'attentionView: headNames has 2 names but there are 1 heads',
    );
    expect(() => attentionView({ queryTokens: tokens, weights: softmaxRows(4, 4), mask: [[true]] })).toThrow(
      /mask must be \[query\]\[key\] = \[4\]\[4\] or \[key\] = \[4\]/,
    );
    expect(() => attentionView({ queryTokens: tokens, weights: softmaxRows(4, 4), kind: 'sideways' as 'self' })).toThrow(/kind must be one of/);
  });
});
