/** seqlab export: markdown with Jupyter's math delimiters typeset by KaTeX, headings, code, images and links. */
import { describe, expect, it } from 'vitest';
import { createMarkdown, firstHeading, firstParagraph } from '../../kernel/dist/export/markdown.js';
import { renderTex } from '../../kernel/dist/export/math.js';

const md = createMarkdown({ html: true });
const safe = createMarkdown({ html: false });

/** The TeX sources of the formulas KaTeX typeset (its MathML annotation keeps them verbatim). */
function texOf(html: string): string[] {
  return [...html.matchAll(/<annotation encoding="application\/x-tex">([\s\S]*?)<\/annotation>/g)].map((m) =>
    m[1]!.replace(/&amp;/g, '&').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"'),
  );
}
const displays = (html: string) => (html.match(/class="katex-display"/g) ?? []).length;

describe('math', () => {
  it('typesets inline $...$ and \\(...\\) with the TeX untouched by markdown (underscores, stars)', () => {
    const html = md.render('The state $h_{t-1} * W_{hh}$ and \\(x_t^*\\) and *emph*.', {});
    expect(texOf(html)).toEqual(['h_{t-1} * W_{hh}', 'x_t^*']);
    expect(html).toContain('<em>emph</em>');
    expect(displays(html)).toBe(0);
  });

  it('typesets a multi-line $$ block with \\begin{aligned} and \\\\ line breaks as one display formula', () => {
    const src = 'Gates:\n\n$$\n\\begin{aligned}\nf_t &= \\sigma(W_f\\,[h_{t-1}, x_t] + b_f) \\\\\ni_t &= \\sigma(b_i)\n\\end{aligned}\n$$\n\nAfter.';
    const html = md.render(src, {});
    expect(displays(html)).toBe(1);
    expect(texOf(html)[0]).toBe('\\begin{aligned}\nf_t &= \\sigma(W_f\\,[h_{t-1}, x_t] + b_f) \\\\\ni_t &= \\sigma(b_i)\n\\end{aligned}');
    expect(html).toContain('<div class="math math-display">');
    expect(html).toContain('<p>After.</p>');
  });

  it('takes $$...$$ inside a paragraph, \\[...\\] and a bare \\begin{equation} block as display math', () => {
    const html = md.render('so that $$y = Wx$$ holds.\n\n\\[ a^2 + b^2 \\]\n\n\\begin{equation}\nE = mc^2\n\\end{equation}', {});
    expect(texOf(html)).toEqual(['y = Wx', 'a^2 + b^2', '\\begin{equation}\nE = mc^2\n\\end{equation}']);
    expect(displays(html)).toBe(3);
  });

  it('leaves dollar amounts and escaped dollars as text', () => {
    const html = md.render('It costs $5 and $10, or \\$x\\$.', {});
    expect(texOf(html)).toEqual([]);
    expect(html).toContain('It costs $5 and $10, or $x$.');
  });

  it('keeps math out of code spans and fenced code', () => {
    const html = md.render('`$not math$`\n\n```\n$$ nor this $$\n```', {});
    expect(texOf(html)).toEqual([]);
    expect(html).toContain('<code>$not math$</code>');
  });

  it('shows a formula KaTeX rejects as escaped source with the message, and records it', () => {
    const env: { mathErrors?: Array<{ tex: string; message: string }> } = {};
    const html = md.render('Broken: $\\frac{1}{<x>$ here', env);
    expect(html).toMatch(/<span class="math-error" title="KaTeX parse error: [^"]*">\$\\frac\{1\}\{&lt;x&gt;\$<\/span>/);
    expect(env.mathErrors).toHaveLength(1);
    expect(env.mathErrors![0]!.tex).toBe('\\frac{1}{<x>');
  });

  it('keeps \\newcommand macros across the cells of one notebook, as Jupyter does', () => {
    const env = { macros: {} };
    md.render('$\\newcommand{\\RR}{\\mathbb{R}}$', env);
    const html = md.render('$x \\in \\RR$', env);
    expect(html).not.toContain('math-error');
    expect(html).toContain('mathbb');
    expect(md.render('$x \\in \\RR$', {})).toContain('math-error');
  });

  it('does not let a formula add links (KaTeX trust is off)', () => {
    const html = renderTex('\\href{javascript:alert(1)}{x}', false, {});
    expect(html).not.toContain('href="javascript');
  });
});

describe('markdown', () => {
  it('gives headings JupyterLab ids, unique on the page, with an anchor link', () => {
    const env = {};
    const html = md.render('# The recurrence\n\n## Cost $O(n)$\n\n# The recurrence', env);
    expect(html).toContain('<h1 id="The-recurrence">The recurrence<a class="anchor-link" href="#The-recurrence"');
    expect(html).toContain('<h2 id="Cost-O(n)">');
    expect(html).toContain('<h1 id="The-recurrence-1">');
  });

  it('escapes heading text in ids', () => {
    const html = md.render('# a "quoted" <b>x</b>', {});
    expect(html).toContain('id="a-&quot;quoted&quot;-x"');
  });

  it('highlights fenced code by its language and escapes it', () => {
    const html = md.render('```ts\nconst a = "<b>";\n```\n\n```\n<plain>\n```', {});
    expect(html).toContain('<span class="hljs-keyword">const</span>');
    expect(html).toContain('&lt;plain&gt;');
    expect(html).not.toContain('<b>');
  });

  it('passes raw HTML through only when allowed; never turns javascript: into a link', () => {
    expect(md.render('a <kbd>Ctrl</kbd> key', {})).toContain('<kbd>Ctrl</kbd>');
    const escaped = safe.render('a <script>alert(1)</script> <kbd>x</kbd>', {});
    expect(escaped).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(escaped).not.toContain('<script');
    expect(md.render('[click](javascript:alert(1))', {})).not.toContain('href="javascript');
  });

  it('renders GitHub tables in a scrolling wrapper, and bare links', () => {
    const html = md.render('| a | b |\n|---|---|\n| <1 | 2 |\n\nsee https://example.org/x', {});
    expect(html).toContain('<div class="table-wrap"><table>');
    expect(html).toContain('<td>&lt;1</td>');
    expect(html).toContain('<a href="https://example.org/x">');
  });

  it('resolves images and links through the env', () => {
    const env = {
      resolveImage: (src: string) => (src === 'figure.png' ? { src: 'data:image/png;base64,AAAA' } : { link: src, reason: 'remote <image>' }),
      rewriteLink: (href: string) => href.replace(/\.ipynb/, '.html'),
    };
    const html = md.render('![a figure](figure.png) ![remote "one"](https://example.org/a.png) [next](02-bptt.ipynb#Clipping)', env);
    expect(html).toContain('<img src="data:image/png;base64,AAAA" alt="a figure">');
    expect(html).toContain('<a class="image-link" href="https://example.org/a.png" title="remote &lt;image&gt;">[image: remote &quot;one&quot;]</a>');
    expect(html).toContain('<a href="02-bptt.html#Clipping">next</a>');
  });

  it('finds the first heading as plain text and the first paragraph as source', () => {
    expect(firstHeading(md, 'Intro text\n\n## 1 · The *state* $h_t$\n\n# Later')).toBe('1 · The state h_t');
    expect(firstHeading(md, 'no heading')).toBeNull();
    expect(firstParagraph(md, '# T\n\nFirst $x$\nparagraph.\n\nSecond.')).toBe('First $x$\nparagraph.');
  });
});
