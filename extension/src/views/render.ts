/**
 * One entry for every host (the JupyterLab renderer, the standalone bundle of exported
 * pages): validate the payload against its schema, then draw the view, or draw the error.
 * Never throws and never leaves the element blank.
 */
import { renderProblems } from '../core/error.js';
import type { AttentionPayload, GatesPayload, HiddenStatesPayload, PlotlyFigure } from '../core/payloads.js';
import { MIME_TYPES, type SeqlabMimeType } from '../core/schemas.js';
import { validatePayload } from '../core/validate.js';
import type { ViewHandle, ViewOptions } from '../core/view.js';
import { AttentionView } from './attention/attention-view.js';
import { GatesView } from './gates.js';
import { HiddenStatesView } from './hidden-states.js';
import { PlotlyFigureView } from './plotly-figure.js';

const NAMES: Record<SeqlabMimeType, string> = {
  [MIME_TYPES.attention]: 'seqlab attention view',
  [MIME_TYPES.hiddenStates]: 'seqlab hidden-states view',
  [MIME_TYPES.gates]: 'seqlab gates view',
  [MIME_TYPES.plotly]: 'plotly figure',
};

/** Whether seqlab draws this MIME type. */
export function isSeqlabMimeType(mime: string): mime is SeqlabMimeType {
  return Object.prototype.hasOwnProperty.call(NAMES, mime);
}

/**
 * Draws `data` of MIME type `mime` into `element` (appending the view) and returns its handle.
 *
 * @example
 * const view = renderView('application/vnd.seqlab.attention.v1+json', payload, div, { theme: 'auto' });
 * await view.ready;   // first drawing done
 * view.dispose();     // when the output goes away
 */
export function renderView(mime: string, data: unknown, element: HTMLElement, options: ViewOptions = {}): ViewHandle {
  if (!isSeqlabMimeType(mime)) {
    return renderProblems(element, 'output', [`seqlab does not draw the MIME type ${mime}; it draws ${Object.keys(NAMES).join(', ')}`], options.fallbackSvg);
  }
  let problems: string[];
  try {
    problems = validatePayload(mime, data);
  } catch (err) {
    problems = [`the payload could not be checked: ${err instanceof Error ? err.message : String(err)}`];
  }
  if (problems.length > 0) return renderProblems(element, NAMES[mime], problems, options.fallbackSvg);
  try {
    switch (mime) {
      case MIME_TYPES.attention:
        return new AttentionView(element, data as AttentionPayload, options);
      case MIME_TYPES.hiddenStates:
        return new HiddenStatesView(element, data as HiddenStatesPayload, options);
      case MIME_TYPES.gates:
        return new GatesView(element, data as GatesPayload, options);
      default:
        return new PlotlyFigureView(element, data as PlotlyFigure, options);
    }
  } catch (err) {
    // A bug in a view must not take the notebook down: say so where the figure would be.
    for (const child of Array.from(element.querySelectorAll(':scope > .seqlab-view'))) child.remove();
    return renderProblems(element, NAMES[mime], [`internal error while drawing: ${err instanceof Error ? err.message : String(err)}`], options.fallbackSvg);
  }
}
