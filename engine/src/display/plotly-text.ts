/**
 * Text inside plotly figures. plotly.js reads labels as a small HTML-like markup (<b>,
 * <br>, <a href>, entities); user text such as tokens must be escaped to show as text.
 */

/**
 * Escapes text for plotly.js labels, tick texts and hover templates, so that a token
 * like `<b>` shows as the four characters it is.
 *
 * @example plotlyEscape('<img src=x>')  // "&lt;img src=x&gt;"
 */
export function plotlyEscape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'", nbsp: '\u00a0' };

/**
 * The plain text plotly.js would show for a label: line breaks become spaces, tags are
 * dropped and entities decoded. Used by the static fallback, which escapes it again as XML.
 *
 * @example plotlyPlainText('<b>loss</b><br>per step &lt;t&gt;')  // "loss per step <t>"
 */
export function plotlyPlainText(text: string): string {
  return text
    .replace(/<br\s*\/?>/gi, ' ')
    .replace(/<[^<>]*>/g, '')
    .replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (whole, name: string) => {
      if (name[0] === '#') {
        const code = name[1] === 'x' || name[1] === 'X' ? Number.parseInt(name.slice(2), 16) : Number.parseInt(name.slice(1), 10);
        return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
      }
      return ENTITIES[name.toLowerCase()] ?? whole;
    });
}
