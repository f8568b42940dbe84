import { describe, expect, it } from 'vitest';
import { escapeXml, tokenLabel } from '../../../../engine/src/display/svg/xml.js';
import { attentionView } from '../../../../engine/src/display/index.js';
import { parseSvg, svgTexts } from '../helpers.js';

describe('escapeXml', () => {
  it('escapes markup characters and quotes', () => {
    expect(escapeXml(`<a href="x" onclick='y'>&amp;</a>`)).toBe('&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;amp;&lt;/a&gt;');
  });

  it('replaces characters XML cannot hold, so byte-level tokens never break the SVG', () => {
    expect(escapeXml('a\u0000b\u001bc\ud800d')).toBe('a\ufffdb\ufffdc\ufffdd');
    expect(escapeXml('tab\tnewline\n😀')).toBe('tab\tnewline\n😀');
    const view = attentionView({ queryTokens: ['\u0000', '\ud83d', 'ok'], weights: [[1, 0, 0], [0.5, 0.5, 0], [0.2, 0.3, 0.5]] });
    parseSvg(view.svg); // well-formed despite the NUL and the lone surrogate
  });
});

describe('tokenLabel', () => {
  it('makes whitespace tokens visible and shortens long ones', () => {
    expect(tokenLabel(' ')).toBe('·');
    expect(tokenLabel('   ')).toBe('···');
    expect(tokenLabel('\n')).toBe('↵');
    expect(tokenLabel('a\tb')).toBe('a⇥b');
    expect(tokenLabel('')).toBe('∅');
    expect(tokenLabel('abcdefghijklmnopqrstuvwxyz')).toBe('abcdefghijklm…');
    expect(tokenLabel('😀'.repeat(20), 5)).toBe('😀😀😀😀…');
  });

  it('is what the static figure shows, with the full token as tooltip', () => {
    const long = 'antidisestablishmentarianism';
    const view = attentionView({ queryTokens: [' ', long], weights: [[1, 0], [0.5, 0.5]] });
    const doc = parseSvg(view.svg);
    expect(svgTexts(doc)).toEqual(expect.arrayContaining(['·', 'antidisestabl…']));
    expect(Array.from(doc.getElementsByTagName('title')).map((t) => t.textContent)).toContain(long);
  });
});
