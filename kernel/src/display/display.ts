/**
 * `display(...)`, `display.html(...)` and friends, `clearOutput()`, and `newDisplay()`.
 */
import { base64 as encodeBase64, uuid } from '../core/util.js';
import type { Publish } from './publisher.js';
import { toBundle, validateBundle, type MimeBundle } from './bundle.js';

/** Options of {@link DisplayFunction}. */
export interface DisplayOptions {
  /** Identifies the output so that later calls can replace it in place. */
  displayId?: string;
  /** Replace the output with `displayId` (update_display_data) instead of adding one. */
  update?: boolean;
  /** Output metadata, e.g. `{ 'image/png': { width: 200 } }`. */
  metadata?: Record<string, unknown>;
}

/** The bytes or base64 text of a binary image. */
export type Binary = Uint8Array | ArrayBuffer | string;

/**
 * Shows values in the cell's output.
 *
 * @example
 * display(tensor)                                // the tensor's own bundle
 * display.html('<b>bold</b>')
 * const h = display('step 0', { displayId: 'status' });
 * display('step 1', { displayId: 'status', update: true });
 */
export interface DisplayFunction {
  (value: unknown, options?: DisplayOptions): void;
  /** Shows a MIME bundle as it is. */
  mime(bundle: MimeBundle, options?: DisplayOptions): void;
  html(html: string, options?: DisplayOptions): void;
  markdown(markdown: string, options?: DisplayOptions): void;
  svg(svg: string, options?: DisplayOptions): void;
  png(image: Binary, options?: DisplayOptions): void;
  jpeg(image: Binary, options?: DisplayOptions): void;
  gif(image: Binary, options?: DisplayOptions): void;
  pdf(document: Binary, options?: DisplayOptions): void;
  latex(latex: string, options?: DisplayOptions): void;
  javascript(code: string, options?: DisplayOptions): void;
  text(text: string, options?: DisplayOptions): void;
  /** Shows a JSON value (rendered as a tree by JupyterLab). */
  json(value: unknown, options?: DisplayOptions): void;
}

/** The methods of tslab's `Display`, each replacing the previous output of a {@link newDisplay}. */
export interface TslabDisplay {
  javascript(s: string): void;
  html(s: string): void;
  markdown(s: string): void;
  latex(s: string): void;
  svg(s: string): void;
  png(b: Uint8Array): void;
  jpeg(b: Uint8Array): void;
  gif(b: Uint8Array): void;
  pdf(b: Uint8Array): void;
  text(s: string): void;
  raw(contentType: string, b: string | Uint8Array): void;
}

function base64(data: Binary): string {
  if (typeof data === 'string') return data;
  const bytes = data instanceof Uint8Array ? data : new Uint8Array(data);
  return encodeBase64(bytes);
}

/** The bundle each typed helper shows (shared by `display.*` and `newDisplay()`). */
const BUNDLES = {
  html: (s: string): MimeBundle => ({ 'text/html': s, 'text/plain': '<HTML>' }),
  markdown: (s: string): MimeBundle => ({ 'text/markdown': s, 'text/plain': s }),
  latex: (s: string): MimeBundle => ({ 'text/latex': s, 'text/plain': s }),
  svg: (s: string): MimeBundle => ({ 'image/svg+xml': s, 'text/plain': '<SVG image>' }),
  png: (b: Binary): MimeBundle => ({ 'image/png': base64(b), 'text/plain': '<PNG image>' }),
  jpeg: (b: Binary): MimeBundle => ({ 'image/jpeg': base64(b), 'text/plain': '<JPEG image>' }),
  gif: (b: Binary): MimeBundle => ({ 'image/gif': base64(b), 'text/plain': '<GIF image>' }),
  pdf: (b: Binary): MimeBundle => ({ 'application/pdf': base64(b), 'text/plain': '<PDF document>' }),
  javascript: (s: string): MimeBundle => ({ 'application/javascript': s, 'text/plain': '<JavaScript>' }),
  text: (s: string): MimeBundle => ({ 'text/plain': s }),
};

/** Builds the display helpers bound to one `publish` callback. */
export function createDisplay(publish: Publish, beforeOutput: () => void = () => {}) {
  const show = (data: MimeBundle, options: DisplayOptions = {}): void => {
    beforeOutput();
    const transient = options.displayId !== undefined ? { display_id: options.displayId } : {};
    if (options.update && options.displayId === undefined) {
      throw new TypeError('display: { update: true } needs a displayId naming the output to replace');
    }
    publish(options.update ? 'update_display_data' : 'display_data', { data, metadata: options.metadata ?? {}, transient });
  };
  const fn = ((value: unknown, options?: DisplayOptions) => show(toBundle(value), options)) as DisplayFunction;
  fn.mime = (bundle, options) => show(validateBundle(bundle, 'display.mime'), options);
  fn.html = (s, o) => show(BUNDLES.html(s), o);
  fn.markdown = (s, o) => show(BUNDLES.markdown(s), o);
  fn.svg = (s, o) => show(BUNDLES.svg(s), o);
  fn.png = (b, o) => show(BUNDLES.png(b), o);
  fn.jpeg = (b, o) => show(BUNDLES.jpeg(b), o);
  fn.gif = (b, o) => show(BUNDLES.gif(b), o);
  fn.pdf = (b, o) => show(BUNDLES.pdf(b), o);
  fn.latex = (s, o) => show(BUNDLES.latex(s), o);
  fn.javascript = (s, o) => show(BUNDLES.javascript(s), o);
  fn.text = (s, o) => show(BUNDLES.text(s), o);
  fn.json = (v, o) => show({ 'application/json': JSON.parse(JSON.stringify(v ?? null)) as unknown, 'text/plain': JSON.stringify(v, null, 2) }, o);

  /** A display whose every call replaces its previous output (tslab's `newDisplay()`). */
  const newDisplay = (): TslabDisplay => {
    const displayId = uuid();
    let shown = false;
    const put = (data: MimeBundle): void => {
      show(data, { displayId, update: shown });
      shown = true;
    };
    return {
      javascript: (s) => put(BUNDLES.javascript(s)),
      html: (s) => put(BUNDLES.html(s)),
      markdown: (s) => put(BUNDLES.markdown(s)),
      latex: (s) => put(BUNDLES.latex(s)),
      svg: (s) => put(BUNDLES.svg(s)),
      png: (b) => put(BUNDLES.png(b)),
      jpeg: (b) => put(BUNDLES.jpeg(b)),
      gif: (b) => put(BUNDLES.gif(b)),
      pdf: (b) => put(BUNDLES.pdf(b)),
      text: (s) => put(BUNDLES.text(s)),
      raw: (contentType, b) => put({ [contentType]: typeof b === 'string' ? b : base64(b) }),
    };
  };

  /** Clears the cell's output; with `wait`, only when the next output arrives (no flicker). */
  const clearOutput = (wait = false): void => {
    beforeOutput();
    publish('clear_output', { wait });
  };

  return { display: fn, newDisplay, clearOutput };
}
