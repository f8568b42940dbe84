/**
 * The display object every builder returns: the rich payload of one view of the MIME
 * contract (contract.ts) plus the fallbacks for frontends without the extension.
 */
import { MIME, type MarkPayload, type ViewContract } from './contract.js';
import { JUPYTER_DISPLAY, type MimeBundle } from './protocol.js';
import { escapeXml } from './svg/xml.js';

export { JUPYTER_DISPLAY, type MimeBundle } from './protocol.js';

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
  /** The view of the contract this is (its MIME type, schema, name). */
  readonly contract: ViewContract;
  /** The MIME type of {@link View.payload}. */
  readonly mimeType: string;
  /** The rich payload, valid against the schema of {@link View.mimeType}. */
  readonly payload: Payload;
  /** One-line summary (the `text/plain` entry). */
  readonly text: string;
  /** Static figure with labels that needs no script and no network (the `image/svg+xml` entry). */
  readonly svg: string;

  constructor(contract: ViewContract, payload: Payload, text: string, svg: string) {
    this.contract = contract;
    this.mimeType = contract.mimeType;
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
    const bundle: MimeBundle = { [this.mimeType]: this.payload };
    const mark = this.contract.mark;
    if (mark) bundle[mark.mimeType] = { version: 1, of: this.mimeType } satisfies MarkPayload;
    bundle[MIME.svg] = this.svg;
    bundle[MIME.html] = this.html;
    bundle[MIME.text] = this.text;
    return bundle;
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
