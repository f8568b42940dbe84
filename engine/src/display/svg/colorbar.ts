/**
 * The colour scale legend of a static figure: a vertical bar of stacked rectangles (no
 * gradient definitions, hence no ids that could clash between outputs on one page).
 */
import { formatNumber } from '../numbers.js';
import { colorAt, type ColorStops } from '../palette.js';
import type { SvgFigure } from './figure.js';
import type { Body } from './frame.js';
import { niceTicks } from './ticks.js';
import { textWidth } from './xml.js';

const STEPS = 32;
const BAR_W = 12;

/** Width the colour bar with its tick labels needs. */
export function colorbarWidth(zmin: number, zmax: number, title?: string): number {
  const labels = niceTicks(zmin, zmax, 4).map((v) => formatNumber(v));
  const tickW = Math.max(...labels.map((l) => textWidth(l, 10)));
  return Math.max(BAR_W + 6 + tickW, title ? textWidth(title, 10) : 0) + 4;
}

/** Draws a colour bar of height `h` with its top-left corner at (x, y). */
export function drawColorbar(fig: SvgFigure, x: number, y: number, h: number, stops: ColorStops, zmin: number, zmax: number, title?: string): void {
  const top = title ? y + 14 : y;
  const barH = Math.max(24, h - (top - y));
  if (title) fig.text(x, y + 10, title, { size: 10 });
  const step = barH / STEPS;
  for (let i = 0; i < STEPS; i++) {
    // Top of the bar is zmax.
    fig.rect(x, top + i * step, BAR_W, step + 0.5, colorAt(stops, 1 - (i + 0.5) / STEPS));
  }
  fig.rect(x, top, BAR_W, barH, 'none', '#888');
  const range = zmax - zmin;
  for (const v of niceTicks(zmin, zmax, 4)) {
    const ty = top + barH * (range > 0 ? 1 - (v - zmin) / range : 0.5);
    fig.line(x + BAR_W, ty, x + BAR_W + 3, ty, '#444');
    fig.text(x + BAR_W + 5, ty, formatNumber(v), { size: 10, baseline: 'middle' });
  }
}

/** A colour bar as a body; `height` is the height of the bar with its title. */
export function colorbarBody(height: number, stops: ColorStops, zmin: number, zmax: number, title?: string): Body {
  return {
    width: colorbarWidth(zmin, zmax, title),
    height,
    draw: (fig, x, y) => drawColorbar(fig, x, y, height, stops, zmin, zmax, title),
  };
}
