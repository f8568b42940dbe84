/**
 * The HTML a notebook brings (raw HTML in markdown cells and markdown outputs, `text/html`
 * outputs) made inert for an untrusted export, with sanitize-html and one allow-list.
 *
 * What is kept: text formatting, headings, lists, tables, links (http, https, mailto, and
 * links within the site), images (embedded `data:` images of the five image types, or site
 * paths; a remote image is blocked by the page's CSP anyway), `details`, `figure`, `kbd`, ...,
 * with the attributes they need, `class`/`id`/`title`, and `style` with a list of harmless
 * properties whose values call no function but colour and length arithmetic (no `url()`, so
 * nothing is fetched or tracked; no positioning, so nothing covers the page).
 *
 * What goes, with everything in it: scripts, styles, `svg`/`math` islands, frames, objects,
 * templates, form controls. What goes, its text kept: every other element not on the list
 * (`meta` refresh, `base`, `form`, `link`, unknown tags). What goes from what stays: event
 * handler attributes, `javascript:`/`data:`/`vbscript:` links, `target`, `srcset`.
 *
 * Why sanitize-html: it is an allow-list per tag, attribute, URL scheme and CSS property, it
 * runs in Node on its own parser (htmlparser2) with no DOM to emulate (DOMPurify would need
 * jsdom at run time, a far larger dependency for the same job), and its output is re-serialised
 * from its parse tree, so only what the list allows is written. JupyterLab sanitises untrusted
 * notebook HTML with the same library.
 */
import sanitizeHtmlLibrary from 'sanitize-html';

const TAGS = [
  'a', 'abbr', 'address', 'article', 'aside', 'b', 'bdi', 'bdo', 'blockquote', 'br', 'caption', 'center', 'cite', 'code', 'col', 'colgroup',
  'dd', 'del', 'details', 'dfn', 'div', 'dl', 'dt', 'em', 'figcaption', 'figure', 'footer', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'header',
  'hr', 'i', 'img', 'ins', 'kbd', 'li', 'mark', 'nav', 'ol', 'p', 'pre', 'q', 'rp', 'rt', 'ruby', 's', 'samp', 'section', 'small', 'span',
  'strike', 'strong', 'sub', 'summary', 'sup', 'table', 'tbody', 'td', 'tfoot', 'th', 'thead', 'time', 'tr', 'tt', 'u', 'ul', 'var', 'wbr',
];

/** Elements dropped with their content (the library drops any other disallowed element but keeps its text). */
const DROPPED_WITH_CONTENT = ['script', 'style', 'textarea', 'option', 'select', 'noscript', 'template', 'title', 'svg', 'math', 'iframe', 'frame', 'frameset', 'object', 'embed', 'applet', 'noembed', 'noframes', 'xmp', 'plaintext', 'head', 'button', 'datalist'];

/** A CSS value with no function call but colours, `calc()` and `var()`: no `url()`, `image()`, `expression()`. */
const SAFE_VALUE = /^(?:[-#%.,\w\s'"/!+*]|(?:rgba?|hsla?|calc|var)\([-#%.,\w\s/+*]*\))*$/i;
const STYLE_PROPERTIES = [
  'color', 'background-color', 'opacity',
  'font', 'font-family', 'font-size', 'font-style', 'font-variant', 'font-weight', 'line-height', 'letter-spacing', 'word-spacing',
  'text-align', 'text-decoration', 'text-indent', 'text-transform', 'white-space', 'vertical-align', 'direction',
  'width', 'height', 'min-width', 'max-width', 'min-height', 'max-height',
  'margin', 'margin-top', 'margin-right', 'margin-bottom', 'margin-left',
  'padding', 'padding-top', 'padding-right', 'padding-bottom', 'padding-left',
  'border', 'border-top', 'border-right', 'border-bottom', 'border-left', 'border-color', 'border-style', 'border-width', 'border-radius',
  'border-collapse', 'border-spacing', 'display', 'float', 'clear', 'overflow', 'overflow-x', 'overflow-y', 'list-style-type',
];

/** `data:` images a page may show (an SVG shown as an image runs nothing). */
const DATA_IMAGE = /^data:image\/(?:png|jpeg|gif|webp|svg\+xml)[;,]/i;

const OPTIONS: sanitizeHtmlLibrary.IOptions = {
  allowedTags: TAGS,
  allowedAttributes: {
    '*': ['class', 'id', 'title', 'lang', 'dir', 'style', 'role', 'aria-*'],
    a: ['href', 'name'],
    img: ['src', 'alt', 'width', 'height'],
    ol: ['start', 'type', 'reversed'],
    ul: ['type'],
    li: ['value'],
    td: ['colspan', 'rowspan', 'align', 'valign', 'headers'],
    th: ['colspan', 'rowspan', 'align', 'valign', 'scope', 'headers'],
    col: ['span', 'width'],
    colgroup: ['span', 'width'],
    table: ['align', 'width'],
    details: ['open'],
    time: ['datetime'],
    blockquote: ['cite'],
    q: ['cite'],
    del: ['cite', 'datetime'],
    ins: ['cite', 'datetime'],
  },
  allowedSchemes: ['http', 'https', 'mailto'],
  allowedSchemesByTag: { img: ['data', 'http', 'https'] },
  allowedSchemesAppliedToAttributes: ['href', 'src', 'cite'],
  allowProtocolRelative: false,
  allowedStyles: { '*': Object.fromEntries(STYLE_PROPERTIES.map((p) => [p, [SAFE_VALUE]])) },
  disallowedTagsMode: 'discard',
  nonTextTags: DROPPED_WITH_CONTENT,
  transformTags: {
    // `data:` passes the scheme check for images; only image types may stay.
    img: (tagName, attribs) => {
      const { src, ...rest } = attribs;
      return { tagName, attribs: src !== undefined && (!/^\s*data:/i.test(src) || DATA_IMAGE.test(src.trim())) ? { ...rest, src } : rest };
    },
  },
};

/**
 * Notebook HTML with everything not on the allow-list removed (see the module comment).
 *
 * @example
 * sanitizeHtml('<meta http-equiv="refresh" content="0;url=https://x"><b onclick="f()">bold</b>') // '<b>bold</b>'
 */
export function sanitizeHtml(html: string): string {
  return sanitizeHtmlLibrary(html, OPTIONS);
}
