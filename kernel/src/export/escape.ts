/**
 * Escaping for the HTML that `seqlab export` writes. Every piece of notebook text (sources,
 * outputs, tokens, titles, file names) reaches a page through one of these.
 */

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/**
 * Escapes text for an HTML text node or a quoted attribute value.
 *
 * @example
 * escapeHtml('<b title="x">') // '&lt;b title=&quot;x&quot;&gt;'
 */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);
}

/**
 * JSON for a `<script type="application/json">` element: every `<` is written `\u003c`, so
 * no string in the value (a token `</script>`, `<!--`) can end or confuse the element.
 * U+2028/U+2029 are escaped too, so the text is also a valid JavaScript literal.
 *
 * @example
 * jsonForScript({ token: '</script>' }) // '{"token":"\\u003c/script>"}'
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/** A `data:` URI of base64 content (whitespace, as notebooks store it in lines, removed). */
export function base64DataUri(mime: string, base64: string): string {
  return `data:${mime};base64,${base64.replace(/\s+/g, '')}`;
}

/** A `data:` URI of text (UTF-8, base64-encoded so nothing in it needs quoting). */
export function textDataUri(mime: string, text: string): string {
  return `data:${mime};base64,${Buffer.from(text, 'utf8').toString('base64')}`;
}

/** nbformat stores multi-line strings as lists of lines; this joins either form. */
export function joinText(value: unknown): string {
  if (Array.isArray(value)) return value.map((v) => String(v)).join('');
  return typeof value === 'string' ? value : value === undefined || value === null ? '' : String(value);
}
