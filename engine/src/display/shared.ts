/**
 * The rules the engine's static figures and the JupyterLab extension's interactive views
 * share: colour scales, token labels, plotly text escaping. Published as the package
 * subpath `@seqlab/engine/display/shared` so the extension bundles exactly these (pure,
 * dependency-free modules), not the engine.
 */
export { SEQUENTIAL, DIVERGING, MASKED_COLOR, COLORWAY, colorAt, type ColorStops } from './palette.js';
export { tokenLabel } from './svg/xml.js';
export { plotlyEscape } from './plotly-text.js';
