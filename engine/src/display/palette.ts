/**
 * Colour scales of seqlab's figures. The extension hands the same stops to plotly.js
 * (extension/src/palette.ts, checked equal by test/extension/palette.test.ts), so the
 * static fallback and the interactive view look alike.
 */

/** A colour scale as plotly.js takes it: [position in 0..1, '#rrggbb'] pairs, ascending. */
export type ColorStops = ReadonlyArray<readonly [number, string]>;

/** Sequential scale for weights and sigmoid gates in [0, 1]: viridis (readable in light and dark themes, and in grey). */
export const SEQUENTIAL: ColorStops = [
  [0, '#440154'], [0.0627, '#48186a'], [0.1255, '#472d7b'], [0.1882, '#424086'],
  [0.251, '#3b528b'], [0.3137, '#33638d'], [0.3765, '#2c728e'], [0.4392, '#26828e'],
  [0.502, '#21918c'], [0.5647, '#1fa088'], [0.6275, '#28ae80'], [0.6902, '#3fbc73'],
  [0.7529, '#5ec962'], [0.8157, '#84d44b'], [0.8784, '#addc30'], [0.9412, '#d8e219'],
  [1, '#fde725'],
];

/** Diverging scale for signed values centred on 0 (states, candidates, cell): blue, white, red. */
export const DIVERGING: ColorStops = [
  [0, '#053061'], [0.1, '#2166ac'], [0.2, '#4393c3'], [0.3, '#92c5de'], [0.4, '#d1e5f0'],
  [0.5, '#f7f7f7'], [0.6, '#fddbc7'], [0.7, '#f4a582'], [0.8, '#d6604d'], [0.9, '#b2182b'],
  [1, '#67001f'],
];

/** Fill of masked positions (drawn hatched in the static figure). */
export const MASKED_COLOR = '#bdbdbd';

/** Line colours for traces, in order (plotly.js's default colourway). */
export const COLORWAY = [
  '#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd',
  '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf',
] as const;

function parseHex(hex: string): [number, number, number] {
  const n = Number.parseInt(hex.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

/** The colour at position t (clamped to 0..1) of a scale, as '#rrggbb'. */
export function colorAt(stops: ColorStops, t: number): string {
  const x = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0));
  let i = 1;
  while (i < stops.length - 1 && stops[i]![0] < x) i++;
  const [p0, c0] = stops[i - 1]!;
  const [p1, c1] = stops[i]!;
  const f = p1 === p0 ? 0 : (x - p0) / (p1 - p0);
  const a = parseHex(c0);
  const b = parseHex(c1);
  const rgb = a.map((v, k) => Math.round(v + (b[k]! - v) * f));
  return `#${rgb.map((v) => v.toString(16).padStart(2, '0')).join('')}`;
}
