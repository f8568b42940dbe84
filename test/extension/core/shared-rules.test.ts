import { describe, expect, it } from 'vitest';
import * as engineLabels from '../../../engine/src/display/svg/xml.js';
import * as enginePalette from '../../../engine/src/display/palette.js';
import { plotlyEscape as enginePlotlyEscape } from '../../../engine/src/display/plotly-text.js';
import { plotlyEscape, tokenLabel } from '../../../extension/src/core/dom.js';
import * as palette from '../../../extension/src/core/palette.js';

// The extension takes these rules from the engine's dependency-free subpath
// `@seqlab/engine/display/shared` (bundled into the labextension); these tests check the
// views see exactly what the static figures use.
describe('rules shared with the engine static figures', () => {
  it('uses the same colour scales', () => {
    expect(palette.SEQUENTIAL).toEqual(enginePalette.SEQUENTIAL);
    expect(palette.DIVERGING).toEqual(enginePalette.DIVERGING);
    expect(palette.MASKED_COLOR).toBe(enginePalette.MASKED_COLOR);
    expect([...palette.COLORWAY]).toEqual([...enginePalette.COLORWAY]);
    const lut = palette.lookupTable(palette.SEQUENTIAL);
    for (const i of [0, 64, 128, 200, 255]) {
      const hex = enginePalette.colorAt(enginePalette.SEQUENTIAL, i / 255);
      expect([lut[i * 3], lut[i * 3 + 1], lut[i * 3 + 2]]).toEqual([1, 3, 5].map((k) => Number.parseInt(hex.slice(k, k + 2), 16)));
    }
  });

  it('labels tokens and escapes plotly text the same way', () => {
    const tokens = ['the', ' ', '   ', '\n', '\r\n', 'a\tb', '', 'antidisestablishmentarianism', '😀'.repeat(20), '<img src=x onerror=alert(1)>', '&amp;'];
    for (const t of tokens) {
      expect(tokenLabel(t)).toBe(engineLabels.tokenLabel(t));
      expect(tokenLabel(t, 20)).toBe(engineLabels.tokenLabel(t, 20));
      expect(plotlyEscape(t)).toBe(enginePlotlyEscape(t));
    }
  });
});
