/**
 * The gates view (`application/vnd.seqlab.gates.v1+json`): small multiples, one units x
 * time heatmap per gate (input, forget, candidate, output, cell for an LSTM; reset,
 * update, candidate, hidden for a GRU) on one shared time axis. Sigmoid gates share a
 * 0–1 scale, tanh values a -1–1 scale, the cell state its own symmetric scale. Hover shows
 * gate, unit, token and value; clicking a cell draws that unit's gates over time below.
 */
import gatesSchema from '@seqlab/engine/schemas/gates.v1.schema.json' with { type: 'json' };
import { VIEWS } from '@seqlab/engine/display/shared';
import { axisLength, axisNote, timeLabels, tokenTicks } from '../core/axes.js';
import { formatValue, h } from '../core/dom.js';
import { COLORWAY, DIVERGING, plotlyScale, SEQUENTIAL } from '../core/palette.js';
import type { GateName, GatesPayload } from '../core/payloads.js';
import type { ViewSpec } from '../core/spec.js';
import { matrixProblems } from '../core/validate.js';
import { header, truncationNote, ViewBase, type ViewOptions } from '../core/view.js';

const ORDER: Record<GatesPayload['architecture'], readonly GateName[]> = {
  lstm: ['input', 'forget', 'candidate', 'output', 'cell', 'hidden'],
  gru: ['reset', 'update', 'candidate', 'hidden'],
};

/** Which colour axis a gate uses: 1 sigmoid (0..1), 2 tanh (-1..1), 3 the cell state. */
function scaleOf(gate: GateName): 1 | 2 | 3 {
  if (gate === 'candidate' || gate === 'hidden') return 2;
  if (gate === 'cell') return 3;
  return 1;
}

export class GatesView extends ViewBase {
  readonly ready: Promise<void>;
  /** The gates present, in drawing order. */
  readonly gates: GateName[];
  /** The unit whose gates are drawn as lines, if one was picked. */
  unit: number | null = null;
  private readonly p: GatesPayload;
  private readonly plot = this.slot('seqlab-gates-plot');
  private readonly unitPlot = this.slot('seqlab-gates-unit');
  private readonly unitPane: HTMLElement;
  /** Where the token axis note goes (under the plot). */
  private readonly axisNoteSlot = h('div', { class: 'seqlab-axis-note-slot' });
  readonly readout: HTMLElement;

  constructor(host: HTMLElement, payload: GatesPayload, options: ViewOptions) {
    super(host, 'seqlab-gates', options);
    this.p = payload;
    this.gates = ORDER[payload.architecture].filter((g) => payload.gates[g] !== undefined);
    const T = payload.tokens.length;
    const U = payload.gates[this.gates[0]!]![0]!.length;
    this.element.append(
      header(payload.title ?? `${payload.architecture.toUpperCase()} gates`, `${T} time steps × ${U} units · ${this.gates.join(', ')}`),
    );
    const note = truncationNote(payload.truncation);
    if (note) this.element.append(note);
    this.element.append(...this.plot.nodes(), this.axisNoteSlot);
    const close = h('button', { type: 'button', class: 'seqlab-button' }, 'close');
    close.addEventListener('click', () => void this.pickUnit(null));
    this.unitPane = h('div', { class: 'seqlab-pane seqlab-pane-unit' }, close, ...this.unitPlot.nodes());
    this.unitPane.hidden = true;
    this.element.append(this.unitPane);
    this.readout = h('div', { class: 'seqlab-readout', 'aria-live': 'polite' }, 'Hover a cell to read gate, unit, token and value; click it to plot that unit over time.');
    this.element.append(this.readout);
    this.plot.on('plotly_hover', (d) => {
      const pt = d.points[0];
      if (!pt) return;
      const g = this.gates[pt.curveNumber];
      if (!g) return;
      const t = Number(pt.x);
      const u = Number(pt.y);
      this.readout.textContent = `${g}, unit ${u}, token “${this.p.tokens[t]}” (${t}): ${formatValue(this.p.gates[g]![t]![u]!)}`;
    });
    this.plot.on('plotly_click', (d) => {
      const pt = d.points[0];
      if (pt) void this.pickUnit(Number(pt.y));
    });
    this.ready = this.plot.draw(this.figure());
  }

  private figure(): { data: object[]; layout: Record<string, unknown> } {
    const T = this.p.tokens.length;
    const n = this.gates.length;
    const U = this.p.gates[this.gates[0]!]![0]!.length;
    const labels = timeLabels(this.p.tokens);
    const gap = 0.04;
    const hgt = (1 - gap * (n - 1)) / n;
    const domain = (i: number): [number, number] => {
      const top = 1 - i * (hgt + gap);
      return [Math.max(0, top - hgt), top];
    };
    let cellLim = 0;
    for (const row of this.p.gates.cell ?? []) for (const v of row) cellLim = Math.max(cellLim, Math.abs(v));
    const data: object[] = [];
    const layout: Record<string, unknown> = {
      margin: { l: 64, r: 20, t: 10, b: 90 },
      height: Math.round(n * Math.max(90, Math.min(200, U * 4)) + 110),
      annotations: [] as object[],
    };
    const firstOfScale = new Map<number, number>();
    this.gates.forEach((g, i) => {
      const scale = scaleOf(g);
      if (!firstOfScale.has(scale)) firstOfScale.set(scale, i);
      const z = Array.from({ length: U }, (_, u) => this.p.gates[g]!.map((row) => row[u]!));
      const axis = i === 0 ? '' : String(i + 1);
      data.push({
        type: 'heatmap',
        name: g,
        z,
        coloraxis: scale === 1 ? 'coloraxis' : `coloraxis${scale}`,
        customdata: z.map(() => labels),
        hovertemplate: `gate: ${g}<br>unit %{y}<br>token: %{customdata}<br>value %{z:.3g}<extra></extra>`,
        xaxis: 'x',
        yaxis: `y${axis}`,
      });
      const [lo, hi] = domain(i);
      layout[`yaxis${axis}`] = { domain: [lo, hi], autorange: 'reversed', showgrid: false, zeroline: false, title: { text: g, font: { size: 12 } } };
    });
    const bar = (i: number, title: string): object => {
      const [lo, hi] = domain(i);
      return { title: { text: title }, thickness: 10, len: hi - lo, y: hi, yanchor: 'top' };
    };
    if (firstOfScale.has(1)) layout.coloraxis = { colorscale: plotlyScale(SEQUENTIAL), cmin: 0, cmax: 1, colorbar: bar(firstOfScale.get(1)!, 'gate') };
    if (firstOfScale.has(2)) layout.coloraxis2 = { colorscale: plotlyScale(DIVERGING), cmin: -1, cmax: 1, colorbar: bar(firstOfScale.get(2)!, 'tanh') };
    if (firstOfScale.has(3)) layout.coloraxis3 = { colorscale: plotlyScale(DIVERGING), cmin: -(cellLim || 1), cmax: cellLim || 1, colorbar: bar(firstOfScale.get(3)!, 'cell') };
    const x = this.timeAxis();
    layout.xaxis = { anchor: `y${n === 1 ? '' : n}`, ...x.ticks, range: [-0.5, T - 0.5], showgrid: false, zeroline: false };
    this.axisNoteSlot.replaceChildren(...[axisNote([x.axis])].filter((e): e is HTMLElement => e !== null));
    return { data, layout };
  }

  /** The time axis by the shared token axis rule, as long as the plot's (margins and colour bars aside). */
  private timeAxis(): ReturnType<typeof tokenTicks> {
    return tokenTicks(this.p.tokens, axisLength(this.element, 64 + 20 + 70));
  }

  /** Draws unit `u`'s gates over time under the small multiples (null hides it). */
  async pickUnit(u: number | null): Promise<void> {
    this.unit = u;
    this.unitPane.hidden = u === null;
    if (u === null) return;
    const T = this.p.tokens.length;
    const labels = timeLabels(this.p.tokens);
    const data = this.gates.map((g, i) => ({
      type: 'scatter',
      mode: T <= 40 ? 'lines+markers' : 'lines',
      name: g,
      x: Array.from({ length: T }, (_, t) => t),
      y: this.p.gates[g]!.map((row) => row[u]!),
      customdata: labels,
      hovertemplate: `gate: ${g}<br>unit ${u}<br>token: %{customdata}<br>value %{y:.3g}<extra></extra>`,
      line: { color: COLORWAY[i % COLORWAY.length] },
    }));
    await this.unitPlot.draw({
      data,
      layout: {
        height: 260,
        title: { text: `unit ${u} over time`, font: { size: 13 }, x: 0, xanchor: 'left' },
        margin: { l: 56, r: 20, t: 36, b: 90 },
        xaxis: { ...this.timeAxis().ticks, range: [-0.5, T - 0.5] },
        yaxis: { title: { text: 'value' } },
      },
    });
  }
}

/** Checks of a gates payload that its schema cannot state: the architecture's gates, one shape for all. */
function gatesProblems(p: GatesPayload): string[] {
  const out: string[] = [];
  let units: number | undefined;
  let first = '';
  const allowed: readonly string[] = ORDER[p.architecture];
  for (const [g, m] of Object.entries(p.gates)) {
    if (!allowed.includes(g)) {
      out.push(`gates.${g} is not a gate of ${p.architecture.toUpperCase()} (expected ${allowed.join(', ')})`);
      continue;
    }
    const problem = matrixProblems(`gates.${g}`, m!, p.tokens.length, 'tokens', units, units !== undefined ? `gates.${first}` : undefined);
    if (problem) out.push(problem);
    if (units === undefined && m!.length > 0) ((units = m![0]!.length), (first = g));
  }
  return out;
}

/** The gates view of the MIME contract. */
export const gatesSpec: ViewSpec<GatesPayload> = {
  contract: VIEWS.gates,
  schema: gatesSchema,
  label: 'seqlab gates view',
  description: 'seqlab gate views',
  problems: gatesProblems,
  create: (host, payload, options) => new GatesView(host, payload, options),
};
