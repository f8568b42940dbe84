/**
 * The display object every builder returns, and the MIME types of the contract
 * (engine/schemas/, DESIGN.md section 3).
 */
import { escapeXml } from './svg/xml.js';

/** The well-known symbol through which an object shows itself in a Jupyter frontend. */
export const JUPYTER_DISPLAY: unique symbol = Symbol.for('Jupyter.display');

/** MIME types seqlab emits; each seqlab type has a JSON Schema in engine/schemas/. */
export const MIME = {
  attention: 'application/vnd.seqlab.attention.v1+json',
  hiddenStates: 'application/vnd.seqlab.hidden-states.v1+json',
  gates: 'application/vnd.seqlab.gates.v1+json',
  plotly: 'application/vnd.plotly.v1+json',
  svg: 'image/svg+xml',
  html: 'text/html',
  text: 'text/plain',
} as const;

/** A MIME bundle: MIME type to data; JSON payloads are plain objects, text types strings. */
export type MimeBundle = Record<string, unknown>;

/**
 * Base64 of a string's UTF-8 bytes, with the web platform's TextEncoder and btoa (present
 * in Node, browsers and Web Workers alike; the engine's display runs in all three).
 */
export function utf8ToBase64(text: string): string {
  const bytes = new TextEncoder().encode(text);
  // btoa takes one char per byte; apply() in chunks stays under engines' argument limits.
  const CHUNK = 0x8000;
  let binary = '';
  for (let i = 0; i < bytes.length; i += CHUNK) {
    binary += String.fromCharCode.apply(null, bytes.subarray(i, i + CHUNK) as unknown as number[]);
  }
  return btoa(binary);
}

/**
 * A displayable figure: the rich payload for the seqlab renderers plus the fallbacks
 * (`text/plain`, a static `image/svg+xml`) for frontends without the extension.
 *
 * @example
 * const view = attentionView({ queryTokens: ['a', 'b'], weights: [[1, 0], [0.4, 0.6]] });
 * view[Symbol.for('Jupyter.display')]();
 * // { 'application/vnd.seqlab.attention.v1+json': {...}, 'image/svg+xml': '<svg ...', 'text/html': '<img ...', 'text/plain': '...' }
 */
export class View<Payload extends object = object> {
  /** The MIME type of {@link View.payload}. */
  readonly mimeType: string;
  /** The rich payload, valid against the schema of {@link View.mimeType}. */
  readonly payload: Payload;
  /** One-line summary (the `text/plain` entry). */
  readonly text: string;
  /** Static figure with labels that needs no script and no network (the `image/svg+xml` entry). */
  readonly svg: string;

  constructor(mimeType: string, payload: Payload, text: string, svg: string) {
    this.mimeType = mimeType;
    this.payload = payload;
    this.text = text;
    this.svg = svg;
  }

  /**
   * The static figure as HTML: an `<img>` of the SVG (nothing in it runs). nbconvert 6.5
   * (Debian's) passes `image/svg+xml` through an HTML cleaner that strips every SVG element,
   * and picks `text/html` first; frontends with the seqlab extension never show it.
   */
  get html(): string {
    return `<img src="data:image/svg+xml;base64,${utf8ToBase64(this.svg)}" alt="${escapeXml(this.text)}" style="max-width:100%"/>`;
  }

  /** The MIME bundle a Jupyter kernel publishes for this view. */
  bundle(): MimeBundle {
    return { [this.mimeType]: this.payload, [MIME.svg]: this.svg, [MIME.html]: this.html, [MIME.text]: this.text };
  }

  [JUPYTER_DISPLAY](): MimeBundle {
    return this.bundle();
  }

  /** Plain Node (console.log, REPL) shows the summary rather than the whole payload. */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.text;
  }

  toString(): string {
    return this.text;
  }
}
