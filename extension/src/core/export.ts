/**
 * Saving a drawn view as an image: what the view shows right now, as one picture.
 *
 * A view can show several plots at once (the gates' small multiples and the unit picked
 * below them, the hidden states' figure) and the attention head view is SVG drawn by
 * seqlab, not plotly. The image therefore stacks, top to bottom in page order, every plot
 * and head view that is currently visible, under the view's title and a line naming what
 * the selectors chose (layer, head, series), on the page's background colour: what the
 * user sees, without the buttons and selectors themselves. Plotly plots
 * come from plotly.js's own SVG export (vector; heatmaps stay embedded bitmaps as plotly
 * draws them); the head view is copied with its computed colours and fonts written into it,
 * so the file looks the same outside the page. A PNG is that SVG rasterised at 2x.
 *
 * Not an image: a view showing an error, a view not drawn yet, and the attention
 * layer × head grid, which is a picker of thumbnails (open a head, then save it).
 */

/** plotly.js's `toImage`, as far as saving needs it. */
export type ToImage = (gd: HTMLElement, options: { format: 'svg'; width: number; height: number }) => Promise<string>;

/** The image formats a view is saved in. */
export type ImageFormat = 'png' | 'svg';

/** A composed picture of a view. */
export interface ViewImage {
  /** A standalone SVG document (with the XML namespace declarations). */
  svg: string;
  width: number;
  height: number;
  /** What went into it, top to bottom: 'plot' or 'head-view'. */
  parts: Array<'plot' | 'head-view'>;
}

/** The view cannot be saved as an image; the message says why, for the user. */
export class NothingToSave extends Error {
  override name = 'NothingToSave';
}

const SVG_NS = 'http://www.w3.org/2000/svg';
const XLINK_NS = 'http://www.w3.org/1999/xlink';
const XMLNS_NS = 'http://www.w3.org/2000/xmlns/';
const PAD = 12;
const GAP = 12;
const TITLE_H = 26;
const SUBTITLE_H = 20;
/** Computed properties copied into the head view's copy, so it looks the same without the page's CSS. */
const STYLE_PROPS = [
  'fill',
  'fill-opacity',
  'stroke',
  'stroke-opacity',
  'stroke-width',
  'opacity',
  'font-family',
  'font-size',
  'font-weight',
  'font-style',
  'text-decoration',
  'visibility',
];

/** Whether `el` is hidden by a `hidden` attribute or `display: none` (inline or from CSS) on it or an ancestor inside `root`. */
function isHidden(el: Element, root: Element): boolean {
  const view = el.ownerDocument.defaultView;
  for (let n: Element | null = el; n && n !== root.parentElement; n = n.parentElement) {
    if (n.hasAttribute('hidden')) return true;
    if (view?.getComputedStyle(n).display === 'none') return true;
  }
  return false;
}

/** The size plotly.js laid the plot out at (its full layout), else the element's box. */
function plotSize(gd: HTMLElement): { width: number; height: number } {
  const full = (gd as unknown as { _fullLayout?: { width?: number; height?: number } })._fullLayout;
  const box = gd.getBoundingClientRect();
  const width = Math.round(full?.width ?? box.width);
  const height = Math.round(full?.height ?? box.height);
  if (!(width > 0 && height > 0)) throw new NothingToSave('a plot of this view has no size yet (is it on screen?)');
  return { width, height };
}

/** The SVG text of what plotly's toImage returns (a data URL, URL-encoded or base64). */
function svgText(dataUrl: string): string {
  const comma = dataUrl.indexOf(',');
  if (!dataUrl.startsWith('data:image/svg+xml') || comma < 0) {
    if (dataUrl.trimStart().startsWith('<svg')) return dataUrl;
    throw new Error('plotly.js did not return an SVG image');
  }
  const body = dataUrl.slice(comma + 1);
  return dataUrl.slice(0, comma).endsWith(';base64') ? atob(body) : decodeURIComponent(body);
}

/** The first non-transparent background colour from `el` up, else the theme's default. */
function backgroundOf(el: Element): string {
  const view = el.ownerDocument.defaultView;
  for (let n: Element | null = el; n; n = n.parentElement) {
    const bg = view?.getComputedStyle(n).backgroundColor ?? '';
    if (bg && bg !== 'transparent' && !/^rgba\(.*,\s*0\)$/.test(bg)) return bg;
  }
  return el.classList.contains('seqlab-dark') ? '#111111' : '#ffffff';
}

/** A copy of seqlab's head view SVG with its computed styles written into it. */
function headViewCopy(svg: SVGSVGElement): { node: SVGSVGElement; width: number; height: number } {
  const copy = svg.cloneNode(true) as SVGSVGElement;
  const view = svg.ownerDocument.defaultView;
  const originals = [svg, ...Array.from(svg.querySelectorAll('*'))];
  const copies = [copy, ...Array.from(copy.querySelectorAll('*'))];
  originals.forEach((orig, i) => {
    const target = copies[i] as SVGElement;
    const css = view?.getComputedStyle(orig);
    if (!css) return;
    for (const prop of STYLE_PROPS) {
      const value = css.getPropertyValue(prop);
      if (value && !target.style.getPropertyValue(prop)) target.style.setProperty(prop, value);
    }
  });
  // Interaction attributes mean nothing in a file.
  for (const el of copies) for (const attr of ['tabindex', 'role']) el.removeAttribute(attr);
  return { node: copy, width: Number(svg.getAttribute('width')) || 0, height: Number(svg.getAttribute('height')) || 0 };
}

/** A line of text as the image draws it: content and font. */
interface TextLine {
  text: string;
  size: number;
  weight: string;
  family: string;
}

/**
 * The width in px of `line` in its font: the browser's own measurement (a 2D canvas), or,
 * where there is none (a DOM without canvas), a generous estimate of 0.62 em per character.
 */
function measureText(doc: Document, line: TextLine): number {
  let ctx: CanvasRenderingContext2D | null = null;
  try {
    // jsdom has the element but no 2D context (and says so on the console): skip it there.
    if (typeof doc.defaultView?.CanvasRenderingContext2D === 'function') ctx = doc.createElement('canvas').getContext('2d');
  } catch {
    ctx = null;
  }
  if (ctx) {
    ctx.font = `${line.weight} ${line.size}px ${line.family}`;
    const width = ctx.measureText(line.text).width;
    if (width > 0) return Math.ceil(width);
  }
  return Math.ceil(Array.from(line.text).length * line.size * 0.62);
}

/** What the view's selectors chose, e.g. 'layer 2 · head 3' or 'series c' ('' when nothing). */
function selectionLine(view: HTMLElement): string {
  const chosen: string[] = [];
  for (const select of Array.from(view.querySelectorAll('select'))) {
    if (isHidden(select, view)) continue;
    const text = select.selectedOptions[0]?.textContent?.trim();
    if (text) chosen.push(text);
  }
  for (const tab of Array.from(view.querySelectorAll<HTMLElement>('button[data-series][aria-pressed="true"]'))) {
    if (!isHidden(tab, view)) chosen.push(`series ${tab.textContent?.trim() ?? ''}`);
  }
  return chosen.join(' · ');
}

/**
 * Composes what `view` (a `.seqlab-view` element) shows into one SVG.
 *
 * @throws NothingToSave when the view shows an error, nothing is drawn yet, or the grid of thumbnails is shown
 * @example
 * const image = await composeViewImage(renderer.node.querySelector('.seqlab-view')!, Plotly.toImage);
 * download(new Blob([image.svg], { type: 'image/svg+xml' }), 'attention.svg');
 */
export async function composeViewImage(view: HTMLElement, toImage: ToImage): Promise<ViewImage> {
  if (view.classList.contains('seqlab-error-view')) {
    throw new NothingToSave('this output shows an error instead of a figure: there is no view to save');
  }
  const grid = view.querySelector('.seqlab-pane-grid');
  if (grid && !isHidden(grid, view)) {
    throw new NothingToSave('the layer × head grid is a picker of thumbnails: click a thumbnail to open that head, then save it');
  }
  const candidates = Array.from(view.querySelectorAll<HTMLElement | SVGSVGElement>('.seqlab-plot, svg.seqlab-head-view')).filter(
    (el) => !isHidden(el, view) && (el instanceof SVGSVGElement || el.classList.contains('js-plotly-plot')),
  );
  if (candidates.length === 0) throw new NothingToSave('this view has not drawn anything yet; try again when it has');

  const doc = view.ownerDocument;
  const parts: Array<{ node: Element; width: number; height: number; kind: 'plot' | 'head-view' }> = [];
  for (const el of candidates) {
    if (el instanceof SVGSVGElement) {
      parts.push({ ...headViewCopy(el), kind: 'head-view' });
      continue;
    }
    const size = plotSize(el);
    const text = svgText(await toImage(el, { format: 'svg', ...size }));
    const parsed = new DOMParser().parseFromString(text, 'image/svg+xml').documentElement;
    if (parsed.localName !== 'svg') throw new Error('plotly.js returned an SVG that does not parse');
    parts.push({ node: doc.importNode(parsed, true), ...size, kind: 'plot' });
  }

  const title = view.querySelector('.seqlab-title')?.textContent?.trim() ?? '';
  const chosen = selectionLine(view);
  const dark = view.classList.contains('seqlab-dark');
  const titleCss = doc.defaultView?.getComputedStyle(view.querySelector('.seqlab-title') ?? view);
  const factsCss = doc.defaultView?.getComputedStyle(view.querySelector('.seqlab-facts') ?? view);
  const lines = [
    { text: title, y: PAD + 16, size: 14, weight: '600', family: titleCss?.fontFamily || 'system-ui, sans-serif', fill: titleCss?.color || (dark ? '#e0e0e0' : '#1f1f1f'), className: 'seqlab-image-title' },
    { text: chosen, y: PAD + (title ? TITLE_H : 0) + 14, size: 12, weight: '400', family: factsCss?.fontFamily || 'system-ui, sans-serif', fill: factsCss?.color || (dark ? '#a8a8a8' : '#616161'), className: 'seqlab-image-selection' },
  ].filter((line) => line.text !== '');
  // As wide as the widest plot, and as the title and selection line: a long title is not cut.
  const width = Math.ceil(Math.max(...parts.map((p) => p.width), ...lines.map((line) => measureText(doc, line))) + 2 * PAD);
  let y = PAD + (title ? TITLE_H : 0) + (chosen ? SUBTITLE_H : 0);
  const root = doc.createElementNS(SVG_NS, 'svg');
  // The serializer declares the SVG namespace itself; xlink is declared for plotly's images.
  root.setAttributeNS(XMLNS_NS, 'xmlns:xlink', XLINK_NS);
  root.setAttribute('version', '1.1');
  const bg = doc.createElementNS(SVG_NS, 'rect');
  bg.setAttribute('width', '100%');
  bg.setAttribute('height', '100%');
  bg.setAttribute('fill', backgroundOf(view));
  root.append(bg);
  for (const line of lines) {
    const t = doc.createElementNS(SVG_NS, 'text');
    t.setAttribute('class', line.className);
    t.setAttribute('x', String(PAD));
    t.setAttribute('y', String(line.y));
    t.setAttribute('font-size', String(line.size));
    if (line.weight !== '400') t.setAttribute('font-weight', line.weight);
    t.setAttribute('font-family', line.family);
    t.setAttribute('fill', line.fill);
    t.textContent = line.text;
    root.append(t);
  }
  for (const part of parts) {
    const frame = part.node as SVGSVGElement;
    frame.setAttribute('x', String(PAD));
    frame.setAttribute('y', String(y));
    frame.setAttribute('width', String(part.width));
    frame.setAttribute('height', String(part.height));
    if (!frame.getAttribute('viewBox')) frame.setAttribute('viewBox', `0 0 ${part.width} ${part.height}`);
    root.append(frame);
    y += part.height + GAP;
  }
  const height = Math.ceil(y - GAP + PAD);
  root.setAttribute('width', String(width));
  root.setAttribute('height', String(height));
  root.setAttribute('viewBox', `0 0 ${width} ${height}`);
  const svg = `<?xml version="1.0" encoding="UTF-8"?>\n${new XMLSerializer().serializeToString(root)}`;
  return { svg, width, height, parts: parts.map((p) => p.kind) };
}

/**
 * Rasterises a composed SVG to a PNG at `scale` (2 by default, sharp on slides).
 *
 * @example const png = await svgToPng(image.svg, image.width, image.height);
 */
export async function svgToPng(svg: string, width: number, height: number, scale = 2, doc: Document = document): Promise<Blob> {
  const win = doc.defaultView;
  if (!win) throw new Error('no window to draw the PNG in');
  const img = new win.Image();
  img.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`;
  await img.decode();
  const canvas = doc.createElement('canvas');
  canvas.width = Math.round(width * scale);
  canvas.height = Math.round(height * scale);
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new Error('the browser gave no 2D canvas to draw the PNG');
  ctx.drawImage(img, 0, 0, canvas.width, canvas.height);
  return new Promise<Blob>((resolve, reject) =>
    canvas.toBlob((blob) => (blob ? resolve(blob) : reject(new Error('the browser could not encode the PNG'))), 'image/png'),
  );
}

/** Hands `blob` to the browser as a download named `filename`. */
export function downloadBlob(blob: Blob, filename: string, doc: Document = document): void {
  const url = URL.createObjectURL(blob);
  const a = doc.createElement('a');
  a.href = url;
  a.download = filename;
  a.style.display = 'none';
  doc.body.append(a);
  a.click();
  a.remove();
  // Revoked later: revoking at once can cancel the download before the browser read it.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/**
 * A file name for a view's image: its title made safe for file systems, else its kind.
 *
 * @example imageFileName('Layer 1 — head 2', 'attention', 'png') === 'layer-1-head-2.png'
 */
export function imageFileName(title: string | undefined, kind: string, format: ImageFormat): string {
  const slug = (title ?? '')
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60)
    .replace(/-+$/, '');
  return `${slug || `seqlab-${kind}`}.${format}`;
}
