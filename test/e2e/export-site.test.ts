/**
 * `seqlab export` end to end: lecture notebooks 01 and 02 executed with `seqlab run`, plus a
 * notebook of every output type with hostile user text, exported as a site and opened page
 * by page in headless Chromium from file://. Every page loads with no console error and no
 * request other than file: (plotly.js loaded once per page, from the site), every seqlab view
 * and plotly figure is drawn (traces in the DOM, at a readable height), math is typeset by
 * KaTeX with its fonts, code is highlighted, the index links work, and nothing from the
 * notebooks runs as script.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { executedNotebook, HOSTILE, writeJson } from '../kernel/export-fixtures.js';
import { chromiumArgs, chromiumPath, repoRoot, resultsDir } from './harness.js';

const SEQLAB = join(repoRoot, 'kernel', 'bin', 'seqlab.js');
const LECTURES = ['01-recurrent-neural-networks.ipynb', '02-backpropagation-through-time.ipynb'];

/** What one page load saw. */
interface Visit {
  requests: string[];
  problems: string[];
  seconds: number;
}

describe('exported course site in Chromium', { timeout: 120_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'seqlab-export-e2e-'));
  const site = join(dir, 'site');
  const timings: Record<string, number> = {};
  let context: BrowserContext | undefined;
  let page: Page;
  let current: Visit = { requests: [], problems: [], seconds: 0 };

  const seqlab = (args: string[]) => {
    const started = Date.now();
    const r = spawnSync(process.execPath, [SEQLAB, ...args], { cwd: dir, encoding: 'utf8', env: { ...process.env, SEQLAB_DATA_DIR: join(dir, 'data') }, timeout: 600_000 });
    if (r.status !== 0) throw new Error(`seqlab ${args.join(' ')} failed (${r.status}):\n${r.stderr}`);
    return { ...r, seconds: (Date.now() - started) / 1000 };
  };

  /** Opens a page of the site and waits until its views are drawn. */
  async function visit(file: string): Promise<Visit> {
    current = { requests: [], problems: [], seconds: 0 };
    const started = Date.now();
    await page.goto(`file://${join(site, file)}`);
    await page.waitForFunction(
      () => [...document.querySelectorAll('.seqlab-output')].every((c) => c.querySelector('.seqlab-view') && (c.querySelector('.seqlab-static') as HTMLElement | null)?.hidden !== false),
      null,
      { timeout: 60_000, polling: 100 },
    );
    await page.evaluate(() => document.fonts.ready);
    current.seconds = (Date.now() - started) / 1000;
    return current;
  }

  beforeAll(async () => {
    if (!existsSync(chromiumPath)) throw new Error(`${chromiumPath} is missing: install the Debian package chromium with: sudo bash scripts/system-deps.sh`);
    const views = join(repoRoot, 'extension', 'standalone', 'seqlab-views.js');
    if (!existsSync(views)) throw new Error(`${views} is missing: build it with \`npm run build -w extension\` (npm test's pretest does)`);
    if (!existsSync(join(repoRoot, 'kernel', 'dist', 'export', 'site.js'))) throw new Error('kernel/dist is missing: build it with `npx tsc -b kernel`');

    const run = seqlab(['run', ...LECTURES.map((n) => join(repoRoot, 'notebooks', n)), '--out', join(dir, 'executed')]);
    timings['seqlabRun01and02'] = run.seconds;
    // The title escapes the markup (it is text: the page title, the index); the extra paragraph is raw HTML the author wrote.
    writeJson(
      join(dir, 'executed', '03-every-output.ipynb'),
      executedNotebook({ title: `Every output ${HOSTILE.replace(/[<>]/g, '\\$&')}`, extraMarkdown: `Raw HTML: <img id="raw" src="x" onerror="document.title='pwned'"> <kbd>Ctrl</kbd>` }),
    );
    const exported = seqlab(['export', ...LECTURES.map((n) => join('executed', n)), join('executed', '03-every-output.ipynb'), '--out', site, '--title', 'Sequence models']);
    timings['export'] = exported.seconds;

    context = await chromium.launchPersistentContext(join(dir, 'profile'), { executablePath: chromiumPath, args: chromiumArgs, viewport: { width: 1100, height: 900 } });
    page = context.pages()[0] ?? (await context.newPage());
    page.on('request', (r) => void current.requests.push(r.url()));
    page.on('console', (m) => void (m.type() === 'error' && current.problems.push(`console: ${m.text()}`)));
    page.on('pageerror', (e) => void current.problems.push(`pageerror: ${e.message}`));
    page.on('dialog', (d) => void (current.problems.push(`dialog: ${d.message()}`), d.dismiss()));
  }, 900_000);

  afterAll(async () => {
    await context?.close();
    mkdirSync(resultsDir, { recursive: true });
    writeFileSync(join(resultsDir, 'export-site.json'), `${JSON.stringify({ at: new Date().toISOString(), seconds: timings }, null, 2)}\n`);
    rmSync(dir, { recursive: true, force: true });
  });

  it('has an index that links every notebook in order, and the links work', async () => {
    const v = await visit('index.html');
    expect(v.problems).toEqual([]);
    expect(v.requests.every((u) => u.startsWith('file://'))).toBe(true);
    const links = await page.$$eval('.toc a', (as) => as.map((a) => [a.getAttribute('href'), a.textContent]));
    // A lecture's title is its first "# " line (read here without markdown: the lectures' titles are plain text).
    const heading = (n: string) => {
      const nb = JSON.parse(readFileSync(join(repoRoot, 'notebooks', n), 'utf8')) as { cells: Array<{ cell_type: string; source: string | string[] }> };
      const source = nb.cells.filter((c) => c.cell_type === 'markdown').map((c) => (Array.isArray(c.source) ? c.source.join('') : c.source)).join('\n');
      return /^# (.+)$/m.exec(source)![1]!.trim();
    };
    expect(links).toEqual([
      ...LECTURES.map((n) => [n.replace(/\.ipynb$/, '.html'), heading(n)]),
      ['03-every-output.html', `Every output ${HOSTILE}`],
    ]);
    expect(links[0]![1]).toMatch(/Recurrent neural networks/);
    for (const [i, [href, title]] of links.entries()) {
      await page.goto(`file://${join(site, 'index.html')}`);
      await page.click(`.toc li:nth-child(${i + 1}) a`);
      await page.waitForURL(`**/${href}`);
      expect(await page.title()).toBe(`${title} · Sequence models`);
      expect(await page.textContent('h1')).toBe(`${title}¶`);
    }
    await page.screenshot({ path: join(resultsDir, 'export-index.png') });
  });

  for (const lecture of LECTURES) {
    const file = lecture.replace(/\.ipynb$/, '.html');
    it(`draws every view of ${file} offline, typesets its math and highlights its code`, async () => {
      const v = await visit(file);
      timings[`load ${file}`] = v.seconds;
      expect(v.problems).toEqual([]);
      expect(v.requests.filter((u) => !u.startsWith('file://') && !u.startsWith('data:'))).toEqual([]);
      // plotly.js: one chunk, from the site's single copy of the bundle.
      expect(v.requests.filter((u) => /seqlab-plotly\.[0-9a-f]+\.js$/.test(u)).map((u) => u.replace(`file://${site}/`, ''))).toEqual([
        `_static/seqlab/${readdirSync(join(site, '_static', 'seqlab')).find((f) => f.startsWith('seqlab-plotly.'))}`,
      ]);

      const containers = await page.$$eval('.seqlab-output', (cs) =>
        cs.map((c) => ({ mime: (c as HTMLElement).dataset.mimeType, view: c.querySelector('.seqlab-view')?.className ?? null, staticHidden: (c.querySelector('.seqlab-static') as HTMLElement).hidden })),
      );
      expect(containers.length).toBeGreaterThan(0);
      for (const c of containers) {
        expect(c.view).not.toContain('seqlab-error-view');
        expect(c.staticHidden).toBe(true);
      }
      const plots = await page.$$eval('.seqlab-output .js-plotly-plot', (ps) =>
        ps.map((p) => {
          const gd = p as unknown as { _fullData: Array<{ type: string }>; _fullLayout: { height: number } };
          return { traces: gd._fullData.length, height: gd._fullLayout.height, drawn: p.querySelectorAll('.main-svg').length };
        }),
      );
      expect(plots.length).toBeGreaterThanOrEqual(containers.length);
      for (const p of plots.filter((q) => q.drawn > 0)) {
        expect(p.traces).toBeGreaterThan(0);
        // Figures without a height of their own are drawn at plotly's default, not the 40 px of the plot area.
        expect(p.height).toBeGreaterThanOrEqual(200);
      }
      expect(await page.$$eval('.seqlab-output .js-plotly-plot .main-svg', (s) => s.length)).toBeGreaterThanOrEqual(containers.length);

      expect(await page.$$eval('.katex', (k) => k.length)).toBeGreaterThan(5);
      expect(await page.$$eval('.math-error', (k) => k.length)).toBe(0);
      expect(await page.evaluate(() => document.fonts.check('16px KaTeX_Main') && document.fonts.check('16px KaTeX_Math'))).toBe(true);
      expect(v.requests.some((u) => /_static\/katex\/fonts\/KaTeX_Math-Italic\.woff2$/.test(u))).toBe(true);
      expect(await page.$$eval('.code-cell code.language-typescript .hljs-keyword', (k) => k.length)).toBeGreaterThan(5);
      await page.screenshot({ path: join(resultsDir, `export-${file.replace(/\.html$/, '')}.png`), fullPage: false });
    });
  }

  it('keeps notebook text inert: hostile tokens stay text, HTML outputs run nothing in their sandbox', async () => {
    const v = await visit('03-every-output.html');
    // What the notebook tried is refused, and Chromium says so on the console: the HTML output's own <script> by
    // the frame's sandbox, the markdown's inline onerror handler by the page's CSP (its image "x" does not exist).
    expect(v.problems.map((p) => p.replace(/(directive 'script-src 'self' 'unsafe-eval'').*/, '$1'))).toEqual([
      "console: Executing inline event handler violates the following Content Security Policy directive 'script-src 'self' 'unsafe-eval''",
      'console: Failed to load resource: net::ERR_FILE_NOT_FOUND',
      "console: Blocked script execution in 'about:srcdoc' because the document's frame is sandboxed and the 'allow-scripts' permission is not set.",
    ]);
    expect(await page.$eval('#raw', (img) => img.tagName)).toBe('IMG');
    expect(await page.textContent('kbd')).toBe('Ctrl');
    expect(v.requests.filter((u) => !u.startsWith('file://') && !u.startsWith('data:'))).toEqual([]);
    expect(await page.title()).toBe(`Every output ${HOSTILE} · Sequence models`);
    expect(await page.$$eval('img[src="x"]:not(#raw), .seqlab-view script, .seqlab-view img:not(.seqlab-fallback)', (e) => e.length)).toBe(0);
    const queryLabels = await page.$$eval('.seqlab-attention .seqlab-query text', (ns) => ns.map((n) => n.querySelector('title')?.textContent ?? n.textContent));
    expect(queryLabels).toContain(HOSTILE);
    expect(queryLabels).toContain('</script><script>alert(2)</script>');

    // The views are live, not pictures: hovering a query token of the head view focuses its lines.
    await page.locator('.seqlab-attention .seqlab-query[data-index="1"]').hover();
    await page.waitForSelector('.seqlab-attention .seqlab-query.seqlab-active[data-index="1"]', { timeout: 5_000 });
    expect(new Set(await page.$$eval('.seqlab-attention .seqlab-focus line', (ls) => ls.map((l) => l.getAttribute('data-query'))))).toEqual(new Set(['1']));

    const frame = page.frameLocator('iframe.html-output');
    expect(await frame.locator('td').textContent()).toBe('1');
    const height = await page.$eval('iframe.html-output', (f) => (f as HTMLIFrameElement).getBoundingClientRect().height);
    expect(height).toBeGreaterThan(0);
    expect(height).toBeLessThan(100); // fitted to its one-row table by the site script, not the CSS 12rem
    expect(await page.$eval('pre.error', (e) => e.querySelector('.ansi-red-fg')?.textContent)).toBe('TypeError');
    expect(await page.$$eval('.katex-display', (k) => k.length)).toBeGreaterThan(0);
    await page.screenshot({ path: join(resultsDir, 'export-every-output.png'), fullPage: true });
  });

  it('follows a dark system theme, views included, and prints light with the static figures', async () => {
    await page.emulateMedia({ colorScheme: 'dark' });
    const v = await visit('01-recurrent-neural-networks.html');
    expect(v.problems).toEqual([]);
    const background = await page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor);
    expect(background).toBe('rgb(13, 17, 23)');
    expect(await page.$$eval('.seqlab-view', (vs) => vs.every((x) => x.classList.contains('seqlab-dark')))).toBe(true);
    await page.screenshot({ path: join(resultsDir, 'export-dark.png') });
    // Printed, the page is light and shows each view's static figure (labelled, no controls).
    await page.emulateMedia({ media: 'print', colorScheme: 'dark' });
    expect(await page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor)).toBe('rgb(255, 255, 255)');
    const printed = await page.$$eval('.seqlab-output', (cs) =>
      cs.map((c) => [getComputedStyle(c.querySelector('.seqlab-view')!).display, getComputedStyle(c.querySelector('.seqlab-static')!).display]),
    );
    expect(printed.length).toBeGreaterThan(0);
    expect(printed.every(([view, fallback]) => view === 'none' && fallback === 'block')).toBe(true);
    await page.emulateMedia({ media: 'screen', colorScheme: 'light' });
  });
});
