/**
 * A recording stand-in for plotly.js: it keeps every figure the views hand over and lets
 * a test fire plotly events (hover, click) on a graph div. The real plotly.js is drawn in
 * the browser end-to-end tests.
 */
import { afterEach, beforeEach, vi } from 'vitest';
import type { PlotlyEventData, PlotlyLike } from '../../extension/src/core/plotly.js';

export interface PlotCall {
  fn: 'newPlot' | 'react';
  el: HTMLElement;
  figure: { data: Array<Record<string, any>>; layout: Record<string, any>; config: Record<string, any>; frames?: object[] };
}

export function recordingPlotly() {
  const calls: PlotCall[] = [];
  const purged: HTMLElement[] = [];
  const listeners = new Map<HTMLElement, Map<string, Array<(d: PlotlyEventData) => void>>>();
  const record = (fn: PlotCall['fn']) => async (el: HTMLElement, figure: object): Promise<unknown> => {
    // plotly.js writes into what it is given; so does the stand-in, to catch views that rely on the contrary.
    (figure as { data: Array<Record<string, unknown>> }).data.forEach((t) => (t._seen = true));
    calls.push({ fn, el, figure: figure as PlotCall['figure'] });
    if (fn === 'newPlot') {
      const map = new Map<string, Array<(d: PlotlyEventData) => void>>();
      listeners.set(el, map);
      (el as unknown as { on: (e: string, h: (d: PlotlyEventData) => void) => void }).on = (event, handler) => {
        map.set(event, [...(map.get(event) ?? []), handler]);
      };
    }
    return el;
  };
  const plotly: PlotlyLike = {
    newPlot: record('newPlot'),
    react: record('react'),
    purge: (el) => void purged.push(el),
    Plots: { resize: () => undefined },
  };
  return {
    plotly,
    loader: () => Promise.resolve(plotly),
    calls,
    purged,
    /** The last figure drawn into `el` (or anywhere). */
    last(el?: Element): PlotCall['figure'] {
      const c = calls.filter((x) => !el || x.el === el || el.contains(x.el)).at(-1);
      if (!c) throw new Error('nothing was plotted there');
      return c.figure;
    },
    /** Fires a plotly event on the graph div inside `el`. */
    emit(el: Element, event: string, data: PlotlyEventData): void {
      const gd = calls.map((c) => c.el).find((x) => x === el || el.contains(x));
      for (const handler of (gd && listeners.get(gd)?.get(event)) ?? []) handler(data);
    },
  };
}

/** Waits for idle work (thumbnails) scheduled with setTimeout in jsdom. */
export async function settle(rounds = 20): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise((r) => setTimeout(r, 0));
}

export const HOSTILE = '<img src=x onerror=alert(1)>';

/** A row-stochastic map [q][k]. */
export function softmaxRows(q: number, k: number, seed = 1, masked?: (i: number, j: number) => boolean): number[][] {
  return Array.from({ length: q }, (_, i) => {
    const e = Array.from({ length: k }, (_, j) => (masked?.(i, j) ? 0 : Math.exp(Math.sin(seed * 7.1 + i * 1.7 + j * 0.9) * 2)));
    const s = e.reduce((a, b) => a + b, 0);
    return e.map((v) => Number((v / s).toFixed(3)));
  });
}

/**
 * A fresh host element on the page and a fresh recorder for every test of the calling
 * suite: `const f = viewFixture();` then `f.host`, `f.rec`.
 */
export function viewFixture(): { host: HTMLElement; rec: ReturnType<typeof recordingPlotly> } {
  const f = {} as { host: HTMLElement; rec: ReturnType<typeof recordingPlotly> };
  beforeEach(() => {
    f.host = document.createElement('div');
    document.body.append(f.host);
    f.rec = recordingPlotly();
  });
  afterEach(() => {
    f.host.remove();
    vi.restoreAllMocks();
  });
  return f;
}

/**
 * Makes a recorder behave like plotly.js after a draw, as image export reads it: the
 * `js-plotly-plot` class, the laid-out size in `_fullLayout` (the figure's height if it sets
 * one), and a `toImage` returning plotly's URL-encoded SVG data URL that names the traces.
 */
export function drawnLikePlotly(rec: ReturnType<typeof recordingPlotly>, width: number, height: number): void {
  const newPlot = rec.plotly.newPlot.bind(rec.plotly);
  rec.plotly.newPlot = async (el, figure) => {
    const out = await newPlot(el, figure);
    el.classList.add('js-plotly-plot');
    (el as unknown as { _fullLayout: object })._fullLayout = { width, height: (figure.layout as { height?: number } | undefined)?.height ?? height };
    return out;
  };
  rec.plotly.toImage = async (gd, o) => {
    const names = rec.last(gd).data.map((t) => `<text>${String(t.name)}</text>`).join('');
    return `data:image/svg+xml,${encodeURIComponent(`<svg xmlns="http://www.w3.org/2000/svg" width="${o.width}" height="${o.height}">${names}</svg>`)}`;
  };
}
