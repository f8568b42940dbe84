/**
 * DOM building without markup strings: every text goes in through textContent or an
 * attribute, so payload strings (tokens, titles, names) can never become HTML.
 */

type Attrs = Record<string, string | number | boolean | undefined>;

function apply(el: Element, attrs: Attrs): void {
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue;
    // Event handler attributes are never set from here; handlers are attached with listeners.
    if (k.startsWith('on')) throw new Error(`dom: refusing to set the attribute ${k}`);
    el.setAttribute(k, v === true ? '' : String(v));
  }
}

/**
 * Creates an HTML element with attributes and children (strings become text nodes).
 *
 * @example h('button', { class: 'seqlab-tab', 'aria-pressed': 'true' }, 'Heatmap')
 */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: (Node | string)[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  apply(el, attrs);
  for (const c of children) el.append(typeof c === 'string' ? document.createTextNode(c) : c);
  return el;
}

const SVG_NS = 'http://www.w3.org/2000/svg';

/** Creates an SVG element with attributes and children (strings become text nodes). */
export function s<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: (Node | string)[]): SVGElementTagNameMap[K] {
  const el = document.createElementNS(SVG_NS, tag);
  apply(el, attrs);
  for (const c of children) el.append(typeof c === 'string' ? document.createTextNode(c) : c);
  return el;
}

// Token labels and plotly escaping follow the engine's static figures: one rule.
export { tokenLabel, plotlyEscape } from '@seqlab/engine/display/shared';

/** A short label for a number (at most 3 significant digits). */
export function formatValue(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e5 || a < 1e-3) return v.toExponential(2).replace(/\.?0+e/, 'e').replace('e+', 'e');
  if (a >= 1000) return String(Math.round(v));
  return String(Number(v.toPrecision(3)));
}
