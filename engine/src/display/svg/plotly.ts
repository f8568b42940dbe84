/**
 * The static fallback of a plotly figure, for the trace types lecture figures use:
 * scatter (lines, markers), bar and heatmap. Other trace types are named in the caption.
 */
import { COLORWAY, SEQUENTIAL, DIVERGING, type ColorStops } from '../palette.js';
import { plotlyPlainText } from '../plotly-text.js';
import { chartBody, type AxisSpec, type ChartNotes, type ChartSeries } from './chart.js';
import { colorbarBody } from './colorbar.js';
import { framedSvg, rowBody, type Body } from './frame.js';
import { cellSize, heatmapBody } from './heatmap.js';

type Json = Record<string, unknown>;

const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A plotly title or axis title as plain text (`"t"` or `{text: "t"}`). */
export function titleText(v: unknown): string | undefined {
  if (typeof v === 'string') return plotlyPlainText(v);
  if (isObj(v) && typeof v.text === 'string') return plotlyPlainText(v.text);
  return undefined;
}

function numbers(v: unknown): (number | null)[] | null {
  if (!Array.isArray(v)) return null;
  return v.map((x) => (typeof x === 'number' && Number.isFinite(x) ? x : null));
}

function axisSpec(layoutAxis: unknown): AxisSpec & { reversed: boolean; category: boolean } {
  const a = isObj(layoutAxis) ? layoutAxis : {};
  const tickvals = Array.isArray(a.tickvals) && a.tickvals.every((t) => typeof t === 'number') ? (a.tickvals as number[]) : undefined;
  const ticktext = Array.isArray(a.ticktext) ? a.ticktext.map((t) => plotlyPlainText(String(t))) : undefined;
  return {
    title: titleText(a.title),
    log: a.type === 'log',
    tickvals,
    ticktext,
    reversed: a.autorange === 'reversed',
    category: a.type === 'category',
  };
}

/** Colour stops from a plotly colorscale: an explicit [[pos, colour]] list, or a name. */
function stopsOf(colorscale: unknown, diverging: boolean): { stops: ColorStops; approximate: boolean } {
  if (Array.isArray(colorscale) && colorscale.length >= 2) {
    const stops = colorscale.map((s) => (Array.isArray(s) ? [Number(s[0]), cssToHex(String(s[1]))] : null));
    if (stops.every((s) => s !== null && Number.isFinite(s[0]) && s[1] !== null)) {
      return { stops: stops as [number, string][], approximate: false };
    }
  }
  const viridis = typeof colorscale === 'string' && colorscale.toLowerCase() === 'viridis';
  if (viridis) return { stops: SEQUENTIAL, approximate: false };
  return { stops: diverging ? DIVERGING : SEQUENTIAL, approximate: true };
}

function cssToHex(c: string): string | null {
  if (/^#[0-9a-f]{6}$/i.test(c)) return c.toLowerCase();
  if (/^#[0-9a-f]{3}$/i.test(c)) return `#${[...c.slice(1)].map((d) => d + d).join('')}`.toLowerCase();
  const m = /^rgba?\(\s*([\d.]+)\s*,\s*([\d.]+)\s*,\s*([\d.]+)/i.exec(c);
  if (!m) return null;
  return `#${m.slice(1, 4).map((v) => Math.min(255, Math.round(Number(v))).toString(16).padStart(2, '0')).join('')}`;
}

/** Labels of a heatmap axis: the trace's own x/y, else the layout's tick texts, else indices. */
function heatLabels(own: unknown, axis: AxisSpec, n: number): string[] {
  if (Array.isArray(own) && own.length === n) return own.map((v) => (typeof v === 'string' ? plotlyPlainText(v) : String(v)));
  const labels = Array.from({ length: n }, (_, i) => String(i));
  if (axis.tickvals && axis.ticktext) {
    const byIndex = new Map(axis.tickvals.map((v, i) => [v, axis.ticktext![i] ?? '']));
    for (let i = 0; i < n; i++) labels[i] = byIndex.get(i) ?? '';
  }
  return labels;
}

function heatmapFigureBody(trace: Json, layout: Json, captions: string[]): Body | null {
  const rows = Array.isArray(trace.z) ? (trace.z as unknown[]) : [];
  const z = rows.map((r) => (numbers(r) ?? []).map((v) => v ?? NaN));
  const cols = z[0]?.length ?? 0;
  if (z.length === 0 || cols === 0 || z.some((r) => r.length !== cols)) {
    captions.push('static preview: the heatmap has no rectangular z to draw');
    return null;
  }
  const xa = axisSpec(layout.xaxis);
  const ya = axisSpec(layout.yaxis);
  let zmin = typeof trace.zmin === 'number' ? trace.zmin : Infinity;
  let zmax = typeof trace.zmax === 'number' ? trace.zmax : -Infinity;
  if (!Number.isFinite(zmin) || !Number.isFinite(zmax)) {
    for (const r of z) for (const v of r) if (Number.isFinite(v)) ((zmin = Math.min(zmin, v)), (zmax = Math.max(zmax, v)));
  }
  if (typeof trace.zmid === 'number') {
    const lim = Math.max(Math.abs(zmin - trace.zmid), Math.abs(zmax - trace.zmid)) || 1;
    zmin = trace.zmid - lim;
    zmax = trace.zmid + lim;
  }
  if (!Number.isFinite(zmin)) [zmin, zmax] = [0, 1];
  const { stops: baseStops, approximate } = stopsOf(trace.colorscale, zmin < 0 && zmax > 0);
  const stops = trace.reversescale === true ? baseStops.map(([p, c]) => [1 - p, c] as const).reverse() : baseStops;
  if (approximate) {
    const name = trace.colorscale === undefined ? "plotly's default colorscale" : `the colorscale ${JSON.stringify(trace.colorscale)}`;
    captions.push(`static colours approximate ${name}`);
  }
  let rowLabels = heatLabels(trace.y, ya, z.length);
  const colLabels = heatLabels(trace.x, xa, cols);
  // plotly puts row 0 at the bottom unless the y axis is reversed; the panel draws it on top.
  const zDraw = ya.reversed ? z : z.slice().reverse();
  if (!ya.reversed) rowLabels = rowLabels.slice().reverse();
  const mask = zDraw.map((r) => r.map((v) => !Number.isFinite(v)));
  const heat = heatmapBody({
    z: zDraw.map((r) => r.map((v) => (Number.isFinite(v) ? v : zmin))),
    mask: mask.some((r) => r.some(Boolean)) ? mask : undefined,
    stops,
    zmin,
    zmax,
    rowLabels,
    colLabels,
    colLabelsAt: 'bottom',
    cellWidth: cellSize(cols, 640, 1, 24),
    cellHeight: cellSize(z.length, 360, 1, 24),
  });
  const parts: Body[] = [heat, colorbarBody(Math.min(220, Math.max(80, heat.height)), stops, zmin, zmax, titleText(isObj(trace.colorbar) ? trace.colorbar.title : undefined))];
  const body = rowBody(parts, 14);
  if (!xa.title && !ya.title) return body;
  const note = [ya.title ? `rows: ${ya.title}` : '', xa.title ? `columns: ${xa.title}` : ''].filter(Boolean).join(', ');
  captions.unshift(note);
  return body;
}

/** Reads x positions; strings become category indices shared by all traces. */
function xPositions(trace: Json, n: number, categories: Map<string, number>): number[] {
  if (!Array.isArray(trace.x)) return Array.from({ length: n }, (_, i) => i);
  return trace.x.slice(0, n).map((v, i) => {
    if (typeof v === 'number') return v;
    if (typeof v === 'string') {
      if (!categories.has(v)) categories.set(v, categories.size);
      return categories.get(v)!;
    }
    return i;
  });
}

/**
 * The static SVG of a plotly figure `{data, layout}`.
 *
 * @example plotlySvg({ data: [{ type: 'scatter', y: [3, 1, 2] }], layout: { title: 'loss' } })
 */
export function plotlySvg(figure: { data: readonly unknown[]; layout?: unknown }, notes: readonly string[] = []): string {
  const layout = isObj(figure.layout) ? figure.layout : {};
  const title = titleText(layout.title) ?? 'plotly figure';
  const captions: string[] = [...notes];
  const traces = figure.data.filter(isObj);
  const omitted = new Map<string, number>();
  const heat = traces.find((t) => t.type === 'heatmap');
  const width = Math.max(240, Math.min(1000, (typeof layout.width === 'number' ? layout.width : 700) - 140));
  const height = Math.max(160, Math.min(700, (typeof layout.height === 'number' ? layout.height : 420) - 120));
  let body: Body | null = null;
  if (heat) {
    body = heatmapFigureBody(heat, layout, captions);
    for (const t of traces) if (t !== heat) omitted.set(String(t.type ?? 'scatter'), (omitted.get(String(t.type ?? 'scatter')) ?? 0) + 1);
  } else {
    const categories = new Map<string, number>();
    const series: ChartSeries[] = [];
    traces.forEach((t, i) => {
      const type = String(t.type ?? 'scatter');
      const y = numbers(t.y);
      const supported = (type === 'scatter' || type === 'scattergl' || (type === 'bar' && t.orientation !== 'h')) && y !== null;
      if (!supported) {
        omitted.set(type, (omitted.get(type) ?? 0) + 1);
        return;
      }
      const line = isObj(t.line) ? t.line : {};
      const marker = isObj(t.marker) ? t.marker : {};
      const color = cssToHex(String(line.color ?? marker.color ?? '')) ?? COLORWAY[i % COLORWAY.length]!;
      const mode = typeof t.mode === 'string' ? t.mode : y.length < 20 ? 'lines+markers' : 'lines';
      const kind: ChartSeries['kind'] =
        type === 'bar' ? 'bar' : mode.includes('lines') && mode.includes('markers') ? 'lines+markers' : mode.includes('markers') ? 'markers' : 'lines';
      series.push({ name: typeof t.name === 'string' ? plotlyPlainText(t.name) : '', kind, x: xPositions(t, y.length, categories), y, color });
    });
    if (series.length > 0) {
      const xa = axisSpec(layout.xaxis);
      if (categories.size > 0 && !xa.tickvals) {
        xa.tickvals = [...categories.values()];
        xa.ticktext = [...categories.keys()].map(plotlyPlainText);
      }
      const notes: ChartNotes = { nonPositive: 0 };
      body = chartBody({ series, x: xa, y: axisSpec(layout.yaxis), width, height }, notes);
      if (notes.nonPositive > 0) captions.push(`${notes.nonPositive} values ≤ 0 cannot be drawn on the log axis`);
    }
  }
  if (omitted.size > 0) {
    captions.push(`static preview omits ${[...omitted].map(([t, n]) => `${n} ${t} trace${n === 1 ? '' : 's'}`).join(', ')}`);
  }
  const empty: Body = { width: 300, height: 20, draw: (fig, x, y) => fig.text(x, y + 14, 'no static preview for this figure', { size: 12, fill: '#555' }) };
  return framedSvg(title, body ?? empty, captions);
}

