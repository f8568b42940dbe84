/**
 * The HTML around the content: the notebook pages (header, previous/next, footer) and the
 * index, with the Content-Security-Policy every page carries.
 */
import { KERNEL_VERSION } from '../version.js';
import { escapeHtml } from './escape.js';

/** Where the site's static files go, relative to the pages. */
export const STATIC_DIR = '_static';

/**
 * The pages' Content-Security-Policy. Scripts come only from the site's own files: no
 * inline script or event handler runs, unless the export is trusted (then HTML outputs may
 * carry their scripts). `'unsafe-eval'` is there because the views validate payloads with
 * Ajv's compiled validators and plotly.js compiles some of its code at run time. Nothing is
 * fetched from the network in either case: images and fonts come from the site or `data:`
 * URIs (the site works offline by construction).
 */
export function contentSecurityPolicy(trusted: boolean): string {
  return [
    "default-src 'none'",
    `script-src 'self' 'unsafe-eval'${trusted ? " 'unsafe-inline'" : ''}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self' data:",
    "media-src 'self' data:",
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
}

/** A link to a page of the site. */
export interface PageLink {
  href: string;
  title: string;
}

function head(title: string, trusted: boolean): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(contentSecurityPolicy(trusted))}">
<meta name="referrer" content="no-referrer">
<meta name="color-scheme" content="light dark">
<meta name="generator" content="seqlab export ${escapeHtml(KERNEL_VERSION)}">
<title>${escapeHtml(title)}</title>
<link rel="stylesheet" href="${STATIC_DIR}/katex/katex.min.css">
<link rel="stylesheet" href="${STATIC_DIR}/highlight/github.min.css" media="print, (prefers-color-scheme: light)">
<link rel="stylesheet" href="${STATIC_DIR}/highlight/github-dark.min.css" media="screen and (prefers-color-scheme: dark)">
<link rel="stylesheet" href="${STATIC_DIR}/site.css">
</head>`;
}

/** Options of {@link notebookPageHtml}. */
export interface NotebookPageLayout {
  siteTitle: string;
  title: string;
  /** The cells' HTML. */
  body: string;
  /** 1-based position among the site's pages, and their number. */
  position: number;
  count: number;
  prev: PageLink | null;
  next: PageLink | null;
  /** The notebook's file name (shown in the footer). */
  source: string;
  /** Whether the page has views (then it loads the views bundle, once). */
  views: boolean;
  trusted: boolean;
}

function pagerLink(link: PageLink | null, rel: 'prev' | 'next'): string {
  if (!link) return '';
  return `<a class="${rel}" rel="${rel}" href="${escapeHtml(encodeURI(link.href))}"><span class="pager-label">${rel === 'prev' ? '← Previous' : 'Next →'}</span><span class="pager-title">${escapeHtml(link.title)}</span></a>`;
}

/** A notebook's page. */
export function notebookPageHtml(p: NotebookPageLayout): string {
  return `${head(`${p.title} · ${p.siteTitle}`, p.trusted)}
<body class="notebook-page">
<a class="skip-link" href="#content">Skip to content</a>
<header class="site-header"><nav aria-label="Course"><a class="site-title" href="index.html">${escapeHtml(p.siteTitle)}</a></nav><span class="page-position">Notebook ${p.position} of ${p.count}</span></header>
<main id="content" class="notebook">
${p.body}
</main>
<nav class="pager" aria-label="Previous and next notebook">${pagerLink(p.prev, 'prev')}${pagerLink(p.next, 'next')}</nav>
<footer class="site-footer">Executed notebook <code>${escapeHtml(p.source)}</code>, exported with seqlab ${escapeHtml(KERNEL_VERSION)}.</footer>
<script src="${STATIC_DIR}/site.js"></script>${p.views ? `\n<script src="${STATIC_DIR}/seqlab/seqlab-views.js"></script>` : ''}
</body>
</html>
`;
}

/** One entry of the index. */
export interface IndexEntry extends PageLink {
  /** The notebook's first paragraph as inline HTML (rendered and escaped by markdown-it), shown clamped to three lines. */
  summary: string | null;
  source: string;
}

/** The site's index: its title and the notebooks in order. */
export function indexHtml(siteTitle: string, entries: readonly IndexEntry[], trusted: boolean): string {
  const items = entries
    .map(
      (e) =>
        `<li><a class="toc-title" href="${escapeHtml(encodeURI(e.href))}">${escapeHtml(e.title)}</a>` +
        (e.summary ? `<p class="toc-summary">${e.summary}</p>` : '') +
        `<p class="toc-file"><code>${escapeHtml(e.source)}</code></p></li>`,
    )
    .join('\n');
  return `${head(siteTitle, trusted)}
<body class="index-page">
<a class="skip-link" href="#content">Skip to content</a>
<main id="content" class="index">
<h1>${escapeHtml(siteTitle)}</h1>
<ol class="toc">
${items}
</ol>
</main>
<footer class="site-footer">${entries.length} notebook${entries.length === 1 ? '' : 's'}, executed and exported with seqlab ${escapeHtml(KERNEL_VERSION)}.</footer>
</body>
</html>
`;
}
