/**
 * Rounding payload numbers to what the eye can see, and formatting numbers for labels.
 */

/** Default number of significant digits in payloads: finer than any colour scale or hover shows. */
export const DEFAULT_PRECISION = 3;

/**
 * The rounding step that keeps `precision` significant digits of `scale` (the largest
 * magnitude of a matrix or series). Returns 0 when everything is zero.
 */
function stepFor(scale: number, precision: number): { mul: number; div: number } | null {
  if (!(scale > 0) || !Number.isFinite(scale)) return null;
  const exponent = Math.floor(Math.log10(scale)) - (precision - 1);
  // Keep both factors integral so that k / 10^n and k * 10^n are the doubles nearest the
  // decimal value, which JSON.stringify then prints in their shortest form.
  return exponent < 0 ? { mul: 10 ** -exponent, div: 1 } : { mul: 1, div: 10 ** exponent };
}

function roundWith(value: number, step: { mul: number; div: number } | null): number {
  if (step === null || value === 0) return 0;
  const k = step.mul !== 1 ? Math.round(value * step.mul) : Math.round(value / step.div);
  const r = step.mul !== 1 ? k / step.mul : k * step.div;
  return r === 0 ? 0 : r; // no -0 in payloads
}

/**
 * Rounds a matrix relative to its largest magnitude: `precision` significant digits of
 * the largest |value|, so values far below the colour scale become 0 (an attention weight
 * of 1e-9 next to 0.7 is stored as 0). Returns new plain arrays.
 *
 * @example roundMatrix([[0.71234, 1e-9]], 3)  // [[0.712, 0]]
 */
export function roundMatrix(rows: ReadonlyArray<ArrayLike<number>>, precision: number): number[][] {
  let scale = 0;
  for (const row of rows) for (let j = 0; j < row.length; j++) scale = Math.max(scale, Math.abs(row[j]!));
  const step = stepFor(scale, precision);
  return rows.map((row) => Array.from(row, (v) => roundWith(v, step)));
}

/**
 * Rounds each value to `precision` significant digits of its own (line plots, where a
 * log axis shows small values as clearly as large ones).
 *
 * @example roundSignificant(0.000123456, 3)  // 0.000123
 */
export function roundSignificant(value: number, precision: number): number {
  return roundWith(value, stepFor(Math.abs(value), precision));
}

/** Largest |value| of a matrix (0 for an empty one). */
export function maxAbs(rows: ReadonlyArray<ArrayLike<number>>): number {
  let m = 0;
  for (const row of rows) for (let j = 0; j < row.length; j++) m = Math.max(m, Math.abs(row[j]!));
  return m;
}

/**
 * A short label for a number: at most `digits` significant digits, exponent notation for
 * very large or small magnitudes.
 *
 * @example formatNumber(0.000012) // "1.2e-5"; formatNumber(0.51234) // "0.512"; formatNumber(1234.5) // "1235"
 */
export function formatNumber(value: number, digits = 3): string {
  if (value === 0) return '0';
  if (!Number.isFinite(value)) return String(value);
  const a = Math.abs(value);
  if (a >= 1e5 || a < 1e-3) {
    const [mantissa, exp] = value.toExponential(digits - 1).split('e');
    return `${trimZeros(mantissa!)}e${exp!.replace('+', '')}`;
  }
  if (a >= 10 ** digits) return String(Math.round(value));
  return trimZeros(value.toPrecision(digits));
}

function trimZeros(s: string): string {
  return s.includes('.') ? s.replace(/\.?0+$/, '') : s;
}
