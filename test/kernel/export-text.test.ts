/** seqlab export: escaping, JSON payloads in script elements, ANSI colours, code highlighting. */
import { describe, expect, it } from 'vitest';
import { base64DataUri, escapeHtml, joinText, jsonForScript, textDataUri } from '../../kernel/dist/export/escape.js';
import { ansiToHtml, applyCarriageReturns, stripAnsi } from '../../kernel/dist/export/ansi.js';
import { highlightCode, knownLanguage } from '../../kernel/dist/export/highlight.js';

describe('escaping', () => {
  it('escapes the five HTML specials and nothing else', () => {
    expect(escapeHtml(`<img src=x onerror="alert('1')"> & ü`)).toBe('&lt;img src=x onerror=&quot;alert(&#39;1&#39;)&quot;&gt; &amp; ü');
  });

  it('writes JSON that cannot end its script element and parses back to the same value', () => {
    const value = { tokens: ['</script><script>alert(1)</script>', '<!--', 'a\u2028b'], n: [1.5, -2] };
    const json = jsonForScript(value);
    expect(json).not.toMatch(/</);
    expect(json).not.toContain('\u2028');
    expect(JSON.parse(json)).toEqual(value);
  });

  it('builds data URIs from base64 lines and from text', () => {
    expect(base64DataUri('image/png', 'iVBO\nRw0K\n')).toBe('data:image/png;base64,iVBORw0K');
    const uri = textDataUri('image/svg+xml', '<svg>é</svg>');
    expect(Buffer.from(uri.split(',')[1]!, 'base64').toString('utf8')).toBe('<svg>é</svg>');
  });

  it('joins nbformat multi-line strings', () => {
    expect(joinText(['a\n', 'b'])).toBe('a\nb');
    expect(joinText('x')).toBe('x');
    expect(joinText(undefined)).toBe('');
  });
});

describe('ANSI (ansi_up)', () => {
  it('turns the 16 colours into class names the site colours, bold into a style, and escapes the text', () => {
    expect(ansiToHtml('\u001b[0;31m\u001b[1mTypeError\u001b[0m: bad <shape> & "q" \'s\'')).toBe(
      '<span style="font-weight:bold" class="ansi-red-fg">TypeError</span>: bad &lt;shape&gt; &amp; &quot;q&quot; &#x27;s&#x27;',
    );
    expect(ansiToHtml('\u001b[92mok\u001b[39m \u001b[44mbg\u001b[49m')).toBe('<span class="ansi-bright-green-fg">ok</span> <span class="ansi-blue-bg">bg</span>');
  });

  it('writes 256-colour and true-colour values as inline colours', () => {
    expect(ansiToHtml('\u001b[38;5;196mred\u001b[0m')).toBe('<span style="color:rgb(255,0,0)">red</span>');
    expect(ansiToHtml('\u001b[48;2;1;2;3mx')).toBe('<span style="background-color:rgb(1,2,3)">x</span>');
  });

  it('drops other escape sequences (cursor, erase, window titles, hyperlinks keep their text)', () => {
    expect(ansiToHtml('a\u001b[2Kb\u001b[1Ac\u001b]0;title\u0007d')).toBe('abcd');
    expect(ansiToHtml('\u001b]8;;javascript:alert(1)\u0007click\u001b]8;;\u0007 and \u001b]8;;https://example.org/"x\u001b\\y\u001b]8;;\u001b\\')).toBe('click and y');
    expect(stripAnsi('\u001b[1;31mError\u001b[0m <x>\u001b]0;t\u0007')).toBe('Error <x>');
  });

  it('starts every text without the style of the one before', () => {
    expect(ansiToHtml('\u001b[1;31mred and bold')).toContain('ansi-red-fg');
    expect(ansiToHtml('plain')).toBe('plain');
  });

  it('applies carriage returns and backspaces as a terminal shows them', () => {
    expect(applyCarriageReturns('10%\r55%\r100%\ndone\r\n')).toBe('100%\ndone\n');
    expect(applyCarriageReturns('abcdef\rXY')).toBe('XYcdef');
    expect(applyCarriageReturns('ab\bc')).toBe('ac');
    expect(ansiToHtml('50%\r\u001b[32m100%\u001b[0m')).toBe('<span class="ansi-green-fg">100%</span>');
  });
});

describe('highlighting', () => {
  it('highlights TypeScript with highlight.js classes, text escaped', () => {
    const html = highlightCode('const s: string = "<b>";', 'typescript');
    expect(html).toContain('<span class="hljs-keyword">const</span>');
    expect(html).toContain('<span class="hljs-string">&quot;&lt;b&gt;&quot;</span>');
    expect(html).not.toContain('<b>');
  });

  it('knows the names notebooks use and leaves unknown languages as escaped text', () => {
    expect(knownLanguage('TypeScript')).toBe('typescript');
    expect(knownLanguage('python3')).toBe('python');
    expect(knownLanguage('klingon')).toBeNull();
    expect(highlightCode('if a < b: pass', 'klingon')).toBe('if a &lt; b: pass');
  });
});
