import { describe, expect, it } from 'vitest';
import { gatesView, hiddenStatesView } from '../../../engine/src/display/index.js';
import { tokenAxesNote, tokenAxis } from '../../../engine/src/display/token-axis.js';
import { parseSvg, svgTexts } from './helpers.js';

/** 67 character tokens: the first sentence of The Time Machine, cut. */
const SENTENCE = [...'The Time Traveller (for so it will be convenient to speak of him) w'];

describe('the token axis rule', () => {
  it('labels every token while a line of 8-11 px text fits each, shrinking the font first', () => {
    expect(SENTENCE).toHaveLength(67);
    const wide = tokenAxis(SENTENCE, 67 * 13);
    expect([wide.step, wide.fontSize, wide.indices.length]).toEqual([1, 11, 67]);
    const narrower = tokenAxis(SENTENCE, 650);
    expect([narrower.step, narrower.fontSize, narrower.indices.length]).toEqual([1, 8, 67]);
    expect(narrower.thinned).toBeNull();
  });

  it('labels every k-th token, k as small as fits, only when 8 px does not fit, and says so', () => {
    const tokens = Array.from({ length: 200 }, (_, i) => `t${i}`);
    const axis = tokenAxis(tokens, 900); // 4.5 px per token, 9.2 px per label
    expect([axis.step, axis.fontSize]).toEqual([3, 8]);
    expect(axis.indices.slice(0, 4)).toEqual([0, 3, 6, 9]);
    expect(axis.labels.slice(0, 2)).toEqual(['t0', 't3']);
    expect(axis.thinned).toBe('every 3rd token labelled');
    expect(tokenAxis(tokens, 200).thinned).toBe('every 10th token labelled');
    expect(tokenAxis(tokens, 1500).thinned).toBe('every 2nd token labelled');
    expect(tokenAxis(Array.from({ length: 1000 }, String), 500).thinned).toBe('every 19th token labelled');
  });

  it('draws whitespace as symbols no letter looks like, and names the ones used', () => {
    const axis = tokenAxis(['a', ' ', '\n', 'b\tc', '', '·'], 600);
    expect(axis.labels).toEqual(['a', '·', '↵', 'b⇥c', '∅', '·']);
    expect(axis.symbols).toEqual(['·', '↵', '⇥', '∅']);
    expect(axis.legend).toBe('· is a space, ↵ a line break, ⇥ a tab, ∅ an empty token');
    // A middle dot that is the token itself is no symbol.
    expect(tokenAxis(['·', 'x'], 600).legend).toBeNull();
    expect(tokenAxesNote([tokenAxis(['a', ' '], 600), tokenAxis(['\n'], 600)])).toBe('token labels: · is a space, ↵ a line break');
    expect(tokenAxesNote([tokenAxis(Array.from({ length: 200 }, String), 900)], '; hover for each')).toBe('token labels: every 3rd token labelled; hover for each');
    expect(tokenAxesNote([tokenAxis(['a', 'b'], 600)])).toBeNull();
  });
});

describe('static figures of long token axes', () => {
  it('label all 67 character tokens of a gates view, spaces as ·, with the legend', () => {
    const step = (t: number) => [Math.sin(t), Math.cos(t)];
    const gates = { input: SENTENCE.map((_, t) => step(t).map((v) => (v + 1) / 2)), forget: SENTENCE.map(() => [0.5, 0.5]) };
    const view = gatesView({ architecture: 'lstm', tokens: SENTENCE, gates });
    const texts = svgTexts(parseSvg(view.svg));
    const labels = SENTENCE.map((c) => (c === ' ' ? '·' : c));
    // Under the last panel, in order: every token, none skipped.
    const at = texts.indexOf('T');
    expect(texts.slice(at, at + 67)).toEqual(labels);
    expect(texts).not.toContain('␣');
    expect(texts).toContain('token labels: · is a space');
  });

  it('follow the same rule in a hidden-states view', () => {
    const tokens = Array.from({ length: 300 }, (_, i) => (i % 5 === 4 ? ' ' : String.fromCharCode(97 + (i % 26))));
    const view = hiddenStatesView({ tokens, series: { h: tokens.map((_, t) => [Math.sin(t)]) } });
    const texts = svgTexts(parseSvg(view.svg));
    // 300 tokens in 900 px: 3 px each, so 8 px labels every 4th.
    expect(texts).toContain('token labels: every 4th token labelled; · is a space');
    const axis = tokenAxis(tokens, 900);
    expect(axis.indices).toHaveLength(75);
    const vertical = [...view.svg.matchAll(/<text [^>]*rotate\(-90[^>]*>(?:<title>[^<]*<\/title>)?([^<]*)<\/text>/g)].map((m) => m[1]);
    expect(vertical).toEqual(axis.labels);
  });
});
