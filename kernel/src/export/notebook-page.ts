/**
 * One executed notebook -> the body of its course page: markdown cells rendered (math,
 * highlighted fences, images embedded), code cells highlighted with their outputs.
 *
 * Cell tags, as nbconvert and Jupyter Book read them: `remove-cell` leaves a cell out,
 * `remove-input` shows only its outputs, `remove-output` only its source.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, extname, resolve } from 'node:path';
import type { MarkdownIt } from 'markdown-it';
import { base64DataUri, escapeHtml, joinText, textDataUri } from './escape.js';
import { highlightCode, knownLanguage } from './highlight.js';
import { firstHeading, firstParagraph, type MarkdownEnv, type ResolvedImage } from './markdown.js';
import { renderOutput, type OutputContext, type StoredOutput } from './outputs.js';

/** A notebook cell as stored on disk. */
export interface StoredCell {
  id?: string;
  cell_type: string;
  source: string | string[];
  metadata?: Record<string, unknown>;
  outputs?: StoredOutput[];
  execution_count?: number | null;
  attachments?: Record<string, Record<string, string | string[]>>;
}

/** An nbformat 4 notebook as stored on disk. */
export interface StoredNotebook {
  nbformat: number;
  nbformat_minor?: number;
  metadata?: Record<string, unknown>;
  cells: StoredCell[];
}

/** What {@link renderNotebook} needs. */
export interface NotebookPageOptions {
  /** The notebook file (images and links are resolved from its folder). */
  path: string;
  trusted: boolean;
  viewMimeTypes: ReadonlySet<string>;
  /** Markdown for cells and markdown outputs (raw HTML kept; sanitised unless trusted). */
  markdown: MarkdownIt;
  /** Maps the absolute path of a notebook in the export to its page's file name. */
  pages: ReadonlyMap<string, string>;
}

/** A rendered notebook. */
export interface NotebookPage {
  /** The first heading (plain text), else the file name without `.ipynb`. */
  title: string;
  /** The first paragraph as inline HTML (math typeset), for the index. */
  summary: string | null;
  /** The cells as HTML (the page's `<main>` content). */
  body: string;
  /** Seqlab views and plotly figures on the page (the views script is needed when > 0). */
  views: number;
  /** Things the author should know (errors in outputs, formulas KaTeX rejected, missing images). */
  warnings: string[];
}

/** Code cells that have source. */
function codeCells(nb: StoredNotebook): Array<{ cell: StoredCell; number: number }> {
  return nb.cells
    .map((cell, i) => ({ cell, number: i + 1 }))
    .filter(({ cell }) => cell.cell_type === 'code' && joinText(cell.source).trim() !== '');
}

/** Whether any code cell of the notebook was executed (or the notebook has no code to run). */
export function isExecuted(nb: StoredNotebook): boolean {
  const code = codeCells(nb);
  return code.length === 0 || code.some(({ cell }) => typeof cell.execution_count === 'number' || (cell.outputs?.length ?? 0) > 0);
}

/** The cell numbers (1-based among all cells) of code cells that were not executed. */
export function unexecutedCells(nb: StoredNotebook): number[] {
  return codeCells(nb)
    .filter(({ cell }) => typeof cell.execution_count !== 'number' && (cell.outputs?.length ?? 0) === 0)
    .map(({ number }) => number);
}

const IMAGE_EXTENSIONS: Record<string, string> = { '.png': 'image/png', '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.gif': 'image/gif', '.svg': 'image/svg+xml', '.webp': 'image/webp' };
/** Local images larger than this are linked, not embedded. */
const MAX_EMBEDDED_IMAGE = 20 * 1024 * 1024;

function tags(cell: StoredCell): Set<string> {
  const t = cell.metadata?.['tags'];
  return new Set(Array.isArray(t) ? t.map(String) : []);
}

/** Resolves the images of one markdown cell for an offline page. */
function imageResolver(cell: StoredCell, notebookDir: string, where: string, warnings: string[]): (src: string) => ResolvedImage {
  return (src) => {
    if (src.startsWith('attachment:')) {
      const name = decodeURIComponent(src.slice('attachment:'.length));
      const bundle = cell.attachments?.[name];
      const mime = bundle && Object.keys(bundle).find((m) => m.startsWith('image/'));
      if (!bundle || !mime) {
        warnings.push(`${where}: the attachment "${name}" is not in the notebook`);
        return { link: src, reason: 'missing attachment' };
      }
      const data = joinText(bundle[mime]);
      // Jupyter stores SVG attachments as text or, when dropped as a file, as base64; only text has a '<'.
      return { src: data.includes('<') ? textDataUri(mime, data) : base64DataUri(mime, data) };
    }
    if (/^data:/i.test(src)) return { src };
    if (/^[a-z][a-z0-9+.-]*:/i.test(src) || src.startsWith('//')) {
      warnings.push(`${where}: the image ${src} is not embedded (the site works offline); it is shown as a link`);
      return { link: src, reason: 'a remote image (the site works offline)' };
    }
    const path = resolve(notebookDir, decodeURIComponent(src.split(/[?#]/)[0]!));
    const mime = IMAGE_EXTENSIONS[extname(path).toLowerCase()];
    if (!existsSync(path) || !statSync(path).isFile()) {
      warnings.push(`${where}: the image ${src} was not found (looked for ${path})`);
      return { link: src, reason: 'image not found at export' };
    }
    if (!mime || statSync(path).size > MAX_EMBEDDED_IMAGE) {
      warnings.push(`${where}: the image ${src} is not a PNG, JPEG, GIF, SVG or WebP under 20 MB; it is shown as a link`);
      return { link: src, reason: 'not embedded' };
    }
    return { src: base64DataUri(mime, readFileSync(path).toString('base64')) };
  };
}

/** Rewrites links to notebooks of the export to their pages (`02-bptt.ipynb#Clipping` -> `02-bptt.html#Clipping`). */
function linkRewriter(notebookDir: string, pages: ReadonlyMap<string, string>): (href: string) => string {
  return (href) => {
    if (/^[a-z][a-z0-9+.-]*:/i.test(href) || href.startsWith('#') || href.startsWith('//')) return href;
    const [path, ...rest] = href.split('#');
    if (!path || !path.toLowerCase().endsWith('.ipynb')) return href;
    const page = pages.get(resolve(notebookDir, decodeURIComponent(path)));
    return page ? [encodeURI(page), ...rest].join('#') : href;
  };
}

/**
 * Renders a notebook's cells.
 *
 * @example
 * const page = renderNotebook(nb, { path: 'notebooks/01-rnn.ipynb', trusted: false, viewMimeTypes, markdown, pages });
 * page.title // '1 · Recurrent neural networks'
 */
export function renderNotebook(nb: StoredNotebook, options: NotebookPageOptions): NotebookPage {
  const notebookDir = dirname(resolve(options.path));
  const warnings: string[] = [];
  const env: MarkdownEnv = { macros: {}, mathErrors: [], headingIds: new Set(), rewriteLink: linkRewriter(notebookDir, options.pages) };
  const stats: OutputContext['stats'] = { views: 0, htmlFrames: 0, unsupported: [] };
  const ctx: OutputContext = { trusted: options.trusted, viewMimeTypes: options.viewMimeTypes, markdown: options.markdown, env, stats };
  const meta = nb.metadata ?? {};
  const language =
    knownLanguage((meta['language_info'] as { name?: string } | undefined)?.name) ??
    knownLanguage((meta['kernelspec'] as { language?: string } | undefined)?.language) ??
    'typescript';
  let title: string | null = null;
  let summary: string | null = null;
  const parts: string[] = [];

  nb.cells.forEach((cell, i) => {
    const number = i + 1;
    const where = `cell ${number}`;
    const t = tags(cell);
    if (t.has('remove-cell')) return;
    const source = joinText(cell.source);
    const idAttr = cell.id ? ` id="cell-${escapeHtml(cell.id)}"` : '';
    const errorsBefore = env.mathErrors!.length;

    if (cell.cell_type === 'markdown') {
      title ??= firstHeading(options.markdown, source);
      if (summary === null) {
        const paragraph = firstParagraph(options.markdown, source);
        // Its own copy of the macros: the paragraph is rendered again on the page, where a \newcommand in it must still be new.
        if (paragraph !== null) summary = options.markdown.renderInline(paragraph, { ...env, macros: { ...env.macros }, mathErrors: [] });
      }
      // The same macros, heading ids and error list as the page; images resolved per cell (attachments).
      const cellEnv: MarkdownEnv = { ...env, resolveImage: imageResolver(cell, notebookDir, where, warnings) };
      parts.push(`<section class="cell markdown-cell"${idAttr}>\n${options.markdown.render(source, cellEnv)}</section>`);
    } else if (cell.cell_type === 'code') {
      const outputs = t.has('remove-output') ? [] : (cell.outputs ?? []);
      const showInput = !t.has('remove-input') && source.trim() !== '';
      if (!showInput && outputs.length === 0) return;
      for (const o of outputs) {
        if (o.output_type === 'error') warnings.push(`${where}: an error output (${o.ename ?? 'Error'}: ${o.evalue ?? ''})`);
      }
      const count = typeof cell.execution_count === 'number' ? String(cell.execution_count) : ' ';
      const input = showInput
        ? `<div class="input"><div class="prompt in-prompt" aria-hidden="true">[${count}]:</div><pre class="source"><code class="hljs language-${language}">${highlightCode(source, language)}</code></pre></div>`
        : '';
      const out = outputs.length > 0 ? `<div class="outputs">${outputs.map((o) => renderOutput(o, ctx)).join('')}</div>` : '';
      parts.push(`<section class="cell code-cell"${idAttr}>${input}${out}</section>`);
    } else if (cell.cell_type === 'raw') {
      const format = String(cell.metadata?.['format'] ?? cell.metadata?.['raw_mimetype'] ?? '');
      if (format === 'text/html' || format === 'text/markdown') {
        parts.push(`<section class="cell raw-cell"${idAttr}>${renderOutput({ output_type: 'display_data', data: { [format]: source } }, ctx)}</section>`);
      }
    }
    for (const e of env.mathErrors!.slice(errorsBefore)) warnings.push(`${where}: KaTeX could not typeset ${JSON.stringify(e.tex)}: ${e.message}`);
  });

  if (stats.unsupported.length > 0) warnings.push(`outputs shown as a note only (no static form): ${[...new Set(stats.unsupported)].join(', ')}`);
  const stem = options.path.split(/[\\/]/).pop()!.replace(/\.ipynb$/i, '');
  return { title: title ?? stem, summary, body: parts.join('\n'), views: stats.views, warnings };
}
