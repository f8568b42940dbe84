/**
 * seqlab's views in the real JupyterLab: test/fixtures/notebooks/views.ipynb holds saved
 * outputs (display bundles from the engine's view builders); opened in the host with the
 * prebuilt @seqlab/jupyterlab extension, every bundle must be drawn by its view (not shown
 * as text or as the static fallback), with the payload's numbers and tokens, and the head
 * view must answer hover. Screenshots of each view go to test-results/e2e/view-*.png.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import type { Locator } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { prepareHost, recordTimings, renderedFigures, repoRoot, resultsDir, startLab, type Lab } from './harness.js';

const fixture = join(repoRoot, 'test', 'fixtures', 'notebooks', 'views.ipynb');

type Json = Record<string, any>;

/** The saved bundles of the fixture, by cell index. */
function savedBundles(): Map<number, Json> {
  const nb = JSON.parse(readFileSync(fixture, 'utf8')) as { cells: Array<{ outputs?: Array<{ data?: Json }> }> };
  const out = new Map<number, Json>();
  nb.cells.forEach((cell, i) => {
    const data = cell.outputs?.[0]?.data;
    if (data) {
      out.set(i, data);
    }
  });
  return out;
}

const ATTENTION = 'application/vnd.seqlab.attention.v1+json';
const HIDDEN = 'application/vnd.seqlab.hidden-states.v1+json';
const GATES = 'application/vnd.seqlab.gates.v1+json';
const PLOTLY = 'application/vnd.plotly.v1+json';

/** The index of the first cell whose saved bundle has `mime` and satisfies `test`. */
function cellWith(bundles: Map<number, Json>, mime: string, test: (payload: Json) => boolean = () => true): number {
  for (const [i, data] of bundles) {
    if (data[mime] && test(data[mime])) {
      return i;
    }
  }
  throw new Error(`views.ipynb has no ${mime} output matching the test`);
}

// Browser steps are slow on a loaded 2-core machine; a wedged page still fails within 2 minutes.
describe('seqlab views in JupyterLab (views.ipynb)', { timeout: 120_000 }, () => {
  const bundles = savedBundles();
  let lab: Lab | null = null;
  const dialogs: string[] = [];

  /** The CSS scope of cell `i`'s output area. */
  const scope = (i: number): string => `.jp-Notebook [data-e2e-cell="${i}"] .jp-OutputArea-output`;
  const output = (i: number): Locator => lab!.page.locator(scope(i)).first();
  const shot = async (i: number, name: string): Promise<void> => {
    await output(i).screenshot({ path: join(resultsDir, `${name}.png`) });
  };

  beforeAll(async () => {
    await prepareHost();
    lab = await startLab({ seqlab: true, notebooks: { 'views.ipynb': fixture } });
    lab.page.on('dialog', dialog => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    const started = Date.now();
    await lab.openNotebook('views.ipynb');
    // Mark each cell's node with its index, so selectors can name a cell's output.
    await lab.page.evaluate(() => {
      const panel = (window as unknown as { jupyterapp: any }).jupyterapp.shell.currentWidget;
      panel.content.widgets.forEach((cell: { node: HTMLElement }, i: number) => cell.node.setAttribute('data-e2e-cell', String(i)));
    });
    const expected = [...bundles.values()].length;
    await lab.page.waitForFunction(
      (n: number) => document.querySelectorAll('.jp-Notebook .jp-RenderedSeqlab .seqlab-view').length >= n,
      expected,
      { timeout: 60_000, polling: 100 }
    );
    lab.timings['viewsRendered'] = (Date.now() - started) / 1000;
  }, 900_000);

  afterAll(async () => {
    await lab?.close();
  }, 60_000);

  it('draws every saved bundle with its view, never as text or static fallback', async () => {
    const l = lab!;
    for (const [i, data] of bundles) {
      // The output area's child is the renderer JupyterLab chose for the bundle.
      const kinds = await l.page.$$eval(scope(i), nodes => nodes.map(n => n.className));
      expect(kinds, `cell ${i}`).toHaveLength(1);
      expect(kinds[0], `cell ${i}`).toContain('jp-RenderedSeqlab');
      expect(kinds[0]).not.toMatch(/jp-RenderedText|jp-RenderedImage|jp-RenderedSVG/);
      const malformed = (data['text/plain'] as string).includes('malformed');
      expect(await l.page.locator(`${scope(i)} .seqlab-error-view`).count(), `cell ${i}`).toBe(malformed ? 1 : 0);
      // Plot slots keep a hidden error line for plotly failures; none may be showing.
      expect(await l.page.locator(`${scope(i)} .seqlab-error:not([hidden])`).count(), `cell ${i}`).toBe(malformed ? 1 : 0);
    }
  });

  it('attention head view: tokens as labels; hovering a token highlights its weights', async () => {
    const l = lab!;
    const i = cellWith(bundles, ATTENTION, p => Boolean(p.mask) && p.weights[0].length > 1);
    const p = bundles.get(i)![ATTENTION] as Json;
    const view = `${scope(i)} .seqlab-attention`;
    expect(await l.page.$$eval(`${view} .seqlab-query text`, ns => ns.map(n => n.textContent))).toEqual(p.queryTokens);
    expect(await l.page.$$eval(`${view} .seqlab-key text`, ns => ns.map(n => n.textContent))).toEqual(p.keyTokens);
    expect(await l.page.locator(`${view} .seqlab-focus line`).count()).toBe(0);
    await shot(i, 'view-attention-heads');

    // One colour scale for the whole view: opacity = weight / largest weight of the payload.
    const zmax = Math.max(...(p.weights as number[][][][]).flat(3));
    const head = p.weights[0][0] as number[][];
    const readFocus = (): Promise<Array<{ q: number; k: number; opacity: number }>> =>
      l.page.$$eval(`${view} .seqlab-focus line`, ns =>
        ns.map(n => ({ q: Number(n.getAttribute('data-query')), k: Number(n.getAttribute('data-key')), opacity: Number(n.getAttribute('stroke-opacity')) }))
      );
    const expectHighlight = async (q: number): Promise<Array<{ q: number; k: number; opacity: number }>> => {
      await l.page.locator(`${view} .seqlab-query[data-index="${q}"]`).hover();
      await l.page.waitForSelector(`${view} .seqlab-query.seqlab-active[data-index="${q}"]`, { timeout: 5_000 });
      const lines = await readFocus();
      const visible = head[q]!.map((w, k) => ({ w, k })).filter(({ w, k }) => !p.mask[q][k] && w / zmax >= 0.02);
      expect(lines.map(x => x.k)).toEqual(visible.map(x => x.k));
      expect(lines.every(x => x.q === q)).toBe(true);
      for (const line of lines) {
        expect(line.opacity).toBeCloseTo(Math.min(1, head[q]![line.k]! / zmax), 2);
      }
      const masked = await l.page.$$eval(`${view} .seqlab-key.seqlab-masked`, ns => ns.map(n => Number(n.getAttribute('data-index'))));
      expect(masked).toEqual((p.mask[q] as boolean[]).flatMap((m, k) => (m ? [k] : [])));
      expect(await l.page.textContent(`${view} .seqlab-readout`)).toContain(`query “${p.queryTokens[q]}” (${q}) attends most to`);
      return lines;
    };
    const first = await expectHighlight(2);
    await shot(i, 'view-attention-heads-hover');
    const second = await expectHighlight(5);
    expect(second).not.toEqual(first);
    await l.page.mouse.move(1, 1);
    await l.page.waitForFunction((sel: string) => document.querySelectorAll(`${sel} .seqlab-focus line`).length === 0, view, { timeout: 5_000 });
  });

  it('attention heatmap: a plotly heatmap of the head with token tick labels', async () => {
    const l = lab!;
    const i = cellWith(bundles, ATTENTION, p => Boolean(p.mask));
    const p = bundles.get(i)![ATTENTION] as Json;
    await l.page.click(`${scope(i)} button[data-mode="heatmap"]`);
    await l.page.waitForSelector(`${scope(i)} .seqlab-pane-heatmap .js-plotly-plot .heatmaplayer`, { timeout: 30_000 });
    const [figure] = await renderedFigures(l.page, `${scope(i)} .seqlab-pane-heatmap`);
    expect(figure!.traces[0]!.type).toBe('heatmap');
    expect(figure!.traces[0]!.z).toEqual(p.weights[0][0]);
    expect(figure!.xTickLabels).toEqual(p.keyTokens);
    expect(figure!.yTickLabels).toEqual(p.queryTokens);
    await shot(i, 'view-attention-heatmap');
  });

  it('cross-attention with named heads, and a layer x head grid for a deeper model', async () => {
    const l = lab!;
    const cross = cellWith(bundles, ATTENTION, p => p.queryTokens.length !== p.keyTokens.length);
    const cp = bundles.get(cross)![ATTENTION] as Json;
    const view = `${scope(cross)} .seqlab-attention`;
    expect(await l.page.$$eval(`${view} .seqlab-query text`, ns => ns.map(n => n.textContent))).toEqual(cp.queryTokens);
    expect(await l.page.$$eval(`${view} .seqlab-key text`, ns => ns.map(n => n.textContent))).toEqual(cp.keyTokens);
    const heads = await l.page.$$eval(`${view} select.seqlab-head option`, ns => ns.map(n => n.textContent));
    expect(heads).toEqual([...(cp.headNames as string[]), 'mean of heads']);
    await l.page.selectOption(`${view} select.seqlab-head`, '1');
    await l.page.waitForSelector(`${view} .seqlab-pane-heads[data-map="0:1"]`, { timeout: 5_000 });
    await shot(cross, 'view-attention-cross');

    const deep = cellWith(bundles, ATTENTION, p => p.weights.length > 1);
    const dp = bundles.get(deep)![ATTENTION] as Json;
    const dview = `${scope(deep)} .seqlab-attention`;
    expect(await l.page.locator(`${dview} select.seqlab-layer option`).count()).toBe(dp.weights.length);
    await l.page.click(`${dview} button[data-mode="grid"]`);
    await l.page.waitForSelector(`${dview} .seqlab-thumb`, { timeout: 10_000 });
    const thumbs = await l.page.locator(`${dview} .seqlab-thumb`).count();
    // One per layer and head, plus a mean per layer.
    expect(thumbs).toBe(dp.weights.length * (dp.weights[0].length + 1));
    await shot(deep, 'view-attention-grid');
  });

  it('keeps markup in tokens and titles as text', async () => {
    const l = lab!;
    const i = cellWith(bundles, ATTENTION, p => (p.queryTokens as string[]).some(t => t.includes('<')));
    const p = bundles.get(i)![ATTENTION] as Json;
    const view = `${scope(i)} .seqlab-attention`;
    expect(await l.page.locator(`${view} img, ${view} b, ${view} script`).count()).toBe(0);
    // Long tokens are shortened on the label and given whole in a <title> (the hover tooltip).
    const labels = await l.page.$$eval(`${view} .seqlab-query text`, ns =>
      ns.map(n => n.querySelector('title')?.textContent ?? n.textContent)
    );
    expect(labels.slice(0, 3)).toEqual((p.queryTokens as string[]).slice(0, 3));
    expect(await l.page.textContent(view)).toContain(p.title);
    expect(dialogs).toEqual([]);
    await shot(i, 'view-attention-markup');
  });

  it('hidden states: units x time heatmap with tokens on the time axis, unit lines and norms, series switch', async () => {
    const l = lab!;
    const i = cellWith(bundles, HIDDEN);
    const p = bundles.get(i)![HIDDEN] as Json;
    await l.page.waitForSelector(`${scope(i)} .js-plotly-plot .heatmaplayer`, { timeout: 30_000 });
    const read = async (): Promise<Awaited<ReturnType<typeof renderedFigures>>[number]> => (await renderedFigures(l.page, scope(i)))[0]!;
    let figure = await read();
    const states = p.series[0].states as number[][];
    const unitsByTime = states[0]!.map((_, u) => states.map(row => row[u]));
    expect(figure.traces[0]!.type).toBe('heatmap');
    expect(figure.traces[0]!.z).toEqual(unitsByTime);
    expect(figure.traces.filter(t => t.name?.startsWith('unit ')).length).toBeGreaterThan(0);
    expect(figure.traces.map(t => t.name)).toEqual(expect.arrayContaining((p.series as Json[]).map(s => `‖${s.name}‖`)));
    // Every token labelled (25 fit), a space as the middle dot.
    expect(figure.xTickLabels).toEqual((p.tokens as string[]).map(t => (t.trim() === '' ? '·' : t)));
    await shot(i, 'view-hidden-states');

    await l.page.click(`${scope(i)} button.seqlab-tab[data-series="${p.series[1].name}"]`);
    await l.page.waitForFunction(
      (sel: string) => document.querySelector(`${sel} button.seqlab-tab[aria-pressed="true"]`)?.textContent === 'c',
      scope(i),
      { timeout: 5_000 }
    );
    figure = await read();
    const cStates = p.series[1].states as number[][];
    expect(figure.traces[0]!.z).toEqual(cStates[0]!.map((_, u) => cStates.map(row => row[u])));
  });

  it('gates: one heatmap per gate on a shared time axis, for LSTM and GRU', async () => {
    const l = lab!;
    for (const [architecture, name] of [
      ['lstm', 'view-gates-lstm'],
      ['gru', 'view-gates-gru'],
    ] as const) {
      const i = cellWith(bundles, GATES, p => p.architecture === architecture);
      const p = bundles.get(i)![GATES] as Json;
      await l.page.waitForSelector(`${scope(i)} .js-plotly-plot .heatmaplayer`, { timeout: 30_000 });
      const [figure] = await renderedFigures(l.page, scope(i));
      const heatmaps = figure!.traces.filter(t => t.type === 'heatmap');
      expect(heatmaps.map(t => t.name)).toEqual(Object.keys(p.gates));
      const first = Object.keys(p.gates)[0]!;
      const values = p.gates[first] as number[][];
      expect(heatmaps[0]!.z).toEqual(values[0]!.map((_, u) => values.map(row => row[u])));
      expect(figure!.yTickLabels.length).toBeGreaterThan(0);
      await shot(i, name);
    }
  });

  it('plotly figures: loss curves on a log axis, gradient norms, a positional-encoding heatmap', async () => {
    const l = lab!;
    const names = ['view-plotly-loss', 'view-plotly-gradient-norms', 'view-plotly-positional-encoding'];
    const cells = [...bundles.entries()].filter(([, data]) => data[PLOTLY]).map(([i]) => i);
    expect(cells.length).toBe(3);
    for (const [n, i] of cells.entries()) {
      const p = bundles.get(i)![PLOTLY] as Json;
      await l.page.waitForSelector(`${scope(i)} .js-plotly-plot .main-svg`, { timeout: 30_000 });
      const [figure] = await renderedFigures(l.page, scope(i));
      expect(figure!.title).toBe(p.layout.title.text);
      expect(figure!.traces.map(t => t.type)).toEqual((p.data as Json[]).map(t => t.type ?? 'scatter'));
      for (const [k, trace] of (p.data as Json[]).entries()) {
        if (trace.y) expect(figure!.traces[k]!.y).toEqual(trace.y);
        if (trace.z) expect(figure!.traces[k]!.z).toEqual(trace.z);
      }
      if (p.layout.yaxis?.type) expect(figure!.yaxisType).toBe(p.layout.yaxis.type);
      // Laid out at a readable size in the output area, not collapsed.
      expect(figure!.height).toBeGreaterThanOrEqual(200);
      await shot(i, names[n]!);
    }
  });

  it('says what is wrong with a malformed payload instead of drawing nothing', async () => {
    const l = lab!;
    const i = [...bundles.entries()].find(([, d]) => (d['text/plain'] as string).includes('malformed'))![0];
    const text = await l.page.textContent(`${scope(i)} .seqlab-error-view .seqlab-error`);
    expect(text).toContain('Cannot draw this seqlab attention view');
    expect(text).toMatch(/3/);
    await shot(i, 'view-error');
  });

  it('logs no unexpected console errors', async () => {
    const l = lab!;
    expect(l.unexpectedErrors()).toEqual([]);
    recordTimings('views notebook', { ...l.timings });
  });
});
