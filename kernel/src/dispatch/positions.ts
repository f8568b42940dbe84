/**
 * Cursor positions: the Jupyter protocol (5.2+) counts Unicode code points, JavaScript strings
 * count UTF-16 code units. They differ after any character outside the BMP (emoji, some CJK).
 */

/** UTF-16 offset of the `codePoints`-th code point of `text` (clamped to the text). */
export function codePointsToUtf16(text: string, codePoints: number): number {
  let offset = 0;
  let n = 0;
  while (n < codePoints && offset < text.length) {
    const c = text.codePointAt(offset)!;
    offset += c > 0xffff ? 2 : 1;
    n++;
  }
  return offset;
}

/** Number of code points in `text` before UTF-16 offset `offset`. */
export function utf16ToCodePoints(text: string, offset: number): number {
  let n = 0;
  for (let i = 0; i < offset && i < text.length; n++) {
    const c = text.codePointAt(i)!;
    i += c > 0xffff ? 2 : 1;
  }
  return n;
}
