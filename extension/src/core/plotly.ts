/**
 * plotly.js as the views use it: a small typed surface, the lazy loader (plotly.js is a
 * separate chunk fetched on the first draw, never from a CDN), theming, and PlotSlot, one
 * plot area that draws, redraws, resizes and reports errors inline.
 */
import { h } from './dom.js';
import type { Theme } from './theme.js';
import { themeColors } from './theme.js';

/** A plotly.js graph div: plotly adds `on` and `removeAllListeners` to it after the first plot. */
export type GraphDiv = HTMLDivElement & {
  on?(event: string, handler: (data: PlotlyEventData) => void): void;
  removeAllListeners?(event: string): void;
};

/** What plotly passes to hover and click handlers. */
export interface PlotlyEventData {
  points: Array<{ curveNumber: number; pointNumber?: number | number[]; x?: unknown; y?: unknown; z?: unknown; data?: unknown }>;
}

/** The part of plotly.js the views call. */
export interface PlotlyLike {
  newPlot(el: HTMLElement, figure: { data: object[]; layout?: object; config?: object; frames?: object[] }): Promise<unknown>;
  react(el: HTMLElement, figure: { data: object[]; layout?: object; config?: object; frames?: object[] }): Promise<unknown>;
  purge(el: HTMLElement): void;
  Plots: { resize(el: HTMLElement): unknown };
  /** plotly.js's image export (a data URL); optional so that test stand-ins may leave it out. */
  toImage?(el: HTMLElement, options: { format: 'svg' | 'png'; width?: number; height?: number; scale?: number }): Promise<string>;
}

/** Loads plotly.js; each host passes its own (the tests a recording stand-in). */
export type PlotlyLoader = () => Promise<PlotlyLike>;

let bundled: Promise<PlotlyLike> | undefined;

/**
 * The default loader: a page-wide `window.Plotly` when a page already has one (an exported
 * course page may include plotly.js itself), else the bundled plotly.js chunk, loaded once.
 */
export const loadBundledPlotly: PlotlyLoader = () => {
  const existing = (globalThis as unknown as { Plotly?: PlotlyLike }).Plotly;
  if (existing && typeof existing.newPlot === 'function') return Promise.resolve(existing);
  bundled ??= import(/* webpackChunkName: "plotly" */ 'plotly.js-dist-min').then((m) => {
    const mod = m as { default?: unknown };
    return (mod.default ?? m) as PlotlyLike;
  });
  // A failed chunk load (offline export opened from the wrong folder) may be retried later.
  bundled.catch(() => (bundled = undefined));
  return bundled;
};

/** Base config of every plot: no plotly logo, no cloud, PNG download at 2x for slides. */
export const BASE_CONFIG = {
  displaylogo: false,
  responsive: false,
  modeBarButtonsToRemove: ['select2d', 'lasso2d', 'sendDataToCloud'],
  toImageButtonOptions: { format: 'png', scale: 2 },
};

/**
 * Height (px) of a figure whose layout gives none: plotly.js's own default. Without it,
 * plotly sizes such a figure from its element when the element is already on the page at
 * draw time (a figure displayed live by a kernel, every figure of an exported page), and a
 * plot area's height is only its CSS min-height, so the figure came out 40 px tall; a saved
 * output, drawn before it is attached, got plotly's 450 px.
 */
export const DEFAULT_PLOT_HEIGHT = 450;

/**
 * Adds theme colours to a layout where the figure does not set its own: transparent
 * backgrounds, the frontend's text colour, grid lines that read on light and dark.
 */
export function themedLayout(layout: Record<string, unknown>, theme: Theme, el?: Element): Record<string, unknown> {
  const c = themeColors(theme, el);
  const out: Record<string, unknown> = {
    paper_bgcolor: 'rgba(0,0,0,0)',
    plot_bgcolor: 'rgba(0,0,0,0)',
    ...layout,
    font: { color: c.text, family: c.font, size: 12, ...(layout.font as object | undefined) },
    hoverlabel: { font: { family: c.font }, ...(layout.hoverlabel as object | undefined) },
  };
  for (const key of Object.keys(out)) {
    if (/^[xy]axis\d*$/.test(key)) {
      out[key] = { gridcolor: c.grid, zerolinecolor: c.zeroline, linecolor: c.grid, ...(out[key] as object) };
    }
  }
  if (!('xaxis' in out)) out.xaxis = { gridcolor: c.grid, zerolinecolor: c.zeroline };
  if (!('yaxis' in out)) out.yaxis = { gridcolor: c.grid, zerolinecolor: c.zeroline };
  return out;
}

/** A figure as the views hand it to a PlotSlot; the layout is themed per draw. */
export interface Figure {
  data: object[];
  layout: Record<string, unknown>;
  config?: Record<string, unknown>;
  frames?: object[];
  /** Widest the plot gets (px): a small map keeps square cells instead of stretching across the panel. */
  maxWidth?: number;
}

/**
 * One plot area. Draws go through a queue so that a redraw requested while plotly.js is
 * still loading replaces the pending one; a failure shows inline in the slot.
 */
export class PlotSlot {
  readonly element: GraphDiv;
  private plotly: PlotlyLike | undefined;
  /** The figure waiting to be drawn, and the last one drawn (redrawn on a theme change). */
  private figure: Figure | undefined;
  private lastFigure: Figure | undefined;
  private drawn = false;
  private queue: Promise<void> = Promise.resolve();
  private disposed = false;
  private readonly handlers: Array<[string, (d: PlotlyEventData) => void]> = [];
  private readonly errorEl: HTMLElement;

  constructor(
    private readonly load: PlotlyLoader,
    private theme: Theme,
    className: string,
  ) {
    this.element = h('div', { class: `seqlab-plot ${className}` }) as GraphDiv;
    this.errorEl = h('div', { class: 'seqlab-error seqlab-plot-error', role: 'alert', hidden: true });
  }

  /** The slot's DOM: the plot and a hidden error line. */
  nodes(): HTMLElement[] {
    return [this.element, this.errorEl];
  }

  /** Registers a plotly event handler (attached when the plot exists). */
  on(event: string, handler: (d: PlotlyEventData) => void): void {
    this.handlers.push([event, handler]);
    if (this.drawn) this.element.on?.(event, handler);
  }

  /** Draws (first time) or updates the figure; resolves when drawn or when it failed visibly. */
  draw(figure: Figure): Promise<void> {
    this.figure = figure;
    this.queue = this.queue.then(() => this.flush());
    return this.queue;
  }

  private async flush(): Promise<void> {
    const figure = this.figure;
    if (!figure || this.disposed) return;
    this.figure = undefined;
    try {
      this.plotly ??= await this.load();
      if (this.disposed) return;
      const layout = themedLayout(figure.layout, this.theme, this.element);
      if (!(typeof layout.height === 'number' && layout.height > 0)) layout.height = DEFAULT_PLOT_HEIGHT;
      const full = {
        data: figure.data,
        layout,
        config: { ...BASE_CONFIG, ...figure.config },
        ...(figure.frames && { frames: figure.frames }),
      };
      this.lastFigure = figure;
      this.element.style.maxWidth = figure.maxWidth ? `${Math.ceil(figure.maxWidth)}px` : '';
      if (!this.drawn) {
        await this.plotly.newPlot(this.element, full);
        this.drawn = true;
        for (const [event, handler] of this.handlers) this.element.on?.(event, handler);
      } else {
        await this.plotly.react(this.element, full);
      }
      this.errorEl.hidden = true;
    } catch (err) {
      this.errorEl.textContent = `Could not draw this plot: ${err instanceof Error ? err.message : String(err)}`;
      this.errorEl.hidden = false;
    }
  }

  /** Redraws with the other theme's colours. */
  setTheme(theme: Theme): Promise<void> {
    this.theme = theme;
    if (!this.lastFigure || this.figure) return this.queue;
    return this.draw(this.lastFigure);
  }

  /** Fits the plot to its container (after the panel or the window changed size). */
  resize(): void {
    if (this.drawn && this.plotly && this.element.isConnected && this.element.offsetParent !== null) {
      try {
        void this.plotly.Plots.resize(this.element);
      } catch {
        // A plot hidden mid-resize: the next resize fits it.
      }
    }
  }

  /** Whether a figure has been drawn. */
  get isDrawn(): boolean {
    return this.drawn;
  }

  dispose(): void {
    this.disposed = true;
    if (this.drawn && this.plotly) this.plotly.purge(this.element);
  }
}
