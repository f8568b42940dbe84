/**
 * @seqlab/jupyterlab: JupyterLab 4 renderers for seqlab's MIME types (attention, hidden
 * states, gates) and for plotly figures, drawn with the bundled plotly.js.
 *
 * The default export is the mime extension JupyterLab loads; the named exports let other
 * hosts (the standalone bundle of exported pages, tests) draw the same views.
 */
import type { IRenderMime } from '@jupyterlab/rendermime-interfaces';
import { SeqlabRenderer } from './renderer.js';
import { SPECS } from './views/registry.js';

/**
 * Rank of the renderers: JupyterLab picks the lowest rank among a bundle's MIME types, and
 * the static fallback (image/svg+xml) has 90, so the interactive view wins.
 */
export const RANK = 0;

function factory(mime: string): IRenderMime.IRendererFactory {
  return {
    // Safe: payload strings only ever reach the page as text nodes, attributes and
    // escaped plotly labels, never as HTML, so untrusted notebooks may render them.
    safe: true,
    mimeTypes: [mime],
    defaultRank: RANK,
    createRenderer: (options) => new SeqlabRenderer(options),
  };
}

/** One renderer per view of the registry (views/registry.ts). */
const extensions: IRenderMime.IExtension[] = SPECS.map((spec) => ({
  id: `@seqlab/jupyterlab:${spec.contract.name}`,
  description: spec.description,
  rendererFactory: factory(spec.contract.mimeType),
  rank: RANK,
  dataType: 'json',
}));

export default extensions;

export { SeqlabRenderer } from './renderer.js';
export { renderView, isSeqlabMimeType } from './views/render.js';
export { MIME_TYPES, SCHEMAS, SPECS, VIEW_SPECS, validatePayload } from './views/registry.js';
export type { ViewSpec } from './core/spec.js';
export type { ViewHandle, ViewOptions } from './core/view.js';
export type { PlotlyLike, PlotlyLoader } from './core/plotly.js';
export type { Theme } from './core/theme.js';
