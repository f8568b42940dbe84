/**
 * The frame shared by every static figure: a title on top, the body, and caption lines
 * (what was cut, how to read it) below.
 */
import { SvgFigure } from './figure.js';
import { textWidth } from './xml.js';

const MARGIN = 10;

/** A body of known size that draws itself with its top-left corner at (x, y). */
export interface Body {
  width: number;
  height: number;
  draw(fig: SvgFigure, x: number, y: number): void;
}

/** Lays out title, body and captions and returns the SVG document. */
export function framedSvg(title: string, body: Body, captions: readonly string[]): string {
  const fig = new SvgFigure();
  const titleH = 22;
  fig.text(MARGIN, MARGIN + 13, title, { size: 14, weight: 'bold' });
  const bodyY = MARGIN + titleH;
  body.draw(fig, MARGIN, bodyY);
  let y = bodyY + body.height + 6;
  let width = Math.max(body.width, textWidth(title, 14));
  for (const line of captions.filter((c) => c !== '')) {
    y += 14;
    fig.text(MARGIN, y, line, { size: 11, fill: '#555' });
    width = Math.max(width, textWidth(line, 11));
  }
  fig.width = width + 2 * MARGIN;
  fig.height = y + MARGIN;
  return fig.toString(title);
}

/** Places bodies in rows of at most `perRow`, `gap` px apart. */
export function gridBody(items: readonly Body[], perRow: number, gap = 16): Body {
  const rows: Body[][] = [];
  for (let i = 0; i < items.length; i += perRow) rows.push(items.slice(i, i + perRow));
  const rowH = rows.map((r) => Math.max(...r.map((b) => b.height)));
  const colW: number[] = [];
  for (const r of rows) r.forEach((b, j) => (colW[j] = Math.max(colW[j] ?? 0, b.width)));
  const width = colW.reduce((a, b) => a + b, 0) + gap * (colW.length - 1);
  const height = rowH.reduce((a, b) => a + b, 0) + gap * (rows.length - 1);
  return {
    width,
    height,
    draw(fig, x, y) {
      let cy = y;
      rows.forEach((r, i) => {
        let cx = x;
        r.forEach((b, j) => {
          b.draw(fig, cx, cy);
          cx += colW[j]! + gap;
        });
        cy += rowH[i]! + gap;
      });
    },
  };
}

/** Places bodies side by side, `gap` px apart, aligned at the top. */
export function rowBody(items: readonly Body[], gap = 16): Body {
  return gridBody(items, items.length, gap);
}

/** Stacks bodies vertically, `gap` px apart. */
export function columnBody(items: readonly Body[], gap = 12): Body {
  return gridBody(items, 1, gap);
}
