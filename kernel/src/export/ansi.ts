/**
 * Terminal text (colours in tracebacks and streams) as HTML, with ansi_up: the 16 standard
 * colours become class names (`ansi-red-fg`, `ansi-bright-green-bg`) that the site's stylesheet
 * colours for light and dark, 256-colour and true-colour values an inline `rgb()`, bold, faint,
 * italic and underline an inline style; every other escape sequence is dropped and the text is
 * escaped. Carriage returns overwrite the line as a terminal (and Jupyter) shows it.
 */
import { stripVTControlCharacters } from 'node:util';
import { AnsiUp } from 'ansi_up';

/**
 * OSC strings (window titles, terminal hyperlinks): ansi_up understands only hyperlinks and
 * leaves any other OSC body as text; removed first, a hyperlink keeps its text, as plain text.
 */
const OSC = /\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)?/g;

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
  // One converter per text: ansi_up keeps the style (and an unfinished sequence) from one call to the next.
  const converter = new AnsiUp();
  converter.use_classes = true;
  converter.url_allowlist = {};
  return converter.ansi_to_html(applyCarriageReturns(text).replace(OSC, ''));
}

/** The text without any escape sequence (for alt texts and summaries). */
export function stripAnsi(text: string): string {
  return stripVTControlCharacters(applyCarriageReturns(text).replace(OSC, ''));
}
