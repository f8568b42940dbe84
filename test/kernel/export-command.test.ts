/**
 * `seqlab export` as a command: the site's files, the index in the given order, one copy of
 * the views bundle (plotly.js) per site, and clear errors (missing file, notebook not
 * executed, bundle not built, bad arguments). `--execute` runs a notebook through the kernel.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { JSDOM } from 'jsdom';
import { describe, expect, it } from 'vitest';
import { REPO, SEQLAB_BIN, tempDir } from './helpers.js';
import { clearedNotebook, executedNotebook, writeJson } from './export-fixtures.js';

const VIEWS_DIR = join(REPO, 'extension', 'standalone');

function exportCmd(args: string[], cwd: string, env: Record<string, string> = {}) {
  return spawnSync(process.execPath, [SEQLAB_BIN, 'export', ...args], { cwd, encoding: 'utf8', env: { ...process.env, SEQLAB_DATA_DIR: tempDir(), ...env }, timeout: 120_000 });
}

function requireViewsBundle(): void {
  if (!existsSync(join(VIEWS_DIR, 'seqlab-views.js'))) {
    throw new Error(`${VIEWS_DIR}/seqlab-views.js is missing: build it with \`npm run build -w extension\` (npm test's pretest does)`);
  }
}

const proseOnly = (title: string) => ({ nbformat: 4, nbformat_minor: 5, metadata: {}, cells: [{ id: 'a', cell_type: 'markdown', metadata: {}, source: `# ${title}\n\nJust $x$ prose.` }] });

describe('seqlab export', { timeout: 120_000 }, () => {
  it('writes index.html, a page per notebook in the given order and _static with KaTeX, highlight.js and the views bundle once', () => {
    requireViewsBundle();
    const dir = tempDir();
    writeJson(join(dir, '01-views.ipynb'), executedNotebook({ title: 'Views first' }));
    writeJson(join(dir, '02-prose.ipynb'), proseOnly('Prose second'));
    const r = exportCmd(['02-prose.ipynb', '01-views.ipynb', '--out', 'site', '--title', 'My <course>'], dir);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe(join(dir, 'site', 'index.html'));
    expect(r.stderr).toContain('01-views.ipynb -> site/01-views.html (Views first; 3 views');
    expect(r.stderr).toContain('warning: cell 8: an error output (TypeError: bad <shape>)');
    expect(r.stderr).toMatch(/site: 2 pages \+ index, \d+ files, [\d.]+ MB/);

    const site = join(dir, 'site');
    expect(readdirSync(site).sort()).toEqual(['01-views.html', '02-prose.html', '_static', 'index.html']);
    const index = new JSDOM(readFileSync(join(site, 'index.html'), 'utf8')).window.document;
    expect(index.querySelector('h1')!.textContent).toBe('My <course>');
    expect([...index.querySelectorAll('.toc a')].map((a) => [a.getAttribute('href'), a.textContent])).toEqual([
      ['02-prose.html', 'Prose second'],
      ['01-views.html', 'Views first'],
    ]);
    const page = new JSDOM(readFileSync(join(site, '02-prose.html'), 'utf8')).window.document;
    expect(page.querySelector('a[rel="next"]')!.getAttribute('href')).toBe('01-views.html');

    const stat = join(site, '_static');
    expect(readdirSync(stat).sort()).toEqual(['highlight', 'katex', 'licenses', 'seqlab', 'site.css', 'site.js']);
    expect(readdirSync(join(stat, 'katex', 'fonts')).filter((f) => f.endsWith('.woff2')).length).toBeGreaterThan(10);
    const css = readFileSync(join(stat, 'katex', 'katex.min.css'), 'utf8');
    for (const font of css.match(/fonts\/[\w-]+\.woff2/g)!) expect(existsSync(join(stat, 'katex', font)), font).toBe(true);
    expect(readdirSync(join(stat, 'seqlab')).sort()).toEqual(readdirSync(VIEWS_DIR).sort());
    expect(readdirSync(join(stat, 'seqlab')).filter((f) => /^seqlab-plotly\..*\.js$/.test(f))).toHaveLength(1);
    expect(readdirSync(join(stat, 'licenses')).sort()).toEqual(['highlight.js.txt', 'katex.txt', 'plotly.js-dist-min.txt']);
  });

  it('replaces an older views bundle, so no stale plotly.js chunk stays', () => {
    requireViewsBundle();
    const dir = tempDir();
    writeJson(join(dir, 'n.ipynb'), executedNotebook());
    mkdirSync(join(dir, 'site', '_static', 'seqlab'), { recursive: true });
    writeFileSync(join(dir, 'site', '_static', 'seqlab', 'seqlab-plotly.0ld.js'), '');
    writeFileSync(join(dir, 'site', 'notes.txt'), 'mine');
    expect(exportCmd(['n.ipynb', '--out', 'site'], dir).status).toBe(0);
    expect(readdirSync(join(dir, 'site', '_static', 'seqlab'))).not.toContain('seqlab-plotly.0ld.js');
    expect(readFileSync(join(dir, 'site', 'notes.txt'), 'utf8')).toBe('mine');
  });

  it('names a missing notebook', () => {
    const dir = tempDir();
    const r = exportCmd(['nowhere/01-missing.ipynb', '--out', 'site'], dir);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(`seqlab export: no such notebook: nowhere/01-missing.ipynb (looked for ${join(dir, 'nowhere', '01-missing.ipynb')})\n`);
    expect(existsSync(join(dir, 'site'))).toBe(false);
  });

  it('refuses a notebook that was never executed, unless told to export it anyway', () => {
    const dir = tempDir();
    writeJson(join(dir, 'lesson.ipynb'), clearedNotebook('Lesson'));
    const r = exportCmd(['lesson.ipynb', '--out', 'site'], dir);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('seqlab export: lesson.ipynb has not been executed (no code cell has outputs or an execution count)');
    expect(r.stderr).toContain('seqlab run lesson.ipynb --out DIR');
    expect(r.stderr).toContain('--execute');
    expect(existsSync(join(dir, 'site'))).toBe(false);
    const anyway = exportCmd(['lesson.ipynb', '--out', 'site', '--allow-unexecuted'], dir);
    expect(anyway.status, anyway.stderr).toBe(0);
    expect(anyway.stderr).toContain('warning: not executed: its code cells have no outputs');
    expect(readFileSync(join(dir, 'site', 'lesson.html'), 'utf8')).toContain('<span class="hljs-number">1</span>');
  });

  it('says how to build the views bundle when a page needs it and it is not built; prose needs none', () => {
    const dir = tempDir();
    writeJson(join(dir, 'views.ipynb'), executedNotebook());
    writeJson(join(dir, 'prose.ipynb'), proseOnly('Prose'));
    const env = { SEQLAB_VIEWS_DIR: join(dir, 'not-built') };
    const r = exportCmd(['views.ipynb', '--out', 'site'], dir, env);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`the standalone views bundle is not built (no ${join(dir, 'not-built', 'seqlab-views.js')})`);
    expect(r.stderr).toContain('npm run build -w extension');
    const prose = exportCmd(['prose.ipynb', '--out', 'site'], dir, env);
    expect(prose.status, prose.stderr).toBe(0);
    expect(readdirSync(join(dir, 'site', '_static'))).not.toContain('seqlab');
    expect(readFileSync(join(dir, 'site', 'prose.html'), 'utf8')).not.toContain('seqlab-views.js');
  });

  it('rejects bad arguments and clashing page names', () => {
    const dir = tempDir();
    writeJson(join(dir, 'a.ipynb'), proseOnly('A'));
    mkdirSync(join(dir, 'other'));
    writeJson(join(dir, 'other', 'a.ipynb'), proseOnly('A again'));
    writeJson(join(dir, 'index.ipynb'), proseOnly('Index'));
    expect(exportCmd(['a.ipynb'], dir).stderr).toContain('--out DIR is required');
    expect(exportCmd(['a.ipynb'], dir).status).toBe(2);
    expect(exportCmd(['--out', 'site'], dir).status).toBe(2);
    expect(exportCmd(['a.ipynb', '--out', 's', '--timeout', '5'], dir).stderr).toContain('--timeout applies to --execute only');
    expect(exportCmd(['a.ipynb', '--out', 's', '--bogus'], dir).status).toBe(2);
    const clash = exportCmd(['a.ipynb', 'other/a.ipynb', '--out', 's'], dir);
    expect(clash.status).toBe(1);
    expect(clash.stderr).toContain(`${join(dir, 'a.ipynb')} and ${join(dir, 'other', 'a.ipynb')} would both become a.html`);
    expect(exportCmd(['index.ipynb', '--out', 's'], dir).stderr).toContain("would replace the site's index.html");
    writeFileSync(join(dir, 'broken.ipynb'), '{ not json');
    const broken = exportCmd(['broken.ipynb', '--out', 's'], dir);
    expect(broken.status).toBe(1);
    expect(broken.stderr).toContain(`${join(dir, 'broken.ipynb')}: not a notebook`);
  });

  it('executes cleared notebooks through the kernel with --execute, leaving the files as they are', () => {
    requireViewsBundle();
    const dir = tempDir();
    const nb = {
      nbformat: 4,
      nbformat_minor: 5,
      metadata: { kernelspec: { name: 'seqlab', display_name: 'TypeScript (seqlab)', language: 'typescript' } },
      cells: [
        { id: 'h', cell_type: 'markdown', metadata: {}, source: '# Run for the export' },
        { id: 'c1', cell_type: 'code', metadata: {}, execution_count: null, outputs: [], source: 'console.log("computed", 6 * 7)' },
        { id: 'c2', cell_type: 'code', metadata: {}, execution_count: null, outputs: [], source: 'linePlot([3, 2, 1], { title: "fresh" })' },
      ],
    };
    const file = writeJson(join(dir, 'fresh.ipynb'), nb);
    const before = readFileSync(file, 'utf8');
    const r = exportCmd(['fresh.ipynb', '--out', 'site', '--execute', '--timeout', '60'], dir);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain('executing fresh.ipynb: 2 code cells');
    const page = new JSDOM(readFileSync(join(dir, 'site', 'fresh.html'), 'utf8')).window.document;
    expect(page.querySelector('pre.stream.stdout')!.textContent).toBe('computed 42\n');
    expect(page.querySelector<HTMLElement>('.seqlab-output')!.dataset.mimeType).toBe('application/vnd.plotly.v1+json');
    expect(readFileSync(file, 'utf8')).toBe(before);

    writeJson(join(dir, 'fails.ipynb'), { ...nb, cells: [{ id: 'x', cell_type: 'code', metadata: {}, execution_count: null, outputs: [], source: 'throw new RangeError("no")' }] });
    const failed = exportCmd(['fails.ipynb', '--out', 'site2', '--execute'], dir);
    expect(failed.status).toBe(1);
    expect(failed.stderr).toContain('seqlab export: fails.ipynb, cell 1: RangeError: no (while executing it for the export)');
  });
});
