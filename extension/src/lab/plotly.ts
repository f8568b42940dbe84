/**
 * plotly's own MIME type in JupyterLab: who draws `application/vnd.plotly.v1+json`. Apart
 * from plugin.ts so that it is tested without the application around it.
 */
import type { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import { RANK, rendererFactory } from '../renderer.js';
import { VIEW_SPECS } from '../views/registry.js';

/**
 * Registers seqlab's renderer for plotly's own MIME type, `application/vnd.plotly.v1+json`,
 * only where no other extension draws it, once every plugin has started. JupyterLab keeps
 * one renderer per MIME type (the last one added replaces the others, whatever the ranks),
 * so claiming it outright would take plotly figures of every kernel away from plotly's own
 * renderer (jupyterlab-plotly) when seqlab happened to load last. This way plotly's renderer
 * stays in charge where it is installed (registered before: seqlab adds nothing; after: it
 * replaces seqlab's), seqlab's own figures still come to seqlab through their mark (index.ts),
 * and without a plotly extension seqlab draws plotly figures of any kernel, as before.
 *
 * @returns whether seqlab's renderer was added
 */
export async function claimPlotlyIfUnclaimed(app: { readonly started: Promise<void> }, rendermime: Pick<IRenderMimeRegistry, 'getFactory' | 'addFactory'>): Promise<boolean> {
  await app.started;
  const plotly = VIEW_SPECS.plotly.contract.mimeType;
  if (rendermime.getFactory(plotly)) return false;
  rendermime.addFactory(rendererFactory(plotly, RANK), RANK);
  return true;
}

