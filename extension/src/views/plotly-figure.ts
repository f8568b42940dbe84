/**
 * Plotly figures (`application/vnd.plotly.v1+json`) as given: loss curves, gradient norms,
 * positional encodings made in a cell. The figure is copied (plotly.js writes into the
 * objects it draws) and themed only where it sets no colours of its own.
 */
import figureMarkSchema from '@seqlab/engine/schemas/figure.v1.schema.json' with { type: 'json' };
import plotlySchema from '@seqlab/engine/schemas/plotly.v1.schema.json' with { type: 'json' };
import { VIEWS } from '@seqlab/engine/display/shared';
import type { PlotlyFigure } from '../core/payloads.js';
import type { ViewSpec } from '../core/spec.js';
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

/** Plotly figures: the ecosystem's MIME type, drawn with the bundled plotly.js. */
export const plotlySpec: ViewSpec<PlotlyFigure> = {
  contract: VIEWS.plotly,
  schema: plotlySchema,
  markSchema: figureMarkSchema,
  label: 'plotly figure',
  description: 'plotly figures, drawn with the bundled plotly.js',
  create: (host, payload, options) => new PlotlyFigureView(host, payload, options),
};
