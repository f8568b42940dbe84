// @vitest-environment jsdom
import { describe, expect, it } from 'vitest';
import { renderView } from '../../../extension/src/views/render.js';
import { GatesView } from '../../../extension/src/views/gates.js';
import { NOMINAL_AXIS_PX, tokenAxis } from '../../../engine/src/display/token-axis.js';
import { HOSTILE, settle, viewFixture } from '../plotly-recorder.js';

/** What the shared rule says plotly should get for an x axis. */
const axisTicks = (axis: ReturnType<typeof tokenAxis>) => ({ tickvals: axis.indices, tickfont: { size: axis.fontSize } });

const MIME = 'application/vnd.seqlab.gates.v1+json';
const tokens = ['x', HOSTILE, 'z'];
const g = (f: (t: number, u: number) => number): number[][] => tokens.map((_, t) => [0, 1].map((u) => f(t, u)));
const gates = {
  cell: g((t, u) => 3 * (t - u)),
  input: g((t, u) => 0.1 * (t + u + 1)),
  forget: g(() => 0.9),
  candidate: g((t) => -0.5 * t),
  output: g(() => 0.5),
};

const f = viewFixture();

async function render(data: unknown = { version: 1, architecture: 'lstm', tokens, gates }): Promise<GatesView> {
  const view = renderView(MIME, data, f.host, { loadPlotly: f.rec.loader, theme: 'light' });
  expect(view).toBeInstanceOf(GatesView);
  await view.ready;
  return view as GatesView;
}

describe('gates view', () => {
  it('draws one heatmap per gate in canonical order on a shared time axis', async () => {
    const view = await render();
    expect(view.gates).toEqual(['input', 'forget', 'candidate', 'output', 'cell']);
    expect(f.host.querySelector('.seqlab-title')!.textContent).toBe('LSTM gates');
    const fig = f.rec.last();
    expect(fig.data.map((t) => t.name)).toEqual(view.gates);
    expect(fig.data.map((t) => t.yaxis)).toEqual(['y', 'y2', 'y3', 'y4', 'y5']);
    expect(fig.data.every((t) => t.xaxis === 'x')).toBe(true);
    expect(fig.layout.xaxis.anchor).toBe('y5'); // token labels under the last panel only
    expect(fig.layout.xaxis.ticktext).toEqual(['x', '&lt;img src=x on…', 'z']);
    expect(fig.data[0]!.z).toEqual([[0.1, 0.2, 0.30000000000000004], [0.2, 0.30000000000000004, 0.4]]); // [unit][time]
    // Sigmoid gates share 0..1, the candidate -1..1, the cell its own symmetric scale.
    expect(fig.data.map((t) => t.coloraxis)).toEqual(['coloraxis', 'coloraxis', 'coloraxis2', 'coloraxis', 'coloraxis3']);
    expect([fig.layout.coloraxis.cmin, fig.layout.coloraxis.cmax]).toEqual([0, 1]);
    expect([fig.layout.coloraxis2.cmin, fig.layout.coloraxis2.cmax]).toEqual([-1, 1]);
    expect([fig.layout.coloraxis3.cmin, fig.layout.coloraxis3.cmax]).toEqual([-6, 6]);
    const domains = view.gates.map((_, i) => fig.layout[`yaxis${i === 0 ? '' : i + 1}`].domain as number[]);
    for (let i = 1; i < domains.length; i++) expect(domains[i]![1]).toBeLessThan(domains[i - 1]![0]!); // stacked, not overlapping
  });

  it('shows gate, unit, token and value on hover, in the plot and in the readout', async () => {
    const view = await render();
    const fig = f.rec.last();
    expect(fig.data[1]!.hovertemplate).toBe('gate: forget<br>unit %{y}<br>token: %{customdata}<br>value %{z:.3g}<extra></extra>');
    expect(fig.data[1]!.customdata[0][1]).toBe('“&lt;img src=x onerror=alert(1)&gt;” (1)');
    f.rec.emit(f.host, 'plotly_hover', { points: [{ curveNumber: 4, x: 1, y: 0 }] });
    expect(view.readout.textContent).toBe(`cell, unit 0, token “${HOSTILE}” (1): 3`);
    expect(f.host.querySelector('img')).toBeNull();
  });

  it('plots a clicked unit over time and hides it again', async () => {
    const view = await render();
    const pane = f.host.querySelector<HTMLElement>('.seqlab-pane-unit')!;
    expect(pane.hidden).toBe(true);
    f.rec.emit(f.host.querySelector('.seqlab-gates-plot')!, 'plotly_click', { points: [{ curveNumber: 2, x: 0, y: 1 }] });
    await settle();
    expect(view.unit).toBe(1);
    expect(pane.hidden).toBe(false);
    const lines = f.rec.last(pane);
    expect(lines.data.map((t) => t.name)).toEqual(view.gates);
    expect(lines.data[4]!.y).toEqual([-3, 0, 3]);
    expect(lines.layout.title.text).toBe('unit 1 over time');
    pane.querySelector<HTMLButtonElement>('.seqlab-button')!.click();
    await settle();
    expect(pane.hidden).toBe(true);
  });

  it('draws GRU gates', async () => {
    const view = await render({ version: 1, architecture: 'gru', tokens, gates: { update: gates.forget, reset: gates.input, hidden: gates.candidate } });
    expect(view.gates).toEqual(['reset', 'update', 'hidden']);
    expect(f.rec.last().data.map((t) => t.coloraxis)).toEqual(['coloraxis', 'coloraxis', 'coloraxis2']);
    expect(f.rec.last().layout.coloraxis3).toBeUndefined();
  });

  it('labels all 67 character tokens of a long text, vertically, spaces as ·, hover for each, by the shared rule', async () => {
    const sentence = [...'The Time Traveller (for so it will be convenient to speak of him) w'];
    const long = sentence.map((_, t) => [0, 1].map((u) => 0.5 + 0.4 * Math.sin(t + u)));
    const view = await render({ version: 1, architecture: 'lstm', tokens: sentence, gates: { input: long, forget: long } });
    const x = f.rec.last().layout.xaxis;
    // Nothing skipped (the view is not on screen in jsdom: the nominal 800 px axis).
    expect(x.tickvals).toEqual(sentence.map((_, i) => i));
    expect(x.ticktext).toEqual(sentence.map((c) => (c === ' ' ? '·' : c)));
    expect(x.tickangle).toBe(-90);
    expect(x.tickfont).toEqual({ size: 10 });
    expect(x).toMatchObject(axisTicks(tokenAxis(sentence, NOMINAL_AXIS_PX)));
    // Hover names every token, the space as itself.
    expect(f.rec.last().data[0]!.customdata[0][3]).toBe('“ ” (3)');
    expect(f.host.querySelector('.seqlab-axis-note')!.textContent).toBe('Token labels: · is a space.');
    // A unit's lines over time use the same axis.
    await view.pickUnit(1);
    expect(f.rec.last(f.host.querySelector('.seqlab-pane-unit')!).layout.xaxis.ticktext).toEqual(x.ticktext);
  });
});
