/**
 * Figure helpers for the lectures, built on {@link plotlyFigure}: line plots (loss curves,
 * gradient norms per time step on a log axis) and heatmaps (positional encodings).
 * Every string passed in is shown as text (escaped for plotly.js's label markup).
 */
import { checkArray, checkString, checkTokens, checkInteger, describe, type Matrix } from './inputs.js';
import { DEFAULT_PRECISION, roundMatrix, roundSignificant } from './numbers.js';
import { DIVERGING, SEQUENTIAL, COLORWAY, type ColorStops } from './palette.js';
import { plotlyFigure, type PlotlyFigure } from './plotly.js';
import { plotlyEscape } from './plotly-text.js';
import { tokenAxesNote, tokenAxis } from './token-axis.js';
import type { View } from './view.js';

/** One line: y values, optionally its own x positions and a legend name. */
export interface LineSeriesInput {
  name?: string;
  x?: ArrayLike<number>;
  y: ArrayLike<number>;
}

/** Options of {@link linePlot}. */
export interface LinePlotOptions {
  /** x positions shared by every series without its own (default 0, 1, 2, ...). */
  x?: ArrayLike<number>;
  /** A label per position 0, 1, 2, ... (tokens on a time axis); shown as ticks and on hover. */
  xLabels?: readonly (string | number)[];
  title?: string;
  xTitle?: string;
  yTitle?: string;
  logY?: boolean;
  logX?: boolean;
  /** Draw markers at the points as well as lines. */
  markers?: boolean;
  /** Significant digits kept per value (default 4). */
  precision?: number;
}

function isNumberList(v: unknown): v is ArrayLike<number> {
  return (ArrayBuffer.isView(v) && !(v instanceof DataView)) || (Array.isArray(v) && (v.length === 0 || typeof v[0] === 'number'));
}

function numberList(fn: string, name: string, v: unknown, finite: boolean): (number | null)[] {
  if (!isNumberList(v) || v.length === 0) throw new TypeError(`${fn}: ${name} must be a non-empty array of numbers, got ${describe(v)}`);
  return Array.from(v as ArrayLike<unknown>, (x, i) => {
    if (typeof x !== 'number') throw new TypeError(`${fn}: ${name}[${i}] must be a number, got ${describe(x)}`);
    if (Number.isFinite(x)) return x;
    if (finite) throw new RangeError(`${fn}: ${name}[${i}] is ${x}; expected a finite number`);
    return null;
  });
}

/**
 * A labelled index axis (tokens on a time axis, row and column names) by the token axis
 * rule every view follows (token-axis.ts), for a plot of the nominal width; its title says
 * which labels are drawn and what the whitespace symbols mean, when there is anything to say.
 */
function indexAxis(labels: readonly string[], title: string | undefined, along: 'x' | 'y'): Record<string, unknown> {
  const axis = tokenAxis(labels);
  const note = tokenAxesNote([axis], '; hover for each');
  const text = [title !== undefined ? plotlyEscape(title) : '', note ? `<span style="font-size:10px">${plotlyEscape(note)}</span>` : ''].filter(Boolean).join('<br>');
  return {
    ...(text && { title: { text } }),
    tickvals: axis.indices,
    ticktext: axis.labels.map(plotlyEscape),
    tickangle: along === 'x' ? -90 : 0,
    tickfont: { size: axis.fontSize },
  };
}

const axisTitle = (t: string | undefined): { title?: { text: string } } => (t !== undefined ? { title: { text: plotlyEscape(t) } } : {});

/**
 * A line plot of one or more series.
 *
 * @example
 * linePlot({ train: trainLoss, valid: validLoss }, { xTitle: 'epoch', yTitle: 'loss', logY: true });
 * linePlot(gradNorms, { xLabels: tokens, yTitle: '‖∂L/∂h_t‖', logY: true, title: 'vanishing gradients' });
 */
export function linePlot(
  series: ArrayLike<number> | readonly LineSeriesInput[] | Readonly<Record<string, ArrayLike<number>>>,
  options: LinePlotOptions = {},
): View<PlotlyFigure> {
  const FN = 'linePlot';
  let inputs: LineSeriesInput[];
  if (isNumberList(series)) inputs = [{ y: series }];
  else if (Array.isArray(series)) inputs = series as LineSeriesInput[];
  else if (typeof series === 'object' && series !== null) {
    inputs = Object.entries(series as Record<string, ArrayLike<number>>).map(([name, y]) => ({ name, y }));
  } else throw new TypeError(`${FN}: series must be numbers, [{name, y}] or {name: numbers}, got ${describe(series)}`);
  if (inputs.length === 0) throw new TypeError(`${FN}: series must hold at least one line`);
  const precision = checkInteger(FN, 'precision', options.precision, 4, 1, 9);
  const sharedX = options.x !== undefined ? (numberList(FN, 'x', options.x, true) as number[]) : undefined;
  const labels = options.xLabels !== undefined ? checkTokens(FN, 'xLabels', options.xLabels) : undefined;
  if (labels && sharedX) throw new TypeError(`${FN}: give either x or xLabels, not both (xLabels label the positions 0, 1, 2, ...)`);
  let nonFinite = 0;
  const data = inputs.map((s, i) => {
    if (typeof s !== 'object' || s === null) throw new TypeError(`${FN}: series[${i}] must be {name?, x?, y}, got ${describe(s)}`);
    const name = s.name !== undefined ? checkString(FN, `series[${i}].name`, s.name) : undefined;
    const y = numberList(FN, `series[${i}].y`, s.y, false).map((v) => (v === null ? null : roundSignificant(v, precision)));
    nonFinite += y.filter((v) => v === null).length;
    const x = s.x !== undefined ? (numberList(FN, `series[${i}].x`, s.x, true) as number[]) : sharedX;
    if (x && x.length !== y.length) {
      throw new RangeError(`${FN}: series[${i}] has ${y.length} y values but ${s.x !== undefined ? `series[${i}].x` : 'x'} has ${x.length}`);
    }
    if (labels && y.length > labels.length) {
      throw new RangeError(`${FN}: series[${i}] has ${y.length} values but xLabels has ${labels.length} labels`);
    }
    const trace: Record<string, unknown> = {
      type: 'scatter',
      mode: options.markers ? 'lines+markers' : 'lines',
      y,
      line: { color: COLORWAY[i % COLORWAY.length] },
      ...(x && { x }),
      ...(name !== undefined && { name: plotlyEscape(name) }),
    };
    if (labels) {
      trace.text = labels.slice(0, y.length).map(plotlyEscape);
      trace.hovertemplate = '%{text}: %{y}<extra>%{fullData.name}</extra>';
    }
    return trace;
  });
  const title = checkString(FN, 'title', options.title);
  const layout: Record<string, unknown> = {
    ...(title !== undefined && { title: { text: plotlyEscape(title) } }),
    xaxis: {
      ...(labels ? indexAxis(labels, checkString(FN, 'xTitle', options.xTitle), 'x') : axisTitle(checkString(FN, 'xTitle', options.xTitle))),
      ...(options.logX && { type: 'log' }),
    },
    yaxis: { ...axisTitle(checkString(FN, 'yTitle', options.yTitle)), ...(options.logY && { type: 'log', exponentformat: 'power' }) },
    showlegend: inputs.length > 1,
  };
  // Say what the figure cannot show: NaN/Infinity (a diverged loss, an exploded gradient).
  const notes = nonFinite > 0 ? [`${nonFinite} value${nonFinite === 1 ? ' is' : 's are'} NaN or infinite (drawn as gaps)`] : [];
  return plotlyFigure({ data, layout }, { notes });
}

/** Options of {@link heatmap}. */
export interface HeatmapOptions {
  /** Column labels (strings: shown as ticks; numbers: x coordinates). */
  x?: readonly (string | number)[];
  /** Row labels (row 0 is drawn on top, as a matrix is printed). */
  y?: readonly (string | number)[];
  title?: string;
  xTitle?: string;
  yTitle?: string;
  /** Title of the colour bar. */
  zTitle?: string;
  /** 'diverging' (blue-white-red around 0, the default for signed data), 'sequential' (viridis), or explicit stops. */
  colorscale?: 'sequential' | 'diverging' | ColorStops;
  zmin?: number;
  zmax?: number;
  /** Significant digits kept of the largest magnitude (default 3). */
  precision?: number;
}

function axisLabels(fn: string, name: 'x' | 'y', v: readonly (string | number)[] | undefined, n: number): Record<string, unknown> {
  if (v === undefined) return {};
  if (!Array.isArray(v) || v.length !== n) throw new RangeError(`${fn}: ${name} must have ${n} labels (one per ${name === 'x' ? 'column' : 'row'}), got ${describe(v)}`);
  if (v.every((t) => typeof t === 'number' && Number.isFinite(t))) return { values: v };
  return { labels: checkTokens(fn, name, v) };
}

/**
 * A heatmap of a matrix, row 0 on top.
 *
 * @example
 * heatmap(pe, { xTitle: 'dimension', yTitle: 'position', title: 'sinusoidal positional encoding' });
 */
export function heatmap(z: Matrix, options: HeatmapOptions = {}): View<PlotlyFigure> {
  const FN = 'heatmap';
  const [rows, cols] = checkArray(FN, 'z', z, 2);
  const precision = checkInteger(FN, 'precision', options.precision, DEFAULT_PRECISION, 1, 9);
  const zr = roundMatrix(z, precision);
  let lo = Infinity;
  let hi = -Infinity;
  for (const r of zr) for (const v of r) ((lo = Math.min(lo, v)), (hi = Math.max(hi, v)));
  for (const k of ['zmin', 'zmax'] as const) {
    const v = options[k];
    if (v !== undefined && (typeof v !== 'number' || !Number.isFinite(v))) throw new TypeError(`${FN}: ${k} must be a finite number, got ${describe(v)}`);
  }
  const scale = options.colorscale ?? (lo < 0 && hi > 0 ? 'diverging' : 'sequential');
  let stops: ColorStops;
  if (scale === 'diverging') stops = DIVERGING;
  else if (scale === 'sequential') stops = SEQUENTIAL;
  else if (Array.isArray(scale) && scale.length >= 2 && scale.every((s) => Array.isArray(s) && typeof s[0] === 'number' && typeof s[1] === 'string')) stops = scale;
  else throw new TypeError(`${FN}: colorscale must be 'sequential', 'diverging' or [[position, '#rrggbb'], ...], got ${describe(scale)}`);
  const xs = axisLabels(FN, 'x', options.x, cols!);
  const ys = axisLabels(FN, 'y', options.y, rows!);
  const trace: Record<string, unknown> = {
    type: 'heatmap',
    z: zr,
    colorscale: stops.map(([p, c]) => [p, c]),
    ...(xs.values !== undefined && { x: xs.values }),
    ...(ys.values !== undefined && { y: ys.values }),
    ...(options.zTitle !== undefined && { colorbar: { title: { text: plotlyEscape(checkString(FN, 'zTitle', options.zTitle)!) } } }),
  };
  if (scale === 'diverging' && options.zmin === undefined && options.zmax === undefined) trace.zmid = 0;
  if (options.zmin !== undefined) trace.zmin = options.zmin;
  if (options.zmax !== undefined) trace.zmax = options.zmax;
  const xTitle = checkString(FN, 'xTitle', options.xTitle);
  const yTitle = checkString(FN, 'yTitle', options.yTitle);
  if (xs.labels || ys.labels) {
    const xl = (xs.labels as string[] | undefined)?.map(plotlyEscape);
    const yl = (ys.labels as string[] | undefined)?.map(plotlyEscape);
    trace.customdata = zr.map((_, r) => Array.from({ length: cols! }, (_, c) => [yl?.[r] ?? String(r), xl?.[c] ?? String(c)]));
    trace.hovertemplate = `${plotlyEscape(yTitle ?? 'row')}: %{customdata[0]}<br>${plotlyEscape(xTitle ?? 'column')}: %{customdata[1]}<br>%{z}<extra></extra>`;
  }
  const title = checkString(FN, 'title', options.title);
  const axisOf = (labels: unknown, t: string | undefined, along: 'x' | 'y'): Record<string, unknown> =>
    labels ? indexAxis(labels as string[], t, along) : axisTitle(t);
  const layout = {
    ...(title !== undefined && { title: { text: plotlyEscape(title) } }),
    xaxis: axisOf(xs.labels, xTitle, 'x'),
    yaxis: { ...axisOf(ys.labels, yTitle, 'y'), autorange: 'reversed' },
  };
  return plotlyFigure({ data: [trace], layout });
}
