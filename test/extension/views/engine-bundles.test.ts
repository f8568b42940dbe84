// @vitest-environment jsdom
import { describe, expect, it } from 'vitest';
import { attentionView, gatesView, heatmap, hiddenStatesView, linePlot } from '../../../engine/src/display/index.js';
import { renderView } from '../../../extension/src/views/render.js';
import { viewFixture } from '../plotly-recorder.js';

// What the engine emits is what the extension draws: every builder's bundle renders
// without an error, through the same entry JupyterLab and exported pages use.
const f = viewFixture();

const tokens = ['the', 'cat', 'sat'];
const views = {
  attention: attentionView({ queryTokens: tokens, weights: [[[1, 0, 0], [0.4, 0.6, 0], [0.2, 0.3, 0.5]]], mask: [[false, true, true], [false, false, true], [false, false, false]], kind: 'causal-self' }),
  'hidden states': hiddenStatesView({ tokens, series: { h: [[0.1, 0.2], [0.3, -0.4], [0.5, 0.6]] } }),
  gates: gatesView({ architecture: 'gru', tokens, gates: { reset: [[0.1], [0.5], [0.9]], update: [[0.2], [0.4], [0.6]] } }),
  'line plot': linePlot([3, 2, 1.5], { logY: true, xLabels: tokens }),
  heatmap: heatmap([[1, -1], [0.5, 0.25]], { x: ['a', 'b'] }),
};

describe('engine bundles in the renderer', () => {
  for (const [name, view] of Object.entries(views)) {
    it(`draws the ${name} bundle`, async () => {
      const bundle = view[Symbol.for('Jupyter.display') as keyof typeof view] as unknown as () => Record<string, unknown>;
      const data = bundle.call(view);
      const mime = Object.keys(data).find((k) => k.startsWith('application/'))!;
      const handle = renderView(mime, data[mime], f.host, { loadPlotly: f.rec.loader, theme: 'light', fallbackSvg: data['image/svg+xml'] as string });
      await handle.ready;
      expect(f.host.querySelector('.seqlab-error:not([hidden])')).toBeNull();
      expect(handle.element.classList.contains('seqlab-view')).toBe(true);
    });
  }
});
