/**
 * The layer x head grid: one small canvas per map (and per layer's mean over heads),
 * drawn a few at a time when the browser is idle, and only once the grid is shown.
 * Clicking a thumbnail opens that map as a heatmap.
 */
import { h } from '../../core/dom.js';
import { lookupTable, MASKED_COLOR, SEQUENTIAL } from '../../core/palette.js';

/** At most this many pixels per side: a 128-token map is mean-pooled 2 x 2. */
const MAX_PX = 64;
/** Thumbnails drawn per idle callback. */
const PER_SLICE = 4;

const LUT = lookupTable(SEQUENTIAL);
const MASK_RGB = [1, 3, 5].map((i) => Number.parseInt(MASKED_COLOR.slice(i, i + 2), 16));

/** One cell of the grid: a layer and a head, or the layer's mean. */
export interface ThumbTarget {
  layer: number;
  head: number | 'mean';
}

export interface ThumbnailGridOptions {
  layers: number;
  heads: number;
  layerName: (l: number) => string;
  headName: (h: number) => string;
  /** The map of a cell (computed on demand). */
  map: (t: ThumbTarget) => readonly (readonly number[])[];
  mask: readonly (readonly boolean[])[] | undefined;
  zmax: number;
  onPick: (t: ThumbTarget) => void;
  /** Schedules idle work owned by the view. */
  idle: (cb: () => void) => void;
}

export class ThumbnailGrid {
  readonly element: HTMLElement;
  private readonly pending: Array<{ canvas: HTMLCanvasElement; target: ThumbTarget }> = [];
  private started = false;
  /** Thumbnails drawn so far (the tests watch the lazy drawing through it). */
  drawnCount = 0;

  constructor(private readonly o: ThumbnailGridOptions) {
    const withMean = o.heads > 1;
    const cols = o.heads + (withMean ? 1 : 0);
    this.element = h('div', { class: 'seqlab-thumbs', role: 'grid', style: `grid-template-columns: max-content repeat(${cols}, max-content)` });
    this.element.append(h('div', { class: 'seqlab-thumb-corner' }));
    for (let c = 0; c < o.heads; c++) this.element.append(h('div', { class: 'seqlab-thumb-head', role: 'columnheader' }, o.headName(c)));
    if (withMean) this.element.append(h('div', { class: 'seqlab-thumb-head', role: 'columnheader' }, 'mean'));
    for (let l = 0; l < o.layers; l++) {
      this.element.append(h('div', { class: 'seqlab-thumb-layer', role: 'rowheader' }, o.layerName(l)));
      const targets: ThumbTarget[] = Array.from({ length: o.heads }, (_, hd) => ({ layer: l, head: hd }));
      if (withMean) targets.push({ layer: l, head: 'mean' });
      for (const target of targets) {
        const label = `${o.layerName(l)}, ${target.head === 'mean' ? 'mean of heads' : o.headName(target.head)}`;
        const canvas = h('canvas', { class: 'seqlab-thumb-canvas', 'aria-hidden': 'true' });
        const button = h('button', { type: 'button', class: 'seqlab-thumb', title: `${label}: open as heatmap`, 'aria-label': `${label}: open as heatmap` }, canvas);
        button.addEventListener('click', () => o.onPick(target));
        this.element.append(button);
        this.pending.push({ canvas, target });
      }
    }
  }

  /** Starts drawing (first call only): the grid is being shown. */
  start(): void {
    if (this.started) return;
    this.started = true;
    this.o.idle(() => this.slice());
  }

  private slice(): void {
    for (const item of this.pending.splice(0, PER_SLICE)) this.draw(item.canvas, item.target);
    if (this.pending.length > 0) this.o.idle(() => this.slice());
  }

  private draw(canvas: HTMLCanvasElement, target: ThumbTarget): void {
    const map = this.o.map(target);
    const rows = map.length;
    const cols = map[0]?.length ?? 0;
    const fy = Math.max(1, Math.ceil(rows / MAX_PX));
    const fx = Math.max(1, Math.ceil(cols / MAX_PX));
    const H = Math.ceil(rows / fy);
    const W = Math.ceil(cols / fx);
    canvas.width = W;
    canvas.height = H;
    canvas.dataset.drawn = 'true';
    this.drawnCount++;
    let ctx: CanvasRenderingContext2D | null = null;
    try {
      ctx = canvas.getContext('2d');
    } catch {
      ctx = null;
    }
    if (!ctx) return; // no canvas support: the button still opens the map
    const img = ctx.createImageData(W, H);
    const inv = this.o.zmax > 0 ? 1 / this.o.zmax : 1;
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        let sum = 0;
        let n = 0;
        for (let i = y * fy; i < Math.min(rows, (y + 1) * fy); i++) {
          for (let j = x * fx; j < Math.min(cols, (x + 1) * fx); j++) {
            if (this.o.mask?.[i]?.[j]) continue;
            sum += map[i]![j]!;
            n++;
          }
        }
        const p = (y * W + x) * 4;
        if (n === 0) {
          img.data.set(MASK_RGB, p);
        } else {
          const k = Math.max(0, Math.min(255, Math.round((sum / n) * inv * 255))) * 3;
          img.data[p] = LUT[k]!;
          img.data[p + 1] = LUT[k + 1]!;
          img.data[p + 2] = LUT[k + 2]!;
        }
        img.data[p + 3] = 255;
      }
    }
    ctx.putImageData(img, 0, 0);
  }
}
