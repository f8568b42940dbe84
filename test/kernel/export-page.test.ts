/** seqlab export: a notebook's page (cells, tags, titles, warnings) and the page shells (CSP, navigation, index). */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { JSDOM } from 'jsdom';
import { describe, expect, it } from 'vitest';
import { createMarkdown } from '../../kernel/dist/export/markdown.js';
import { isExecuted, renderNotebook, unexecutedCells } from '../../kernel/dist/export/notebook-page.js';
import { contentSecurityPolicy, indexHtml, notebookPageHtml } from '../../kernel/dist/export/layout.js';
import { viewMimeTypes } from '../../kernel/dist/export/site.js';
import { tempDir } from './helpers.js';
import { clearedNotebook, executedNotebook, HOSTILE } from './export-fixtures.js';

const markdown = createMarkdown({ html: true, sanitize: true });
const VIEW_TYPES = viewMimeTypes();

function render(nb: any, path = '/course/01-intro.ipynb', pages = new Map<string, string>()) {
  return renderNotebook(nb, { path, trusted: false, viewMimeTypes: VIEW_TYPES, markdown, pages });
}
const doc = (html: string) => new JSDOM(html).window.document;

describe('a notebook page', () => {
  it('titles the page by the first heading and renders every cell in order', () => {
    const page = render(executedNotebook());
    expect(page.title).toBe('Attention & "quotes" <3');
    expect(page.summary).toContain('The state <span class="katex">');
    const d = doc(`<main>${page.body}</main>`);
    const kinds = [...d.querySelectorAll('main > section')].map((s) => s.className);
    expect(kinds).toEqual(['cell markdown-cell', 'cell markdown-cell', ...Array(7).fill('cell code-cell')]);
    // The heading is text, not markup; the author's inline HTML in markdown is kept.
    expect(d.querySelector('h1')!.textContent).toBe('Attention & "quotes" <3¶');
    expect(d.querySelector('.markdown-cell b')!.textContent).toBe('bold');
    expect(page.views).toBe(3);
  });

  it('highlights code cells in the kernel language with execution counts', () => {
    const d = doc(render(executedNotebook()).body);
    const first = d.querySelector('.code-cell')!;
    expect(first.querySelector('.in-prompt')!.textContent).toBe('[1]:');
    expect(first.querySelector('code.language-typescript .hljs-keyword')!.textContent).toBe('const');
    expect(first.querySelector('code')!.textContent).toBe('const x: number = 1;\nconsole.log("<hello>");');
  });

  it('honours remove-input and remove-cell tags', () => {
    const body = render(executedNotebook()).body;
    expect(body).toContain('only the output');
    expect(body).not.toContain('// hidden source');
    expect(body).not.toContain('secret()');
    expect(body).not.toContain('removed');
  });

  it('keeps hostile tokens out of the markup', () => {
    const d = doc(render(executedNotebook()).body);
    expect(d.querySelectorAll('img:not(.seqlab-static)')).toHaveLength(0);
    expect(d.querySelectorAll('script:not([type="application/json"])')).toHaveLength(0);
    const payloads = [...d.querySelectorAll('.seqlab-output script')].map((s) => JSON.parse(s.textContent!));
    expect(payloads[0].queryTokens).toContain(HOSTILE);
  });

  it('warns about error outputs and formulas KaTeX rejects, naming the cell', () => {
    const nb = executedNotebook({ extraMarkdown: 'Broken $\\frac{1}$.' });
    const page = render(nb);
    expect(page.warnings).toContain('cell 8: an error output (TypeError: bad <shape>)');
    expect(page.warnings.some((w) => w.startsWith('cell 1: KaTeX could not typeset "\\\\frac{1}"'))).toBe(true);
  });

  it('typesets a \\newcommand in the first paragraph on the page too (the index summary renders it separately)', () => {
    const nb = { nbformat: 4, cells: [{ cell_type: 'markdown', metadata: {}, source: '# T\n\nLet $\\newcommand{\\RR}{\\mathbb{R}} x \\in \\RR$.\n\nThen $y \\in \\RR$.' }] };
    const page = render(nb);
    expect(page.warnings).toEqual([]);
    expect(page.body).not.toContain('math-error');
    expect(page.summary).toContain('class="katex"');
  });

  it('embeds local images and attachments, links remote ones, and warns about missing files', () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'figs'));
    writeFileSync(join(dir, 'figs', 'a b.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47]));
    const nb = {
      nbformat: 4,
      cells: [
        {
          cell_type: 'markdown',
          metadata: {},
          source: '![local](figs/a%20b.png) ![att](attachment:dot.svg) ![gone](figs/missing.png) ![far](https://example.org/x.png)',
          attachments: { 'dot.svg': { 'image/svg+xml': ['<svg xmlns="http://www.w3.org/2000/svg">', '</svg>'] } },
        },
      ],
    };
    const page = render(nb, join(dir, 'n.ipynb'));
    const d = doc(page.body);
    const srcs = [...d.querySelectorAll('img')].map((i) => i.getAttribute('src'));
    expect(srcs).toEqual(['data:image/png;base64,iVBORw==', `data:image/svg+xml;base64,${Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"></svg>').toString('base64')}`]);
    expect([...d.querySelectorAll('a.image-link')].map((a) => a.getAttribute('href'))).toEqual(['figs/missing.png', 'https://example.org/x.png']);
    expect(page.warnings).toEqual([
      `cell 1: the image figs/missing.png was not found (looked for ${join(dir, 'figs', 'missing.png')})`,
      'cell 1: the image https://example.org/x.png is not embedded (the site works offline); it is shown as a link',
    ]);
  });

  it('links other notebooks of the export to their pages', () => {
    const nb = { nbformat: 4, cells: [{ cell_type: 'markdown', metadata: {}, source: 'See [two](02-two.ipynb#Clipping) and [other](other.ipynb).' }] };
    const body = render(nb, '/c/01.ipynb', new Map([['/c/02-two.ipynb', '02-two.html']])).body;
    expect(body).toContain('<a href="02-two.html#Clipping">two</a>');
    expect(body).toContain('<a href="other.ipynb">other</a>');
  });

  it('falls back to the file name for a title, and tells executed notebooks from cleared ones', () => {
    expect(render({ nbformat: 4, cells: [] }, '/x/03-lstm.ipynb').title).toBe('03-lstm');
    expect(isExecuted(clearedNotebook() as any)).toBe(false);
    expect(isExecuted(executedNotebook() as any)).toBe(true);
    expect(isExecuted({ nbformat: 4, cells: [{ cell_type: 'markdown', source: '# only prose' }] } as any)).toBe(true);
    const partly = executedNotebook() as any;
    partly.cells[3].execution_count = null;
    partly.cells[3].outputs = [];
    expect(unexecutedCells(partly)).toEqual([4]);
  });
});

describe('page shells', () => {
  const layout = (over: Partial<Parameters<typeof notebookPageHtml>[0]> = {}) =>
    notebookPageHtml({
      siteTitle: `Course ${HOSTILE}`,
      title: 'Page <1>',
      body: '<p>body</p>',
      position: 2,
      count: 3,
      prev: { href: '01 intro.html', title: 'One & only' },
      next: null,
      source: '02-<x>.ipynb',
      views: true,
      trusted: false,
      ...over,
    });

  it('carries a CSP that runs only the site own scripts and fetches nothing from the network', () => {
    const d = doc(layout());
    const csp = d.querySelector('meta[http-equiv="Content-Security-Policy"]')!.getAttribute('content')!;
    expect(csp).toBe(contentSecurityPolicy(false));
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self' 'unsafe-eval';");
    expect(contentSecurityPolicy(true)).toContain("script-src 'self' 'unsafe-eval' 'unsafe-inline'");
    for (const directive of csp.split('; ')) expect(directive).not.toMatch(/https?:|\*/);
  });

  it('escapes titles and file names, links prev/index, loads the views bundle once when needed', () => {
    const d = doc(layout());
    expect(d.title).toBe(`Page <1> · Course ${HOSTILE}`);
    expect(d.querySelector('.site-title')!.textContent).toBe(`Course ${HOSTILE}`);
    expect(d.querySelector('.site-title')!.getAttribute('href')).toBe('index.html');
    expect(d.querySelector('a[rel="prev"]')!.getAttribute('href')).toBe('01%20intro.html');
    expect(d.querySelector('a[rel="next"]')).toBeNull();
    expect(d.querySelector('.site-footer code')!.textContent).toBe('02-<x>.ipynb');
    expect([...d.querySelectorAll('script')].map((s) => s.getAttribute('src'))).toEqual(['_static/site.js', '_static/seqlab/seqlab-views.js']);
    expect([...doc(layout({ views: false })).querySelectorAll('script')].map((s) => s.getAttribute('src'))).toEqual(['_static/site.js']);
    expect([...d.querySelectorAll('link[rel="stylesheet"]')].map((l) => l.getAttribute('href'))).toEqual([
      '_static/katex/katex.min.css',
      '_static/highlight/github.min.css',
      '_static/highlight/github-dark.min.css',
      '_static/site.css',
    ]);
  });

  it('lists the notebooks in order on the index, titles escaped, summaries as rendered', () => {
    const d = doc(
      indexHtml(
        'Sequence <models>',
        [
          { href: 'b.html', title: 'B <2>', summary: 'second <em>one</em>', source: 'b.ipynb' },
          { href: 'a.html', title: 'A', summary: null, source: 'a.ipynb' },
        ],
        false,
      ),
    );
    expect(d.querySelector('h1')!.textContent).toBe('Sequence <models>');
    expect([...d.querySelectorAll('.toc a')].map((a) => [a.getAttribute('href'), a.textContent])).toEqual([
      ['b.html', 'B <2>'],
      ['a.html', 'A'],
    ]);
    expect(d.querySelector('.toc-summary em')!.textContent).toBe('one');
  });
});
