/**
 * The attention view (`application/vnd.seqlab.attention.v1+json`): a head view, a
 * heatmap per head with hover values, a layer x head grid of thumbnails, layer and head
 * selectors with the mean over heads, masked positions shown as masked, and one colour
 * scale (0 to the largest weight of the payload) for the whole view. It opens on the layer
 * and head the payload names in `open` (the map a lecture discusses), else on the first.
 *
 * Only what is visible is drawn: one map at a time, thumbnails when the grid opens.
 */
import attentionSchema from '@seqlab/engine/schemas/attention.v1.schema.json' with { type: 'json' };
import { tokenAxis, VIEWS } from '@seqlab/engine/display/shared';
import { h, plotlyEscape, tokenLabel, formatValue } from '../../core/dom.js';
import { COLORWAY, MASKED_COLOR, plotlyScale, SEQUENTIAL } from '../../core/palette.js';
import type { AttentionPayload } from '../../core/payloads.js';
import { axisNote, tokenTicks } from '../../core/axes.js';
import type { Figure } from '../../core/plotly.js';
import type { ViewSpec } from '../../core/spec.js';
import { matrixProblems } from '../../core/validate.js';
import { header, truncationNote, ViewBase, type ViewOptions } from '../../core/view.js';
import { HeadView, type HoverTarget } from './head-view.js';
import { ThumbnailGrid, type ThumbTarget } from './thumbnails.js';

export type AttentionMode = 'heads' | 'heatmap' | 'grid';

/** Longest sequence the head view opens with; longer inputs open as a heatmap. */
const HEAD_VIEW_DEFAULT_MAX = 64;
export class AttentionView extends ViewBase {
  readonly ready: Promise<void>;
  readonly mode: { current: AttentionMode } = { current: 'heads' };
  layer = 0;
  head: number | 'mean' = 0;
  private readonly p: AttentionPayload;
  private readonly L: number;
  private readonly H: number;
  private readonly zmax: number;
  private readonly means = new Map<number, number[][]>();
  private readonly headView: HeadView;
  private readonly heat = this.slot('seqlab-attention-heatmap');
  /** The heatmap's token axis note (which tokens are labelled, what the symbols mean). */
  private readonly heatNote = h('div', { class: 'seqlab-axis-note-slot' });
  private readonly grid: ThumbnailGrid | null;
  private readonly panes: Record<AttentionMode, HTMLElement>;
  private readonly buttons = new Map<AttentionMode, HTMLButtonElement>();
  private readonly layerSelect: HTMLSelectElement | null;
  private readonly headSelect: HTMLSelectElement | null;
  /** The line under the view saying what the pointer is on. */
  readonly readout: HTMLElement;

  constructor(host: HTMLElement, payload: AttentionPayload, options: ViewOptions) {
    super(host, 'seqlab-attention', options);
    this.p = payload;
    this.L = payload.weights.length;
    this.H = payload.weights[0]!.length;
    // Indexed loops: this runs once over up to a million weights, before the JIT warms up.
    let zmax = 0;
    const w = payload.weights;
    for (let l = 0; l < w.length; l++) {
      for (let hd = 0; hd < w[l]!.length; hd++) {
        const map = w[l]![hd]!;
        for (let i = 0; i < map.length; i++) {
          const row = map[i]!;
          for (let j = 0; j < row.length; j++) if (row[j]! > zmax) zmax = row[j]!;
        }
      }
    }
    this.zmax = zmax > 0 ? zmax : 1;

    const q = payload.queryTokens.length;
    const k = payload.keyTokens.length;
    const kind = payload.kind ? `${payload.kind} ` : '';
    const facts = `${this.L} layer${this.L === 1 ? '' : 's'} × ${this.H} head${this.H === 1 ? '' : 's'} · ${q} query × ${k} key tokens · colour scale 0–${formatValue(this.zmax)}${payload.mask ? ' · grey: masked' : ''}`;
    this.element.append(header(payload.title ?? `${kind}attention`, facts));

    const toolbar = h('div', { class: 'seqlab-toolbar', role: 'toolbar' });
    const modes: Array<[AttentionMode, string]> = [['heads', 'Head view'], ['heatmap', 'Heatmap']];
    if (this.L * this.H > 1) modes.push(['grid', 'All heads']);
    const tabs = h('div', { class: 'seqlab-tabs' });
    for (const [mode, label] of modes) {
      const b = h('button', { type: 'button', class: 'seqlab-tab', 'data-mode': mode, 'aria-pressed': 'false' }, label);
      b.addEventListener('click', () => void this.show(mode));
      this.buttons.set(mode, b);
      tabs.append(b);
    }
    toolbar.append(tabs);
    this.layerSelect = null;
    if (this.L > 1) {
      this.layerSelect = h('select', { class: 'seqlab-layer', 'aria-label': 'layer' }, ...payload.weights.map((_, l) => h('option', { value: l }, this.layerName(l))));
      this.layerSelect.addEventListener('change', () => void this.select(Number(this.layerSelect!.value), this.head));
      toolbar.append(h('label', { class: 'seqlab-field' }, 'Layer ', this.layerSelect));
    }
    this.headSelect = null;
    if (this.H > 1) {
      this.headSelect = h(
        'select',
        { class: 'seqlab-head', 'aria-label': 'head' },
        ...payload.weights[0]!.map((_, hd) => h('option', { value: hd }, this.headName(hd))),
        h('option', { value: 'mean' }, 'mean of heads'),
      );
      this.headSelect.addEventListener('change', () => {
        const v = this.headSelect!.value;
        void this.select(this.layer, v === 'mean' ? 'mean' : Number(v));
      });
      toolbar.append(h('label', { class: 'seqlab-field' }, 'Head ', this.headSelect));
    }
    this.element.append(toolbar);
    const note = truncationNote(payload.truncation);
    if (note) this.element.append(note);

    this.headView = new HeadView(payload.queryTokens, payload.keyTokens, payload.mask, (t) => this.onHeadHover(t));
    this.grid =
      this.L * this.H > 1
        ? new ThumbnailGrid({
            layers: this.L,
            heads: this.H,
            layerName: (l) => this.layerName(l),
            headName: (hd) => this.headName(hd),
            map: (t) => this.mapOf(t.layer, t.head),
            mask: payload.mask,
            zmax: this.zmax,
            onPick: (t: ThumbTarget) => void this.select(t.layer, t.head).then(() => this.show('heatmap')),
            idle: (cb) => this.idle(cb),
          })
        : null;
    // The head view labels every token; its note only names the whitespace symbols.
    const headsNote = axisNote([tokenAxis(payload.queryTokens, Infinity), tokenAxis(payload.keyTokens, Infinity)]);
    this.panes = {
      heads: h('div', { class: 'seqlab-pane seqlab-pane-heads' }, this.headView.element, ...(headsNote ? [headsNote] : [])),
      heatmap: h('div', { class: 'seqlab-pane seqlab-pane-heatmap' }, ...this.heat.nodes(), this.heatNote),
      grid: h('div', { class: 'seqlab-pane seqlab-pane-grid' }, ...(this.grid ? [this.grid.element] : [])),
    };
    for (const pane of Object.values(this.panes)) {
      pane.hidden = true;
      this.element.append(pane);
    }
    this.readout = h('div', { class: 'seqlab-readout', 'aria-live': 'polite' }, 'Hover a token or a cell to read its weights.');
    this.element.append(this.readout);

    this.heat.on('plotly_hover', (d) => {
      const pt = d.points[0];
      if (!pt) return;
      const j = Number(pt.x);
      const i = Number(pt.y);
      this.readout.textContent = this.describeCell(i, j);
    });
    this.heat.on('plotly_unhover', () => (this.readout.textContent = ''));

    // The payload may say which map to open on (the one the lecture text discusses).
    if (payload.open) this.choose(payload.open.layer, payload.open.head);
    const initial: AttentionMode = Math.max(q, k) > HEAD_VIEW_DEFAULT_MAX ? 'heatmap' : 'heads';
    this.ready = this.show(initial);
  }

  private layerName(l: number): string {
    return this.p.layerNames?.[l] ?? `layer ${l + 1}`;
  }

  private headName(hd: number): string {
    return this.p.headNames?.[hd] ?? `head ${hd + 1}`;
  }

  /** The map of a layer and head, or the layer's mean over heads (computed once). */
  mapOf(layer: number, head: number | 'mean'): readonly (readonly number[])[] {
    if (head !== 'mean') return this.p.weights[layer]![head]!;
    let mean = this.means.get(layer);
    if (!mean) {
      const maps = this.p.weights[layer]!;
      mean = maps[0]!.map((row) => new Array<number>(row.length).fill(0));
      for (const m of maps) {
        for (let i = 0; i < m.length; i++) {
          const src = m[i]!;
          const dst = mean[i]!;
          for (let j = 0; j < src.length; j++) dst[j] = dst[j]! + src[j]! / maps.length;
        }
      }
      this.means.set(layer, mean);
    }
    return mean;
  }

  private mapTitle(): string {
    const head = this.head === 'mean' ? `mean of ${this.H} heads` : this.headName(this.head);
    return this.L > 1 ? `${this.layerName(this.layer)}, ${head}` : head;
  }

  private describeCell(i: number, j: number): string {
    const qt = this.p.queryTokens[i];
    const kt = this.p.keyTokens[j];
    if (qt === undefined || kt === undefined) return '';
    const masked = this.p.mask?.[i]?.[j] ? ' (masked)' : '';
    return `${this.mapTitle()}: query “${qt}” (${i}) → key “${kt}” (${j}): ${formatValue(this.mapOf(this.layer, this.head)[i]![j]!)}${masked}`;
  }

  private onHeadHover(t: HoverTarget): void {
    if (!t) {
      this.readout.textContent = '';
      return;
    }
    const map = this.mapOf(this.layer, this.head);
    const tokens = t.side === 'query' ? this.p.keyTokens : this.p.queryTokens;
    const weights = tokens
      .map((tok, o) => {
        const [i, j] = t.side === 'query' ? [t.index, o] : [o, t.index];
        return { tok, o, w: this.p.mask?.[i]?.[j] ? -1 : map[i]![j]! };
      })
      .filter((x) => x.w >= 0)
      .sort((a, b) => b.w - a.w)
      .slice(0, 3);
    const own = (t.side === 'query' ? this.p.queryTokens : this.p.keyTokens)[t.index];
    const verb = t.side === 'query' ? 'attends most to' : 'is attended most by';
    this.readout.textContent = `${this.mapTitle()}: ${t.side} “${own}” (${t.index}) ${verb} ${weights.map((x) => `“${x.tok}” (${x.o}) ${formatValue(x.w)}`).join(', ')}`;
  }

  /** Switches between head view, heatmap and the grid; draws what becomes visible. */
  async show(mode: AttentionMode): Promise<void> {
    if (mode === 'grid' && !this.grid) mode = 'heatmap';
    this.mode.current = mode;
    for (const [m, pane] of Object.entries(this.panes)) pane.hidden = m !== mode;
    for (const [m, b] of this.buttons) b.setAttribute('aria-pressed', String(m === mode));
    this.readout.textContent = '';
    if (mode === 'grid') this.grid!.start();
    await this.draw();
  }

  /** Selects a layer and a head ('mean' for the mean over heads) and redraws the visible map. */
  async select(layer: number, head: number | 'mean'): Promise<void> {
    this.choose(layer, head);
    await this.draw();
  }

  /** Sets the layer and head (clamped to the payload's) and the selectors, without drawing. */
  private choose(layer: number, head: number | 'mean'): void {
    this.layer = Math.max(0, Math.min(this.L - 1, layer));
    this.head = head === 'mean' ? (this.H > 1 ? 'mean' : 0) : Math.max(0, Math.min(this.H - 1, head));
    if (this.layerSelect) this.layerSelect.value = String(this.layer);
    if (this.headSelect) this.headSelect.value = String(this.head);
  }

  private headColor(): string {
    return this.head === 'mean' ? (this.theme === 'dark' ? '#e0e0e0' : '#333333') : COLORWAY[this.head % COLORWAY.length]!;
  }

  private async draw(): Promise<void> {
    const map = this.mapOf(this.layer, this.head);
    if (this.mode.current === 'heads') {
      this.headView.setMap(map, this.zmax, this.headColor());
      this.panes.heads.dataset.map = `${this.layer}:${this.head}`;
    } else if (this.mode.current === 'heatmap') {
      await this.heat.draw(this.heatmapFigure(map));
    }
  }

  private heatmapFigure(map: readonly (readonly number[])[]): Figure {
    const qt = this.p.queryTokens.map((t) => plotlyEscape(t));
    const kt = this.p.keyTokens.map((t) => plotlyEscape(t));
    const customdata = qt.map((q, i) => kt.map((k, j) => `query “${q}” (${i}) → key “${k}” (${j})`));
    const data: object[] = [
      {
        type: 'heatmap',
        z: map,
        zmin: 0,
        zmax: this.zmax,
        colorscale: plotlyScale(SEQUENTIAL),
        customdata,
        hovertemplate: '%{customdata}<br>weight %{z:.3g}<extra></extra>',
        colorbar: { title: { text: 'weight' }, thickness: 12 },
      },
    ];
    if (this.p.mask) {
      const mask = this.p.mask;
      data.push({
        type: 'heatmap',
        z: mask.map((row) => row.map((m) => (m ? 1 : null))),
        zmin: 0,
        zmax: 1,
        colorscale: [
          [0, MASKED_COLOR],
          [1, MASKED_COLOR],
        ],
        showscale: false,
        customdata,
        hovertemplate: '%{customdata}<br>masked<extra></extra>',
        name: 'masked',
      });
    }
    const q = this.p.queryTokens.length;
    const k = this.p.keyTokens.length;
    const cell = Math.max(4, Math.min(28, Math.floor(560 / Math.max(q, k))));
    const x = tokenTicks(this.p.keyTokens, k * cell);
    const y = tokenTicks(this.p.queryTokens, q * cell, 'y');
    this.heatNote.replaceChildren(...[axisNote([x.axis, y.axis])].filter((e): e is HTMLElement => e !== null));
    const labelPx = (tokens: readonly string[]): number => Math.min(140, 14 + 6.5 * Math.max(...tokens.map((t) => Array.from(tokenLabel(t)).length)));
    const top = labelPx(this.p.keyTokens) + 36;
    const left = labelPx(this.p.queryTokens) + 24;
    return {
      data,
      maxWidth: left + k * cell + 20 + 110,
      layout: {
        title: { text: plotlyEscape(this.mapTitle()), font: { size: 13 }, x: 0, xanchor: 'left', y: 1, yanchor: 'top', pad: { t: 4, l: 4 } },
        height: q * cell + top + 24,
        margin: { l: left, t: top, r: 20, b: 24 },
        xaxis: { side: 'top', title: { text: 'key', standoff: 4 }, ...x.ticks, showgrid: false, zeroline: false },
        yaxis: { autorange: 'reversed', title: { text: 'query', standoff: 4 }, ...y.ticks, showgrid: false, zeroline: false },
      },
    };
  }

  override setTheme(theme: 'light' | 'dark'): void {
    super.setTheme(theme);
    if (this.mode.current === 'heads') this.headView.setMap(this.mapOf(this.layer, this.head), this.zmax, this.headColor());
  }

  /** The head view (for hosts and tests that drive hover from outside, e.g. the keyboard). */
  get heads(): HeadView {
    return this.headView;
  }

  /** The thumbnail grid, when there is more than one map. */
  get thumbnails(): ThumbnailGrid | null {
    return this.grid;
  }
}

/** Checks of an attention payload that its schema cannot state. */
function attentionProblems(p: AttentionPayload): string[] {
  const out: string[] = [];
  const q = p.queryTokens.length;
  const k = p.keyTokens.length;
  const heads = p.weights[0]!.length;
  p.weights.forEach((layer, l) => {
    if (layer.length !== heads) out.push(`weights[${l}] has ${layer.length} heads but weights[0] has ${heads}`);
    layer.forEach((map, hd) => {
      const problem = matrixProblems(`weights[${l}][${hd}]`, map, q, 'queryTokens', k, 'keyTokens');
      if (problem) out.push(problem);
    });
  });
  if (p.layerNames && p.layerNames.length !== p.weights.length) out.push(`layerNames has ${p.layerNames.length} names but weights has ${p.weights.length} layers`);
  if (p.headNames && p.headNames.length !== heads) out.push(`headNames has ${p.headNames.length} names but there are ${heads} heads`);
  if (p.open && p.open.layer >= p.weights.length) out.push(`open.layer is ${p.open.layer} but weights has ${p.weights.length} layers`);
  if (p.open && p.open.head !== 'mean' && p.open.head >= heads) out.push(`open.head is ${p.open.head} but there are ${heads} heads`);
  if (p.mask) {
    const problem = matrixProblems('mask', p.mask as unknown as number[][], q, 'queryTokens', k, 'keyTokens');
    if (problem) out.push(problem);
  }
  return out;
}

/** The attention view of the MIME contract. */
export const attentionSpec: ViewSpec<AttentionPayload> = {
  contract: VIEWS.attention,
  schema: attentionSchema,
  label: 'seqlab attention view',
  description: 'seqlab attention views',
  problems: attentionProblems,
  create: (host, payload, options) => new AttentionView(host, payload, options),
};
