/**
 * Plotly figures (`application/vnd.plotly.v1+json`) as given: loss curves, gradient norms,
 * positional encodings made in a cell. The figure is copied (plotly.js writes into the
 * objects it draws) and themed only where it sets no colours of its own.
 */
import type { PlotlyFigure } from '../core/payloads.js';
import { ViewBase, type ViewOptions } from '../core/view.js';

export class PlotlyFigureView extends ViewBase {
  readonly ready: Promise<void>;
  private readonly plot = this.slot('seqlab-figure');

  constructor(host: HTMLElement, figure: PlotlyFigure, options: ViewOptions) {
    super(host, 'seqlab-plotly', options);
    this.element.append(...this.plot.nodes());
    const copy = structuredClone(figure) as PlotlyFigure;
    this.ready = this.plot.draw({
      data: copy.data,
      layout: copy.layout ?? {},
      ...(copy.config && { config: copy.config }),
      ...(copy.frames && { frames: copy.frames as object[] }),
    });
  }
}
