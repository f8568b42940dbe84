/**
 * Colour scales handed to plotly.js: the same stops as the engine's static figures
 * (engine/src/display/palette.ts; test/extension/core/palette.test.ts checks they agree).
 */

export type ColorStops = ReadonlyArray<readonly [number, string]>;

/** Weights and sigmoid gates in [0, 1]: viridis. */
export const SEQUENTIAL: ColorStops = [
  [0, '#440154'], [0.0627, '#48186a'], [0.1255, '#472d7b'], [0.1882, '#424086'],
  [0.251, '#3b528b'], [0.3137, '#33638d'], [0.3765, '#2c728e'], [0.4392, '#26828e'],
  [0.502, '#21918c'], [0.5647, '#1fa088'], [0.6275, '#28ae80'], [0.6902, '#3fbc73'],
  [0.7529, '#5ec962'], [0.8157, '#84d44b'], [0.8784, '#addc30'], [0.9412, '#d8e219'],
  [1, '#fde725'],
];

/** Signed values centred on 0: blue, white, red. */
export const DIVERGING: ColorStops = [
  [0, '#053061'], [0.1, '#2166ac'], [0.2, '#4393c3'], [0.3, '#92c5de'], [0.4, '#d1e5f0'],
  [0.5, '#f7f7f7'], [0.6, '#fddbc7'], [0.7, '#f4a582'], [0.8, '#d6604d'], [0.9, '#b2182b'],
  [1, '#67001f'],
];

export const MASKED_COLOR = '#bdbdbd';

export const COLORWAY = [
  '#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd',
  '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf',
] as const;

/** A scale as plotly.js takes it (mutable arrays). */
export function plotlyScale(stops: ColorStops): [number, string][] {
  return stops.map(([p, c]) => [p, c]);
}

/** 256 RGB entries of a scale, for drawing thumbnails pixel by pixel. */
export function lookupTable(stops: ColorStops): Uint8ClampedArray {
  const lut = new Uint8ClampedArray(256 * 3);
  for (let i = 0; i < 256; i++) {
    const t = i / 255;
    let j = 1;
    while (j < stops.length - 1 && stops[j]![0] < t) j++;
    const [p0, c0] = stops[j - 1]!;
    const [p1, c1] = stops[j]!;
    const f = p1 === p0 ? 0 : (t - p0) / (p1 - p0);
    for (let ch = 0; ch < 3; ch++) {
      const a = Number.parseInt(c0.slice(1 + 2 * ch, 3 + 2 * ch), 16);
      const b = Number.parseInt(c1.slice(1 + 2 * ch, 3 + 2 * ch), 16);
      lut[i * 3 + ch] = Math.round(a + (b - a) * f);
    }
  }
  return lut;
}
