/**
 * Pieces of the one-line `text/plain` summaries.
 */
import { tokenLabel } from './svg/xml.js';

/**
 * The start of a token sequence on one line: tokens joined by spaces (whitespace tokens
 * made visible), cut with an ellipsis after about `maxChars` characters.
 *
 * @example summaryTokens(['the', 'cat', '\n'])  // "the cat ↵"
 */
export function summaryTokens(tokens: readonly string[], maxChars = 60): string {
  let out = '';
  for (const t of tokens) {
    const next = out === '' ? tokenLabel(t, 24) : `${out} ${tokenLabel(t, 24)}`;
    if (Array.from(next).length > maxChars) return `${out} …`;
    out = next;
  }
  return out;
}
