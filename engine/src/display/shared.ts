/**
 * What the engine's display and the JupyterLab extension's interactive views share: the
 * MIME contract (the registry of views: MIME types, schema files, names), colour scales,
 * token labels and the rule for labelling token axes, plotly text escaping. Published as the package subpath
 * `@seqlab/engine/display/shared` so the extension bundles exactly these (pure,
 * dependency-free modules), not the engine.
 */
export { VIEWS, MIME, FIGURE_MARK, type ViewContract, type ViewKey, type MarkContract, type MarkPayload } from './contract.js';
export { SEQUENTIAL, DIVERGING, MASKED_COLOR, COLORWAY, colorAt, type ColorStops } from './palette.js';
export { tokenLabel, WHITESPACE_SYMBOLS } from './svg/xml.js';
export { tokenAxis, tokenAxesNote, NOMINAL_AXIS_PX, AXIS_FONT, type TokenAxis } from './token-axis.js';
export { plotlyEscape } from './plotly-text.js';
