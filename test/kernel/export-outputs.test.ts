/** seqlab export: every output type as HTML, with user text escaped in every context. */
import { describe, expect, it } from 'vitest';
import { JSDOM } from 'jsdom';
import { createMarkdown } from '../../kernel/dist/export/markdown.js';
import { chooseMimeType, renderOutput } from '../../kernel/dist/export/outputs.js';
import { viewMimeTypes } from '../../kernel/dist/export/site.js';
import { bundleOf, hostileAttention, HOSTILE, SCRIPT_TOKEN } from './export-fixtures.js';
import { linePlot } from '../../engine/src/display/index.js';

const VIEW_TYPES = viewMimeTypes();

function context(trusted = false) {
  return {
    trusted,
    viewMimeTypes: VIEW_TYPES,
    markdown: createMarkdown({ html: true, sanitize: !trusted }),
    env: {},
    stats: { views: 0, htmlFrames: 0, unsupported: [] as string[] },
  };
}

/** Parses HTML as a browser would (scripts off) and returns the body. */
function parse(html: string): HTMLElement {
  return new JSDOM(`<!doctype html><body>${html}</body>`).window.document.body;
}

const display = (data: Record<string, unknown>, metadata: Record<string, unknown> = {}) => ({ output_type: 'display_data', data, metadata });

describe('view MIME types', () => {
  it('come from the contract: the engine schemas, plotly included', () => {
    expect([...VIEW_TYPES].sort()).toEqual([
      'application/vnd.plotly.v1+json',
      'application/vnd.seqlab.attention.v1+json',
      'application/vnd.seqlab.gates.v1+json',
      'application/vnd.seqlab.hidden-states.v1+json',
    ]);
  });

  it('win over the fallbacks; then Jupyter order: html, markdown, latex, svg, png, json, plain', () => {
    expect(chooseMimeType(hostileAttention(), VIEW_TYPES)).toBe('application/vnd.seqlab.attention.v1+json');
    expect(chooseMimeType({ 'text/plain': 'x', 'image/png': 'A', 'text/html': '<b>' }, VIEW_TYPES)).toBe('text/html');
    expect(chooseMimeType({ 'text/plain': 'x', 'image/png': 'A', 'image/svg+xml': '<svg/>' }, VIEW_TYPES)).toBe('image/svg+xml');
    expect(chooseMimeType({ 'text/plain': 'x', 'application/json': {} }, VIEW_TYPES)).toBe('application/json');
    expect(chooseMimeType({ 'application/x-unknown': 1 }, VIEW_TYPES)).toBeNull();
  });
});

describe('outputs', () => {
  it('writes a seqlab view as a container with the payload (no "<" in it) and the static SVG', () => {
    const bundle = hostileAttention();
    const ctx = context();
    const body = parse(renderOutput(display(bundle), ctx));
    const container = body.querySelector<HTMLElement>('.seqlab-output')!;
    expect(container.dataset.mimeType).toBe('application/vnd.seqlab.attention.v1+json');
    const script = container.querySelector('script[type="application/json"]')!;
    expect(script.textContent).not.toContain('<');
    expect(JSON.parse(script.textContent!)).toEqual(bundle['application/vnd.seqlab.attention.v1+json']);
    const img = container.querySelector<HTMLImageElement>('img.seqlab-static')!;
    expect(Buffer.from(img.src.split(',')[1]!, 'base64').toString('utf8')).toBe(bundle['image/svg+xml']);
    expect(img.alt).toBe(bundle['text/plain']);
    // Only the container's own elements: the tokens made no markup.
    expect([...body.querySelectorAll('*')].map((e) => e.tagName)).toEqual(['DIV', 'DIV', 'DIV', 'SCRIPT', 'IMG']);
    expect(ctx.stats.views).toBe(1);
  });

  it('writes a plotly figure as a view, with the execute_result prompt', () => {
    const out = renderOutput({ output_type: 'execute_result', execution_count: 7, data: bundleOf(linePlot([1, 2, 3], { title: 'loss' })), metadata: {} }, context());
    const body = parse(out);
    expect(body.querySelector('.out-prompt')!.textContent).toBe('[7]:');
    expect(body.querySelector<HTMLElement>('.seqlab-output')!.dataset.mimeType).toBe('application/vnd.plotly.v1+json');
  });

  it('keeps the text of a view without a static figure for pages without script', () => {
    const body = parse(renderOutput(display({ 'application/vnd.plotly.v1+json': { data: [] }, 'text/plain': `fig ${HOSTILE}` }), context()));
    expect(body.querySelector('noscript')!.innerHTML).toContain('fig &lt;img src=x onerror=alert(1)&gt;');
  });

  it('escapes streams and marks stderr', () => {
    const body = parse(renderOutput({ output_type: 'stream', name: 'stderr', text: [`${SCRIPT_TOKEN}\n`, 'b & c\n'] }, context()));
    const pre = body.querySelector('pre.stream.stderr')!;
    expect(pre.textContent).toBe(`${SCRIPT_TOKEN}\nb & c\n`);
    expect(body.querySelectorAll('script')).toHaveLength(0);
  });

  it('shows errors with their ANSI colours, text escaped', () => {
    const html = renderOutput({ output_type: 'error', ename: 'TypeError', evalue: 'x', traceback: ['\u001b[0;31mTypeError\u001b[0m: bad <shape>', '  at In[3]:1:1'] }, context());
    expect(html).toBe('<pre class="output error" role="note" aria-label="error"><span class="ansi-red-fg">TypeError</span>: bad &lt;shape&gt;\n  at In[3]:1:1</pre>');
    expect(renderOutput({ output_type: 'error', ename: 'E', evalue: '<v>', traceback: [] }, context())).toContain('E: &lt;v&gt;');
  });

  it('puts untrusted HTML, sanitised, into a sandboxed frame where nothing runs; trusted HTML into the page', () => {
    const html = `<table><tr><td>1</td></tr></table><img src=x onerror="parent.document.title='pwned'"><script>alert(3)</script><meta http-equiv="refresh" content="0;url=https://example.org/">`;
    const ctx = context(false);
    const body = parse(renderOutput(display({ 'text/html': html, 'text/plain': 'table' }), ctx));
    expect(body.querySelectorAll('script, table, img')).toHaveLength(0);
    const frame = body.querySelector('iframe.html-output')!;
    expect(frame.getAttribute('sandbox')).toBe('allow-same-origin');
    const inner = parse(frame.getAttribute('srcdoc')!.replace(/^[\s\S]*<body>|<\/body>[\s\S]*$/g, ''));
    expect(inner.querySelector('td')!.textContent).toBe('1');
    expect(inner.querySelector('img')!.getAttribute('onerror')).toBeNull();
    expect(inner.querySelectorAll('script, meta')).toHaveLength(0);
    expect(ctx.stats.htmlFrames).toBe(1);

    const trusted = parse(renderOutput(display({ 'text/html': html }), context(true)));
    expect(trusted.querySelectorAll('.html-output > table, .html-output > script')).toHaveLength(2);
  });

  it('renders markdown outputs, raw HTML in them sanitised unless trusted; LaTeX with KaTeX', () => {
    const md = renderOutput(display({ 'text/markdown': '**bold** $x^2$ <i onclick="alert(1)">raw</i><script>alert(2)</script>' }), context());
    expect(md).toContain('<strong>bold</strong>');
    expect(md).toContain('class="katex"');
    expect(md).toContain('<i>raw</i>');
    expect(md).not.toMatch(/script|onclick/);
    expect(renderOutput(display({ 'text/markdown': '<i onclick="f()">raw</i>' }), context(true))).toContain('<i onclick="f()">raw</i>');
    const latex = renderOutput(display({ 'text/latex': '$$\\alpha_t$$', 'text/plain': 'alpha' }), context());
    expect(latex).toContain('class="katex-display"');
    expect(latex).toContain('<annotation encoding="application/x-tex">\\alpha_t</annotation>');
  });

  it('shows SVG only as an image (nothing in it runs) and PNG with its size', () => {
    const svg = '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>';
    const body = parse(renderOutput(display({ 'image/svg+xml': svg, 'text/plain': 'a "figure"' }), context()));
    expect(body.querySelectorAll('svg, script')).toHaveLength(0);
    const img = body.querySelector<HTMLImageElement>('img.output-image')!;
    expect(img.alt).toBe('a "figure"');
    expect(Buffer.from(img.src.split(',')[1]!, 'base64').toString()).toBe(svg);
    const png = parse(renderOutput(display({ 'image/png': 'iVBORw0KGgo=\n', 'text/plain': 'p' }, { 'image/png': { width: 320, height: 200 } }), context()));
    const pimg = png.querySelector<HTMLImageElement>('img')!;
    expect(pimg.getAttribute('src')).toBe('data:image/png;base64,iVBORw0KGgo=');
    expect([pimg.getAttribute('width'), pimg.getAttribute('height')]).toEqual(['320', '200']);
  });

  it('pretty-prints JSON and escapes text/plain', () => {
    expect(renderOutput(display({ 'application/json': { a: '<b>' } }), context())).toContain('{\n  &quot;a&quot;: &quot;&lt;b&gt;&quot;\n}');
    expect(renderOutput(display({ 'text/plain': "[ '<x>' ]" }), context())).toContain('<pre class="text-output">[ &#x27;&lt;x&gt;&#x27; ]</pre>');
  });

  it('says what it cannot show instead of dropping it', () => {
    const ctx = context();
    const html = renderOutput(display({ 'application/vnd.jupyter.widget-view+json': { model_id: 'x' } }), ctx);
    expect(html).toContain('an output of type application/vnd.jupyter.widget-view+json');
    expect(ctx.stats.unsupported).toEqual(['application/vnd.jupyter.widget-view+json']);
  });
});
