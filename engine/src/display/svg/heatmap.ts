/**
 * A labelled heatmap panel for the static figures. Cells are quantised to 64 colour
 * levels (more than the eye tells apart) and each level is one `<path>` of merged runs,
 * which keeps a 128 x 128 map to about a hundred kilobytes at most.
 */
import { colorAt, MASKED_COLOR, type ColorStops } from '../palette.js';
import type { Matrix } from '../inputs.js';
import type { SvgFigure } from './figure.js';
import type { Body } from './frame.js';
import { px, textWidth, tokenLabel } from './xml.js';

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
  rowStep: number;
  colStep: number;
}

/** Integral cell size that fits `n` cells in about `maxPx`, between `min` and `max` px. */
export function cellSize(n: number, maxPx: number, min = 1, max = 22): number {
  return Math.max(min, Math.min(max, Math.floor(maxPx / n)));
}

function labelStep(cell: number, fontSize: number): number {
  return Math.max(1, Math.ceil((fontSize * 1.15) / cell));
}

function widestLabel(labels: readonly string[] | undefined, step: number, fontSize: number): number {
  if (!labels) return 0;
  let w = 0;
  for (let i = 0; i < labels.length; i += step) w = Math.max(w, textWidth(tokenLabel(labels[i]!), fontSize));
  return w;
}

/** Computes the size of a panel and the offset of its cells. */
export function layoutHeatmap(spec: HeatmapSpec): HeatmapLayout {
  const fs = spec.fontSize ?? 10;
  const rows = spec.z.length;
  const cols = spec.z[0]?.length ?? 0;
  const rowStep = labelStep(spec.cellHeight, fs);
  const colStep = labelStep(spec.cellWidth, fs);
  const rowLabelW = spec.rowLabels ? widestLabel(spec.rowLabels, rowStep, fs) + 6 : 0;
  const colLabelH = spec.colLabels ? widestLabel(spec.colLabels, colStep, fs) + 6 : 0;
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
    rowStep,
    colStep,
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

  if (spec.rowLabels) {
    for (let r = 0; r < rows; r += layout.rowStep) {
      const token = spec.rowLabels[r]!;
      fig.text(x0 - 4, y0 + (r + 0.5) * ch, tokenLabel(token), { size: fs, anchor: 'end', baseline: 'middle', title: token });
    }
  }
  if (spec.colLabels) {
    const atTop = spec.colLabelsAt !== 'bottom';
    const ly = atTop ? y0 - 4 : y0 + rows * ch + 4;
    for (let c = 0; c < cols; c += layout.colStep) {
      const token = spec.colLabels[c]!;
      fig.text(x0 + (c + 0.5) * cw, ly, tokenLabel(token), {
        size: fs,
        rotate: -90,
        anchor: atTop ? 'start' : 'end',
        baseline: 'middle',
        title: token,
      });
    }
  }
}

/** A heatmap panel as a body for {@link framedSvg}'s layouts. */
export function heatmapBody(spec: HeatmapSpec): Body {
  const layout = layoutHeatmap(spec);
  return { width: layout.width, height: layout.height, draw: (fig, x, y) => drawHeatmap(fig, x, y, spec, layout) };
}
