/**
 * Syntax highlighting with highlight.js (its common languages: TypeScript, JavaScript,
 * Python, shell, JSON, ...), done at export time so pages need no script for it.
 */
import hljs from 'highlight.js/lib/common';
import { escapeHtml } from './escape.js';

/** Languages a notebook's metadata may name, as highlight.js knows them. */
const ALIASES: Record<string, string> = { 'text/x.typescript': 'typescript', node: 'javascript', ipython: 'python', ipython3: 'python', python3: 'python' };

/** The highlight.js language for a name (`typescript`, `ts`, `python3`, ...), or null. */
export function knownLanguage(name: string | undefined | null): string | null {
  if (!name) return null;
  const key = name.trim().toLowerCase();
  const resolved = ALIASES[key] ?? key;
  return hljs.getLanguage(resolved) ? resolved : null;
}

/**
 * Source code as HTML: highlight.js's `<span class="hljs-...">` markup for a known
 * language, escaped plain text otherwise (never auto-detected: a guess that changes between
 * cells reads worse than no colour).
 *
 * @example
 * highlightCode('const x: number = 1;', 'typescript')
 * // '<span class="hljs-keyword">const</span> x: <span class="hljs-built_in">number</span> = ...'
 */
export function highlightCode(code: string, language: string | null | undefined): string {
  const lang = knownLanguage(language);
  if (!lang) return escapeHtml(code);
  return hljs.highlight(code, { language: lang, ignoreIllegals: true }).value;
}
