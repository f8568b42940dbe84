/**
 * The standalone bundle (`extension/standalone/seqlab-views.js`): the same views outside
 * JupyterLab, for the offline HTML pages `seqlab export` writes. It defines
 * `window.seqlabViews` and, once the page has loaded, draws every output container:
 *
 * ```html
 * <div class="seqlab-output" data-mime-type="application/vnd.seqlab.attention.v1+json">
 *   <script type="application/json">{ ...payload, "<" written as \u003c... }</script>
 *   <img class="seqlab-static" src="data:image/svg+xml;base64,..." alt="...">   <!-- static figure -->
 * </div>
 * <script src="_static/seqlab/seqlab-views.js"></script>
 * ```
 *
 * The static figure stays visible until the view has drawn (and for good if the payload
 * is invalid, under the error). plotly.js is a chunk next to the script, loaded on the
 * first draw; a page that already has `window.Plotly` uses that instead.
 */
import { renderView } from './views/render.js';
import { MIME_TYPES } from './views/registry.js';
import { renderProblems } from './core/error.js';
import type { ViewHandle, ViewOptions } from './core/view.js';

/** The version of the views (the extension's package version). */
export const VERSION = '0.1.0';

/** Draws one payload into `element`; the same call the JupyterLab renderer makes. */
export function render(mimeType: string, data: unknown, element: HTMLElement, options: ViewOptions = {}): ViewHandle {
  return renderView(mimeType, data, element, { theme: 'auto', ...options });
}

const drawn = new WeakMap<Element, ViewHandle>();

/**
 * Draws every `.seqlab-output` container under `root` that has not been drawn yet, and
 * returns the handles of the views it drew.
 */
export function renderAll(root: ParentNode = document, options: ViewOptions = {}): ViewHandle[] {
  const handles: ViewHandle[] = [];
  for (const container of Array.from(root.querySelectorAll<HTMLElement>('.seqlab-output[data-mime-type]'))) {
    if (drawn.has(container)) continue;
    const mime = container.dataset.mimeType!;
    const script = container.querySelector('script[type="application/json"]');
    const staticFigure = container.querySelector<HTMLElement>('.seqlab-static');
    let handle: ViewHandle;
    let data: unknown;
    try {
      data = JSON.parse(script?.textContent ?? '');
    } catch (err) {
      handle = renderProblems(container, 'output', [`its payload is not JSON: ${err instanceof Error ? err.message : String(err)}`]);
      drawn.set(container, handle);
      handles.push(handle);
      continue;
    }
    handle = render(mime, data, container, options);
    drawn.set(container, handle);
    handles.push(handle);
    // Keep the static figure under an error; hide it once a real view is up.
    if (staticFigure && !handle.element.classList.contains('seqlab-error-view')) {
      void handle.ready.then(() => (staticFigure.hidden = true));
    }
  }
  return handles;
}

const api = { render, renderAll, mimeTypes: Object.values(MIME_TYPES), version: VERSION };

declare global {
  interface Window {
    seqlabViews?: typeof api;
  }
}

if (typeof window !== 'undefined') {
  window.seqlabViews = api;
  const start = (): void => void renderAll();
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start, { once: true });
  else start();
}
