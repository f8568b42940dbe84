import { describe, expect, it } from 'vitest';
import { formatNumber, roundMatrix, roundSignificant } from '../../../engine/src/display/numbers.js';

describe('rounding', () => {
  it('rounds a matrix to significant digits of its largest magnitude', () => {
    expect(roundMatrix([[0.71234, 1e-9], [-0.0049, 0.0051]], 3)).toEqual([[0.712, 0], [-0.005, 0.005]]);
    expect(roundMatrix([[12345.6, 7]], 2)).toEqual([[12000, 0]]);
    expect(roundMatrix([[0, 0]], 3)).toEqual([[0, 0]]);
    // No -0 in payloads, and the shortest decimal in JSON.
    expect(Object.is(roundMatrix([[1, -1e-9]], 3)[0]![1], 0)).toBe(true);
    expect(JSON.stringify(roundMatrix([[0.1 + 0.2, 0.7]], 3))).toBe('[[0.3,0.7]]');
  });

  it('rounds single values to their own significant digits', () => {
    expect(roundSignificant(0.000123456, 3)).toBe(0.000123);
    expect(roundSignificant(-98765, 2)).toBe(-99000);
    expect(roundSignificant(0, 4)).toBe(0);
  });

  it('formats labels briefly', () => {
    expect(formatNumber(0.000012)).toBe('1.2e-5');
    expect(formatNumber(0.51234)).toBe('0.512');
    expect(formatNumber(1234.5)).toBe('1235');
    expect(formatNumber(2e6)).toBe('2e6');
    expect(formatNumber(-0.5)).toBe('-0.5');
    expect(formatNumber(0)).toBe('0');
  });
});
