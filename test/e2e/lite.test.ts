/**
 * The browser site end to end, as a student gets it: `seqlab lite` builds a site from the
 * lecture notebooks, `seqlab serve` serves it, headless Chromium opens it with every request
 * outside 127.0.0.1 blocked, and each lecture notebook runs top to bottom through the
 * JupyterLab UI in the browser kernel: every cell ran without an error output, every seqlab
 * view and plotly figure drew, and the seeded numbers the notebook prints equal the Node
 * kernel's on the same wasm kernels (`seqlab run` of the same notebook with
 * SEQLAB_BACKEND=wasm: Node's default native products round differently). Then Stop: `while (true) {}` and a training
 * loop end with KeyboardInterrupt and an earlier variable is still defined (cross-origin
 * isolated page); on a page that is not isolated, Stop ends a cell waiting on a timer and, for
 * a running loop, offers to restart the kernel. Times go to test-results/lite.json (the
 * browser ÷ Node table of the notebooks); no time is asserted.
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { serveSite, type SiteServer } from '../../kernel/dist/lite/serve.js';
import { chromiumArgs, chromiumPath, repoRoot, resultsDir } from './harness.js';
import { codeCells, readNotebook, seqlabRun, text, VIEW_TYPES, type Notebook } from '../notebooks/clients.js';

const SEQLAB_BIN = join(repoRoot, 'kernel', 'bin', 'seqlab.js');
const NOTEBOOKS_DIR = join(repoRoot, 'notebooks');
const LECTURES = readdirSync(NOTEBOOKS_DIR).filter((f) => /^\d\d-.*\.ipynb$/.test(f) && !f.endsWith('.executed.ipynb')).sort();

/** The cells of the interrupt notebook (test-only, shipped beside the lectures). */
const INTERRUPT_CELLS = [
  'const survivor = "still here";',
  'while (true) {}',
  [
    'const model = new nn.Linear(64, 64);',
    'const opt = new optim.SGD(model.parameters(), { lr: 0.01 });',
    'const x = randn([256, 64]);',
    'let steps = 0;',
    'for (;;) {',
    '  const loss = model.forward(x).pow(2).mean();',
    '  opt.zeroGrad(); loss.backward(); opt.step();',
    '  steps++;',
    '}',
  ].join('\n'),
  'await new Promise((r) => setTimeout(r, 60_000));',
  'survivor',
];

function nbJson(cells: string[]): object {
  return {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: { kernelspec: { name: 'seqlab', display_name: 'TypeScript (seqlab)', language: 'typescript' } },
    cells: cells.map((source, i) => ({ id: `c${i}`, cell_type: 'code', execution_count: null, metadata: {}, outputs: [], source })),
  };
}

interface CellState {
  type: string;
  executionCount: number | null;
  outputs: Array<Record<string, unknown>>;
}

const results: Record<string, { browserSeconds: number; nodeSeconds: number; views: number }> = {};

describe('the browser site (seqlab lite + seqlab serve) in Chromium', { timeout: 45 * 60_000 }, () => {
  let temp: string;
  let server: SiteServer;
  let browser: Browser;
  let context: BrowserContext | undefined;
  let page: Page;
  let problems: string[] = [];

  /**
   * A new browser context (storage, cache and workspace of its own, as a student's first
   * visit) with one page, offline but for the site. `strip` serves the site without the
   * isolation headers and without its service worker (a host that sends no headers).
   */
  async function freshPage(strip = false): Promise<void> {
    await context?.close();
    problems = [];
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    await context.route(
      (url) => url.hostname !== '127.0.0.1',
      (route) => {
        problems.push(`network request outside the site: ${route.request().url()}`);
        void route.abort('blockedbyclient');
      },
    );
    if (strip) {
      await context.route(`${server.url}**`, async (route) => {
        // No service worker either (a browser or host where it cannot run): the page stays as served.
        if (route.request().url().endsWith('/seqlab-isolation.js')) return route.fulfill({ status: 200, contentType: 'text/javascript', body: '' });
        const response = await route.fetch();
        const headers = { ...response.headers() };
        for (const h of ['cross-origin-opener-policy', 'cross-origin-embedder-policy', 'cross-origin-resource-policy']) delete headers[h];
        return route.fulfill({ response, headers });
      });
    }
    page = await context.newPage();
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.stack ?? e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(`console error: ${m.text()} (${m.location().url}:${m.location().lineNumber})`);
    });
    page.on('response', (r) => {
      if (r.status() >= 400) problems.push(`HTTP ${r.status()} ${r.url()}`);
    });
  }

  beforeAll(async () => {
    if (!existsSync(chromiumPath)) throw new Error(`${chromiumPath} is missing: install the Debian package chromium with: sudo bash scripts/system-deps.sh`);
    temp = mkdtempSync(join(tmpdir(), 'seqlab-lite-e2e-'));
    const course = join(temp, 'course');
    cpSync(NOTEBOOKS_DIR, course, { recursive: true, filter: (src) => !src.endsWith('.executed.ipynb') });
    writeFileSync(join(course, 'interrupt.ipynb'), JSON.stringify(nbJson(INTERRUPT_CELLS)));
    const built = spawnSync(process.execPath, [SEQLAB_BIN, 'lite', ...LECTURES.map((n) => join(course, n)), join(course, 'interrupt.ipynb'), '--out', join(temp, 'site')], {
      encoding: 'utf8',
      timeout: 20 * 60_000,
    });
    expect(built.status, `seqlab lite failed:\n${built.stdout}${built.stderr}`).toBe(0);
    server = await serveSite({ dir: join(temp, 'site'), port: 0 });
    browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs });
    // Building the app (the first time: the host's packages too) takes minutes.
  }, 20 * 60_000);

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await server?.close();
    if (temp) rmSync(temp, { recursive: true, force: true });
    if (Object.keys(results).length > 0) {
      mkdirSync(resultsDir, { recursive: true });
      writeFileSync(join(resultsDir, 'lite.json'), `${JSON.stringify(results, null, 1)}\n`);
      const rows = Object.entries(results).map(([n, r]) => `${n.padEnd(42)} ${r.browserSeconds.toFixed(1).padStart(8)} ${r.nodeSeconds.toFixed(1).padStart(8)} ${(r.browserSeconds / r.nodeSeconds).toFixed(2).padStart(6)}x`);
      console.log([`${'notebook'.padEnd(42)}  browser  seqlab run  ratio (s)`, ...rows].join('\n'));
    }
  });

  /** Opens a notebook of the site and waits for its kernel to be connected and idle. */
  async function open(name: string, strip = false): Promise<void> {
    await freshPage(strip);
    await page.goto(`${server.url}lab/index.html?path=${encodeURIComponent(name)}`);
    await page.waitForFunction(
      (path) => {
        const panel = (window as any).jupyterapp?.shell?.currentWidget;
        const kernel = panel?.sessionContext?.session?.kernel;
        return panel?.context?.path === path && panel.sessionContext.isReady && kernel?.connectionStatus === 'connected' && kernel.status === 'idle';
      },
      name,
      { timeout: 120_000, polling: 200 },
    );
    // The browser keeps a notebook a page saved (same origin): start from cleared outputs and counts.
    await page.evaluate(() => (window as any).jupyterapp.commands.execute('notebook:clear-all-cell-outputs'));
  }

  const cells = (): Promise<CellState[]> =>
    page.evaluate(() => {
      const model = (window as any).jupyterapp.shell.currentWidget.content.model;
      const out: CellState[] = [];
      for (let i = 0; i < model.cells.length; i++) {
        const c = model.cells.get(i);
        out.push({ type: c.type, executionCount: c.type === 'code' ? (c.executionCount ?? null) : null, outputs: c.type === 'code' ? c.outputs.toJSON() : [] });
      }
      return out;
    });

  /**
   * Runs every cell through the UI's command; resolves when all ran and the kernel is idle,
   * or when a cell failed (JupyterLab then does not run the rest) and nothing runs any more.
   */
  async function runAll(timeoutMs: number): Promise<CellState[]> {
    await page.evaluate(() => void (window as any).jupyterapp.commands.execute('notebook:run-all-cells'));
    await page.waitForFunction(
      () => {
        const panel = (window as any).jupyterapp.shell.currentWidget;
        const model = panel.content.model;
        if (panel.sessionContext.session?.kernel?.status !== 'idle') return false;
        // A queued or running cell shows [*].
        if (panel.content.widgets.some((w: any) => w.model.type === 'code' && w.promptNode?.textContent?.includes('*'))) return false;
        let pending = false;
        for (let i = 0; i < model.cells.length; i++) {
          const c = model.cells.get(i);
          if (c.type !== 'code') continue;
          if (c.outputs.toJSON().some((o: any) => o.output_type === 'error')) return true;
          if (c.sharedModel.getSource().trim() !== '' && !c.executionCount) pending = true;
        }
        return !pending;
      },
      null,
      { timeout: timeoutMs, polling: 500 },
    );
    return cells();
  }

  /** Scrolls each cell with a view into sight and checks that the view drew (plotly SVG or the head view). */
  async function viewsDrew(state: CellState[]): Promise<number> {
    let views = 0;
    for (let i = 0; i < state.length; i++) {
      const n = state[i]!.outputs.filter((o) => Object.keys((o['data'] ?? {}) as object).some((m) => VIEW_TYPES.includes(m))).length;
      if (n === 0) continue;
      views += n;
      await page.evaluate((index) => (window as any).jupyterapp.shell.currentWidget.content.scrollToItem(index, 'center'), i);
      await page.waitForFunction(
        ([index, count]) => {
          const cell = (window as any).jupyterapp.shell.currentWidget.content.widgets[index];
          const rendered = [...cell.node.querySelectorAll('.jp-OutputArea-output')].filter((el: Element) =>
            el.querySelector('.js-plotly-plot .main-svg, .jp-RenderedSeqlab svg'),
          );
          return rendered.length >= count;
        },
        [i, n] as const,
        { timeout: 60_000, polling: 250 },
      );
    }
    return views;
  }

  /** Printed lines that carry numbers (losses, perplexities, accuracies), without timings. */
  const seededLines = (outputs: Array<Record<string, unknown>>): string[] =>
    outputs
      .filter((o) => o['output_type'] === 'stream' && o['name'] === 'stdout')
      .flatMap((o) => text(o['text'] as string | string[]).split('\n'))
      .filter((l) => /\d/.test(l) && !/\b\d+(\.\d+)?\s*(s|ms|sec|seconds)\b/.test(l));

  for (const name of LECTURES) {
    it(`runs ${name} top to bottom: no errors, every view drawn, the Node kernel's numbers`, async () => {
      const node = seqlabRun(join(NOTEBOOKS_DIR, name), join(temp, 'node'), { SEQLAB_BACKEND: 'wasm' });
      expect(node.status, `seqlab run ${name}:\n${node.stderr.slice(-2000)}`).toBe(0);
      const reference = readNotebook(node.output);
      await open(name);
      const started = performance.now();
      const state = await runAll(20 * 60_000);
      const browserSeconds = (performance.now() - started) / 1000;
      const code = state.filter((c) => c.type === 'code');
      const errors = code.flatMap((c, i) => c.outputs.filter((o) => o['output_type'] === 'error').map((o) => `cell ${i + 1}: ${String(o['ename'])}: ${String(o['evalue'])}`));
      expect(errors).toEqual([]);
      expect(code.filter((c) => c.executionCount === null).length, 'code cells that did not run').toBe(0);
      const views = await viewsDrew(state);
      expect(views, `${name} shows no view`).toBeGreaterThan(0);
      const refCells = codeCells(reference).map(({ cell }) => seededLines((cell.outputs ?? []) as unknown as Array<Record<string, unknown>>));
      expect(code.map((c) => seededLines(c.outputs))).toEqual(refCells);
      results[name] = { browserSeconds, nodeSeconds: node.seconds, views };
      expect(problems, problems.join('\n')).toEqual([]);
    });
  }

  /** Starts cell `index` of the open notebook, waits until it runs, presses Stop; resolves with the seconds until the kernel is idle. */
  async function stopCell(index: number): Promise<number> {
    await page.evaluate((i) => {
      const panel = (window as any).jupyterapp.shell.currentWidget;
      panel.content.activeCellIndex = i;
      void (window as any).jupyterapp.commands.execute('notebook:run-cell');
    }, index);
    await page.waitForFunction(() => (window as any).jupyterapp.shell.currentWidget.sessionContext.session.kernel.status === 'busy', null, { timeout: 30_000 });
    await page.waitForTimeout(1500);
    const pressed = performance.now();
    await page.evaluate(() => void (window as any).jupyterapp.commands.execute('notebook:interrupt-kernel'));
    await page.waitForFunction(() => (window as any).jupyterapp.shell.currentWidget.sessionContext.session.kernel.status === 'idle', null, { timeout: 60_000, polling: 50 });
    return (performance.now() - pressed) / 1000;
  }

  /** Runs cell `index` of the open notebook and waits for its reply. */
  async function runCell(index: number): Promise<CellState[]> {
    const before = await page.evaluate((i) => (window as any).jupyterapp.shell.currentWidget.content.model.cells.get(i).executionCount ?? 0, index);
    await page.evaluate((i) => {
      const panel = (window as any).jupyterapp.shell.currentWidget;
      panel.content.activeCellIndex = i;
      void (window as any).jupyterapp.commands.execute('notebook:run-cell');
    }, index);
    await page.waitForFunction(
      ([i, n]) => {
        const panel = (window as any).jupyterapp.shell.currentWidget;
        return (panel.content.model.cells.get(i).executionCount ?? 0) > n && panel.sessionContext.session.kernel.status === 'idle';
      },
      [index, before] as const,
      { timeout: 60_000, polling: 100 },
    );
    return cells();
  }

  const errorOf = (c: CellState): string => c.outputs.filter((o) => o['output_type'] === 'error').map((o) => String(o['ename'])).join();
  const lastText = (c: CellState): string => String(((c.outputs.at(-1)?.['data'] ?? {}) as Record<string, unknown>)['text/plain'] ?? '');

  it('Stop ends `while (true) {}`, a training loop and a wait, and keeps earlier variables (isolated page)', async () => {
    await open('interrupt.ipynb');
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
    await runCell(0);
    const seconds: Record<string, number> = {};
    for (const [index, what] of [[1, 'while'], [2, 'training'], [3, 'wait']] as const) {
      seconds[what] = await stopCell(index);
      const state = await cells();
      expect(errorOf(state[index]!), `cell ${index + 1} (${what})`).toBe('KeyboardInterrupt');
    }
    const state = await runCell(4);
    expect(lastText(state[4]!)).toBe("'still here'");
    results['interrupt (isolated)'] = { browserSeconds: Math.max(...Object.values(seconds)), nodeSeconds: NaN, views: 0 };
    console.log(`Stop on the isolated page: ${JSON.stringify(seconds)} s until idle`);
    expect(problems).toEqual([]);
  });

  it('without cross-origin isolation, Stop ends a wait and offers a restart for a running loop', async () => {
    // The same site from a host that sends no isolation headers, without the service worker.
    await open('interrupt.ipynb', true);
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(false);
    await runCell(0);
    await stopCell(3);
    expect(errorOf((await cells())[3]!)).toBe('KeyboardInterrupt');
    // A running loop: the dialog says why and offers the restart.
    await page.evaluate(() => {
      const panel = (window as any).jupyterapp.shell.currentWidget;
      panel.content.activeCellIndex = 1;
      void (window as any).jupyterapp.commands.execute('notebook:run-cell');
    });
    await page.waitForTimeout(1500);
    await page.evaluate(() => void (window as any).jupyterapp.commands.execute('notebook:interrupt-kernel'));
    const dialog = page.locator('.jp-Dialog');
    await dialog.waitFor({ timeout: 15_000 });
    expect(await dialog.textContent()).toContain('not cross-origin isolated');
    await dialog.getByRole('button', { name: 'Restart kernel' }).click();
    await page.waitForFunction(() => (window as any).jupyterapp.shell.currentWidget.sessionContext.session?.kernel?.status === 'idle', null, { timeout: 60_000 });
    // A fresh kernel: the earlier definition is gone, and it runs cells again.
    const state = await runCell(4);
    expect(errorOf(state[4]!)).toBe('ReferenceError');
    expect(lastText((await runCell(0))[0]!)).toBe('');
    expect(problems).toEqual([]);
  });
});
