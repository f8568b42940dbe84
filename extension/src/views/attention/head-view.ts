/**
 * The head view: query tokens on the left, key tokens on the right, a line from each
 * query to each key with opacity by weight. Hovering (or focusing) a token shows only its
 * lines, shades the tokens on the other side by weight and marks masked positions.
 *
 * Lines are grouped into ten opacity levels, one <path> each, so a 128 x 128 map is ten
 * DOM nodes, not 16,384.
 */
import { s, tokenLabel } from '../../core/dom.js';

const ROW_H = 18;
const GAP = 150;
const LEVELS = 10;
/** Weights below this fraction of the scale are invisible and not drawn. */
const MIN_VISIBLE = 0.02;

/** What the hover handler learns. */
export type HoverTarget = { side: 'query' | 'key'; index: number } | null;

export class HeadView {
  readonly element: SVGSVGElement;
  private readonly lines: SVGGElement;
  private readonly focus: SVGGElement;
  private readonly queryEls: SVGGElement[] = [];
  private readonly keyEls: SVGGElement[] = [];
  private map: readonly (readonly number[])[] = [];
  private zmax = 1;
  private color = '#1f77b4';
  private readonly x0: number;
  private readonly x1: number;
  private active: HoverTarget = null;

  constructor(
    queryTokens: readonly string[],
    keyTokens: readonly string[],
    private readonly mask: readonly (readonly boolean[])[] | undefined,
    private readonly onHover: (target: HoverTarget) => void,
  ) {
    const labelW = (tokens: readonly string[]): number => Math.max(40, ...tokens.map((t) => Array.from(tokenLabel(t, 20)).length * 7.2)) + 10;
    const leftW = labelW(queryTokens);
    const rightW = labelW(keyTokens);
    this.x0 = leftW;
    this.x1 = leftW + GAP;
    const rows = Math.max(queryTokens.length, keyTokens.length);
    const height = rows * ROW_H + 28;
    const width = leftW + GAP + rightW;
    this.element = s('svg', { class: 'seqlab-head-view', width, height, viewBox: `0 0 ${width} ${height}`, role: 'group', 'aria-label': 'attention head view' });
    this.element.append(
      s('text', { class: 'seqlab-axis-title', x: leftW - 4, y: 12, 'text-anchor': 'end' }, 'query'),
      s('text', { class: 'seqlab-axis-title', x: this.x1 + 4, y: 12 }, 'key'),
    );
    this.lines = s('g', { class: 'seqlab-lines' });
    this.focus = s('g', { class: 'seqlab-focus' });
    this.element.append(this.lines, this.focus);
    queryTokens.forEach((t, i) => this.queryEls.push(this.token('query', i, t, leftW - 4, 'end')));
    keyTokens.forEach((t, j) => this.keyEls.push(this.token('key', j, t, this.x1 + 4, 'start')));
  }

  private y(i: number): number {
    return 28 + i * ROW_H + ROW_H / 2;
  }

  private token(side: 'query' | 'key', index: number, token: string, x: number, anchor: 'start' | 'end'): SVGGElement {
    const label = tokenLabel(token, 20);
    const w = Array.from(label).length * 7.2 + 6;
    const g = s('g', { class: `seqlab-token seqlab-${side}`, tabindex: 0, 'data-index': index, role: 'button', 'aria-label': `${side} ${index}: ${token}` });
    const bg = s('rect', { class: 'seqlab-token-bg', x: anchor === 'end' ? x - w + 3 : x - 3, y: this.y(index) - ROW_H / 2 + 1, width: w, height: ROW_H - 2, rx: 3 });
    const text = s('text', { x, y: this.y(index), 'text-anchor': anchor, 'dominant-baseline': 'central' }, label);
    if (label !== token) text.append(s('title', {}, token));
    g.append(bg, text);
    const enter = (): void => this.hover({ side, index });
    const leave = (): void => this.hover(null);
    g.addEventListener('mouseenter', enter);
    g.addEventListener('focus', enter);
    g.addEventListener('mouseleave', leave);
    g.addEventListener('blur', leave);
    this.element.append(g);
    return g;
  }

  /** Draws a map (rows: queries, columns: keys) with opacity relative to `zmax`. */
  setMap(map: readonly (readonly number[])[], zmax: number, color: string): void {
    this.map = map;
    this.zmax = zmax > 0 ? zmax : 1;
    this.color = color;
    const paths: string[][] = Array.from({ length: LEVELS }, () => []);
    const sx = this.x0 + 4;
    const ex = this.x1 - 4;
    for (let i = 0; i < map.length; i++) {
      const row = map[i]!;
      for (let j = 0; j < row.length; j++) {
        if (this.mask?.[i]?.[j]) continue;
        const t = row[j]! / this.zmax;
        if (t < MIN_VISIBLE) continue;
        paths[Math.min(LEVELS, Math.ceil(t * LEVELS)) - 1]!.push(`M${sx} ${this.y(i)}L${ex} ${this.y(j)}`);
      }
    }
    this.lines.replaceChildren(
      ...paths
        .map((d, level) => ({ d, level }))
        .filter((p) => p.d.length > 0)
        .map((p) => s('path', { d: p.d.join(''), stroke: color, 'stroke-opacity': ((p.level + 1) / LEVELS).toFixed(2), 'stroke-width': 1.5, fill: 'none', 'data-level': p.level + 1 })),
    );
    this.hover(this.active, false);
  }

  /** Highlights one token's weights (null clears); `notify` reports it to the view. */
  hover(target: HoverTarget, notify = true): void {
    this.active = target;
    this.focus.replaceChildren();
    for (const el of [...this.queryEls, ...this.keyEls]) {
      el.classList.remove('seqlab-active', 'seqlab-masked');
      el.querySelector('rect')!.style.opacity = '';
    }
    this.element.classList.toggle('seqlab-dimmed', target !== null);
    if (target) {
      const own = (target.side === 'query' ? this.queryEls : this.keyEls)[target.index];
      own?.classList.add('seqlab-active');
      const others = target.side === 'query' ? this.keyEls : this.queryEls;
      const n = others.length;
      for (let o = 0; o < n; o++) {
        const [i, j] = target.side === 'query' ? [target.index, o] : [o, target.index];
        const masked = this.mask?.[i]?.[j] === true;
        const w = this.map[i]?.[j] ?? 0;
        const t = Math.min(1, w / this.zmax);
        if (masked) {
          others[o]!.classList.add('seqlab-masked');
          continue;
        }
        // Shade the other side by weight, lightly enough that the token stays readable.
        others[o]!.querySelector('rect')!.style.opacity = (0.55 * t).toFixed(3);
        if (t < MIN_VISIBLE) continue;
        const [a, b] = [this.y(i), this.y(j)];
        this.focus.append(
          s('line', { x1: this.x0 + 4, y1: a, x2: this.x1 - 4, y2: b, stroke: this.color, 'stroke-opacity': t.toFixed(3), 'stroke-width': 2.5, 'data-query': i, 'data-key': j }),
        );
      }
    }
    if (notify) this.onHover(target);
  }
}
