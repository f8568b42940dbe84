/**
 * How an engine object shows itself in a Jupyter frontend: a method under the well-known
 * symbol `Symbol.for('Jupyter.display')` returning a MIME bundle. The kernel calls it; the
 * engine never imports the kernel. A leaf module (no imports), so that the tensor core,
 * modules, optimizers, vocabularies and traces can all use the one constant without an
 * import circle.
 */

/**
 * The well-known symbol through which an object shows itself in a Jupyter frontend.
 *
 * @example
 * class Counter { n = 0; [JUPYTER_DISPLAY]() { return { 'text/plain': `count ${this.n}` }; } }
 */
export const JUPYTER_DISPLAY: unique symbol = Symbol.for('Jupyter.display');

/** A MIME bundle: MIME type to data; JSON payloads are plain objects, text types strings. */
export type MimeBundle = Record<string, unknown>;
