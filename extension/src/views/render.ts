/**
 * One entry for every host (the JupyterLab renderer, the standalone bundle of exported
 * pages): validate the payload against its view's schema, then draw the view, or draw the
 * error. Never throws and never leaves the element blank.
 */
import { renderProblems } from '../core/error.js';
import { payloadProblems } from '../core/validate.js';
import type { ViewHandle, ViewOptions } from '../core/view.js';
import { notDrawn, specFor } from './registry.js';

export { isSeqlabMimeType } from './registry.js';

/**
 * Draws `data` of MIME type `mime` into `element` (appending the view) and returns its handle.
 *
 * @example
 * const view = renderView('application/vnd.seqlab.attention.v1+json', payload, div, { theme: 'auto' });
 * await view.ready;   // first drawing done
 * view.dispose();     // when the output goes away
 */
export function renderView(mime: string, data: unknown, element: HTMLElement, options: ViewOptions = {}): ViewHandle {
  const spec = specFor(mime);
  if (!spec) {
    return renderProblems(element, 'output', [notDrawn(mime)], options.fallbackSvg);
  }
  let problems: string[];
  try {
    problems = payloadProblems(spec, data);
  } catch (err) {
    problems = [`the payload could not be checked: ${err instanceof Error ? err.message : String(err)}`];
  }
  if (problems.length > 0) return renderProblems(element, spec.label, problems, options.fallbackSvg);
  try {
    return spec.create(element, data, options);
  } catch (err) {
    // A bug in a view must not take the notebook down: say so where the figure would be.
    for (const child of Array.from(element.querySelectorAll(':scope > .seqlab-view'))) child.remove();
    return renderProblems(element, spec.label, [`internal error while drawing: ${err instanceof Error ? err.message : String(err)}`], options.fallbackSvg);
  }
}
