/**
 * @seqlab/jupyterlab: JupyterLab 4 renderers for seqlab's MIME types (attention, hidden
 * states, gates) and for plotly figures, drawn with the bundled plotly.js.
 *
 * The default export is the mime extension JupyterLab loads; the named exports let other
 * hosts (the standalone bundle of exported pages, tests) draw the same views.
 */
import type { IRenderMime } from '@jupyterlab/rendermime-interfaces';
import { MARK_RANK, RANK, rendererFactory } from './renderer.js';
import { labMimeType, SPECS } from './views/registry.js';

/**
 * One renderer per view of the registry (views/registry.ts), under its MIME type in
 * JupyterLab: the payload's, or the mark of seqlab's plotly figures (plotly's own MIME type
 * is left to plotly's renderer; plugin.ts registers seqlab's for it only where none is).
 */
const extensions: IRenderMime.IExtension[] = SPECS.map((spec) => {
  const rank = spec.contract.mark ? MARK_RANK : RANK;
  return {
    id: `@seqlab/jupyterlab:${spec.contract.name}`,
    description: spec.description,
    rendererFactory: rendererFactory(labMimeType(spec), rank),
    rank,
    dataType: 'json',
  };
});

export default extensions;

export { SeqlabRenderer, RANK, MARK_RANK, rendererFactory } from './renderer.js';
export { renderView, isSeqlabMimeType } from './views/render.js';
export { MIME_TYPES, SCHEMAS, SPECS, VIEW_SPECS, validatePayload } from './views/registry.js';
export type { ViewSpec } from './core/spec.js';
export type { ViewHandle, ViewOptions } from './core/view.js';
export type { PlotlyLike, PlotlyLoader } from './core/plotly.js';
export type { Theme } from './core/theme.js';
