/**
 * Markdown as Jupyter shows it (CommonMark + GitHub tables, strikethrough and bare links),
 * rendered with markdown-it at export time: math typeset by KaTeX, fenced code highlighted,
 * headings with ids and anchor links (JupyterLab's ids: the heading's text with spaces as
 * `-`), images and links resolved for an offline site through the document's env.
 */
import { randomBytes } from 'node:crypto';
import markdownIt, { type Env, type MarkdownIt, type Token } from 'markdown-it';
import { escapeHtml } from './escape.js';
import { highlightCode } from './highlight.js';
import { mathPlugin, type MathEnv } from './math.js';
import { sanitizeHtml } from './sanitize.js';

/** Where an image of a markdown text comes from, once resolved for the site. */
export type ResolvedImage = { src: string } | { link: string; reason: string };

/** Per-document state of a markdown rendering (markdown-it's `env`). */
export type MarkdownEnv = MathEnv & {
  /** Heading ids used so far on the page (ids stay unique across the cells of a page). */
  headingIds?: Set<string>;
  /** Maps an image's `src` (`attachment:x.png`, `figs/a.svg`, `https://...`) to a data URI, or to a link when it cannot be embedded. */
  resolveImage?: (src: string) => ResolvedImage;
  /** Maps a link's `href` (a link to another exported notebook becomes its page). */
  rewriteLink?: (href: string) => string;
};

/** The text of inline tokens, without markup (math as its TeX). */
export function inlineText(tokens: readonly Token[] | null): string {
  let out = '';
  for (const t of tokens ?? []) {
    if (t.type === 'text' || t.type === 'code_inline' || t.type.startsWith('math_')) out += t.content;
    else if (t.type === 'softbreak' || t.type === 'hardbreak') out += ' ';
    else if (t.children) out += inlineText(t.children);
  }
  return out;
}

/** JupyterLab's id for a heading: its text, spaces as `-`; made unique on the page. */
function headingId(text: string, used: Set<string>): string {
  const base = text.trim().replace(/\s+/g, '-') || 'section';
  let id = base;
  for (let n = 1; used.has(id); n++) id = `${base}-${n}`;
  used.add(id);
  return id;
}

/** Where the math of one sanitised rendering waits while the sanitiser runs. */
const TRUSTED = Symbol('seqlab.trustedFragments');
interface TrustedFragments {
  nonce: string;
  html: string[];
}

/**
 * Makes `render` and `renderInline` sanitise their result (see sanitize.ts), keeping what this
 * renderer itself made from trusted code: KaTeX's math (spans with inline styles, MathML, SVG,
 * which the allow-list is not meant for) is set aside behind a placeholder with a random nonce
 * while the sanitiser runs, and put back after. Sanitising a whole cell at once also keeps an
 * author's unbalanced tags (`</section>`, `<div>` never closed) inside that cell.
 */
function sanitiseRendering(md: MarkdownIt): void {
  for (const name of ['math_block', 'math_inline', 'math_inline_display']) {
    const rule = md.renderer.rules[name]!;
    md.renderer.rules[name] = (tokens, idx, opts, env, self) => {
      const html = rule(tokens, idx, opts, env, self);
      const store = (env as { [TRUSTED]?: TrustedFragments } | undefined)?.[TRUSTED];
      if (!store) return html;
      store.html.push(html);
      return `SEQLAB${store.nonce}I${store.html.length - 1}E`;
    };
  }
  const sanitised =
    (render: (src: string, env?: Env) => string) =>
    (src: string, env?: Env): string => {
      const e = (env ?? {}) as Env & { [TRUSTED]?: TrustedFragments };
      const store: TrustedFragments = { nonce: randomBytes(12).toString('hex'), html: [] };
      const outer = e[TRUSTED];
      e[TRUSTED] = store;
      try {
        const clean = sanitizeHtml(render(src, e));
        return store.html.length === 0 ? clean : clean.replace(new RegExp(`SEQLAB${store.nonce}I(\\d+)E`, 'g'), (_, i: string) => store.html[Number(i)] ?? '');
      } finally {
        if (outer) e[TRUSTED] = outer;
        else delete e[TRUSTED];
      }
    };
  md.render = sanitised(md.render.bind(md));
  md.renderInline = sanitised(md.renderInline.bind(md));
}

/**
 * A markdown renderer.
 *
 * @param options.html whether raw HTML in the markdown is passed through (`true`) or shown
 *   as text (`false`)
 * @param options.sanitize with `html`: the rendered HTML goes through the allow-list of
 *   sanitize.ts (an untrusted export), math excepted (it is made here, not by the author)
 * @example
 * const md = createMarkdown({ html: true, sanitize: true });
 * md.render('# Title\n\n$h_t$ and <b onclick="x()">bold</b>', { macros: {} });
 */
export function createMarkdown(options: { html: boolean; sanitize?: boolean }): MarkdownIt {
  const md = markdownIt({
    html: options.html,
    linkify: true,
    highlight: (code, lang) => highlightCode(code, lang.split(/\s+/)[0]),
  });
  md.use(mathPlugin);

  md.core.ruler.push('seqlab_heading_ids', (state) => {
    const env = state.env as MarkdownEnv;
    const used = (env.headingIds ??= new Set());
    const tokens = state.tokens;
    for (let i = 0; i < tokens.length; i++) {
      if (tokens[i]!.type === 'heading_open') tokens[i]!.attrSet('id', headingId(inlineText(tokens[i + 1]?.children ?? null), used));
    }
  });

  const rules = md.renderer.rules;
  rules['heading_close'] = (tokens, idx) => {
    const id = tokens[idx - 2]?.attrGet('id');
    const anchor = id !== null && id !== undefined ? `<a class="anchor-link" href="#${escapeHtml(encodeURIComponent(String(id)))}" aria-label="Link to this section">¶</a>` : '';
    return `${anchor}</${tokens[idx]!.tag}>\n`;
  };

  const defaultImage = rules['image']!;
  const docEnv = (env: Env | undefined): MarkdownEnv => (env ?? {}) as MarkdownEnv;
  rules['image'] = (tokens, idx, opts, env, self) => {
    const token = tokens[idx]!;
    const src = String(token.attrGet('src') ?? '');
    const resolved = docEnv(env).resolveImage?.(src);
    if (resolved && 'link' in resolved) {
      const alt = self.renderInlineAsText(token.children ?? [], opts, env ?? {}) || resolved.link;
      return `<a class="image-link" href="${escapeHtml(resolved.link)}" title="${escapeHtml(resolved.reason)}">[image: ${escapeHtml(alt)}]</a>`;
    }
    if (resolved) token.attrSet('src', resolved.src);
    return defaultImage(tokens, idx, opts, env, self);
  };

  rules['link_open'] = (tokens, idx, opts, env, self) => {
    const token = tokens[idx]!;
    const href = token.attrGet('href');
    const rewrite = docEnv(env).rewriteLink;
    if (href !== null && rewrite) token.attrSet('href', rewrite(String(href)));
    return self.renderToken(tokens, idx, opts);
  };

  // Tables scroll sideways on a narrow screen instead of widening the page.
  rules['table_open'] = () => '<div class="table-wrap"><table>\n';
  rules['table_close'] = () => '</table></div>\n';
  if (options.sanitize) sanitiseRendering(md);
  return md;
}

/** The first heading of a markdown text as plain text, or null. */
export function firstHeading(md: MarkdownIt, text: string): string | null {
  const tokens = md.parse(text, {});
  const i = tokens.findIndex((t) => t.type === 'heading_open');
  if (i === -1) return null;
  const title = inlineText(tokens[i + 1]?.children ?? null).trim();
  return title === '' ? null : title;
}

/** The markdown source of the first paragraph of a markdown text (for the index), or null. */
export function firstParagraph(md: MarkdownIt, text: string): string | null {
  const tokens = md.parse(text, {});
  const open = tokens.find((t) => t.type === 'paragraph_open' && t.map);
  if (!open?.map) return null;
  const source = text.split('\n').slice(open.map[0], open.map[1]).join('\n').trim();
  return source === '' ? null : source;
}
