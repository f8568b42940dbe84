/**
 * The JupyterLab host in headless Chromium: the shell loads without unexpected console
 * errors, and a notebook on Debian's ipykernel runs its cells and shows their outputs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { processesMentioning } from '../../extension/host/src/server.js';
import { notebook, outputText, prepareHost, recordTimings, startLab, type Lab } from './harness.js';

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

  afterAll(async () => {
    const runtimeDir = lab?.server.runtimeDir;
    await lab?.close();
    // Kernels get their connection file under the server's runtime folder: none may outlive it.
    if (runtimeDir) {
      expect(processesMentioning(runtimeDir)).toEqual([]);
    }
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
