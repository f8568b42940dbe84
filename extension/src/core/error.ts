/**
 * The inline error a view shows instead of a blank output: what could not be drawn and
 * why, and below it the bundle's static figure when there is one.
 */
import { h } from './dom.js';
import type { ViewHandle } from './view.js';

/**
 * Renders the problems of a payload into `host` and returns a handle like a view's.
 *
 * @example renderProblems(node, 'seqlab attention view', ['weights[0][0] has 3 rows but queryTokens has 4'])
 */
export function renderProblems(host: HTMLElement, what: string, problems: readonly string[], fallbackSvg?: string): ViewHandle {
  const element = h(
    'div',
    { class: 'seqlab-view seqlab-error-view' },
    h(
      'div',
      { class: 'seqlab-error', role: 'alert' },
      h('strong', {}, `Cannot draw this ${what}:`),
      h('ul', {}, ...problems.map((p) => h('li', {}, p))),
    ),
  );
  if (typeof fallbackSvg === 'string' && fallbackSvg.trimStart().startsWith('<svg')) {
    // An <img> shows the SVG without running anything in it (SVG-as-image has no script).
    const img = h('img', {
      class: 'seqlab-fallback',
      alt: 'static figure of this view',
      src: `data:image/svg+xml;charset=utf-8,${encodeURIComponent(fallbackSvg)}`,
    });
    element.append(h('div', { class: 'seqlab-note' }, 'Static figure from the same output:'), img);
  }
  host.append(element);
  return {
    element,
    ready: Promise.resolve(),
    resize: () => undefined,
    setTheme: () => undefined,
    dispose: () => element.remove(),
  };
}
