/**
 * The standalone bundle (extension/standalone/, built by `npm run build -w extension`) in
 * headless Chromium with the real plotly.js: an offline page laid out as `seqlab export`
 * writes it (see extension/README.md) draws every view from engine bundles, loads plotly.js
 * once from beside the script, makes no network request, keeps markup in tokens as text
 * and answers hover.
 */
import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attentionView, gatesView, hiddenStatesView, linePlot } from '../../engine/src/display/index.js';

const bundleDir = fileURLToPath(new URL('../../extension/standalone/', import.meta.url));
const chromiumPath = '/usr/bin/chromium';
const HOSTILE = '<img src=x onerror=alert(1)>';

function views(): Array<Record<string, unknown>> {
  const tokens = ['the', 'cat', HOSTILE, '<b>bold</b>'];
  const causal = tokens.map((_, i) => tokens.map((_, j) => j > i));
  const map = tokens.map((_, i) => tokens.map((_, j) => (j > i ? 0 : 1 / (i + 1))));
  const states = tokens.map((_, t) => [Math.sin(t), Math.cos(t), 0.5 - t / 4]);
  const show = (v: object): Record<string, unknown> => (v as Record<symbol, () => Record<string, unknown>>)[Symbol.for('Jupyter.display')]!();
  const broken = show(attentionView({ queryTokens: ['a', 'b'], weights: [[1, 0], [0.5, 0.5]] }));
  (broken['application/vnd.seqlab.attention.v1+json'] as { weights: number[][][][] }).weights[0]![0]!.pop();
  return [
    show(attentionView({ queryTokens: tokens, weights: [map, map], mask: causal, kind: 'causal-self', title: 'attention' })),
    show(hiddenStatesView({ tokens, series: { h: states } })),
    show(gatesView({ architecture: 'gru', tokens, gates: { reset: states.map((r) => r.map((v) => (v + 1) / 2)), hidden: states } })),
    show(linePlot({ train: [3, 2, 1.2, 0.9] }, { logY: true, title: 'loss', xLabels: tokens })),
    broken,
  ];
}

/** The page as an export writes it: payload in a JSON script (with < escaped), static figure beside it. */
function page(bundles: Array<Record<string, unknown>>): string {
  const outputs = bundles.map((bundle) => {
    const mime = Object.keys(bundle).find((k) => k.startsWith('application/'))!;
    const json = JSON.stringify(bundle[mime]).replace(/</g, '\\u003c');
    const svg = Buffer.from(bundle['image/svg+xml'] as string).toString('base64');
    return `<div class="seqlab-output" data-mime-type="${mime}"><script type="application/json">${json}</script><img class="seqlab-static" alt="static figure" src="data:image/svg+xml;base64,${svg}"></div>`;
  });
  return `<!doctype html><html><head><meta charset="utf-8"><title>export</title></head><body>${outputs.join('\n')}<script src="_static/seqlab/seqlab-views.js"></script></body></html>`;
}

describe('standalone bundle in Chromium', () => {
  let dir = '';
  let context: BrowserContext | undefined;
  let p: Page;
  const requests: string[] = [];
  const problems: string[] = [];

  beforeAll(async () => {
    if (!existsSync(join(bundleDir, 'seqlab-views.js'))) {
      throw new Error(`${bundleDir}seqlab-views.js is missing: build it with \`npm run build -w extension\` (npm test's pretest does)`);
    }
    if (!existsSync(chromiumPath)) {
      throw new Error(`${chromiumPath} is missing: install the Debian package chromium with: sudo bash scripts/system-deps.sh`);
    }
    dir = mkdtempSync(join(tmpdir(), 'seqlab-standalone-'));
    cpSync(bundleDir, join(dir, 'site', '_static', 'seqlab'), { recursive: true });
    writeFileSync(join(dir, 'site', 'index.html'), page(views()));
    context = await chromium.launchPersistentContext(join(dir, 'profile'), {
      executablePath: chromiumPath,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      viewport: { width: 1000, height: 800 },
    });
    p = await context.newPage();
    p.on('request', (r) => void requests.push(r.url()));
    p.on('pageerror', (e) => void problems.push(`pageerror: ${e.message}`));
    p.on('console', (m) => void (m.type() === 'error' && problems.push(`console: ${m.text()}`)));
    p.on('dialog', (d) => void (problems.push(`dialog: ${d.message()}`), d.dismiss()));
    await p.goto(`file://${join(dir, 'site', 'index.html')}`);
    await p.waitForFunction(() => document.querySelectorAll('.js-plotly-plot .main-svg').length >= 3, null, { timeout: 60_000 });
  }, 120_000);

  afterAll(async () => {
    await context?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('draws every output offline, with plotly.js loaded once from beside the script', async () => {
    expect(requests.filter((u) => !u.startsWith('file://') && !u.startsWith('data:'))).toEqual([]);
    const plotlyChunks = requests.filter((u) => /seqlab-plotly\.[0-9a-f]+\.js$/.test(u));
    expect(plotlyChunks).toHaveLength(1);
    expect(readdirSync(join(dir, 'site', '_static', 'seqlab')).some((f) => plotlyChunks[0]!.endsWith(f))).toBe(true);
    const kinds = await p.$$eval('.seqlab-output > .seqlab-view', (els) => els.map((e) => e.className));
    expect(kinds).toEqual([
      'seqlab-view seqlab-attention',
      'seqlab-view seqlab-hidden-states',
      'seqlab-view seqlab-gates',
      'seqlab-view seqlab-plotly',
      'seqlab-view seqlab-error-view',
    ]);
    // Static figures give way to the views, except under the error.
    expect(await p.$$eval('.seqlab-static', (els) => els.map((e) => (e as HTMLElement).hidden))).toEqual([true, true, true, true, false]);
    expect(await p.textContent('.seqlab-error-view li')).toBe('weights[0][0] has 1 rows but queryTokens has 2');
  });

  it('hands plotly the payload and shows tokens as text on the axes', async () => {
    const figures = await p.$$eval('.js-plotly-plot', (plots) =>
      plots.map((plot) => {
        const gd = plot as unknown as { _fullData: Array<{ type: string; name?: string }>; _fullLayout: { yaxis?: { type?: string } } };
        return {
          types: gd._fullData.map((t) => t.type),
          names: gd._fullData.map((t) => t.name ?? ''),
          yType: gd._fullLayout.yaxis?.type,
          xTicks: [...plot.querySelectorAll('.xtick text')].map((t) => t.textContent),
        };
      }),
    );
    const [states, gates, loss] = figures;
    expect(states!.types[0]).toBe('heatmap');
    expect(states!.xTicks).toEqual(['the', 'cat', '<img src=x on…', '<b>bold</b>']);
    expect(gates!.names.slice(0, 2)).toEqual(['reset', 'hidden']);
    expect(loss!.yType).toBe('log');
    expect(loss!.xTicks).toEqual(['the', 'cat', '<img src=x on…', '<b>bold</b>']); // linePlot token labels follow the views' rule (the hover keeps the whole token)
    // Nothing in the views became markup: the only <img> elements are the static figures.
    expect(await p.$$eval('.seqlab-view img:not(.seqlab-fallback), .seqlab-view b, .seqlab-view script', (els) => els.length)).toBe(0);
    expect(problems).toEqual([]);
  });

  it('answers hover in the head view and draws the heatmap with real plotly', async () => {
    const view = '.seqlab-output:first-child .seqlab-attention';
    await p.hover(`${view} .seqlab-query[data-index="2"]`);
    expect(await p.$$eval(`${view} .seqlab-focus line`, (ls) => ls.map((l) => l.getAttribute('data-key')))).toEqual(['0', '1', '2']);
    expect(await p.textContent(`${view} .seqlab-readout`)).toContain(`query “${HOSTILE}” (2) attends most to`);
    await p.click(`${view} button[data-mode="heatmap"]`);
    await p.waitForSelector(`${view} .seqlab-pane-heatmap .heatmaplayer`, { timeout: 30_000 });
    const yTicks = await p.$$eval(`${view} .seqlab-pane-heatmap .ytick text`, (ts) => ts.map((t) => t.textContent));
    expect(yTicks).toEqual(['the', 'cat', '<img src=x on…', '<b>bold</b>']);
    expect(problems).toEqual([]);
  });
});
