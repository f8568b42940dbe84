/**
 * A labelled heatmap panel for the static figures. Cells are quantised to 64 colour
 * levels (more than the eye tells apart) and each level is one `<path>` of merged runs,
 * which keeps a 128 x 128 map to about a hundred kilobytes at most.
 */
import { colorAt, MASKED_COLOR, type ColorStops } from '../palette.js';
import type { Matrix } from '../inputs.js';
import type { SvgFigure } from './figure.js';
import type { Body } from './frame.js';
import { tokenAxis, type TokenAxis } from '../token-axis.js';
import { px, textWidth } from './xml.js';

const LEVELS = 64;

/** What to draw in one heatmap panel. */
export interface HeatmapSpec {
  /** Values, rows drawn top to bottom. */
  z: Matrix;
  stops: ColorStops;
  zmin: number;
  zmax: number;
  /** mask[row][col] true: drawn grey and hatched instead of coloured. */
  mask?: ReadonlyArray<ReadonlyArray<boolean>> | undefined;
  /** Labels of the rows (left) and columns; raw text, shortened and escaped here. */
  rowLabels?: readonly string[] | undefined;
  colLabels?: readonly string[] | undefined;
  colLabelsAt?: 'top' | 'bottom';
  /** Text above the panel. */
  title?: string | undefined;
  cellWidth: number;
  cellHeight: number;
  fontSize?: number;
}

/** Where the parts of a panel go, relative to its top-left corner. */
export interface HeatmapLayout {
  width: number;
  height: number;
  /** Top-left corner of the cell area. */
  cellsX: number;
  cellsY: number;
  /** The labelled rows and columns (the token axis rule of token-axis.ts). */
  rows: TokenAxis | null;
  cols: TokenAxis | null;
}

/** Integral cell size that fits `n` cells in about `maxPx`, between `min` and `max` px. */
export function cellSize(n: number, maxPx: number, min = 1, max = 22): number {
  return Math.max(min, Math.min(max, Math.floor(maxPx / n)));
}

function widestLabel(axis: TokenAxis | null): number {
  let w = 0;
  for (const label of axis?.labels ?? []) w = Math.max(w, textWidth(label, axis!.fontSize));
  return w;
}

/** Computes the size of a panel and the offset of its cells. */
export function layoutHeatmap(spec: HeatmapSpec): HeatmapLayout {
  const fs = spec.fontSize ?? 10;
  const rows = spec.z.length;
  const cols = spec.z[0]?.length ?? 0;
  const rowAxis = spec.rowLabels ? tokenAxis(spec.rowLabels, rows * spec.cellHeight) : null;
  const colAxis = spec.colLabels ? tokenAxis(spec.colLabels, cols * spec.cellWidth) : null;
  const rowLabelW = rowAxis ? widestLabel(rowAxis) + 6 : 0;
  const colLabelH = colAxis ? widestLabel(colAxis) + 6 : 0;
  const titleH = spec.title ? fs + 8 : 0;
  const top = titleH + (spec.colLabelsAt !== 'bottom' ? colLabelH : 0);
  const gridW = cols * spec.cellWidth;
  const gridH = rows * spec.cellHeight;
  const bottom = spec.colLabelsAt === 'bottom' ? colLabelH : 0;
  const titleW = spec.title ? textWidth(spec.title, fs + 1) : 0;
  return {
    width: rowLabelW + Math.max(gridW, titleW) + 2,
    height: top + gridH + bottom,
    cellsX: rowLabelW,
    cellsY: top,
    rows: rowAxis,
    cols: colAxis,
  };
}

/** Draws a panel laid out by {@link layoutHeatmap} with its top-left corner at (x, y). */
export function drawHeatmap(fig: SvgFigure, x: number, y: number, spec: HeatmapSpec, layout: HeatmapLayout): void {
  const fs = spec.fontSize ?? 10;
  const { cellWidth: cw, cellHeight: ch } = spec;
  const x0 = x + layout.cellsX;
  const y0 = y + layout.cellsY;
  const rows = spec.z.length;
  const cols = spec.z[0]?.length ?? 0;
  if (spec.title) fig.text(x0, y + fs, spec.title, { size: fs + 1, weight: 'bold' });

  const range = spec.zmax - spec.zmin;
  // Each colour level is one path of horizontal runs stroked as wide as a row ("butt" caps
  // end exactly at the cell edges), written with relative moves: about 7 bytes a run.
  const runs = new Map<number, { d: string[]; x: number; y: number }>(); // level (-1: masked) -> path
  const hatch: string[] = [];
  for (let r = 0; r < rows; r++) {
    const row = spec.z[r]!;
    const maskRow = spec.mask?.[r];
    const cy = y0 + (r + 0.5) * ch;
    let start = 0;
    let prev = NaN;
    const flush = (end: number): void => {
      if (end <= start) return;
      const sx = x0 + start * cw;
      const w = (end - start) * cw;
      let path = runs.get(prev);
      if (!path) {
        path = { d: [`M${px(sx)} ${px(cy)}`], x: sx, y: cy };
        runs.set(prev, path);
      } else {
        path.d.push(`m${px(sx - path.x)} ${px(cy - path.y)}`);
      }
      path.d.push(`h${px(w)}`);
      path.x = sx + w;
      path.y = cy;
    };
    for (let c = 0; c < cols; c++) {
      let level: number;
      if (maskRow?.[c]) {
        level = -1;
        hatch.push(`M${px(x0 + c * cw)} ${px(y0 + (r + 1) * ch)}l${px(cw)} ${px(-ch)}`);
      } else {
        const t = range > 0 ? (row[c]! - spec.zmin) / range : 0.5;
        level = Math.round(Math.min(1, Math.max(0, t)) * (LEVELS - 1));
      }
      if (level !== prev) {
        flush(c);
        start = c;
        prev = level;
      }
    }
    flush(cols);
  }
  fig.raw(`<g fill="none" stroke-width="${px(ch)}">`);
  for (const [level, path] of runs) {
    const color = level < 0 ? MASKED_COLOR : colorAt(spec.stops, level / (LEVELS - 1));
    fig.raw(`<path stroke="${color}" d="${path.d.join('')}"/>`);
  }
  fig.raw('</g>');
  if (hatch.length > 0) fig.raw(`<path fill="none" stroke="#7a7a7a" stroke-width="0.6" d="${hatch.join('')}"/>`);
  fig.raw(`<rect x="${px(x0)}" y="${px(y0)}" width="${px(cols * cw)}" height="${px(rows * ch)}" fill="none" stroke="#888" stroke-width="0.5"/>`);

  if (spec.rowLabels && layout.rows) {
    const axis = layout.rows;
    axis.indices.forEach((r, k) => {
      fig.text(x0 - 4, y0 + (r + 0.5) * ch, axis.labels[k]!, { size: axis.fontSize, anchor: 'end', baseline: 'middle', title: spec.rowLabels![r]! });
    });
  }
  if (spec.colLabels && layout.cols) {
    const axis = layout.cols;
    const atTop = spec.colLabelsAt !== 'bottom';
    const ly = atTop ? y0 - 4 : y0 + rows * ch + 4;
    axis.indices.forEach((c, k) => {
      fig.text(x0 + (c + 0.5) * cw, ly, axis.labels[k]!, {
        size: axis.fontSize,
        rotate: -90,
        anchor: atTop ? 'start' : 'end',
        baseline: 'middle',
        title: spec.colLabels![c]!,
      });
    });
  }
}

/** A heatmap panel as a body for {@link framedSvg}'s layouts. */
export function heatmapBody(spec: HeatmapSpec): Body {
  const layout = layoutHeatmap(spec);
  return { width: layout.width, height: layout.height, draw: (fig, x, y) => drawHeatmap(fig, x, y, spec, layout) };
}
