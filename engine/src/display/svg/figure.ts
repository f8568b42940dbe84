/**
 * A small SVG writer for the static fallbacks: absolute layout, no ids, no script, no
 * external resources, every string escaped.
 */
import { escapeXml, px } from './xml.js';

/** Options of one text element. */
export interface TextOptions {
  size?: number;
  anchor?: 'start' | 'middle' | 'end';
  weight?: 'normal' | 'bold';
  fill?: string;
  /** Rotation in degrees about the anchor point (-90: reads bottom to top). */
  rotate?: number;
  /** Vertical alignment: 'middle' centres the text on y, 'hanging' puts its top at y. */
  baseline?: 'alphabetic' | 'middle' | 'hanging';
  /** Tooltip shown by SVG viewers on hover (the full token when the label is shortened). */
  title?: string;
}

/** Collects SVG elements; the size is set once the layout is known. */
export class SvgFigure {
  private readonly parts: string[] = [];
  width = 0;
  height = 0;

  /** Adds raw markup built by this module's helpers (never user text). */
  raw(markup: string): void {
    this.parts.push(markup);
  }

  text(x: number, y: number, content: string, o: TextOptions = {}): void {
    const attrs = [`x="${px(x)}"`, `y="${px(y)}"`];
    if (o.rotate) attrs.push(`transform="rotate(${o.rotate} ${px(x)} ${px(y)})"`);
    if (o.size !== undefined) attrs.push(`font-size="${o.size}"`);
    if (o.anchor && o.anchor !== 'start') attrs.push(`text-anchor="${o.anchor}"`);
    if (o.weight === 'bold') attrs.push('font-weight="bold"');
    if (o.fill) attrs.push(`fill="${o.fill}"`);
    if (o.baseline === 'middle') attrs.push('dominant-baseline="central"');
    if (o.baseline === 'hanging') attrs.push('dominant-baseline="hanging"');
    const title = o.title !== undefined && o.title !== content ? `<title>${escapeXml(o.title)}</title>` : '';
    this.parts.push(`<text ${attrs.join(' ')}>${title}${escapeXml(content)}</text>`);
  }

  rect(x: number, y: number, w: number, h: number, fill: string, stroke?: string): void {
    const s = stroke ? ` stroke="${stroke}" stroke-width="1"` : '';
    this.parts.push(`<rect x="${px(x)}" y="${px(y)}" width="${px(w)}" height="${px(h)}" fill="${fill}"${s}/>`);
  }

  line(x1: number, y1: number, x2: number, y2: number, stroke: string, width = 1): void {
    this.parts.push(
      `<line x1="${px(x1)}" y1="${px(y1)}" x2="${px(x2)}" y2="${px(y2)}" stroke="${stroke}" stroke-width="${width}"/>`,
    );
  }

  /** The document. `label` becomes the SVG's accessible name (`<title>`). */
  toString(label: string): string {
    const w = Math.ceil(this.width);
    const h = Math.ceil(this.height);
    return (
      `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" ` +
      `font-family="Helvetica, Arial, sans-serif" font-size="11" fill="#222">` +
      `<title>${escapeXml(label)}</title>` +
      `<rect width="${w}" height="${h}" fill="#ffffff"/>` +
      this.parts.join('') +
      '</svg>'
    );
  }
}
