/**
 * hiddenStatesView: recurrent states over time (one or more named series such as h and
 * c), as a display bundle (`application/vnd.seqlab.hidden-states.v1+json` + SVG + text).
 */
import { checkArray, checkInteger, checkRowsMatchTokens, checkString, checkTokens, describe, type Matrix } from './inputs.js';
import { DEFAULT_PRECISION, maxAbs, roundMatrix } from './numbers.js';
import { DIVERGING } from './palette.js';
import { summaryTokens } from './summary.js';
import { colorbarBody } from './svg/colorbar.js';
import { columnBody, framedSvg, rowBody } from './svg/frame.js';
import { cellSize, heatmapBody } from './svg/heatmap.js';
import { tokenAxesNote, tokenAxis } from './token-axis.js';
import { cap, describeCuts, type Cut } from './truncation.js';
import { VIEWS } from './contract.js';
import { View } from './view.js';

/** One named series of states, states[t][unit]. */
export interface StateSeries {
  name: string;
  description?: string;
  states: number[][];
}

/** The payload of `application/vnd.seqlab.hidden-states.v1+json`. */
export interface HiddenStatesPayload {
  version: 1;
  title?: string;
  tokens: string[];
  series: StateSeries[];
  precision: number;
  truncation?: Cut[];
}

/** A series as input: `states` is `[time][unit]`, rows may be typed arrays. */
export interface StateSeriesInput {
  name: string;
  description?: string;
  states: Matrix;
}

/** Input of {@link hiddenStatesView}. */
export interface HiddenStatesViewOptions {
  /** One token per time step. */
  tokens: readonly (string | number)[];
  /** Named series, as a list or as a record `{ h: states, c: states }`. */
  series: readonly StateSeriesInput[] | Readonly<Record<string, Matrix>>;
  title?: string;
  /** Significant digits kept of each series' largest magnitude (default 3). */
  precision?: number;
  /** Longest sequence kept (default 512). */
  maxTime?: number;
  /** Most units kept per series (default 256). */
  maxUnits?: number;
}

const FN = 'hiddenStatesView';
const STATIC_CELLS = 65_536;

/**
 * Builds a hidden-states view from plain arrays.
 *
 * @example
 * hiddenStatesView({ tokens: ['a', 'b', 'c'], series: { h: [[0.1, -0.2], [0.3, 0.0], [0.5, -0.9]] } });
 */
export function hiddenStatesView(options: HiddenStatesViewOptions): View<HiddenStatesPayload> {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(`${FN}: expected an options object {tokens, series, ...}, got ${describe(options)}`);
  }
  const tokens = checkTokens(FN, 'tokens', options.tokens);
  const inputs = normaliseSeries(options.series);
  const title = checkString(FN, 'title', options.title);
  const precision = checkInteger(FN, 'precision', options.precision, DEFAULT_PRECISION, 1, 9);
  const maxTime = checkInteger(FN, 'maxTime', options.maxTime, 512, 1, 1 << 16);
  const maxUnits = checkInteger(FN, 'maxUnits', options.maxUnits, 256, 1, 1 << 16);
  const seen = new Set<string>();
  let unitsTotal = 0;
  inputs.forEach((s, i) => {
    if (typeof s !== 'object' || s === null || typeof s.name !== 'string' || s.name === '') {
      throw new TypeError(`${FN}: series[${i}] must be {name: non-empty string, states: [time][unit]}, got ${describe(s)}`);
    }
    if (seen.has(s.name)) throw new RangeError(`${FN}: series name ${JSON.stringify(s.name)} appears twice`);
    seen.add(s.name);
    if (s.description !== undefined) checkString(FN, `series[${i}].description`, s.description);
    const [rows, units] = checkArray(FN, `series[${i}].states (${s.name})`, s.states, 2);
    checkRowsMatchTokens(FN, `series[${i}].states (${s.name})`, rows!, 'tokens', tokens.length);
    unitsTotal = Math.max(unitsTotal, units!);
  });
  const cuts: Cut[] = [];
  const T = cap(cuts, 'time', tokens.length, maxTime);
  const U = cap(cuts, 'unit', unitsTotal, maxUnits);
  const series = inputs.map((s): StateSeries => ({
    name: s.name,
    ...(s.description !== undefined && { description: s.description }),
    states: roundMatrix(
      s.states.slice(0, T).map((row) => Array.prototype.slice.call(row, 0, U) as number[]),
      precision,
    ),
  }));
  const payload: HiddenStatesPayload = {
    version: 1,
    ...(title !== undefined && { title }),
    tokens: tokens.slice(0, T),
    series,
    precision,
    ...(cuts.length > 0 && { truncation: cuts }),
  };
  const names = series.map((s) => s.name).join(', ');
  const cut = describeCuts(cuts);
  const text =
    `${title ? `${title}: ` : ''}hidden states ${names}, ${tokens.length} time steps × ${unitsTotal} units ` +
    `(${summaryTokens(tokens)})${cut ? `; ${cut}` : ''}`;
  return new View(VIEWS.hiddenStates, payload, text, statesSvg(payload));
}

function normaliseSeries(value: HiddenStatesViewOptions['series']): StateSeriesInput[] {
  if (Array.isArray(value)) {
    if (value.length === 0) throw new TypeError(`${FN}: series must not be empty`);
    return value as StateSeriesInput[];
  }
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value as Record<string, Matrix>);
    if (entries.length === 0) throw new TypeError(`${FN}: series must not be empty`);
    return entries.map(([name, states]) => ({ name, states }));
  }
  throw new TypeError(`${FN}: series must be [{name, states}] or {name: states}, got ${describe(value)}`);
}

/** Transposes states[t][unit] to [unit][t], keeping the first `units` units. */
export function unitsByTime(states: readonly (readonly number[])[], units: number): number[][] {
  return Array.from({ length: units }, (_, u) => states.map((row) => row[u]!));
}

/** Static figure: one units × time heatmap per series, each with its own symmetric colour scale. */
function statesSvg(p: HiddenStatesPayload): string {
  const T = p.tokens.length;
  const captions: string[] = [];
  const cellWidth = cellSize(T, 900, 1, 22);
  const panels = p.series.map((s) => {
    const units = s.states[0]!.length;
    const shown = Math.max(1, Math.min(units, Math.floor(STATIC_CELLS / T)));
    if (shown < units) captions.push(`static preview of ${s.name} shows units 0–${shown - 1} of ${units}`);
    const z = unitsByTime(s.states, shown);
    const lim = maxAbs(z) || 1;
    const heat = heatmapBody({
      z,
      stops: DIVERGING,
      zmin: -lim,
      zmax: lim,
      rowLabels: Array.from({ length: shown }, (_, u) => String(u)),
      colLabels: p.tokens,
      colLabelsAt: 'bottom',
      title: `${s.name}${s.description ? ` (${s.description})` : ''}: units × time`,
      cellWidth,
      cellHeight: cellSize(shown, 260, 1, 12),
    });
    return rowBody([heat, colorbarBody(Math.min(200, Math.max(80, heat.height)), DIVERGING, -lim, lim, s.name)], 14);
  });
  captions.unshift(['rows: units, columns: tokens (time)', describeCuts(p.truncation ?? [])].filter(Boolean).join('; '));
  const axisNote = tokenAxesNote([tokenAxis(p.tokens, T * cellWidth)]);
  if (axisNote) captions.push(axisNote);
  return framedSvg(p.title ?? 'hidden states', columnBody(panels, 14), captions);
}
