/**
 * The hidden-states view (`application/vnd.seqlab.hidden-states.v1+json`): a units x time
 * heatmap with tokens on the time axis, selected units as lines, and the state norm over
 * time, stacked on one shared time axis; a switch between series (h, c).
 * Click a heatmap row (or type unit numbers) to add or remove a unit's line.
 */
import hiddenStatesSchema from '@seqlab/engine/schemas/hidden-states.v1.schema.json' with { type: 'json' };
import { VIEWS } from '@seqlab/engine/display/shared';
import { axisLength, axisNote, timeLabels, tokenTicks } from '../core/axes.js';
import { formatValue, h, plotlyEscape } from '../core/dom.js';
import { COLORWAY, DIVERGING, plotlyScale } from '../core/palette.js';
import type { HiddenStatesPayload } from '../core/payloads.js';
import type { ViewSpec } from '../core/spec.js';
import { themeColors, type Theme } from '../core/theme.js';
import { matrixProblems } from '../core/validate.js';
import { header, truncationNote, ViewBase, type ViewOptions } from '../core/view.js';

/** How many units are shown as lines when the view opens: the most varying ones. */
const DEFAULT_LINES = 3;

export class HiddenStatesView extends ViewBase {
  readonly ready: Promise<void>;
  /** Index of the series shown. */
  series = 0;
  /** Units drawn as lines, in the order chosen. */
  readonly selected: number[] = [];
  private readonly p: HiddenStatesPayload;
  private readonly plot = this.slot('seqlab-states-plot');
  private readonly tabs = new Map<number, HTMLButtonElement>();
  private readonly unitsInput: HTMLInputElement;
  private readonly norms: number[][];
  /** Where the token axis note goes (under the plot). */
  private readonly axisNoteSlot = h('div', { class: 'seqlab-axis-note-slot' });
  readonly readout: HTMLElement;

  constructor(host: HTMLElement, payload: HiddenStatesPayload, options: ViewOptions) {
    super(host, 'seqlab-hidden-states', options);
    this.p = payload;
    const T = payload.tokens.length;
    const units = Math.max(...payload.series.map((s) => s.states[0]!.length));
    this.element.append(
      header(payload.title ?? 'hidden states', `${T} time steps × ${units} units · series ${payload.series.map((s) => s.name).join(', ')}`),
    );
    const toolbar = h('div', { class: 'seqlab-toolbar', role: 'toolbar' });
    if (payload.series.length > 1) {
      const tabs = h('div', { class: 'seqlab-tabs' });
      payload.series.forEach((s, i) => {
        const b = h('button', { type: 'button', class: 'seqlab-tab', 'data-series': s.name, 'aria-pressed': 'false', title: s.description ?? s.name }, s.name);
        b.addEventListener('click', () => void this.showSeries(i));
        this.tabs.set(i, b);
        tabs.append(b);
      });
      toolbar.append(h('span', { class: 'seqlab-field' }, 'Series '), tabs);
    }
    this.unitsInput = h('input', { type: 'text', class: 'seqlab-units', 'aria-label': 'units drawn as lines', placeholder: 'e.g. 0, 5, 12', size: 16 });
    this.unitsInput.addEventListener('change', () => void this.setUnits(parseUnits(this.unitsInput.value)));
    const clear = h('button', { type: 'button', class: 'seqlab-button' }, 'clear');
    clear.addEventListener('click', () => void this.setUnits([]));
    toolbar.append(h('label', { class: 'seqlab-field' }, 'Units as lines ', this.unitsInput), clear);
    this.element.append(toolbar);
    const note = truncationNote(payload.truncation);
    if (note) this.element.append(note);
    this.element.append(...this.plot.nodes(), this.axisNoteSlot);
    this.readout = h('div', { class: 'seqlab-readout', 'aria-live': 'polite' }, 'Click a row of the heatmap to draw that unit as a line.');
    this.element.append(this.readout);

    this.norms = payload.series.map((s) => s.states.map((row) => Math.sqrt(row.reduce((a, v) => a + v * v, 0))));
    this.plot.on('plotly_click', (d) => {
      const pt = d.points[0];
      if (pt && pt.curveNumber === 0) void this.toggleUnit(Number(pt.y));
    });
    this.plot.on('plotly_hover', (d) => {
      const pt = d.points[0];
      if (!pt || pt.curveNumber !== 0) return;
      const t = Number(pt.x);
      const u = Number(pt.y);
      const s = this.p.series[this.series]!;
      this.readout.textContent = `${s.name}, unit ${u}, token “${this.p.tokens[t]}” (${t}): ${formatValue(s.states[t]![u]!)}`;
    });
    this.selected.push(...mostVarying(payload.series[0]!.states, DEFAULT_LINES));
    this.ready = this.showSeries(0);
  }

  /** Shows series `index` (keeping the unit selection where the series has those units). */
  async showSeries(index: number): Promise<void> {
    this.series = Math.max(0, Math.min(this.p.series.length - 1, index));
    for (const [i, b] of this.tabs) b.setAttribute('aria-pressed', String(i === this.series));
    const units = this.p.series[this.series]!.states[0]!.length;
    const keep = this.selected.filter((u) => u < units);
    this.selected.splice(0, this.selected.length, ...keep);
    await this.redraw();
  }

  /** The norm lines take the theme's text colours, so the figure is rebuilt. */
  override setTheme(theme: Theme): void {
    super.setTheme(theme);
    void this.redraw();
  }

  /** Adds a unit's line, or removes it when already drawn. */
  async toggleUnit(unit: number): Promise<void> {
    const i = this.selected.indexOf(unit);
    if (i >= 0) this.selected.splice(i, 1);
    else this.selected.push(unit);
    await this.redraw();
  }

  /** Replaces the units drawn as lines (out-of-range units are ignored and said so). */
  async setUnits(units: readonly number[]): Promise<void> {
    const n = this.p.series[this.series]!.states[0]!.length;
    const valid = [...new Set(units)].filter((u) => Number.isInteger(u) && u >= 0 && u < n);
    const dropped = units.filter((u) => !valid.includes(u));
    this.selected.splice(0, this.selected.length, ...valid);
    this.readout.textContent = dropped.length > 0 ? `No unit ${dropped.join(', ')}: units are 0–${n - 1}.` : '';
    await this.redraw();
  }

  private async redraw(): Promise<void> {
    this.unitsInput.value = this.selected.join(', ');
    await this.plot.draw(this.figure());
  }

  private figure(): { data: object[]; layout: Record<string, unknown> } {
    const s = this.p.series[this.series]!;
    const T = this.p.tokens.length;
    const U = s.states[0]!.length;
    let lim = 0;
    for (const row of s.states) for (const v of row) lim = Math.max(lim, Math.abs(v));
    if (lim === 0) lim = 1;
    const z = Array.from({ length: U }, (_, u) => s.states.map((row) => row[u]!));
    const labels = timeLabels(this.p.tokens);
    const name = plotlyEscape(s.name);
    const colors = themeColors(this.theme, this.element);
    const data: object[] = [
      {
        type: 'heatmap',
        z,
        zmin: -lim,
        zmax: lim,
        colorscale: plotlyScale(DIVERGING),
        customdata: z.map(() => labels),
        hovertemplate: `unit %{y}<br>token %{customdata}<br>value %{z:.3g}<extra>${name}</extra>`,
        colorbar: { title: { text: name }, thickness: 12, len: 0.54, y: 1, yanchor: 'top' },
        xaxis: 'x',
        yaxis: 'y',
      },
    ];
    this.selected.forEach((u, i) => {
      data.push({
        type: 'scatter',
        mode: T <= 40 ? 'lines+markers' : 'lines',
        name: `unit ${u}`,
        x: Array.from({ length: T }, (_, t) => t),
        y: s.states.map((row) => row[u]!),
        customdata: labels,
        hovertemplate: `unit ${u}<br>token %{customdata}<br>value %{y:.3g}<extra>${name}</extra>`,
        line: { color: COLORWAY[i % COLORWAY.length] },
        xaxis: 'x',
        yaxis: 'y2',
        legendgroup: 'units',
      });
    });
    this.p.series.forEach((series, i) => {
      data.push({
        type: 'scatter',
        mode: 'lines',
        name: `‖${plotlyEscape(series.name)}‖`,
        x: Array.from({ length: T }, (_, t) => t),
        y: this.norms[i],
        customdata: labels,
        hovertemplate: `‖${plotlyEscape(series.name)}‖ at %{customdata}: %{y:.3g}<extra></extra>`,
        line: { color: i === this.series ? colors.text : colors.muted, width: i === this.series ? 2.5 : 1.2, dash: i === this.series ? 'solid' : 'dot' },
        xaxis: 'x',
        yaxis: 'y3',
        legendgroup: 'norms',
      });
    });
    // Margins, the colour bar and the legend of lines aside, the rest is the time axis.
    const x = tokenTicks(this.p.tokens, axisLength(this.element, 56 + 20 + 150));
    this.axisNoteSlot.replaceChildren(...[axisNote([x.axis])].filter((e): e is HTMLElement => e !== null));
    const heatPx = Math.max(160, Math.min(420, U * 7));
    const total = Math.round(heatPx / 0.54) + 60;
    return {
      data,
      layout: {
        height: total,
        margin: { l: 56, r: 20, t: 10, b: 90 },
        showlegend: true,
        legend: { orientation: 'v', x: 1.1, y: 0.38, yanchor: 'top', font: { size: 11 } },
        xaxis: { anchor: 'y3', ...x.ticks, range: [-0.5, T - 0.5], showgrid: false, zeroline: false },
        yaxis: { domain: [0.46, 1], title: { text: 'unit' }, autorange: 'reversed', showgrid: false, zeroline: false },
        yaxis2: { domain: [0.24, 0.42], title: { text: 'value' }, zeroline: true },
        yaxis3: { domain: [0, 0.2], title: { text: 'norm' }, rangemode: 'tozero' },
        annotations:
          this.selected.length === 0
            ? [{ text: 'click a row of the heatmap to add a unit', xref: 'paper', yref: 'paper', x: 0.5, y: 0.33, showarrow: false, font: { size: 11 } }]
            : [],
      },
    };
  }
}

/** Units typed as "3, 7 12" (commas or spaces). */
export function parseUnits(text: string): number[] {
  return text
    .split(/[\s,;]+/)
    .filter((x) => x !== '')
    .map((x) => Number(x))
    .filter((x) => Number.isFinite(x));
}

/** The `n` units whose values vary most over time. */
export function mostVarying(states: readonly (readonly number[])[], n: number): number[] {
  const U = states[0]?.length ?? 0;
  const T = states.length;
  const score = Array.from({ length: U }, (_, u) => {
    let mean = 0;
    for (const row of states) mean += row[u]!;
    mean /= T;
    let v = 0;
    for (const row of states) v += (row[u]! - mean) ** 2;
    return { u, v };
  });
  return score
    .sort((a, b) => b.v - a.v || a.u - b.u)
    .slice(0, Math.min(n, U))
    .map((x) => x.u);
}

/** Checks of a hidden-states payload that its schema cannot state. */
function hiddenStatesProblems(p: HiddenStatesPayload): string[] {
  const out: string[] = [];
  const names = new Set<string>();
  p.series.forEach((s, i) => {
    if (names.has(s.name)) out.push(`series[${i}] repeats the name "${s.name}"`);
    names.add(s.name);
    const problem = matrixProblems(`series[${i}].states (${s.name})`, s.states, p.tokens.length, 'tokens');
    if (problem) out.push(problem);
  });
  return out;
}

/** The hidden-states view of the MIME contract. */
export const hiddenStatesSpec: ViewSpec<HiddenStatesPayload> = {
  contract: VIEWS.hiddenStates,
  schema: hiddenStatesSchema,
  label: 'seqlab hidden-states view',
  description: 'seqlab hidden-state views',
  problems: hiddenStatesProblems,
  create: (host, payload, options) => new HiddenStatesView(host, payload, options),
};
