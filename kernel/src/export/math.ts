/**
 * Math in markdown, as Jupyter writes it, typeset with KaTeX at export time (pages carry
 * KaTeX's CSS and fonts, no script).
 *
 * Delimiters, as in Jupyter's markdown: `$...$` and `\(...\)` inline; `$$...$$` and
 * `\[...\]` display (as a block when they stand alone on their lines, else inside the
 * paragraph); `\begin{env}...\end{env}` as a block. The TeX between delimiters is taken
 * verbatim, before markdown sees it, so `_`, `*` and `\\` in formulas stay TeX. A `$` opens
 * inline math only when the next character is not a space, and closes it only when the
 * previous one is not a space and the next is not a digit (so "costs $5 and $10" stays
 * text); `\$` is a literal dollar.
 *
 * Why not a plugin from npm: the maintained KaTeX plugins either pin an older KaTeX (a second
 * copy whose CSS and fonts would not match) or keep the engine in a module-wide global and
 * accept neither Jupyter's multi-line inline math nor `\begin{...}` blocks.
 */
import katex, { type KatexOptions } from 'katex';
import type { Env, MarkdownIt, StateBlock, StateInline } from 'markdown-it';
import { escapeHtml } from './escape.js';

/** Per-document math state, passed as (part of) markdown-it's `env`. */
export type MathEnv = {
  /** KaTeX macros shared by every formula of a notebook (`\newcommand` in one cell holds in the next, as in Jupyter). */
  macros?: KatexOptions['macros'];
  /** Formulas KaTeX could not typeset: the TeX and KaTeX's message. */
  mathErrors?: Array<{ tex: string; message: string }>;
};

/**
 * Typesets one formula. A formula KaTeX rejects is shown as its escaped source, marked
 * `math-error` with KaTeX's message as the tooltip, and recorded in `env.mathErrors`.
 *
 * @example
 * renderTex('h_t = \\tanh(W h_{t-1})', false) // '<span class="katex">...</span>'
 */
export function renderTex(tex: string, displayMode: boolean, env: MathEnv = {}): string {
  try {
    return katex.renderToString(tex, {
      displayMode,
      throwOnError: true,
      output: 'htmlAndMathml',
      macros: (env.macros ??= {}),
      globalGroup: true,
      strict: 'ignore',
      // No \href, \url, \includegraphics, \htmlClass...: formulas cannot add links or markup.
      trust: false,
    });
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    (env.mathErrors ??= []).push({ tex, message });
    const tag = displayMode ? 'div' : 'span';
    return `<${tag} class="math-error" title="${escapeHtml(message)}">${escapeHtml(displayMode ? `$$${tex}$$` : `$${tex}$`)}</${tag}>`;
  }
}

/** Index of the next unescaped `delim` in `src` from `from` up to `max`, or -1. */
function findClosing(src: string, delim: string, from: number, max: number): number {
  let i = src.indexOf(delim, from);
  while (i !== -1 && i + delim.length <= max) {
    let backslashes = 0;
    for (let j = i - 1; j >= from && src[j] === '\\'; j--) backslashes++;
    if (backslashes % 2 === 0) return i;
    i = src.indexOf(delim, i + 1);
  }
  return -1;
}

const BLOCK_OPENERS: Array<{ open: RegExp; close: (m: RegExpExecArray) => string; inner: (all: string, m: RegExpExecArray) => string }> = [
  { open: /^\$\$/, close: () => '$$', inner: (all) => all.slice(2, -2) },
  { open: /^\\\[/, close: () => '\\]', inner: (all) => all.slice(2, -2) },
  // The environment is part of the TeX KaTeX typesets (equation, align, aligned, gather, matrix...).
  { open: /^\\begin\{([A-Za-z]+\*?)\}/, close: (m) => `\\end{${m[1]}}`, inner: (all) => all },
];

function mathBlock(state: StateBlock, startLine: number, endLine: number, silent: boolean): boolean {
  const start = state.bMarks[startLine]! + state.tShift[startLine]!;
  if (state.sCount[startLine]! - state.blkIndent >= 4) return false; // an indented code block
  const src = state.src;
  const rest = src.slice(start, state.eMarks[startLine]!);
  for (const opener of BLOCK_OPENERS) {
    const m = opener.open.exec(rest);
    if (!m) continue;
    const closeDelim = opener.close(m);
    const blockEnd = state.eMarks[endLine - 1] ?? src.length;
    const close = findClosing(src, closeDelim, start + m[0].length, blockEnd);
    if (close === -1) return false;
    const after = close + closeDelim.length;
    // The block ends on the closing line; anything after the delimiter there makes it inline math in a paragraph.
    let line = startLine;
    while (line < endLine && state.eMarks[line]! < after) line++;
    if (line >= endLine) return false;
    if (src.slice(after, state.eMarks[line]!).trim() !== '') return false;
    if (silent) return true;
    const token = state.push('math_block', 'math', 0);
    token.block = true;
    token.content = opener.inner(src.slice(start, after), m).trim();
    token.markup = m[0];
    token.map = [startLine, line + 1];
    state.line = line + 1;
    return true;
  }
  return false;
}

function mathInline(state: StateInline, silent: boolean): boolean {
  const src = state.src;
  const pos = state.pos;
  const max = state.posMax;
  const push = (content: string, display: boolean, end: number): boolean => {
    if (!silent) {
      const token = state.push(display ? 'math_inline_display' : 'math_inline', 'math', 0);
      token.content = content;
    }
    state.pos = end;
    return true;
  };
  if (src.startsWith('$$', pos)) {
    const close = findClosing(src, '$$', pos + 2, max);
    if (close === -1 || close === pos + 2) return false;
    return push(src.slice(pos + 2, close).trim(), true, close + 2);
  }
  if (src[pos] === '$') {
    const next = src[pos + 1];
    if (next === undefined || /\s/.test(next)) return false;
    let close = findClosing(src, '$', pos + 1, max);
    while (close !== -1) {
      const before = src[close - 1]!;
      const after = src[close + 1];
      if (!/\s/.test(before) && !(after !== undefined && /[0-9]/.test(after))) break;
      close = findClosing(src, '$', close + 1, max);
    }
    if (close === -1) return false;
    return push(src.slice(pos + 1, close), false, close + 1);
  }
  if (src.startsWith('\\(', pos) || src.startsWith('\\[', pos)) {
    const display = src[pos + 1] === '[';
    const closeDelim = display ? '\\]' : '\\)';
    const close = src.indexOf(closeDelim, pos + 2);
    if (close === -1 || close + 2 > max) return false;
    return push(src.slice(pos + 2, close).trim(), display, close + 2);
  }
  return false;
}

/**
 * The markdown-it plugin: math tokens, typeset by {@link renderTex} with the document's
 * {@link MathEnv} (markdown-it's `env`).
 *
 * @example
 * const md = new MarkdownIt().use(mathPlugin);
 * md.render('The state $h_t$ is', { macros: {} });
 */
export function mathPlugin(md: MarkdownIt): void {
  md.block.ruler.before('fence', 'math_block', mathBlock, { alt: ['paragraph', 'reference', 'blockquote', 'list'] });
  md.inline.ruler.before('escape', 'math_inline', mathInline);
  const math = (env: Env | undefined): MathEnv => (env ?? {}) as MathEnv;
  md.renderer.rules['math_block'] = (tokens, idx, _options, env) => `<div class="math math-display">${renderTex(tokens[idx]!.content, true, math(env))}</div>\n`;
  md.renderer.rules['math_inline'] = (tokens, idx, _options, env) => renderTex(tokens[idx]!.content, false, math(env));
  md.renderer.rules['math_inline_display'] = (tokens, idx, _options, env) => renderTex(tokens[idx]!.content, true, math(env));
}
