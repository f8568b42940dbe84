/**
 * ANSI escape sequences (colours in tracebacks and streams) as HTML: SGR colours and styles
 * become `<span>`s with the class names Jupyter frontends use (`ansi-red-fg`,
 * `ansi-green-intense-bg`, `ansi-bold`), 256-colour and true-colour values an inline
 * colour; every other escape sequence (cursor moves, titles) is dropped. The text itself is
 * escaped. Carriage returns overwrite the line as a terminal (and Jupyter) shows it.
 */
import { escapeHtml } from './escape.js';

const NAMES = ['black', 'red', 'green', 'yellow', 'blue', 'magenta', 'cyan', 'white'] as const;

/** CSI sequences (SGR and others), OSC strings, and two-byte escapes. */
const ESCAPE_RE = /\u001b\[([0-9;:?]*)([@-~])|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)?|\u001b[@-Z\\-_]?/g;

interface Style {
  fg?: { cls: string } | { rgb: string };
  bg?: { cls: string } | { rgb: string };
  bold?: boolean;
  faint?: boolean;
  italic?: boolean;
  underline?: boolean;
}

/** The 256-colour palette entry `n` as an `rgb()` colour (for 16..255; 0..15 map to classes). */
function xterm256(n: number): string {
  if (n >= 232) {
    const v = 8 + (n - 232) * 10;
    return `rgb(${v},${v},${v})`;
  }
  const i = n - 16;
  const level = (x: number): number => (x === 0 ? 0 : 55 + x * 40);
  return `rgb(${level(Math.floor(i / 36))},${level(Math.floor(i / 6) % 6)},${level(i % 6)})`;
}

function colour(n: number, layer: 'fg' | 'bg'): { cls: string } | { rgb: string } {
  if (n < 8) return { cls: `ansi-${NAMES[n]}-${layer}` };
  if (n < 16) return { cls: `ansi-${NAMES[n - 8]}-intense-${layer}` };
  return { rgb: xterm256(n) };
}

/** Applies one SGR parameter list to the style (unknown codes are ignored). */
function applySgr(params: string, style: Style): Style {
  const codes = params === '' ? [0] : params.split(/[;:]/).map((p) => (p === '' ? 0 : Number(p)));
  let s = { ...style };
  for (let i = 0; i < codes.length; i++) {
    const c = codes[i]!;
    if (c === 0) s = {};
    else if (c === 1) s.bold = true;
    else if (c === 2) s.faint = true;
    else if (c === 3) s.italic = true;
    else if (c === 4) s.underline = true;
    else if (c === 22) s.bold = s.faint = false;
    else if (c === 23) s.italic = false;
    else if (c === 24) s.underline = false;
    else if (c >= 30 && c <= 37) s.fg = colour(c - 30, 'fg');
    else if (c >= 90 && c <= 97) s.fg = colour(c - 90 + 8, 'fg');
    else if (c >= 40 && c <= 47) s.bg = colour(c - 40, 'bg');
    else if (c >= 100 && c <= 107) s.bg = colour(c - 100 + 8, 'bg');
    else if (c === 39) delete s.fg;
    else if (c === 49) delete s.bg;
    else if (c === 38 || c === 48) {
      const layer = c === 38 ? 'fg' : 'bg';
      if (codes[i + 1] === 5 && codes[i + 2] !== undefined) {
        s[layer] = colour(Math.max(0, Math.min(255, codes[i + 2]!)), layer);
        i += 2;
      } else if (codes[i + 1] === 2 && codes[i + 4] !== undefined) {
        const [r, g, b] = codes.slice(i + 2, i + 5).map((v) => Math.max(0, Math.min(255, v)));
        s[layer] = { rgb: `rgb(${r},${g},${b})` };
        i += 4;
      }
    }
  }
  return s;
}

function openTag(style: Style): string {
  const classes: string[] = [];
  const css: string[] = [];
  if (style.fg) 'cls' in style.fg ? classes.push(style.fg.cls) : css.push(`color:${style.fg.rgb}`);
  if (style.bg) 'cls' in style.bg ? classes.push(style.bg.cls) : css.push(`background-color:${style.bg.rgb}`);
  if (style.bold) classes.push('ansi-bold');
  if (style.faint) classes.push('ansi-faint');
  if (style.italic) classes.push('ansi-italic');
  if (style.underline) classes.push('ansi-underline');
  if (classes.length === 0 && css.length === 0) return '';
  // Only class names and rgb() values built above reach the attributes.
  return `<span${classes.length ? ` class="${classes.join(' ')}"` : ''}${css.length ? ` style="${css.join(';')}"` : ''}>`;
}

/**
 * Applies carriage returns and backspaces the way a terminal shows them: text after `\r`
 * overwrites the start of its line; `\r\n` is a plain line end.
 *
 * @example
 * applyCarriageReturns('10%\r55%\r100%\n') // '100%\n'
 */
export function applyCarriageReturns(text: string): string {
  if (!text.includes('\r') && !text.includes('\x08')) return text;
  return text
    .replace(/\r+\n/g, '\n')
    .split('\n')
    .map((line) => {
      let out = '';
      for (const part of line.split('\r')) out = part + out.slice(part.length);
      // A backspace erases the character before it.
      while (/[^\x08]\x08/.test(out)) out = out.replace(/[^\x08]\x08/, '');
      return out.replace(/\x08/g, '');
    })
    .join('\n');
}

/**
 * Text with ANSI escapes -> escaped HTML with colour spans.
 *
 * @example
 * ansiToHtml('\u001b[0;31mTypeError\u001b[0m: <x>') // '<span class="ansi-red-fg">TypeError</span>: &lt;x&gt;'
 */
export function ansiToHtml(text: string): string {
  const input = applyCarriageReturns(text);
  let style: Style = {};
  let out = '';
  let open = '';
  let last = 0;
  const emit = (chunk: string): void => {
    if (chunk === '') return;
    out += open ? `${open}${escapeHtml(chunk)}</span>` : escapeHtml(chunk);
  };
  for (const m of input.matchAll(ESCAPE_RE)) {
    emit(input.slice(last, m.index));
    last = m.index! + m[0].length;
    if (m[2] === 'm') {
      style = applySgr(m[1]!, style);
      open = openTag(style);
    }
  }
  emit(input.slice(last));
  return out;
}

/** The text without any escape sequence (for alt texts and summaries). */
export function stripAnsi(text: string): string {
  return applyCarriageReturns(text).replace(ESCAPE_RE, '');
}
