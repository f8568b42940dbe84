/**
 * Text in SVG: tokens are user text, so every string that reaches the markup goes
 * through {@link escapeXml}, and labels go through {@link tokenLabel} first.
 */

// Characters XML 1.0 forbids even when escaped (control characters, lone surrogates).
const NOT_XML_CHAR = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

/**
 * Escapes text for XML element content and attribute values, and replaces characters XML
 * cannot hold with U+FFFD, so any string yields well-formed markup that shows as text.
 *
 * @example escapeXml('<img src=x onerror=alert(1)>')  // "&lt;img src=x onerror=alert(1)&gt;"
 */
export function escapeXml(text: string): string {
  return text
    .replace(NOT_XML_CHAR, '\uFFFD')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/**
 * The symbols whitespace tokens are drawn with, and what each means (for legends). A
 * space is a middle dot, as editors show whitespace: the open box `␣` read as a "u" on
 * rotated axis labels.
 */
export const WHITESPACE_SYMBOLS = [
  { symbol: '·', meaning: 'a space' },
  { symbol: '↵', meaning: 'a line break' },
  { symbol: '⇥', meaning: 'a tab' },
  { symbol: '∅', meaning: 'an empty token' },
] as const;

/**
 * How a token is shown as a label: whitespace made visible (a space token would otherwise
 * be an invisible label; see {@link WHITESPACE_SYMBOLS}), and long tokens shortened with an
 * ellipsis. The payload always keeps the token as given; this is for drawing only.
 *
 * @example tokenLabel(' ')  // "·";  tokenLabel('\n')  // "↵"
 */
export function tokenLabel(token: string, maxChars = 14): string {
  if (token === '') return '∅';
  let label = token.replace(/\r\n|\r|\n/g, '↵').replace(/\t/g, '⇥');
  if (label.trim() === '') label = '·'.repeat(label.length);
  const chars = Array.from(label);
  return chars.length > maxChars ? `${chars.slice(0, maxChars - 1).join('')}…` : label;
}

/** Approximate width in px of a label in a sans-serif font (no layout engine here). */
export function textWidth(text: string, fontSize: number): number {
  return Array.from(text).length * fontSize * 0.6;
}

/** Formats a coordinate with at most two decimals, keeping the markup short. */
export function px(n: number): string {
  return String(Math.round(n * 100) / 100);
}
