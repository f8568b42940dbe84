/**
 * plotlyFigure: any plotly figure as a display bundle (`application/vnd.plotly.v1+json`,
 * the ecosystem's own MIME type, plus a static SVG for the common trace types and text).
 */
import { describe } from './inputs.js';
import { plotlySvg, titleText } from './svg/plotly.js';
import { VIEWS } from './contract.js';
import { View } from './view.js';

/** A plotly figure as plotly.js takes it (engine/schemas/plotly.v1.schema.json). */
export interface PlotlyFigure {
  data: Record<string, unknown>[];
  layout?: Record<string, unknown>;
  config?: Record<string, unknown>;
  frames?: unknown[];
}

const FN = 'plotlyFigure';

/** Copies a value into plain JSON: typed arrays become arrays, non-finite numbers null (a gap). */
function toJson(value: unknown, path: string, seen: Set<object>): unknown {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'bigint') return Number(value);
  if (value instanceof Date) return value.toISOString();
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
    return Array.from(value as unknown as ArrayLike<number>, (v) => (Number.isFinite(v) ? v : null));
  }
  if (typeof value === 'object') {
    if (seen.has(value)) throw new TypeError(`${FN}: ${path} refers back to itself; a figure must be plain JSON data`);
    seen.add(value);
    let out: unknown;
    if (Array.isArray(value)) out = value.map((v, i) => toJson(v, `${path}[${i}]`, seen));
    else {
      const o: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) {
        if (v === undefined || typeof v === 'function' || typeof v === 'symbol') continue;
        o[k] = toJson(v, `${path}.${k}`, seen);
      }
      out = o;
    }
    seen.delete(value);
    return out;
  }
  throw new TypeError(`${FN}: ${path} is ${describe(value)}, which a figure cannot hold`);
}

/**
 * Wraps a plotly figure for display. The figure is copied into plain JSON (typed arrays
 * become arrays, NaN and ±Infinity become null, which plotly draws as gaps).
 *
 * `options.notes` are sentences about what the figure cannot show (say, values that are
 * NaN); they are added to the text summary and the static figure's caption.
 *
 * @example
 * plotlyFigure({ data: [{ type: 'bar', x: ['a', 'b'], y: [3, 5] }], layout: { title: { text: 'counts' } } });
 */
export function plotlyFigure(
  figure: { data: ReadonlyArray<object>; layout?: object; config?: object; frames?: unknown[] },
  options: { notes?: readonly string[] } = {},
): View<PlotlyFigure> {
  if (typeof figure !== 'object' || figure === null || !Array.isArray(figure.data)) {
    throw new TypeError(`${FN}: expected a figure {data: [...traces], layout?}, got ${describe(figure)}`);
  }
  figure.data.forEach((t, i) => {
    if (typeof t !== 'object' || t === null || Array.isArray(t)) {
      throw new TypeError(`${FN}: data[${i}] must be a trace object such as {type: 'scatter', y: [...]}, got ${describe(t)}`);
    }
    const type = (t as { type?: unknown }).type;
    if (type !== undefined && typeof type !== 'string') throw new TypeError(`${FN}: data[${i}].type must be a string, got ${describe(type)}`);
  });
  for (const key of ['layout', 'config'] as const) {
    const v = figure[key];
    if (v !== undefined && (typeof v !== 'object' || v === null || Array.isArray(v))) {
      throw new TypeError(`${FN}: ${key} must be an object, got ${describe(v)}`);
    }
  }
  if (figure.frames !== undefined && !Array.isArray(figure.frames)) {
    throw new TypeError(`${FN}: frames must be an array, got ${describe(figure.frames)}`);
  }
  const notes = options.notes ?? [];
  const payload = toJson(figure, 'figure', new Set()) as PlotlyFigure;
  const title = titleText(payload.layout?.title);
  const types = new Map<string, number>();
  for (const t of payload.data) {
    const type = typeof t.type === 'string' ? t.type : 'scatter';
    types.set(type, (types.get(type) ?? 0) + 1);
  }
  const n = payload.data.length;
  const text =
    `plotly figure${title ? ` "${title.replace(/\s+/g, ' ')}"` : ''}: ${n} trace${n === 1 ? '' : 's'}` +
    (n > 0 ? ` (${[...types].map(([t, c]) => (c > 1 ? `${t} ×${c}` : t)).join(', ')})` : '') +
    notes.map((note) => `; ${note}`).join('');
  return new View(VIEWS.plotly, payload, text, plotlySvg(payload, notes));
}
