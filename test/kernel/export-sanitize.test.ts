/**
 * seqlab export, untrusted: the HTML authors put into notebooks goes through the allow-list.
 * Each hostile case is parsed back with jsdom (as a browser parses it) and checked for what is
 * left; what is harmless stays, math typeset by KaTeX survives, and --trust passes HTML as it is.
 */
import { describe, expect, it } from 'vitest';
import { JSDOM } from 'jsdom';
import { createMarkdown } from '../../kernel/dist/export/markdown.js';
import { sanitizeHtml } from '../../kernel/dist/export/sanitize.js';

const body = (html: string): HTMLElement => new JSDOM(`<!doctype html><body>${html}</body>`).window.document.body;
const md = createMarkdown({ html: true, sanitize: true });
/** Every attribute of every element, as `tag[attr=value]`. */
const attributes = (el: HTMLElement): string[] => [...el.querySelectorAll('*')].flatMap((e) => [...e.attributes].map((a) => `${e.tagName.toLowerCase()}[${a.name}=${a.value}]`));

describe('sanitised notebook HTML', () => {
  it('removes meta refresh and base href, keeping the text around them', () => {
    const b = body(md.render('Before <meta http-equiv="refresh" content="0;url=https://example.org/"> after.\n\n<base href="https://example.org/">\n\n[page](two.html)', {}));
    expect(b.querySelectorAll('meta, base')).toHaveLength(0);
    expect(b.textContent).toContain('Before  after.');
    expect(b.querySelector('a')!.getAttribute('href')).toBe('two.html');
  });

  it('removes forms, their controls and actions; the text inside stays', () => {
    const b = body(sanitizeHtml('<form action="https://example.org/steal" method="post"><input name="q" value="v"><button formaction="https://x">Send</button><select><option>o</option></select>Form text</form>'));
    expect(b.querySelectorAll('form, input, button, select, option')).toHaveLength(0);
    expect(b.textContent).toBe('Form text');
  });

  it('drops javascript:, vbscript:, data: and protocol-relative links, however they are spelt; keeps http, mailto and site links', () => {
    const hrefs = ['javascript:alert(1)', 'JaVaScRiPt:alert(1)', 'java&#x09;script:alert(1)', ' javascript:alert(1)', 'vbscript:msgbox(1)', 'data:text/html,<script>alert(1)</script>', '//example.org/x'];
    const b = body(sanitizeHtml(hrefs.map((h, i) => `<a href="${h}">l${i}</a>`).join(' ')));
    expect([...b.querySelectorAll('a')].map((a) => a.getAttribute('href'))).toEqual(hrefs.map(() => null));
    expect(b.textContent).toBe(hrefs.map((_, i) => `l${i}`).join(' '));
    const kept = body(sanitizeHtml('<a href="https://example.org/a" target="_blank">a</a><a href="mailto:t@example.org">m</a><a href="02-bptt.html#Clipping">p</a><a href="#top">t</a>'));
    expect([...kept.querySelectorAll('a')].map((a) => [a.getAttribute('href'), a.getAttribute('target')])).toEqual([
      ['https://example.org/a', null],
      ['mailto:t@example.org', null],
      ['02-bptt.html#Clipping', null],
      ['#top', null],
    ]);
  });

  it('keeps data: images of image types only, and no srcset', () => {
    const b = body(sanitizeHtml('<img src="data:image/png;base64,iVBORw0KGgo=" alt="png"><img src="data:image/svg+xml;base64,PHN2Zy8+" alt="svg"><img src="data:text/html;base64,PHNjcmlwdD4=" alt="html"><img src="x.png" srcset="https://example.org/x.png 2x" alt="set">'));
    expect([...b.querySelectorAll('img')].map((i) => [i.alt, i.getAttribute('src'), i.getAttribute('srcset')])).toEqual([
      ['png', 'data:image/png;base64,iVBORw0KGgo=', null],
      ['svg', 'data:image/svg+xml;base64,PHN2Zy8+', null],
      ['html', null, null],
      ['set', 'x.png', null],
    ]);
  });

  it('removes inline SVG and MathML with everything in them (scripts, handlers, foreign objects)', () => {
    const b = body(sanitizeHtml('<svg onload="alert(1)"><script>alert(2)</script><foreignObject><iframe src="x"></iframe></foreignObject><a href="javascript:alert(3)"><text>t</text></a></svg><math><mtext><script>alert(4)</script></mtext></math>ok'));
    expect(b.innerHTML).toBe('ok');
  });

  it('keeps harmless styles and drops url(), positioning and <style> elements', () => {
    const b = body(
      sanitizeHtml(
        '<style>body { background: url(https://example.org/t.png) }</style>' +
          '<span style="color: red; background: url(https://example.org/t.png); background-image: url(x); position: fixed; top: 0; z-index: 9">a</span>' +
          '<p style="width: calc(100% - 2em); color: rgb(1, 2, 3); list-style-image: url(x); font-weight: bold">b</p>' +
          '<div style="background-color: image-set(url(x) 1x); behavior: url(x.htc); color: expression(alert(1))">c</div>',
      ),
    );
    expect(b.querySelectorAll('style')).toHaveLength(0);
    expect(attributes(b)).toEqual(['span[style=color:red]', 'p[style=width:calc(100% - 2em);color:rgb(1, 2, 3);font-weight:bold]']);
    expect(b.textContent).toBe('abc');
  });

  it('removes iframes, objects, embeds and links to stylesheets', () => {
    const b = body(sanitizeHtml('<iframe src="https://example.org/" srcdoc="<script>alert(1)</script>">f</iframe><object data="x.swf">o</object><embed src="x"><link rel="stylesheet" href="https://example.org/x.css"><template><b>t</b></template>after'));
    expect(b.innerHTML).toBe('after');
  });

  it('removes every event-handler attribute and keeps the elements', () => {
    const handlers = ['onclick', 'onerror', 'onload', 'onmouseover', 'onfocus', 'onanimationstart', 'ONCLICK'];
    const b = body(sanitizeHtml(`<img src="x" ${handlers.map((h) => `${h}="alert(1)"`).join(' ')}><b onclick="alert(2)" tabindex="1" autofocus>bold</b><details open ontoggle="alert(3)"><summary>s</summary>d</details>`));
    expect(attributes(b)).toEqual(['img[src=x]', 'details[open=]']);
    expect(b.querySelector('b')!.textContent).toBe('bold');
  });

  it('keeps what authors use: tables, lists, details, kbd, classes, ids, titles', () => {
    const html = '<table class="t"><thead><tr><th scope="col">h</th></tr></thead><tbody><tr><td colspan="2" style="text-align:right">1</td></tr></tbody></table><ol start="3"><li>x</li></ol><details open=""><summary>S</summary>d</details><kbd>Ctrl</kbd><abbr title="long">ab</abbr><a id="anchor" name="anchor">a</a><sub>2</sub><sup>3</sup>';
    expect(body(sanitizeHtml(html)).innerHTML).toBe(body(html).innerHTML);
  });

  it('keeps an author\'s unbalanced tags inside the cell', () => {
    expect(md.render('</section></main><div class="box">open\n\nand *more*', {})).toBe('<div class="box">open\n<p>and <em>more</em></p>\n</div>');
  });

  it('keeps KaTeX math whole (styles, MathML, SVG), inline and display, next to sanitised HTML', () => {
    const trusted = createMarkdown({ html: true });
    const src = 'A root $\\sqrt{x_t}$ and <b onclick="f()">bold</b>\n\n$$\n\\overrightarrow{h_t} = \\tanh(W x_t)\n$$';
    const html = md.render(src, { macros: {} });
    expect(html).not.toContain('onclick');
    const plain = trusted.render(src, { macros: {} }).replace(' onclick="f()"', '');
    expect(html).toBe(plain);
    expect(html).toContain('<svg');
    expect(html).toContain('<math');
    expect(html).toMatch(/style="[^"]*height:/);
    expect(html).not.toMatch(/SEQLAB[0-9a-f]{24}I/);
  });

  it('renders inline summaries through the sanitiser too', () => {
    expect(md.renderInline('Intro <img src=x onerror=alert(1)> with $h_t$', { macros: {} })).toMatch(/^Intro <img src="x" \/> with <span class="katex">/);
  });

  it('passes HTML as it is when trusted', () => {
    const trusted = createMarkdown({ html: true });
    expect(trusted.render('<b onclick="f()">x</b>', {})).toContain('<b onclick="f()">x</b>');
  });
});
