/**
 * What every view shares: the options a host passes, the handle it gets back, and
 * ViewBase, which owns the view's plots, observers and idle work so that disposing a view
 * leaves nothing behind (every output is independent: no globals, no ids).
 */
import { h } from './dom.js';
import { loadBundledPlotly, PlotSlot, type PlotlyLoader } from './plotly.js';
import { detectTheme, type Theme } from './theme.js';

/** Options of a render call. */
export interface ViewOptions {
  /** Loads plotly.js (default: the bundled chunk, or a page's `window.Plotly`). */
  loadPlotly?: PlotlyLoader;
  /** 'light', 'dark', or 'auto' (JupyterLab's theme marker, else the system preference). */
  theme?: Theme | 'auto';
  /** The bundle's static SVG, shown under the error when the payload cannot be drawn. */
  fallbackSvg?: string;
}

/** A rendered view. */
export interface ViewHandle {
  /** The view's root element (inside the host element). */
  readonly element: HTMLElement;
  /** Resolves when the first drawing is done (or has failed visibly); never rejects. */
  readonly ready: Promise<void>;
  /** Fits the plots to the host's current size. */
  resize(): void;
  setTheme(theme: Theme): void;
  /** Removes the view's plots, observers and pending work. */
  dispose(): void;
}

/** Runs `cb` when the browser is idle (or soon, where there is no idle callback); returns a cancel. */
export function whenIdle(cb: () => void): () => void {
  const w = globalThis as unknown as {
    requestIdleCallback?: (cb: () => void, o?: { timeout: number }) => number;
    cancelIdleCallback?: (id: number) => void;
  };
  if (w.requestIdleCallback && w.cancelIdleCallback) {
    const id = w.requestIdleCallback(cb, { timeout: 500 });
    return () => w.cancelIdleCallback!(id);
  }
  const id = setTimeout(cb, 0);
  return () => clearTimeout(id);
}

/** Shared machinery of the views. */
export abstract class ViewBase implements ViewHandle {
  readonly element: HTMLElement;
  abstract readonly ready: Promise<void>;
  protected theme: Theme;
  protected readonly loadPlotly: PlotlyLoader;
  protected readonly slots: PlotSlot[] = [];
  private readonly cleanups: Array<() => void> = [];
  private disposed = false;

  constructor(host: HTMLElement, className: string, options: ViewOptions) {
    this.theme = !options.theme || options.theme === 'auto' ? detectTheme(host.ownerDocument) : options.theme;
    this.loadPlotly = options.loadPlotly ?? loadBundledPlotly;
    this.element = h('div', { class: `seqlab-view ${className}` });
    this.element.classList.toggle('seqlab-dark', this.theme === 'dark');
    host.append(this.element);
    if (typeof ResizeObserver !== 'undefined') {
      let frame = 0;
      const observer = new ResizeObserver(() => {
        cancelAnimationFrame(frame);
        frame = requestAnimationFrame(() => this.resize());
      });
      observer.observe(this.element);
      this.cleanups.push(() => {
        cancelAnimationFrame(frame);
        observer.disconnect();
      });
    }
  }

  /** A new plot area of this view. */
  protected slot(className: string): PlotSlot {
    const slot = new PlotSlot(this.loadPlotly, this.theme, className);
    this.slots.push(slot);
    return slot;
  }

  /** Schedules idle work that is cancelled if the view goes away first. */
  protected idle(cb: () => void): void {
    let cancel: () => void = () => undefined;
    const done = (): void => {
      const i = this.cleanups.indexOf(cancelIt);
      if (i >= 0) this.cleanups.splice(i, 1);
    };
    const cancelIt = (): void => cancel();
    cancel = whenIdle(() => {
      done();
      if (!this.disposed) cb();
    });
    this.cleanups.push(cancelIt);
  }

  /** Registers cleanup to run on dispose. */
  protected onDispose(fn: () => void): void {
    this.cleanups.push(fn);
  }

  get isDisposed(): boolean {
    return this.disposed;
  }

  resize(): void {
    for (const s of this.slots) s.resize();
  }

  setTheme(theme: Theme): void {
    if (theme === this.theme) return;
    this.theme = theme;
    this.element.classList.toggle('seqlab-dark', theme === 'dark');
    for (const s of this.slots) void s.setTheme(theme);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const fn of this.cleanups.splice(0)) fn();
    for (const s of this.slots) s.dispose();
    this.element.remove();
  }
}

/** The header of a view: its title and a line of facts. */
export function header(title: string, facts: string): HTMLElement {
  return h('div', { class: 'seqlab-header' }, h('div', { class: 'seqlab-title' }, title), h('div', { class: 'seqlab-facts' }, facts));
}

/** The sentence stating what the payload cut, or null when nothing was cut. */
export function truncationNote(cuts: ReadonlyArray<{ axis: string; shown: number; total: number }> | undefined): HTMLElement | null {
  if (!cuts || cuts.length === 0) return null;
  const nouns: Record<string, string> = { query: 'query tokens', key: 'key tokens', time: 'time steps', unit: 'units', layer: 'layers', head: 'heads', batch: 'batch items' };
  const text = `Showing the first ${cuts.map((c) => `${c.shown} of ${c.total} ${nouns[c.axis] ?? c.axis}`).join(', ')}.`;
  return h('div', { class: 'seqlab-note', role: 'note' }, text);
}
