/**
 * Colour scales handed to plotly.js. The scales themselves are the engine's
 * (`@seqlab/engine/display/shared`): static and interactive figures use one definition.
 */
import { colorAt, type ColorStops } from '@seqlab/engine/display/shared';

export { SEQUENTIAL, DIVERGING, MASKED_COLOR, COLORWAY, type ColorStops } from '@seqlab/engine/display/shared';

/** A scale as plotly.js takes it (mutable arrays). */
export function plotlyScale(stops: ColorStops): [number, string][] {
  return stops.map(([p, c]) => [p, c]);
}

/** 256 RGB entries of a scale, for drawing thumbnails pixel by pixel. */
export function lookupTable(stops: ColorStops): Uint8ClampedArray {
  const lut = new Uint8ClampedArray(256 * 3);
  for (let i = 0; i < 256; i++) {
    const hex = colorAt(stops, i / 255);
    for (let ch = 0; ch < 3; ch++) lut[i * 3 + ch] = Number.parseInt(hex.slice(1 + 2 * ch, 3 + 2 * ch), 16);
  }
  return lut;
}
