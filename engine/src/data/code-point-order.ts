/**
 * String order by Unicode code point, the order of Python's `sorted()` on str and of
 * Rust's `str::cmp` (byte order of UTF-8). JavaScript's default comparison uses UTF-16
 * code units, which disagrees for characters outside the Basic Multilingual Plane
 * (e.g. emoji sort before U+E000..U+FFFF there); vocabularies (D2L's alphabetical
 * order) and safetensors headers must agree with the Python/Rust side.
 */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    // A surrogate (a code point above U+FFFF) outranks every BMP unit above it in UTF-16 terms.
    const sx = x >= 0xd800 && x <= 0xdfff;
    const sy = y >= 0xd800 && y <= 0xdfff;
    if (sx !== sy) return sx ? 1 : -1;
    return x - y;
  }
  return a.length - b.length;
}
