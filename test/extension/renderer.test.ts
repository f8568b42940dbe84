// @vitest-environment jsdom
import { afterEach, describe, expect, it } from 'vitest';
import type { IRenderMime } from '@jupyterlab/rendermime-interfaces';
import { recordingPlotly } from './plotly-recorder.js';

// jsdom has no DragEvent, which @lumino/dragdrop (loaded by @lumino/widgets) subclasses.
(globalThis as { DragEvent?: unknown }).DragEvent ??= class DragEvent extends MouseEvent {};
const { Widget } = await import('@lumino/widgets');
const { default: extensions, MARK_RANK, RANK, SeqlabRenderer } = await import('../../extension/src/index.js');

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
  it('registers one safe renderer per MIME type, ranked before the SVG fallback, plotly figures through their mark', () => {
    expect(extensions.map((e) => e.rendererFactory.mimeTypes)).toEqual([
      ['application/vnd.seqlab.attention.v1+json'],
      ['application/vnd.seqlab.hidden-states.v1+json'],
      ['application/vnd.seqlab.gates.v1+json'],
      // Not application/vnd.plotly.v1+json: that stays with plotly's own renderer (plugin.ts).
      ['application/vnd.seqlab.figure.v1+json'],
    ]);
    expect(extensions.map((e) => e.rank)).toEqual([RANK, RANK, RANK, MARK_RANK]);
    expect(MARK_RANK).toBeLessThan(0); // before jupyterlab-plotly's rank 0
    for (const e of extensions) {
      expect(e.id).toMatch(/^@seqlab\/jupyterlab:/);
      expect(e.dataType).toBe('json');
      expect(e.rendererFactory.safe).toBe(true);
      expect(e.rendererFactory.defaultRank).toBe(e.rank);
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

describe('plotly figures in JupyterLab', () => {
  const PLOTLY = 'application/vnd.plotly.v1+json';
  const MARK = 'application/vnd.seqlab.figure.v1+json';
  const figure = { data: [{ type: 'scatter', y: [3, 1, 2] }], layout: { title: { text: 'loss' } } };
  /** Stands in for jupyterlab-plotly's factory (rank 0, its own renderer). */
  const theirs = { safe: true, mimeTypes: [PLOTLY], defaultRank: 0, createRenderer: () => new Widget() as unknown as IRenderMime.IRenderer };

  /**
   * JupyterLab's registry as far as this needs it (@jupyterlab/rendermime's registry.js: one
   * factory per MIME type, the last added; a bundle's MIME types tried by rank, then by order
   * of addition). The real one, with jupyterlab-plotly, is in test/e2e/lab.test.ts.
   */
  function registry() {
    const factories = new Map<string, IRenderMime.IRendererFactory>();
    const ranks = new Map<string, [number, number]>();
    let id = 0;
    const reg = {
      getFactory: (mime: string) => factories.get(mime),
      addFactory(factory: IRenderMime.IRendererFactory, rank = factory.defaultRank ?? 100) {
        for (const mime of factory.mimeTypes) (factories.set(mime, factory), ranks.set(mime, [rank, id++]));
      },
      preferredMimeType(bundle: Record<string, unknown>) {
        const sorted = [...ranks].sort(([, a], [, b]) => a[0] - b[0] || a[1] - b[1]).map(([m]) => m);
        return sorted.find((m) => m in bundle && factories.get(m)!.safe);
      },
    };
    for (const e of extensions) reg.addFactory(e.rendererFactory, e.rank);
    reg.addFactory({ safe: true, mimeTypes: ['text/html'], defaultRank: 50, createRenderer: () => new Widget() as unknown as IRenderMime.IRenderer });
    return reg;
  }

  it('are seqlab\'s where no plotly extension is, else plotly\'s own renderer\'s; seqlab\'s own figures are always seqlab\'s', async () => {
    const { claimPlotlyIfUnclaimed } = await import('../../extension/src/lab/plotly.js');
    const started = { started: Promise.resolve() };
    // No plotly extension: seqlab adds its renderer for plotly's MIME type once the app has started.
    const alone = registry();
    expect(await claimPlotlyIfUnclaimed(started, alone)).toBe(true);
    expect(alone.getFactory(PLOTLY)!.createRenderer({ mimeType: PLOTLY } as IRenderMime.IRendererOptions)).toBeInstanceOf(SeqlabRenderer);
    expect(alone.preferredMimeType({ [PLOTLY]: figure, 'text/html': '<div></div>' })).toBe(PLOTLY);

    // jupyterlab-plotly registered first: seqlab leaves it alone.
    const before = registry();
    before.addFactory(theirs, 0);
    expect(await claimPlotlyIfUnclaimed(started, before)).toBe(false);
    expect(before.getFactory(PLOTLY)).toBe(theirs);
    // A figure of another kernel goes to plotly's renderer, a seqlab figure (marked) to seqlab's.
    expect(before.preferredMimeType({ [PLOTLY]: figure, 'text/html': '<div></div>' })).toBe(PLOTLY);
    expect(before.preferredMimeType({ [PLOTLY]: figure, [MARK]: { version: 1, of: PLOTLY }, 'text/plain': 'loss' })).toBe(MARK);

    // jupyterlab-plotly registered after seqlab's fallback: it replaces it (JupyterLab keeps the last).
    alone.addFactory(theirs, 0);
    expect(alone.getFactory(PLOTLY)).toBe(theirs);
    expect(alone.preferredMimeType({ [PLOTLY]: figure, [MARK]: { version: 1, of: PLOTLY } })).toBe(MARK);
  });

  it('draws a marked figure from the bundle\'s plotly entry, and says what is wrong with a bad mark', async () => {
    const rec = recordingPlotly();
    const r = new SeqlabRenderer({ mimeType: MARK, sanitizer: {} } as IRenderMime.IRendererOptions, rec.loader);
    Widget.attach(r, document.body);
    await r.renderModel(model({ [PLOTLY]: figure, [MARK]: { version: 1, of: PLOTLY }, 'text/plain': 'loss' }));
    expect(rec.last().data[0]!.y).toEqual([3, 1, 2]);
    expect(r.node.querySelector('.seqlab-plotly')).not.toBeNull();
    await r.renderModel(model({ [MARK]: { version: 1, of: PLOTLY } }));
    expect(r.node.querySelector('.seqlab-error li')!.textContent).toBe(`the bundle marks its ${PLOTLY} entry as seqlab's, but has no such entry`);
    await r.renderModel(model({ [PLOTLY]: figure, [MARK]: { version: 2 } }));
    expect(r.node.querySelector('.seqlab-error li')!.textContent).toBe(`the ${MARK} entry: it lacks the field "of"`);
    await r.renderModel(model({ [PLOTLY]: figure, [MARK]: { version: 1, of: 'text/html' } }));
    expect(r.node.querySelector('.seqlab-error li')!.textContent).toBe(`the ${MARK} entry: of must be "${PLOTLY}"`);
    r.dispose();
  });
});
