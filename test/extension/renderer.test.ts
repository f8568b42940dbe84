// @vitest-environment jsdom
import { afterEach, describe, expect, it } from 'vitest';
import type { IRenderMime } from '@jupyterlab/rendermime-interfaces';
import { recordingPlotly } from './plotly-recorder.js';

// jsdom has no DragEvent, which @lumino/dragdrop (loaded by @lumino/widgets) subclasses.
(globalThis as { DragEvent?: unknown }).DragEvent ??= class DragEvent extends MouseEvent {};
const { Widget } = await import('@lumino/widgets');
const { default: extensions, RANK, SeqlabRenderer } = await import('../../extension/src/index.js');

const ATT = 'application/vnd.seqlab.attention.v1+json';
const payload = { version: 1, queryTokens: ['a', 'b'], keyTokens: ['a', 'b'], weights: [[[[1, 0], [0.5, 0.5]]]] };

function model(data: Record<string, unknown>): IRenderMime.IMimeModel {
  return { trusted: false, data, metadata: {}, setData: () => undefined } as unknown as IRenderMime.IMimeModel;
}

afterEach(() => {
  document.body.innerHTML = '';
  document.body.removeAttribute('data-jp-theme-light');
});

describe('the mime extension', () => {
  it('registers one safe renderer per MIME type, ranked before the SVG fallback', () => {
    expect(extensions.map((e) => e.rendererFactory.mimeTypes)).toEqual([
      ['application/vnd.seqlab.attention.v1+json'],
      ['application/vnd.seqlab.hidden-states.v1+json'],
      ['application/vnd.seqlab.gates.v1+json'],
      ['application/vnd.plotly.v1+json'],
    ]);
    for (const e of extensions) {
      expect(e.id).toMatch(/^@seqlab\/jupyterlab:/);
      expect(e.dataType).toBe('json');
      expect(e.rendererFactory.safe).toBe(true);
      expect(e.rank).toBe(RANK);
      expect(e.rendererFactory.defaultRank).toBeLessThan(90); // JupyterLab's image/svg+xml renderer has rank 90
      const r = e.rendererFactory.createRenderer({ mimeType: e.rendererFactory.mimeTypes[0]!, sanitizer: {} } as IRenderMime.IRendererOptions);
      expect(r).toBeInstanceOf(SeqlabRenderer);
      r.dispose();
    }
  });
});

describe('SeqlabRenderer', () => {
  it('renders a model, re-renders on update, follows the theme and disposes', async () => {
    document.body.setAttribute('data-jp-theme-light', 'true');
    const rec = recordingPlotly();
    const r = new SeqlabRenderer({ mimeType: ATT, sanitizer: {} } as IRenderMime.IRendererOptions, rec.loader);
    Widget.attach(r, document.body);
    await r.renderModel(model({ [ATT]: payload }));
    expect(r.node.querySelectorAll('.seqlab-attention')).toHaveLength(1);
    expect(r.node.querySelector('.seqlab-attention')!.classList.contains('seqlab-dark')).toBe(false);
    // update_display_data: the old view goes, the new one comes.
    await r.renderModel(model({ [ATT]: { ...payload, title: 'second' } }));
    expect(r.node.querySelectorAll('.seqlab-attention')).toHaveLength(1);
    expect(r.node.querySelector('.seqlab-title')!.textContent).toBe('second');
    document.body.setAttribute('data-jp-theme-light', 'false');
    await new Promise((resolve) => setTimeout(resolve, 0)); // MutationObserver delivery
    expect(r.node.querySelector('.seqlab-attention')!.classList.contains('seqlab-dark')).toBe(true);
    r.dispose();
    expect(r.node.querySelector('.seqlab-attention')).toBeNull();
  });

  it('shows the error and the static figure for a malformed payload', async () => {
    const r = new SeqlabRenderer({ mimeType: ATT, sanitizer: {} } as IRenderMime.IRendererOptions, recordingPlotly().loader);
    await r.renderModel(model({ [ATT]: { version: 1 }, 'image/svg+xml': '<svg xmlns="http://www.w3.org/2000/svg"/>' }));
    expect(r.node.querySelector('.seqlab-error li')!.textContent).toBe('the payload lacks the field "queryTokens"');
    expect(r.node.querySelector('img.seqlab-fallback')).not.toBeNull();
    r.dispose();
  });
});
