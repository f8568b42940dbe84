/**
 * `seqlab export` end to end: lecture notebooks 01 and 02 executed with `seqlab run`, plus a
 * notebook of every output type with hostile user text, exported as a site and opened page
 * by page in headless Chromium from file://. Every page loads with no console error and no
 * request other than file: (plotly.js loaded once per page, from the site), every seqlab view
 * and plotly figure is drawn (traces in the DOM, at a readable height), math is typeset by
 * KaTeX with its fonts, code is highlighted, the index links work, nothing from the
 * notebooks runs as script, hostile HTML in markdown (meta refresh, base, forms, javascript:
 * links, SVG with script, CSS url(), frames, event handlers) is removed, over file:// and over
 * http, and the column gives prose a readable measure while code and equations use the window.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { executedNotebook, HOSTILE, writeJson } from '../kernel/export-fixtures.js';
import { chromiumArgs, chromiumPath, repoRoot, resultsDir } from './harness.js';

const SEQLAB = join(repoRoot, 'kernel', 'bin', 'seqlab.js');
const LECTURES = ['01-recurrent-neural-networks.ipynb', '02-backpropagation-through-time.ipynb'];

/** A markdown cell of what an untrusted notebook must not do to its readers. */
const HOSTILE_HTML = [
  'Hostile HTML follows.',
  '<meta http-equiv="refresh" content="0;url=elsewhere.html">',
  '<base href="https://example.org/">',
  '<form id="hostile-form" action="https://example.org/steal"><input name="q"><button>Send</button></form>',
  '<p><a id="js-link" href="javascript:document.title=\'pwned\'">js link</a> <a id="data-link" href="data:text/html,&lt;script&gt;alert(1)&lt;/script&gt;">data link</a></p>',
  '<svg id="hostile-svg" onload="document.title=\'pwned\'"><script>document.title="pwned"</script></svg>',
  '<p id="css-url" style="color: red; background-image: url(https://example.org/track.png)">styled</p>',
  '<iframe id="hostile-frame" src="https://example.org/"></iframe>',
  '<p><b id="handler" onclick="document.title=\'pwned\'" onmouseover="document.title=\'pwned\'">hover me</b></p>',
].join('\n\n');

/** A display equation and a line of code wider than a 54rem column, narrower than a wide screen. */
const WIDE_EQUATION = '$$\n\\frac{\\partial L}{\\partial W_{hh}} = \\sum_{t=1}^{T} \\sum_{k=1}^{t} \\frac{\\partial L_t}{\\partial h_t} \\left( \\prod_{j=k+1}^{t} \\frac{\\partial h_j}{\\partial h_{j-1}} \\right) \\frac{\\partial h_k}{\\partial W_{hh}} + \\lambda \\lVert W_{hh} \\rVert_F^2 + \\mu \\lVert W_{xh} \\rVert_F^2 + \\text{(the gradient, term by term)}\n$$';
const WIDE_CODE = 'const wideLine = new nn.LSTM(64, 256, { numLayers: 2, batchFirst: true, dropout: 0.1, bidirectional: false }); // 1';

/** Serves a folder on 127.0.0.1 (the site over http, as a course server would). */
async function serve(root: string): Promise<{ server: Server; url: string }> {
  const types: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.woff2': 'font/woff2', '.json': 'application/json', '.svg': 'image/svg+xml', '.png': 'image/png' };
  const server = createServer((req, res) => {
    const path = join(root, normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)).replace(/^(\.\.[/\\])+/, ''));
    if (!path.startsWith(root) || !existsSync(path)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': types[extname(path)] ?? 'application/octet-stream' }).end(readFileSync(path));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const address = server.address();
  return { server, url: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}` };
}

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
    const everyOutput = executedNotebook({ title: `Every output ${HOSTILE.replace(/[<>]/g, '\\$&')}`, extraMarkdown: `Raw HTML: <img id="raw" src="x" onerror="document.title='pwned'"> <kbd>Ctrl</kbd>` }) as { cells: unknown[] };
    everyOutput.cells.push(
      { id: 'hostile-html', cell_type: 'markdown', metadata: {}, source: HOSTILE_HTML },
      { id: 'wide-math', cell_type: 'markdown', metadata: {}, source: `## Width\n\nProse keeps a readable measure, long enough to wrap more than once on a wide screen, while the equation below and the code cell after it use the width of the window.\n\n${WIDE_EQUATION}` },
      { id: 'wide-code', cell_type: 'code', metadata: {}, execution_count: 9, source: WIDE_CODE, outputs: [] },
    );
    writeJson(join(dir, 'executed', '03-every-output.ipynb'), everyOutput);
    const exported = seqlab(['export', ...LECTURES.map((n) => join('executed', n)), join('executed', '03-every-output.ipynb'), '--out', site, '--title', 'Sequence models']);
    timings['export'] = exported.seconds;
    // Where a meta refresh in a notebook would send the reader.
    writeFileSync(join(site, 'elsewhere.html'), '<!doctype html><title>elsewhere</title><p>navigated away</p>');

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
      await page.waitForURL(`**/${href}`, { waitUntil: 'domcontentloaded' });
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
    // The HTML output's <script> and the markdown's onerror handler were removed at export; only the
    // markdown's image "x", which does not exist, is left to fail.
    expect(v.problems).toEqual(['console: Failed to load resource: net::ERR_FILE_NOT_FOUND']);
    expect(await page.$eval('#raw', (img) => img.getAttribute('onerror'))).toBeNull();
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

  /** What is left of the hostile markdown cell, and whether the page is still where it was loaded. */
  async function hostileCheck(url: string): Promise<void> {
    await page.goto(url);
    // A meta refresh with delay 0 fires right after load; give it time to.
    await page.waitForTimeout(1500);
    expect(page.url()).toBe(url);
    expect(await page.title()).toBe(`Every output ${HOSTILE} · Sequence models`);
    const left = await page.evaluate(() => ({
      refresh: document.querySelectorAll('meta[http-equiv="refresh" i]').length,
      base: document.querySelectorAll('base').length,
      forms: document.querySelectorAll('form, .markdown-cell input, .markdown-cell button').length,
      links: [...document.querySelectorAll('#js-link, #data-link')].map((a) => [a.textContent, a.getAttribute('href')]),
      svg: document.querySelectorAll('#hostile-svg, .markdown-cell script').length,
      style: document.querySelector('#css-url')?.getAttribute('style'),
      frames: [...document.querySelectorAll('iframe')].map((f) => f.className),
      handlers: [...document.querySelectorAll('main *')].flatMap((e) => [...e.attributes].filter((a) => a.name.startsWith('on')).map((a) => `${e.tagName}[${a.name}]`)),
      siteLink: (document.querySelector('.site-title') as HTMLAnchorElement).href,
      text: document.querySelector('#cell-hostile-html')?.textContent?.trim(),
    }));
    expect(left).toEqual({
      refresh: 0,
      base: 0,
      forms: 0,
      links: [
        ['js link', null],
        ['data link', null],
      ],
      svg: 0,
      style: 'color:red',
      frames: ['html-output'],
      handlers: [],
      siteLink: url.replace('03-every-output.html', 'index.html'),
      text: expect.stringContaining('hover me'),
    });
    await page.hover('#handler');
    await page.click('#js-link');
    expect(await page.title()).toBe(`Every output ${HOSTILE} · Sequence models`);
    expect(page.url()).toBe(url);
  }

  it('removes hostile HTML from markdown (meta refresh, base, forms, javascript: links, SVG script, CSS url(), frames, handlers) over file://', async () => {
    current = { requests: [], problems: [], seconds: 0 };
    await hostileCheck(`file://${join(site, '03-every-output.html')}`);
    expect(current.requests.filter((u) => !u.startsWith('file://') && !u.startsWith('data:'))).toEqual([]);
  });

  it('removes the same over http, where a refresh or a base would reach the network', async () => {
    const { server, url } = await serve(site);
    try {
      current = { requests: [], problems: [], seconds: 0 };
      await hostileCheck(`${url}/03-every-output.html`);
      expect(current.requests.filter((u) => !u.startsWith(url) && !u.startsWith('data:'))).toEqual([]);
      expect(current.requests).not.toContain(`${url}/elsewhere.html`);
    } finally {
      await new Promise((r) => server.close(r));
    }
  });

  it('gives prose a readable measure and lets display math and code use the width of a wide window', async () => {
    await page.setViewportSize({ width: 1600, height: 900 });
    try {
      await visit('03-every-output.html');
      const wide = await page.evaluate(() => {
        const rem = parseFloat(getComputedStyle(document.documentElement).fontSize);
        const box = (e: Element) => ({ width: e.getBoundingClientRect().width, scroll: e.scrollWidth, client: e.clientWidth });
        const prose = document.querySelector('#cell-wide-math p')!;
        const code = document.querySelector('#cell-wide-code')!;
        return {
          rem,
          prose: prose.getBoundingClientRect().width,
          math: box(document.querySelector('#cell-wide-math .math-display')!),
          code: code.getBoundingClientRect().width,
          codeText: box(code.querySelector('pre code')!),
          page: [document.documentElement.scrollWidth, innerWidth],
        };
      });
      // Prose: about 46rem, however wide the window.
      expect(wide.prose).toBeLessThanOrEqual(46 * wide.rem + 1);
      expect(wide.prose).toBeGreaterThan(40 * wide.rem);
      // The equation and the line of code are wider than the prose and shown whole, not cut or scrolled.
      expect(wide.math.scroll).toBeLessThanOrEqual(wide.math.client + 1);
      expect(wide.code).toBeGreaterThan(wide.prose + 10 * wide.rem);
      expect(wide.codeText.scroll).toBeLessThanOrEqual(wide.codeText.client + 1);
      expect(wide.page[0]).toBe(wide.page[1]);
      await page.screenshot({ path: join(resultsDir, 'export-wide.png') });

      // A narrow window: the page never scrolls sideways; the equation scrolls within itself.
      await page.setViewportSize({ width: 640, height: 900 });
      const narrow = await page.evaluate(() => {
        const math = document.querySelector('#cell-wide-math .math-display')!;
        return { page: [document.documentElement.scrollWidth, innerWidth], math: [math.scrollWidth > math.clientWidth, getComputedStyle(math).overflowX] };
      });
      expect(narrow.page[0]).toBe(narrow.page[1]);
      expect(narrow.math).toEqual([true, 'auto']);
    } finally {
      await page.setViewportSize({ width: 1100, height: 900 });
    }
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
