/** Code points (protocol) vs UTF-16 offsets (JavaScript). */
import { describe, expect, it } from 'vitest';
import { codePointsToUtf16, utf16ToCodePoints } from '../../../kernel/dist/dispatch/positions.js';

describe('positions', () => {
  it('converts around characters outside the BMP', () => {
    const s = 'a😀b';
    expect(codePointsToUtf16(s, 2)).toBe(3);
    expect(utf16ToCodePoints(s, 3)).toBe(2);
    expect(codePointsToUtf16(s, 99)).toBe(4);
  });
});
