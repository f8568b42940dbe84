/**
 * The JupyterFrontEndPlugin in the real JupyterLab host (headless Chromium): right-click a
 * seqlab view, pick "Open View in a Side Panel" and the panel draws a live copy of the view
 * (same traces, same token labels) that stays when the output is cleared; "Save View as
 * PNG" downloads a PNG, "Save View as SVG" on the attention head view an SVG holding the
 * tokens; the palette command without a seqlab view says so and does nothing.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import type { Download } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { prepareHost, renderedFigures, repoRoot, resultsDir, startLab, type Lab } from '../e2e/harness.js';

const fixture = join(repoRoot, 'test', 'fixtures', 'notebooks', 'views.ipynb');
const GATES = 'application/vnd.seqlab.gates.v1+json';
const ATTENTION = 'application/vnd.seqlab.attention.v1+json';

type Json = Record<string, any>;

/** The first code cell of the fixture whose saved bundle has `mime` and satisfies `test`. */
function savedCell(mime: string, test: (payload: Json) => boolean = () => true): { index: number; payload: Json } {
  const nb = JSON.parse(readFileSync(fixture, 'utf8')) as { cells: Array<{ outputs?: Array<{ data?: Json }> }> };
  for (const [index, cell] of nb.cells.entries()) {
    const payload = cell.outputs?.[0]?.data?.[mime];
    if (payload && test(payload)) return { index, payload };
  }
  throw new Error(`views.ipynb has no ${mime} output matching the test`);
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

describe('the @seqlab/jupyterlab commands plugin in JupyterLab', { timeout: 120_000 }, () => {
  let lab: Lab | null = null;
  const gates = savedCell(GATES, p => p.architecture === 'lstm');
  const attention = savedCell(ATTENTION, p => p.queryTokens.length !== p.keyTokens.length);
  const scope = (i: number): string => `.jp-Notebook [data-e2e-cell="${i}"] .jp-OutputArea-output`;

  /** Right-clicks `selector` and picks the context menu item `label`. */
  const contextMenu = async (selector: string, label: string): Promise<void> => {
    const page = lab!.page;
    await page.click(selector, { button: 'right', position: { x: 30, y: 30 } });
    const item = page.locator('.lm-Menu .lm-Menu-item', { hasText: label });
    await item.first().waitFor({ timeout: 10_000 });
    await item.first().click();
  };

  const download = async (trigger: () => Promise<void>): Promise<{ download: Download; bytes: Buffer }> => {
    const [d] = await Promise.all([lab!.page.waitForEvent('download', { timeout: 30_000 }), trigger()]);
    const path = await d.path();
    return { download: d, bytes: readFileSync(path!) };
  };

  beforeAll(async () => {
    await prepareHost();
    lab = await startLab({ seqlab: true, notebooks: { 'views.ipynb': fixture } });
    await lab.openNotebook('views.ipynb');
    await lab.page.evaluate(() => {
      const panel = (window as unknown as { jupyterapp: any }).jupyterapp.shell.currentWidget;
      panel.content.widgets.forEach((cell: { node: HTMLElement }, i: number) => cell.node.setAttribute('data-e2e-cell', String(i)));
    });
    await lab.page.waitForSelector(`${scope(gates.index)} .js-plotly-plot .heatmaplayer`, { timeout: 60_000 });
    await lab.page.waitForSelector(`${scope(attention.index)} .seqlab-head-view`, { timeout: 60_000 });
  }, 900_000);

  afterAll(async () => {
    await lab?.close();
  }, 60_000);

  /** The open context menu as shown: item labels, and '---' for each separator drawn. */
  const menuEntries = (): Promise<string[]> =>
    lab!.page.$$eval('.lm-Menu:not(.lm-MenuBar-menu) > .lm-Menu-content > .lm-Menu-item', items =>
      items
        .filter(li => !li.classList.contains('lm-mod-collapsed') && !li.classList.contains('lm-mod-hidden'))
        .map(li => (li.getAttribute('data-type') === 'separator' ? '---' : (li.querySelector('.lm-Menu-itemLabel')?.textContent ?? '')))
    );

  it('offers the commands in the context menu of seqlab outputs only, as a group of their own', async () => {
    const page = lab!.page;
    await page.click(`${scope(gates.index)} .seqlab-gates-plot`, { button: 'right', position: { x: 30, y: 30 } });
    await page.locator('.lm-Menu .lm-Menu-item', { hasText: 'Save View as PNG' }).first().waitFor({ timeout: 10_000 });
    const entries = await menuEntries();
    const ours = ['Open View in a Side Panel', 'Save View as PNG', 'Save View as SVG'];
    const at = entries.indexOf(ours[0]!);
    expect(entries.slice(at, at + 3), entries.join(' | ')).toEqual(ours);
    // Between separators (or the menu's ends), not interleaved with the notebook's items.
    expect([entries[at - 1] ?? '---', entries[at + 3] ?? '---'], entries.join(' | ')).toEqual(['---', '---']);
    // The notebook's cell group stays whole, and seqlab's group comes after its output items.
    const cut = entries.indexOf('Cut Cell');
    expect(entries.slice(cut, cut + 3)).toEqual(['Cut Cell', 'Copy Cell', 'Paste Cell Below']);
    expect(at).toBeGreaterThan(entries.indexOf('Clear Cell Output'));
    await page.screenshot({ path: join(resultsDir, 'plugin-context-menu.png') });
    await page.keyboard.press('Escape');
    // A markdown cell is no seqlab output.
    await page.click('.jp-Notebook [data-e2e-cell="0"]', { button: 'right' });
    const other = await page.locator('.lm-Menu .lm-Menu-itemLabel').allTextContents();
    expect(other.length).toBeGreaterThan(0);
    expect(other).not.toContain('Save View as PNG');
    await page.keyboard.press('Escape');
  });

  it('saves the view under the right-click as a PNG', async () => {
    const { download: d, bytes } = await download(() => contextMenu(`${scope(gates.index)} .seqlab-gates-plot`, 'Save View as PNG'));
    expect(d.suggestedFilename()).toBe('lstm-gates.png');
    await d.saveAs(join(resultsDir, 'plugin-saved-gates.png'));
    expect([...bytes.subarray(0, 8)]).toEqual(PNG_SIGNATURE);
    // IHDR: width and height at 2x of a figure at least as wide as the plot on screen.
    const plotWidth = await lab!.page.$eval(`${scope(gates.index)} .js-plotly-plot`, el => el.getBoundingClientRect().width);
    expect(bytes.readUInt32BE(16)).toBeGreaterThanOrEqual(Math.floor(plotWidth) * 2);
    expect(bytes.readUInt32BE(20)).toBeGreaterThan(400);
    expectDrawnPng(bytes);
  });

  it('saves the attention head view (SVG drawn by seqlab) as an SVG with its tokens', async () => {
    const { download: d, bytes } = await download(() => contextMenu(`${scope(attention.index)} .seqlab-head-view`, 'Save View as SVG'));
    expect(d.suggestedFilename()).toBe('encoder-decoder-attention.svg');
    await d.saveAs(join(resultsDir, 'plugin-saved-head-view.svg'));
    const svg = bytes.toString('utf8');
    // One root <svg>, declaring its namespace once (a standalone file viewers open).
    const root = svg.match(/^<\?xml[^>]*>\n<svg [^>]*>/);
    expect(root).not.toBeNull();
    expect(root![0].match(/xmlns="http:\/\/www\.w3\.org\/2000\/svg"/g)).toHaveLength(1);
    // Tokens are drawn as short labels; plain words are drawn as they are.
    const words = ([...attention.payload.queryTokens, ...attention.payload.keyTokens] as string[]).filter(t => /^[\w.,!?'-]{1,20}$/.test(t));
    expect(words.length).toBeGreaterThan(3);
    for (const token of words) expect(svg).toContain(`>${token}</text>`);
    // The lines of the head view, with their computed colours written in.
    expect(svg).toMatch(/<path[^>]+stroke-opacity/);
  });

  it('saves on the dark theme background, with its text colours', async () => {
    const page = lab!.page;
    const theme = (name: string, light: string) =>
      page.evaluate(async ([n, l]) => {
        await (window as unknown as { jupyterapp: any }).jupyterapp.commands.execute('apputils:change-theme', { theme: n });
        // The theme's CSS is loaded when the marker flips.
        while (document.body.dataset['jpThemeLight'] !== l) await new Promise(r => setTimeout(r, 50));
      }, [name, light] as const);
    const tick = `${scope(gates.index)} .js-plotly-plot .xtick text`;
    const tickFill = (): Promise<string> => page.$eval(tick, el => getComputedStyle(el).fill);
    const lightFill = await tickFill();
    await theme('JupyterLab Dark', 'false');
    try {
      // plotly redraws with the dark theme's text colour; wait for it before saving.
      await page.waitForFunction(([sel, light]) => getComputedStyle(document.querySelector(sel)!).fill !== light, [tick, lightFill] as const, {
        timeout: 10_000,
      });
      const darkFill = await tickFill();
      const { bytes } = await download(() => contextMenu(`${scope(gates.index)} .seqlab-gates-plot`, 'Save View as SVG'));
      const svg = bytes.toString('utf8');
      const bg = /<rect width="100%" height="100%" fill="([^"]+)"/.exec(svg)![1]!;
      const [r, g, b] = bg.match(/\d+/g)!.map(Number);
      expect(r! + g! + b!).toBeLessThan(3 * 80); // dark
      const title = /<text[^>]*fill="([^"]+)"[^>]*>LSTM gates<\/text>/.exec(svg)![1]!;
      expect(title.match(/\d+/g)!.map(Number).reduce((a, c) => a + c, 0)).toBeGreaterThan(3 * 160); // light text
      // The plot inside is plotly's own export of the redrawn figure: light tick labels too.
      // (plotly writes black fills of its own elsewhere, so only the dark theme's colour is checked.)
      expect(darkFill).not.toBe(lightFill);
      expect(svg.split(`fill: ${darkFill}`).length - 1).toBeGreaterThan(20); // ticks, axis titles, colour bars
    } finally {
      await theme('JupyterLab Light', 'true');
    }
  });

  it('opens a live copy in a side panel that stays when the output is cleared', async () => {
    const page = lab!.page;
    const source = await renderedFigures(page, scope(gates.index));
    await contextMenu(`${scope(gates.index)} .seqlab-gates-plot`, 'Open View in a Side Panel');
    await page.waitForSelector('.seqlab-ViewPanel .seqlab-gates .js-plotly-plot .heatmaplayer', { timeout: 30_000 });
    const tab = await page.locator('.lm-DockPanel-tabBar .lm-TabBar-tab', { hasText: 'seqlab: LSTM gates' }).count();
    expect(tab).toBe(1);
    const panel = await renderedFigures(page, '.seqlab-ViewPanel');
    const heatmaps = panel[0]!.traces.filter(t => t.type === 'heatmap');
    expect(heatmaps.map(t => t.name)).toEqual(Object.keys(gates.payload.gates));
    expect(panel[0]!.traces).toEqual(source[0]!.traces);
    expect(panel[0]!.yTickLabels).toEqual(source[0]!.yTickLabels);
    expect(panel[0]!.xTickLabels.length).toBeGreaterThan(0);
    expect(panel[0]!.xTickLabels).toEqual(source[0]!.xTickLabels);
    // Beside the notebook, not over it: both are visible.
    expect(await page.locator('.jp-NotebookPanel:visible').count()).toBe(1);
    await page.locator('.seqlab-ViewPanel').screenshot({ path: join(resultsDir, 'plugin-side-panel.png') });

    // Interactive: clicking a cell draws that unit's gates below, in the panel.
    const plot = page.locator('.seqlab-ViewPanel .seqlab-gates-plot .nsewdrag').first();
    await plot.click({ position: { x: 40, y: 20 } });
    await page.waitForSelector('.seqlab-ViewPanel .seqlab-pane-unit:not([hidden]) .js-plotly-plot', { timeout: 10_000 });

    // A copy: clearing the notebook's outputs leaves the panel as it was.
    await page.evaluate(() => {
      const app = (window as unknown as { jupyterapp: any }).jupyterapp;
      return app.commands.execute('notebook:clear-all-cell-outputs');
    });
    await page.waitForFunction(() => document.querySelectorAll('.jp-Notebook .jp-RenderedSeqlab').length === 0, null, { timeout: 10_000 });
    const after = await renderedFigures(page, '.seqlab-ViewPanel');
    expect(after).toHaveLength(2); // the gates and the unit picked above
    expect(after[0]!.traces).toEqual(source[0]!.traces);

    // The panel's own view has the same commands.
    const { bytes } = await download(() => contextMenu('.seqlab-ViewPanel .seqlab-gates-plot', 'Save View as PNG'));
    expect([...bytes.subarray(0, 8)]).toEqual(PNG_SIGNATURE);
  });

  it('says there is no view when a palette command finds none, and does nothing', async () => {
    const page = lab!.page;
    // The notebook is current again and its cells have no outputs now.
    await page.evaluate(() => {
      const app = (window as unknown as { jupyterapp: any }).jupyterapp;
      const nb = [...app.shell.widgets('main')].find((w: any) => w.hasClass('jp-NotebookPanel'));
      app.shell.activateById(nb.id);
    });
    let downloads = 0;
    page.on('download', () => downloads++);
    const panels = await page.locator('.seqlab-ViewPanel').count();
    const result = await page.evaluate(() => (window as unknown as { jupyterapp: any }).jupyterapp.commands.execute('seqlab:save-view-png'));
    expect(result).toBeNull();
    await page.waitForSelector('.Toastify__toast >> text=No seqlab view here', { timeout: 10_000 });
    await page.evaluate(() => (window as unknown as { jupyterapp: any }).jupyterapp.commands.execute('seqlab:open-view-in-panel'));
    expect(await page.locator('.seqlab-ViewPanel').count()).toBe(panels);
    expect(downloads).toBe(0);
  });

  it('logs no unexpected console errors', () => {
    expect(lab!.unexpectedErrors()).toEqual([]);
  });
});

/** A PNG of a drawn figure is not one flat colour: its compressed image data is more than a few hundred bytes. */
function expectDrawnPng(bytes: Buffer): void {
  let idat = 0;
  for (let at = 8; at < bytes.length; ) {
    const length = bytes.readUInt32BE(at);
    if (bytes.toString('latin1', at + 4, at + 8) === 'IDAT') idat += length;
    at += 12 + length;
  }
  expect(idat).toBeGreaterThan(5_000);
}
