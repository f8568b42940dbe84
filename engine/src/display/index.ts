/**
 * Display bundles: the views seqlab's JupyterLab extension draws (attention, hidden
 * states, gates, plotly figures), each with a static SVG and a text fallback.
 * The builders take plain arrays; tensor adaptors and model traces build on them.
 *
 * Only the builders are values here: the engine's exports are globals in notebook cells,
 * so helpers (MIME constants, the View class, palettes) are imported from their own
 * modules inside the engine instead.
 */
export type { View, MimeBundle } from './view.js';
export {
  attentionView,
  type AttentionKind,
  type AttentionOpen,
  type AttentionOpenOption,
  type AttentionPayload,
  type AttentionViewOptions,
} from './attention.js';
export {
  hiddenStatesView,
  type HiddenStatesPayload,
  type HiddenStatesViewOptions,
  type StateSeries,
  type StateSeriesInput,
} from './hidden-states.js';
export { gatesView, type GateArchitecture, type GateName, type GatesPayload, type GatesViewOptions } from './gates.js';
export { plotlyFigure, type PlotlyFigure } from './plotly.js';
export { linePlot, heatmap, type LinePlotOptions, type LineSeriesInput, type HeatmapOptions } from './plots.js';
export type { Cut, TruncationAxis } from './truncation.js';
export type { Matrix } from './inputs.js';
export type { ColorStops } from './palette.js';
