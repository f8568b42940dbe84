/**
 * A code cell's outputs as HTML for an exported page.
 *
 * Each display bundle is shown in its richest form the page can show safely, in Jupyter's
 * order of preference:
 *
 * 1. a seqlab view or plotly figure: a `.seqlab-output` container with the payload as JSON
 *    and the bundle's static figure (SVG/PNG `<img>`) as the no-script fallback; the
 *    standalone views bundle draws it (extension/README.md);
 * 2. `text/html`: trusted exports put it into the page as it is; otherwise it is sanitised
 *    (sanitize.ts) and goes into a sandboxed `<iframe srcdoc>` (no scripts, its own styles, no
 *    network under the page's CSP), so an output cannot run code, navigate, restyle or break
 *    the page;
 * 3. `text/markdown` (raw HTML in it sanitised unless trusted), `text/latex` (KaTeX);
 * 4. images (`image/svg+xml` as an `<img>` data URI, so nothing in it runs; PNG, JPEG, GIF);
 * 5. `application/json` pretty-printed; `text/plain` with ANSI colours.
 *
 * Streams and errors are preformatted text with ANSI colours; every text is escaped.
 */
import type { MarkdownIt } from 'markdown-it';
import { ansiToHtml, stripAnsi } from './ansi.js';
import { base64DataUri, escapeHtml, joinText, jsonForScript, textDataUri } from './escape.js';
import type { MarkdownEnv } from './markdown.js';
import { renderTex } from './math.js';
import { sanitizeHtml } from './sanitize.js';

/** An nbformat 4 output as stored on disk (multi-line text may be a list of lines). */
export interface StoredOutput {
  output_type: string;
  name?: string;
  text?: string | string[];
  data?: Record<string, unknown>;
  metadata?: Record<string, unknown>;
  execution_count?: number | null;
  ename?: string;
  evalue?: string;
  traceback?: string[];
}

/** What rendering outputs needs from the page. */
export interface OutputContext {
  /** Whether HTML from the notebook may run as part of the page. */
  trusted: boolean;
  /** MIME types drawn by the standalone views bundle. */
  viewMimeTypes: ReadonlySet<string>;
  /** Renders `text/markdown` outputs (raw HTML sanitised unless trusted). */
  markdown: MarkdownIt;
  /** The page's markdown env (math macros, heading ids, errors). */
  env: MarkdownEnv;
  /** Counts what the page needs: views (the script), sandboxed HTML frames. */
  stats: { views: number; htmlFrames: number; unsupported: string[] };
}

const IMAGE_TYPES = ['image/png', 'image/jpeg', 'image/gif', 'image/webp'] as const;

/** The MIME type of a bundle this page will show, or null when it has nothing showable. */
export function chooseMimeType(data: Record<string, unknown>, viewMimeTypes: ReadonlySet<string>): string | null {
  const view = Object.keys(data).find((m) => viewMimeTypes.has(m));
  if (view) return view;
  for (const m of ['text/html', 'text/markdown', 'text/latex', 'image/svg+xml', ...IMAGE_TYPES, 'application/json', 'text/plain']) {
    if (m in data) return m;
  }
  return null;
}

function sizeAttrs(metadata: Record<string, unknown> | undefined, mime: string): string {
  const m = (metadata?.[mime] ?? {}) as { width?: unknown; height?: unknown };
  const attrs: string[] = [];
  for (const key of ['width', 'height'] as const) {
    const v = m[key];
    if (typeof v === 'number' && Number.isFinite(v) && v > 0) attrs.push(` ${key}="${Math.round(v)}"`);
  }
  return attrs.join('');
}

function imageTag(data: Record<string, unknown>, mime: string, alt: string, metadata: Record<string, unknown> | undefined, className: string): string {
  const src = mime === 'image/svg+xml' ? textDataUri(mime, joinText(data[mime])) : base64DataUri(mime, joinText(data[mime]));
  return `<img class="${className}" src="${escapeHtml(src)}" alt="${escapeHtml(alt)}"${sizeAttrs(metadata, mime)}>`;
}

/** The container the standalone views bundle draws, with its static fallback. */
function viewContainer(data: Record<string, unknown>, mime: string, alt: string): string {
  const staticMime = ['image/svg+xml', ...IMAGE_TYPES].find((m) => m in data);
  const fallback = staticMime
    ? imageTag(data, staticMime, alt, undefined, 'seqlab-static')
    : `<noscript><pre class="text-output">${escapeHtml(alt)}</pre></noscript>`;
  return `<div class="seqlab-output" data-mime-type="${escapeHtml(mime)}"><script type="application/json">${jsonForScript(data[mime])}</script>${fallback}</div>`;
}

/** A document for a sandboxed frame: the output's HTML with a neutral base style. */
function frameDocument(html: string): string {
  return (
    '<!doctype html><html><head><meta charset="utf-8"><meta name="color-scheme" content="light dark">' +
    '<style>html,body{margin:0;padding:0;background:transparent;}body{display:flow-root;font:14px/1.5 system-ui,-apple-system,"Segoe UI",Helvetica,Arial,sans-serif;color:CanvasText}' +
    'table{border-collapse:collapse}th,td{padding:.25em .6em;border-bottom:1px solid rgba(128,128,128,.35);text-align:right}img{max-width:100%}</style>' +
    `</head><body>${html}</body></html>`
  );
}

/** Renders one display bundle (display_data or execute_result). */
function renderBundle(data: Record<string, unknown>, metadata: Record<string, unknown> | undefined, ctx: OutputContext): string {
  const mime = chooseMimeType(data, ctx.viewMimeTypes);
  const plain = stripAnsi(joinText(data['text/plain']));
  if (mime === null) {
    const kinds = Object.keys(data);
    ctx.stats.unsupported.push(...kinds);
    return `<div class="output-unsupported">(an output of type ${escapeHtml(kinds.join(', ') || 'none')} that a static page cannot show)</div>`;
  }
  if (ctx.viewMimeTypes.has(mime)) {
    ctx.stats.views++;
    return viewContainer(data, mime, plain || mime);
  }
  switch (mime) {
    case 'text/html': {
      const html = joinText(data[mime]);
      if (ctx.trusted) return `<div class="html-output">${html}</div>`;
      ctx.stats.htmlFrames++;
      // Sanitised, and besides in a frame: allow-same-origin without allow-scripts, so nothing
      // in it runs and its styles stay in it; the page's own script may read its height to fit it.
      return `<iframe class="html-output" sandbox="allow-same-origin" title="HTML output" srcdoc="${escapeHtml(frameDocument(sanitizeHtml(html)))}"></iframe>`;
    }
    case 'text/markdown':
      return `<div class="markdown-output">${ctx.markdown.render(joinText(data[mime]), ctx.env)}</div>`;
    case 'text/latex': {
      const tex = joinText(data[mime]).trim();
      const m = /^\$\$([\s\S]*)\$\$$/.exec(tex) ?? /^\\\[([\s\S]*)\\\]$/.exec(tex) ?? /^\$([\s\S]*)\$$/.exec(tex);
      return `<div class="latex-output">${renderTex(m ? m[1]!.trim() : tex, true, ctx.env)}</div>`;
    }
    case 'application/json':
      return `<pre class="json-output">${escapeHtml(JSON.stringify(data[mime], null, 2) ?? 'null')}</pre>`;
    case 'text/plain':
      return `<pre class="text-output">${ansiToHtml(joinText(data[mime]))}</pre>`;
    default:
      return `<div class="image-output">${imageTag(data, mime, plain, metadata, 'output-image')}</div>`;
  }
}

/**
 * One output as HTML.
 *
 * @example
 * renderOutput({ output_type: 'stream', name: 'stdout', text: 'loss <1\n' }, ctx)
 * // '<pre class="output stream stdout">loss &lt;1\n</pre>'
 */
export function renderOutput(output: StoredOutput, ctx: OutputContext): string {
  switch (output.output_type) {
    case 'stream': {
      const name = output.name === 'stderr' ? 'stderr' : 'stdout';
      return `<pre class="output stream ${name}">${ansiToHtml(joinText(output.text))}</pre>`;
    }
    case 'error': {
      const lines = output.traceback && output.traceback.length > 0 ? output.traceback.join('\n') : `${output.ename ?? 'Error'}: ${output.evalue ?? ''}`;
      return `<pre class="output error" role="note" aria-label="error">${ansiToHtml(lines)}</pre>`;
    }
    case 'display_data':
    case 'execute_result': {
      const prompt =
        output.output_type === 'execute_result' && typeof output.execution_count === 'number'
          ? `<div class="prompt out-prompt" aria-hidden="true">[${output.execution_count}]:</div>`
          : '';
      return `<div class="output ${output.output_type === 'execute_result' ? 'result' : 'display'}">${prompt}<div class="output-body">${renderBundle(output.data ?? {}, output.metadata, ctx)}</div></div>`;
    }
    default:
      ctx.stats.unsupported.push(`output_type ${output.output_type}`);
      return `<div class="output-unsupported">(an output of type ${escapeHtml(String(output.output_type))})</div>`;
  }
}
