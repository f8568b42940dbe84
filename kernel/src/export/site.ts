/**
 * `seqlab export`: executed notebooks -> an offline course site.
 *
 * ```
 * DIR/index.html            the course: every notebook in the given order, titled by its first heading
 * DIR/<notebook>.html       one page per notebook
 * DIR/_static/              style, script, KaTeX, highlight.js themes, the views bundle (see assets.ts)
 * ```
 */
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, relative, resolve } from 'node:path';
import { VIEWS } from '@seqlab/engine/display/shared';
import { readNotebook } from '../run/notebook.js';
import { runNotebook, type RunEvent } from '../run/runner.js';
import { copyAssets, ExportError, locateViewsBundle } from './assets.js';
import { indexHtml, notebookPageHtml } from './layout.js';
import { createMarkdown } from './markdown.js';
import { isExecuted, renderNotebook, unexecutedCells, type NotebookPage, type StoredNotebook } from './notebook-page.js';

export { ExportError } from './assets.js';

/** Options of {@link exportSite}. */
export interface ExportOptions {
  /** The site's folder (created; files seqlab writes are replaced, others left alone). */
  out: string;
  /** The site's title (index heading, every page's header). Default "Notebooks". */
  title?: string;
  /**
   * Trust the notebooks' HTML: raw HTML in markdown and `text/html` outputs go into the page
   * as they are and their inline scripts run. Default: that HTML is sanitised (an allow-list,
   * see sanitize.ts), and each `text/html` output is shown in a sandboxed frame besides.
   */
  trusted?: boolean;
  /** Export notebooks that have never been executed (with a warning) instead of failing. */
  allowUnexecuted?: boolean;
  /** Execute each notebook with `seqlab run` first (into a temporary copy; the file is left as it is). */
  execute?: { timeout?: number; onEvent?: (e: RunEvent) => void };
  /** The standalone views bundle (default: `$SEQLAB_VIEWS_DIR`, else extension/standalone). */
  viewsDir?: string;
  /** Called as each page is written. */
  onPage?: (page: ExportedPage) => void;
}

/** A written page. */
export interface ExportedPage {
  notebook: string;
  file: string;
  title: string;
  views: number;
  bytes: number;
  warnings: string[];
}

/** What {@link exportSite} wrote. */
export interface ExportReport {
  out: string;
  index: string;
  pages: ExportedPage[];
  /** Every file of the site and its total size. */
  files: number;
  bytes: number;
  seconds: number;
}

/**
 * The MIME types the views bundle draws: the engine's registry of views (`VIEWS` of
 * `@seqlab/engine/display/shared`, each with its schema in engine/schemas/). A mark such as
 * `application/vnd.seqlab.figure.v1+json` has a schema but is no view: the figure it marks is drawn.
 */
export function viewMimeTypes(): Set<string> {
  return new Set(Object.values(VIEWS).map((view) => view.mimeType));
}

function sizeOf(dir: string): { files: number; bytes: number } {
  let files = 0;
  let bytes = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    files++;
    bytes += statSync(join(entry.parentPath, entry.name)).size;
  }
  return { files, bytes };
}

/** Page file names for the notebooks, in order; two notebooks may not share one. */
function pageNames(paths: readonly string[]): Map<string, string> {
  const pages = new Map<string, string>();
  const byName = new Map<string, string>();
  for (const p of paths) {
    const name = `${basename(p).replace(/\.ipynb$/i, '')}.html`;
    if (name.toLowerCase() === 'index.html') throw new ExportError(`${p}: a notebook named index would replace the site's index.html; rename it`);
    const other = byName.get(name.toLowerCase());
    if (other === p) throw new ExportError(`${p} is given twice`);
    if (other) throw new ExportError(`${other} and ${p} would both become ${name}; rename one of them`);
    byName.set(name.toLowerCase(), p);
    pages.set(p, name);
  }
  return pages;
}

/**
 * Exports notebooks as an offline site.
 *
 * @throws ExportError naming the notebook and what to do (missing file, not executed,
 *   a cell failing under `execute`, the views bundle not built)
 * @example
 * const report = await exportSite(['notebooks/01-rnn.ipynb', 'notebooks/02-bptt.ipynb'], { out: 'site', title: 'Sequence models' });
 * report.index // '/abs/site/index.html'
 */
export async function exportSite(notebooks: readonly string[], options: ExportOptions): Promise<ExportReport> {
  const started = performance.now();
  if (notebooks.length === 0) throw new ExportError('give at least one notebook');
  const paths = notebooks.map((p) => resolve(p));
  for (const [i, p] of paths.entries()) {
    if (!existsSync(p)) throw new ExportError(`no such notebook: ${notebooks[i]} (looked for ${p})`);
    if (!statSync(p).isFile()) throw new ExportError(`not a notebook file: ${notebooks[i]}`);
  }
  const pages = pageNames(paths);
  const out = resolve(options.out);

  // Execute first when asked, into a temporary copy (images and links still resolve from the original folder).
  const sources = new Map<string, StoredNotebook>();
  const temp = options.execute ? mkdtempSync(join(tmpdir(), 'seqlab-export-run-')) : null;
  try {
    for (const p of paths) {
      if (options.execute && temp) {
        const result = await runNotebook(p, {
          output: join(temp, basename(p)),
          ...(options.execute.timeout !== undefined && { timeout: options.execute.timeout }),
          ...(options.execute.onEvent && { onEvent: options.execute.onEvent }),
        });
        if (result.error) {
          const e = result.error;
          throw new ExportError(`${relative(process.cwd(), p) || p}, cell ${e.cellNumber}: ${e.ename}: ${e.evalue} (while executing it for the export)`);
        }
        sources.set(p, result.notebook as unknown as StoredNotebook);
      } else {
        try {
          sources.set(p, readNotebook(p) as unknown as StoredNotebook);
        } catch (e) {
          throw new ExportError((e as Error).message);
        }
      }
    }
  } finally {
    if (temp) rmSync(temp, { recursive: true, force: true });
  }

  // Authors' HTML (markdown cells, markdown outputs) is kept; untrusted, through the sanitiser.
  const markdown = createMarkdown({ html: true, sanitize: !(options.trusted ?? false) });
  const mimeTypes = viewMimeTypes();
  const rendered: Array<{ path: string; file: string; page: NotebookPage; warnings: string[] }> = [];
  for (const p of paths) {
    const nb = sources.get(p)!;
    const warnings: string[] = [];
    if (!isExecuted(nb)) {
      if (!options.allowUnexecuted) {
        throw new ExportError(
          `${relative(process.cwd(), p) || p} has not been executed (no code cell has outputs or an execution count). ` +
            `Execute it first (seqlab run ${relative(process.cwd(), p) || p} --out DIR, then export the copy in DIR), export with --execute, or pass --allow-unexecuted to export its code without outputs`,
        );
      }
      warnings.push('not executed: its code cells have no outputs');
    } else {
      const missing = unexecutedCells(nb);
      if (missing.length > 0) warnings.push(`cell${missing.length === 1 ? '' : 's'} ${missing.join(', ')} ${missing.length === 1 ? 'was' : 'were'} not executed`);
    }
    const page = renderNotebook(nb, { path: p, trusted: options.trusted ?? false, viewMimeTypes: mimeTypes, markdown, pages });
    rendered.push({ path: p, file: pages.get(p)!, page, warnings: [...warnings, ...page.warnings] });
  }

  // Only a site with views needs the bundle (and fails clearly when it is not built).
  const viewsDir = rendered.some((r) => r.page.views > 0) ? locateViewsBundle(options.viewsDir) : null;
  copyAssets(out, viewsDir);

  const siteTitle = options.title ?? 'Notebooks';
  const report: ExportedPage[] = [];
  rendered.forEach((r, i) => {
    const link = (j: number) => (rendered[j] ? { href: rendered[j]!.file, title: rendered[j]!.page.title } : null);
    const html = notebookPageHtml({
      siteTitle,
      title: r.page.title,
      body: r.page.body,
      position: i + 1,
      count: rendered.length,
      prev: link(i - 1),
      next: link(i + 1),
      source: basename(r.path),
      views: r.page.views > 0,
      trusted: options.trusted ?? false,
    });
    const file = join(out, r.file);
    writeFileSync(file, html);
    const page: ExportedPage = { notebook: r.path, file, title: r.page.title, views: r.page.views, bytes: Buffer.byteLength(html), warnings: r.warnings };
    report.push(page);
    options.onPage?.(page);
  });
  const index = join(out, 'index.html');
  writeFileSync(
    index,
    indexHtml(
      siteTitle,
      rendered.map((r) => ({ href: r.file, title: r.page.title, summary: r.page.summary, source: basename(r.path) })),
      options.trusted ?? false,
    ),
  );
  const size = sizeOf(out);
  return { out, index, pages: report, files: size.files, bytes: size.bytes, seconds: (performance.now() - started) / 1000 };
}
