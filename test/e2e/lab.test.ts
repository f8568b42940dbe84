/**
 * The JupyterLab host in headless Chromium: the shell loads without unexpected console
 * errors, and a notebook on Debian's ipykernel runs its cells and shows their outputs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { linePlot } from '../../engine/src/index.js';
import {
  JUPYTERLAB_PLOTLY,
  notebook,
  outputText,
  prepareHost,
  prepareJupyterlabPlotly,
  recordTimings,
  renderedFigures,
  startLab,
  type Lab,
} from './harness.js';

// Browser steps are slow on a loaded 2-core machine; a wedged page still fails within 2 minutes.
describe('JupyterLab host', { timeout: 120_000 }, () => {
  let lab: Lab | null = null;

  beforeAll(async () => {
    await prepareHost();
    lab = await startLab({
      notebooks: {
        'python.ipynb': notebook([
          'print(6 * 7)',
          'from IPython.display import display, HTML\ndisplay(HTML("<b id=\\"seqlab-e2e-html\\">bold</b>"))',
          '"a" + "b"',
        ]),
        // The traceback names files under /usr/lib/python3: JupyterLab asks /api/resolvePath about them.
        'traceback.ipynb': notebook(['import json\njson.loads("{")']),
      },
    });
  }, 900_000);

  // close() fails when a kernel process outlives the server.
  afterAll(async () => {
    await lab?.close();
  }, 60_000);

  it('loads the shell with every core plugin and no unexpected console errors', async () => {
    const started = Date.now();
    const l = lab!;
    await l.openLab();
    // A fresh workspace shows the launcher, and the file browser lists the root.
    await l.page.waitForSelector('.jp-Launcher', { timeout: 30_000 });
    await l.page.waitForSelector('.jp-DirListing-item[title*="python.ipynb"], .jp-DirListing-itemName:has-text("python.ipynb")', {
      timeout: 30_000,
    });
    const info = await l.page.evaluate(() => {
      const app = (window as unknown as { jupyterapp: any }).jupyterapp;
      return {
        name: app.name,
        version: app.version,
        hasLauncher: Boolean(document.querySelector('.jp-Launcher')),
        fileBrowserItems: [...document.querySelectorAll('.jp-DirListing-itemName')].map(e => e.textContent?.trim()),
        extensionManagerActive: app.hasPlugin?.('@jupyterlab/extensionmanager-extension:plugin')
          ? app.isPluginActivated('@jupyterlab/extensionmanager-extension:plugin')
          : false,
      };
    });
    expect(info.name).toBe('JupyterLab');
    expect(info.version).toBe('4.6.4');
    expect(info.hasLauncher).toBe(true);
    expect(info.fileBrowserItems).toContain('python.ipynb');
    // Disabled in jupyter-config/lab/page_config.json: it needs the Python jupyterlab package.
    expect(info.extensionManagerActive).toBe(false);
    // Give late requests (settings, kernelspecs, the event websocket) time to fail if they will.
    await l.page.waitForTimeout(1_500);
    await l.screenshot('lab-launcher');
    expect(l.unexpectedErrors()).toEqual([]);
    recordTimings('lab loads', { ...l.timings, wholeTest: (Date.now() - started) / 1000 });
  });

  it('runs a notebook on ipykernel and shows stream, HTML and result outputs', async () => {
    const started = Date.now();
    const l = lab!;
    await l.openNotebook('python.ipynb');
    await l.waitForKernel();
    const cells = await l.runAllCells();
    expect(cells.map(c => c.executionCount)).toEqual([1, 2, 3]);
    expect(outputText(cells[0]!)).toBe('42\n');
    expect(outputText(cells[2]!)).toBe("'ab'");
    // The HTML output is rendered by JupyterLab into the page, not just stored in the model.
    await l.page.waitForSelector('#seqlab-e2e-html', { timeout: 10_000 });
    expect(await l.page.textContent('#seqlab-e2e-html')).toBe('bold');
    const rendered = await l.page.$$eval('.jp-OutputArea-output', nodes => nodes.map(n => n.textContent?.trim()));
    expect(rendered).toContain('42');
    expect(rendered).toContain("'ab'");
    await l.screenshot('lab-python-notebook');
    expect(l.unexpectedErrors()).toEqual([]);
    recordTimings('python notebook', { ...l.timings, wholeTest: (Date.now() - started) / 1000 });
  });

  it('shows a traceback, resolving its file paths without console errors', async () => {
    const started = Date.now();
    const l = lab!;
    await l.openNotebook('traceback.ipynb');
    await l.waitForKernel();
    const [cell] = await l.runAllCells();
    expect(cell!.outputs[0]).toMatchObject({ output_type: 'error', ename: 'JSONDecodeError' });
    await l.page.waitForSelector('.jp-RenderedText[data-mime-type="application/vnd.jupyter.stderr"]', { timeout: 10_000 });
    expect(await l.page.textContent('.jp-RenderedText[data-mime-type="application/vnd.jupyter.stderr"]')).toContain(
      'JSONDecodeError'
    );
    // Path resolution happens after rendering; let it finish before judging the console.
    await l.page.waitForTimeout(1_500);
    await l.screenshot('lab-traceback');
    const lookups = l.responses.filter(r => r.url.includes('/api/resolvePath'));
    expect(lookups.length).toBeGreaterThan(0);
    expect(lookups.every(r => r.status === 200)).toBe(true);
    expect(l.unexpectedErrors()).toEqual([]);
    recordTimings('traceback', { ...l.timings, wholeTest: (Date.now() - started) / 1000 });
  });

  it('serves a bad /lab URL as "not found" without breaking later /lab pages', async () => {
    const l = lab!;
    const bad = await fetch(l.server.url('lab/no/such/page'));
    const badPage = await bad.text();
    expect(badPage).toContain('"notFoundUrl": "/lab/no/such/page"');
    const good = await (await fetch(l.server.url('lab'))).text();
    // jupyterlab_server 2.16 leaked notFoundUrl into every later page; the host fixes that.
    expect(good).not.toContain('notFoundUrl');
  });

  it('answers the endpoints JupyterLab 4.6 calls that jupyter_server 1.23 lacks', async () => {
    const l = lab!;
    const me = (await (await l.server.api('api/me')).json()) as { identity: { username: string } };
    expect(typeof me.identity.username).toBe('string');
    expect(me.identity.username.length).toBeGreaterThan(0);
    const lsp = (await (await l.server.api('lsp/status')).json()) as { version: number; sessions: object };
    expect(lsp).toEqual({ version: 2, sessions: {}, specs: {} });
    const resolved = await (await l.server.api('api/resolvePath?path=python.ipynb')).json();
    expect(resolved).toEqual({ resolved: [{ scope: 'server', path: 'python.ipynb' }], unresolved: [] });
    const missing = await (await l.server.api('api/resolvePath?path=nope.txt')).json();
    expect(missing).toEqual({ resolved: [], unresolved: [{ scope: 'server', path: 'nope.txt' }] });
    const event = await l.server.api('api/events', {
      method: 'POST',
      body: JSON.stringify({ schema_id: 'https://example.org/e', version: 1, data: {} }),
    });
    expect(event.status).toBe(204);
    const badEvent = await l.server.api('api/events', { method: 'POST', body: '{"data": {}}' });
    expect(badEvent.status).toBe(400);
  });
});

/**
 * seqlab's extension next to jupyterlab-plotly, the plotly renderer a user installs for
 * Python's plotly figures. Both register for plotly figures; JupyterLab keeps one renderer
 * per MIME type, so seqlab leaves application/vnd.plotly.v1+json to plotly's renderer and
 * draws its own figures through their mark (engine/schemas/README.md). Saved outputs: a
 * figure seqlab's engine made, and one as a Python kernel sends it.
 */
describe('JupyterLab host with seqlab and jupyterlab-plotly', { timeout: 120_000 }, () => {
  const PLOTLY = 'application/vnd.plotly.v1+json';
  let lab: Lab | null = null;
  const seqlabFigure = linePlot({ train: [2.5, 1.4, 0.9, 0.7] }, { title: 'seqlab loss', xTitle: 'epoch' });
  const pythonFigure = {
    [PLOTLY]: { data: [{ type: 'bar', x: ['a', 'b', 'c'], y: [3, 1, 2] }], layout: { title: { text: 'python bars' } } },
    'text/html': '<div>plotly figure (needs plotly.js)</div>',
    'text/plain': 'Figure({...})',
  };
  const withOutputs = (bundles: Array<Record<string, unknown>>): object => {
    const nb = notebook(bundles.map((_, i) => `figure_${i}`)) as { cells: Array<Record<string, unknown>> };
    nb.cells.forEach((cell, i) => {
      cell['execution_count'] = i + 1;
      cell['outputs'] = [{ output_type: 'display_data', data: bundles[i], metadata: {} }];
    });
    return nb;
  };

  beforeAll(async () => {
    await prepareHost();
    const plotlyData = prepareJupyterlabPlotly();
    lab = await startLab({
      seqlab: true,
      jupyterPath: [plotlyData],
      notebooks: { 'figures.ipynb': withOutputs([seqlabFigure.bundle(), pythonFigure]) },
    });
  }, 900_000);

  afterAll(async () => {
    await lab?.close();
  }, 60_000);

  it('loads both; plotly draws the other kernel\'s figure, seqlab its own', async () => {
    const l = lab!;
    await l.openNotebook('figures.ipynb');
    const plugins = await l.page.evaluate(() => {
      const app = (window as unknown as { jupyterapp: any }).jupyterapp;
      return ['@jupyterlab/plotly-extension:factory', '@seqlab/jupyterlab:plotly', '@seqlab/jupyterlab:commands'].map(id => app.isPluginActivated(id));
    });
    expect(plugins).toEqual([true, true, true]);
    const cell = (i: number): string => `.jp-Notebook .jp-Cell:nth-child(${i + 1})`;
    const output = (i: number): string => `${cell(i)} .jp-OutputArea-output`;
    // (jupyterlab-plotly draws into the output node itself, seqlab into a view inside it.)
    await l.page.waitForSelector(`${cell(0)} .js-plotly-plot .main-svg`, { timeout: 60_000 });
    await l.page.waitForSelector(`${cell(1)} .js-plotly-plot .main-svg`, { timeout: 60_000 });
    // seqlab's figure (carrying the mark) by seqlab's renderer; the plain plotly figure by jupyterlab-plotly's.
    const classes = await l.page.$$eval('.jp-Notebook .jp-OutputArea-output', nodes => nodes.map(n => n.className));
    expect(classes).toHaveLength(2);
    expect(classes[0]).toContain('jp-RenderedSeqlab');
    expect(classes[1]).toContain('jp-RenderedPlotly');
    expect(classes[1]).not.toContain('jp-RenderedSeqlab');
    const [mine] = await renderedFigures(l.page, cell(0));
    const [theirs] = await renderedFigures(l.page, cell(1));
    expect(mine!.title).toBe('seqlab loss');
    expect(mine!.traces[0]!.y).toEqual([2.5, 1.4, 0.9, 0.7]);
    expect(theirs!.title).toBe('python bars');
    expect(theirs!.traces[0]).toMatchObject({ type: 'bar', y: [3, 1, 2] });
    // The notebook's renderer for plotly's own MIME type is jupyterlab-plotly's, whichever loaded last.
    const factory = await l.page.evaluate((mime: string) => {
      const panel = (window as unknown as { jupyterapp: any }).jupyterapp.shell.currentWidget;
      return panel.content.rendermime.createRenderer(mime).node.className as string;
    }, PLOTLY);
    expect(factory).toContain('jp-RenderedPlotly');
    // seqlab's commands are on seqlab's figure only.
    await l.page.click(`${output(0)} .js-plotly-plot`, { button: 'right', position: { x: 60, y: 60 } });
    expect(await l.page.locator('.lm-Menu .lm-Menu-itemLabel', { hasText: 'Save View as PNG' }).count()).toBe(1);
    await l.page.keyboard.press('Escape');
    await l.page.click(output(1), { button: 'right', position: { x: 60, y: 60 } });
    expect(await l.page.locator('.lm-Menu .lm-Menu-itemLabel', { hasText: 'Save View as PNG' }).count()).toBe(0);
    await l.page.keyboard.press('Escape');
    await l.screenshot('lab-seqlab-and-jupyterlab-plotly');
    expect(l.unexpectedErrors()).toEqual([]);
    recordTimings(`seqlab and jupyterlab-plotly ${JUPYTERLAB_PLOTLY.version}`, { ...l.timings });
  });
});
