/**
 * @seqlab/jupyterlab: JupyterLab 4 renderers for seqlab's MIME types (attention, hidden
 * states, gates) and for plotly figures, drawn with the bundled plotly.js.
 *
 * The default export is the mime extension JupyterLab loads; the named exports let other
 * hosts (the standalone bundle of exported pages, tests) draw the same views.
 */
import type { IRenderMime } from '@jupyterlab/rendermime-interfaces';
import { MIME_TYPES } from './core/schemas.js';
import { SeqlabRenderer } from './renderer.js';

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

const extensions: IRenderMime.IExtension[] = [
  { id: '@seqlab/jupyterlab:attention', description: 'seqlab attention views', rendererFactory: factory(MIME_TYPES.attention), rank: RANK, dataType: 'json' },
  { id: '@seqlab/jupyterlab:hidden-states', description: 'seqlab hidden-state views', rendererFactory: factory(MIME_TYPES.hiddenStates), rank: RANK, dataType: 'json' },
  { id: '@seqlab/jupyterlab:gates', description: 'seqlab gate views', rendererFactory: factory(MIME_TYPES.gates), rank: RANK, dataType: 'json' },
  { id: '@seqlab/jupyterlab:plotly', description: 'plotly figures, drawn with the bundled plotly.js', rendererFactory: factory(MIME_TYPES.plotly), rank: RANK, dataType: 'json' },
];

export default extensions;

export { SeqlabRenderer } from './renderer.js';
export { renderView, isSeqlabMimeType } from './views/render.js';
export { MIME_TYPES, SCHEMAS } from './core/schemas.js';
export { validatePayload } from './core/validate.js';
export type { ViewHandle, ViewOptions } from './core/view.js';
export type { PlotlyLike, PlotlyLoader } from './core/plotly.js';
export type { Theme } from './core/theme.js';
