/**
 * A progress bar for training loops that updates one output in place (update_display_data),
 * at most once per `minInterval` milliseconds so that a fast loop does not flood the frontend;
 * optionally with a live curve of metrics passed to `update` (the loss), a second output updated
 * in place at most every `plotInterval` ms: the engine's `linePlot` (a plotly figure with a
 * static SVG fallback), or a one-line text summary where the engine is not loaded.
 */
import { uuid } from '../core/util.js';
import type { DisplayFunction } from './display.js';

/** Options of {@link createProgress}'s `progress(...)`. */
export interface ProgressOptions {
  /** Number of steps; taken from the iterable's length/size when it has one. */
  total?: number;
  /** Text before the bar, e.g. `"epoch 3"`. */
  label?: string;
  /** Minimum milliseconds between two updates of the output (default 100). */
  minInterval?: number;
  /**
   * Metrics of `update`'s postfix to draw as curves against the step, updated in place
   * (`['loss']`; `true`: every numeric metric).
   */
  plot?: readonly string[] | boolean;
  /** Minimum milliseconds between two updates of the curve (default 500). */
  plotInterval?: number;
}

/** How the curve is drawn: the engine's `linePlot` (series of {name, x, y}) -> a displayable view. */
export type LinePlotter = (series: { name: string; x: number[]; y: number[] }[], options: { xTitle?: string; yTitle?: string; title?: string }) => unknown;

/** Points kept per curve in the figure (longer runs are thinned evenly; the last point is always shown). */
export const MAX_PLOT_POINTS = 500;

function thin(xs: number[], ys: number[]): { x: number[]; y: number[] } {
  if (xs.length <= MAX_PLOT_POINTS) return { x: xs.slice(), y: ys.slice() };
  const x: number[] = [];
  const y: number[] = [];
  const step = (xs.length - 1) / (MAX_PLOT_POINTS - 1);
  for (let i = 0; i < MAX_PLOT_POINTS; i++) {
    const j = Math.round(i * step);
    x.push(xs[j]!);
    y.push(ys[j]!);
  }
  return { x, y };
}

/**
 * A running progress bar. Iterate it to wrap an iterable, or call {@link ProgressBar.update}.
 *
 * @example
 * for (const batch of progress(batches, { label: 'epoch 1' })) train(batch);
 * const bar = progress(1000); for (let i = 0; i < 1000; i++) { step(); bar.update(1, { loss }); } bar.close();
 */
export interface ProgressBar<T = number> extends Iterable<T> {
  /** Steps done so far. */
  readonly count: number;
  /** Advances by `n` steps (default 1) and sets the text shown after the bar (e.g. the loss). */
  update(n?: number, postfix?: Record<string, unknown> | string): void;
  /** Shows the final state (always sent, whatever the rate limit). */
  close(): void;
}

function formatTime(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.round(seconds);
  const m = Math.floor(s / 60);
  return `${String(m).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

function formatPostfix(p: Record<string, unknown> | string | undefined): string {
  if (p === undefined) return '';
  if (typeof p === 'string') return p;
  return Object.entries(p)
    .map(([k, v]) => `${k}=${typeof v === 'number' ? (Number.isInteger(v) ? String(v) : v.toPrecision(4)) : String(v)}`)
    .join(', ');
}

/**
 * Builds `progress(...)` bound to a display function and a clock; `plotter` gives the engine's
 * `linePlot` once the engine is loaded (undefined before, or without the engine).
 */
export function createProgress(display: DisplayFunction, now: () => number = () => performance.now(), plotter: () => LinePlotter | undefined = () => undefined) {
  function progress<T = number>(source?: Iterable<T> | number, options: ProgressOptions = {}): ProgressBar<T> {
    const iterable: Iterable<T> | undefined = typeof source === 'number' || source === undefined ? undefined : source;
    const sized = iterable as { length?: unknown; size?: unknown } | undefined;
    const total =
      typeof source === 'number' ? source : options.total ?? (typeof sized?.length === 'number' ? sized.length : typeof sized?.size === 'number' ? sized.size : undefined);
    const minInterval = options.minInterval ?? 100;
    const label = options.label ?? '';
    const displayId = uuid();
    const started = now();
    let count = 0;
    let postfix = '';
    let lastShown = -Infinity;
    let shown = false;
    let closed = false;
    const plotAll = options.plot === true;
    const plotNames = new Set(Array.isArray(options.plot) ? options.plot.map(String) : []);
    const plotting = plotAll || plotNames.size > 0;
    const plotInterval = options.plotInterval ?? 500;
    const curves = new Map<string, { x: number[]; y: number[] }>();
    const plotId = uuid();
    let plotShown = false;
    let plotChanged = false;
    let lastPlotted = -Infinity;

    const record = (p: Record<string, unknown>): void => {
      for (const [k, v] of Object.entries(p)) {
        if ((plotAll || plotNames.has(k)) && typeof v === 'number' && Number.isFinite(v)) {
          let c = curves.get(k);
          if (!c) curves.set(k, (c = { x: [], y: [] }));
          c.x.push(count);
          c.y.push(v);
          plotChanged = true;
        }
      }
    };

    const renderPlot = (): void => {
      if (!plotChanged || curves.size === 0) return;
      plotChanged = false;
      lastPlotted = now();
      const names = [...curves.keys()];
      const series = names.map((name) => ({ name, ...thin(curves.get(name)!.x, curves.get(name)!.y) }));
      const linePlot = plotter();
      let view: unknown;
      try {
        view = linePlot?.(series, { xTitle: 'step', ...(names.length === 1 ? { yTitle: names[0]! } : {}), ...(label ? { title: label } : {}) });
      } catch {
        view = undefined;
      }
      if (view !== undefined) display(view, { displayId: plotId, update: plotShown });
      else {
        const text = names
          .map((n) => {
            const ys = curves.get(n)!.y;
            return `${n}: ${formatPostfix({ last: ys.at(-1)!, min: Math.min(...ys) })} over ${ys.length} steps`;
          })
          .join('\n');
        display.text(text, { displayId: plotId, update: plotShown });
      }
      plotShown = true;
    };

    const render = (): void => {
      const elapsed = (now() - started) / 1000;
      const rate = elapsed > 0 ? count / elapsed : 0;
      const frac = total ? Math.min(1, count / total) : undefined;
      const width = 30;
      const bar = frac === undefined ? '' : `|${'█'.repeat(Math.round(frac * width))}${'░'.repeat(width - Math.round(frac * width))}| `;
      const pct = frac === undefined ? '' : `${String(Math.floor(frac * 100)).padStart(3)}% `;
      const eta = frac !== undefined && rate > 0 && total ? formatTime((total - count) / rate) : '?';
      const counts = total ? `${count}/${total}` : `${count}`;
      const timing = `[${formatTime(elapsed)}<${eta}, ${rate >= 1 || rate === 0 ? rate.toFixed(2) + ' it/s' : (1 / rate).toFixed(2) + ' s/it'}]`;
      const text = `${label ? label + ' ' : ''}${pct}${bar}${counts} ${timing}${postfix ? ' ' + postfix : ''}`;
      const html =
        `<div class="seqlab-progress" style="font-family: monospace">` +
        (label ? `<span>${escapeHtml(label)}</span> ` : '') +
        `<progress value="${count}" max="${total ?? count}" style="width: 20em; vertical-align: middle"></progress> ` +
        `<span>${escapeHtml(`${pct}${counts} ${timing}${postfix ? ' ' + postfix : ''}`)}</span></div>`;
      display.mime({ 'text/plain': text, 'text/html': html }, { displayId, update: shown });
      shown = true;
      lastShown = now();
    };

    const bar: ProgressBar<T> = {
      get count() {
        return count;
      },
      update(n = 1, p) {
        if (closed) return;
        count += n;
        if (p !== undefined) postfix = formatPostfix(p);
        if (plotting && p !== undefined && typeof p === 'object') record(p);
        const done = total !== undefined && count >= total;
        if (now() - lastShown >= minInterval || done) render();
        if (plotting && (now() - lastPlotted >= plotInterval || done)) renderPlot();
      },
      close() {
        if (closed) return;
        closed = true;
        render();
        if (plotting) renderPlot();
      },
      *[Symbol.iterator]() {
        if (!iterable) throw new TypeError('progress(n) is not iterable: pass an iterable, e.g. progress(batches), or call update()');
        try {
          for (const item of iterable) {
            yield item;
            bar.update(1);
          }
        } finally {
          bar.close();
        }
      },
    };
    render();
    return bar;
  }
  return progress;
}
