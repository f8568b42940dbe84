/**
 * Static x–y charts (lines, markers, grouped bars) with linear or log axes, for the
 * fallbacks of plotly figures.
 */
import { formatNumber } from '../numbers.js';
import type { SvgFigure } from './figure.js';
import type { Body } from './frame.js';
import { logTicks, niceTicks } from './ticks.js';
import { px, textWidth, tokenLabel } from './xml.js';

/** One trace: x positions (category indices on a categorical axis) and y values (null = gap). */
export interface ChartSeries {
  name: string;
  kind: 'lines' | 'markers' | 'lines+markers' | 'bar';
  x: readonly number[];
  y: readonly (number | null)[];
  color: string;
}

/** An axis: a title, log or linear, and optional fixed tick positions and labels. */
export interface AxisSpec {
  title?: string | undefined;
  log?: boolean | undefined;
  tickvals?: readonly number[] | undefined;
  ticktext?: readonly string[] | undefined;
}

export interface ChartSpec {
  series: readonly ChartSeries[];
  x: AxisSpec;
  y: AxisSpec;
  /** Size of the plot area in px. */
  width: number;
  height: number;
}

/** Values that cannot be drawn on a log axis are counted, not drawn. */
export interface ChartNotes {
  nonPositive: number;
}

const MAX_POINTS_PER_PX = 2;
/** Legend entries longer than this are cut with an ellipsis (the full name stays in the tooltip). */
const LEGEND_CHARS = 48;

function range(values: Iterable<number>, log: boolean | undefined): [number, number] | null {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (!Number.isFinite(v) || (log && v <= 0)) continue;
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  if (lo > hi) return null;
  if (lo === hi) return log ? [lo / 2, hi * 2] : [lo - 1, hi + 1];
  return [lo, hi];
}

/** Widens a value range by 4% at each end (in log space on a log axis) so lines clear the frame. */
function pad(r: [number, number], log: boolean | undefined): [number, number] {
  if (log) {
    const f = (r[1] / r[0]) ** 0.04;
    return [r[0] / f, r[1] * f];
  }
  const d = (r[1] - r[0]) * 0.04;
  return [r[0] - d, r[1] + d];
}

/** Keeps each pixel column's first, lowest, highest and last point, so spikes survive. */
function decimate(x: readonly number[], y: readonly (number | null)[], toPx: (v: number) => number, width: number): [number[], (number | null)[]] {
  if (x.length <= width * MAX_POINTS_PER_PX) return [x.slice(), y.slice()];
  const ox: number[] = [];
  const oy: (number | null)[] = [];
  let bucket = -1;
  let idx: number[] = [];
  const flush = (): void => {
    if (idx.length === 0) return;
    const finite = idx.filter((i) => y[i] !== null);
    const keep = new Set<number>([idx[0]!, idx[idx.length - 1]!]);
    if (finite.length > 0) {
      keep.add(finite.reduce((a, b) => (y[b]! < y[a]! ? b : a)));
      keep.add(finite.reduce((a, b) => (y[b]! > y[a]! ? b : a)));
    }
    for (const i of [...keep].sort((a, b) => a - b)) {
      ox.push(x[i]!);
      oy.push(y[i]!);
    }
    idx = [];
  };
  for (let i = 0; i < x.length; i++) {
    const b = Math.floor(toPx(x[i]!));
    if (b !== bucket) {
      flush();
      bucket = b;
    }
    idx.push(i);
  }
  flush();
  return [ox, oy];
}

/** A chart as a body; `notes` receives what could not be drawn. */
export function chartBody(spec: ChartSpec, notes: ChartNotes): Body {
  const { series } = spec;
  const bars = series.filter((s) => s.kind === 'bar');
  const xr = range(series.flatMap((s) => s.x), spec.x.log) ?? [0, 1];
  let yVals = series.flatMap((s) => s.y.filter((v): v is number => v !== null));
  if (bars.length > 0 && !spec.y.log) yVals = yVals.concat([0]);
  const yr = pad(range(yVals, spec.y.log) ?? (spec.y.log ? [1, 10] : [0, 1]), spec.y.log);
  notes.nonPositive = spec.y.log ? series.reduce((n, s) => n + s.y.filter((v) => v !== null && v <= 0).length, 0) : 0;

  // Bars need half a slot of room at each end of the x range.
  const slot = bars.length > 0 ? minGap(bars.flatMap((s) => s.x)) : 0;
  const x0 = xr[0] - slot / 2;
  const x1 = xr[1] + slot / 2;
  const fx = axisMap(x0, x1, spec.x.log);
  const fy = axisMap(yr[0], yr[1], spec.y.log);
  const yTicks = ticksFor(spec.y, yr, fy, spec.height);
  const xTicks = ticksFor(spec.x, [x0, x1], fx, spec.width);
  const yTickW = Math.max(0, ...yTicks.map((t) => textWidth(t.label, 10)));
  const left = yTickW + 8 + (spec.y.title ? 16 : 0);
  const xTickH = Math.max(12, ...xTicks.map((t) => (t.rotate ? textWidth(t.label, 10) : 12)));
  const bottom = xTickH + 8 + (spec.x.title ? 16 : 0);
  const named = series.filter((s) => s.name !== '');
  const legendW = named.length > 1 ? Math.max(...named.map((s) => textWidth(tokenLabel(s.name, LEGEND_CHARS), 10))) + 30 : 0;
  const { width: W, height: H } = spec;

  return {
    width: left + W + (legendW ? legendW + 12 : 0),
    height: H + bottom + 4,
    draw(fig: SvgFigure, x: number, y: number) {
      const ox = x + left;
      const oy = y + 4;
      const X = (v: number): number => ox + fx(v) * W;
      const Y = (v: number): number => oy + (1 - fy(v)) * H;
      for (const t of yTicks) {
        const ty = Y(t.value);
        fig.line(ox, ty, ox + W, ty, '#e6e6e6');
        fig.text(ox - 5, ty, t.label, { size: 10, anchor: 'end', baseline: 'middle' });
      }
      for (const t of xTicks) {
        const tx = X(t.value);
        fig.line(tx, oy + H, tx, oy + H + 4, '#444');
        if (t.rotate) fig.text(tx, oy + H + 7, t.label, { size: 10, anchor: 'end', rotate: -90, baseline: 'middle', title: t.full });
        else fig.text(tx, oy + H + 7, t.label, { size: 10, anchor: 'middle', baseline: 'hanging', title: t.full });
      }
      fig.rect(ox, oy, W, H, 'none', '#888');
      if (spec.y.title) fig.text(x + 10, oy + H / 2, spec.y.title, { size: 11, anchor: 'middle', rotate: -90 });
      if (spec.x.title) fig.text(ox + W / 2, oy + H + bottom - 2, spec.x.title, { size: 11, anchor: 'middle' });

      const barW = bars.length > 0 ? (Math.abs(X(x0 + slot) - X(x0)) * 0.8) / bars.length : 0;
      const base = spec.y.log ? yr[0] : 0;
      bars.forEach((s, b) => {
        for (let i = 0; i < s.x.length; i++) {
          const v = s.y[i];
          if (v === null || v === undefined || (spec.y.log && v <= 0)) continue;
          const bx = X(s.x[i]!) - (barW * bars.length) / 2 + b * barW;
          const top = Y(Math.max(v, base));
          const bot = Y(Math.min(v, base));
          fig.rect(bx, top, barW, Math.max(0.5, bot - top), s.color);
        }
      });
      for (const s of series) {
        if (s.kind === 'bar') continue;
        const [xs, ys] = decimate(s.x, s.y, (v) => fx(v) * W, W);
        if (s.kind !== 'markers') {
          const segs: string[] = [];
          let pen = false;
          for (let i = 0; i < xs.length; i++) {
            const v = ys[i];
            if (v === null || v === undefined || (spec.y.log && v <= 0)) {
              pen = false;
              continue;
            }
            segs.push(`${pen ? 'L' : 'M'}${px(X(xs[i]!))} ${px(Y(v))}`);
            pen = true;
          }
          if (segs.length > 0) fig.raw(`<path fill="none" stroke="${s.color}" stroke-width="1.8" d="${segs.join('')}"/>`);
        }
        if (s.kind !== 'lines') {
          const dots: string[] = [];
          for (let i = 0; i < xs.length; i++) {
            const v = ys[i];
            if (v === null || v === undefined || (spec.y.log && v <= 0)) continue;
            dots.push(`M${px(X(xs[i]!) - 2.5)} ${px(Y(v))}a2.5 2.5 0 1 0 5 0a2.5 2.5 0 1 0 -5 0`);
          }
          if (dots.length > 0) fig.raw(`<path fill="${s.color}" d="${dots.join('')}"/>`);
        }
      }
      if (legendW) {
        named.forEach((s, i) => {
          const ly = oy + 8 + i * 16;
          const lx = ox + W + 12;
          if (s.kind === 'bar') fig.rect(lx, ly - 5, 14, 10, s.color);
          else fig.line(lx, ly, lx + 14, ly, s.color, 2);
          fig.text(lx + 19, ly, tokenLabel(s.name, LEGEND_CHARS), { size: 10, baseline: 'middle', title: s.name });
        });
      }
    },
  };
}

function minGap(xs: readonly number[]): number {
  const u = [...new Set(xs)].sort((a, b) => a - b);
  let g = Infinity;
  for (let i = 1; i < u.length; i++) g = Math.min(g, u[i]! - u[i - 1]!);
  return Number.isFinite(g) ? g : 1;
}

function axisMap(lo: number, hi: number, log: boolean | undefined): (v: number) => number {
  if (log) {
    const a = Math.log10(lo);
    const b = Math.log10(hi);
    return (v) => (Math.log10(v) - a) / (b - a || 1);
  }
  return (v) => (v - lo) / (hi - lo || 1);
}

interface Tick {
  value: number;
  label: string;
  full: string;
  rotate: boolean;
}

function ticksFor(axis: AxisSpec, r: [number, number], f: (v: number) => number, length: number): Tick[] {
  if (axis.tickvals && axis.ticktext) {
    const inside = axis.tickvals
      .map((value, i) => ({ value, full: axis.ticktext![i] ?? formatNumber(value) }))
      .filter((t) => f(t.value) >= -1e-9 && f(t.value) <= 1 + 1e-9);
    const rotate = inside.some((t) => t.full.length > 3);
    // Thin the labels so that they do not overlap along the axis.
    const each = rotate ? 13 : Math.max(...inside.map((t) => textWidth(tokenLabel(t.full), 10)), 0) + 8;
    const step = Math.max(1, Math.ceil((inside.length * each) / Math.max(1, length)));
    return inside
      .filter((_, i) => i % step === 0)
      .map((t) => ({ value: t.value, full: t.full, label: tokenLabel(t.full), rotate }));
  }
  const values = axis.log ? logTicks(r[0], r[1]) : niceTicks(r[0], r[1], 6);
  return values.map((value) => ({ value, label: formatNumber(value), full: formatNumber(value), rotate: false }));
}
