// @vitest-environment jsdom
import { describe, expect, it } from 'vitest';
import { renderView } from '../../../extension/src/views/render.js';
import { HiddenStatesView, mostVarying, parseUnits } from '../../../extension/src/views/hidden-states.js';
import { HOSTILE, settle, viewFixture } from '../plotly-recorder.js';

const MIME = 'application/vnd.seqlab.hidden-states.v1+json';
const tokens = ['a', 'b', HOSTILE, 'a'];
// states[t][unit]: unit 1 varies most, then unit 2, unit 0 is constant.
const h = [[0.1, -0.9, 0.2], [0.1, 0.8, -0.3], [0.1, -0.7, 0.25], [0.1, 0.9, 0.1]];
const c = [[1, 2, 3, 4], [2, 3, 4, 5], [3, 4, 5, 6], [4, 5, 6, 7]];
const payload = { version: 1, title: 'LSTM states', tokens, series: [{ name: 'h', states: h }, { name: 'c', description: 'cell', states: c }], precision: 3 };

const f = viewFixture();

async function render(): Promise<HiddenStatesView> {
  const view = renderView(MIME, payload, f.host, { loadPlotly: f.rec.loader, theme: 'light' });
  expect(view).toBeInstanceOf(HiddenStatesView);
  await view.ready;
  return view as HiddenStatesView;
}

describe('hidden-states view', () => {
  it('draws a units x time heatmap with tokens on the time axis, unit lines and norms', async () => {
    const view = await render();
    expect(f.host.querySelector('.seqlab-title')!.textContent).toBe('LSTM states');
    expect(f.host.querySelector('.seqlab-facts')!.textContent).toBe('4 time steps × 4 units · series h, c');
    const fig = f.rec.last();
    const [heat, ...rest] = fig.data;
    expect(heat!.type).toBe('heatmap');
    expect(heat!.z).toEqual([[0.1, 0.1, 0.1, 0.1], [-0.9, 0.8, -0.7, 0.9], [0.2, -0.3, 0.25, 0.1]]); // [unit][time]
    expect([heat!.zmin, heat!.zmax]).toEqual([-0.9, 0.9]); // symmetric around 0
    expect(heat!.customdata[0][2]).toBe('“&lt;img src=x onerror=alert(1)&gt;” (2)');
    expect(fig.layout.xaxis.ticktext).toEqual(['a', 'b', '&lt;img src=x on…', 'a']); // repeated "a" stays two positions
    expect(fig.layout.xaxis.tickvals).toEqual([0, 1, 2, 3]);
    // The three most varying units are drawn as lines, then a norm line per series.
    expect(view.selected).toEqual([1, 2, 0]);
    const lines = rest.filter((t) => t.yaxis === 'y2');
    expect(lines.map((t) => t.name)).toEqual(['unit 1', 'unit 2', 'unit 0']);
    expect(lines[0]!.y).toEqual([-0.9, 0.8, -0.7, 0.9]);
    const norms = rest.filter((t) => t.yaxis === 'y3');
    expect(norms.map((t) => t.name)).toEqual(['‖h‖', '‖c‖']);
    expect(norms[1]!.y[0]).toBeCloseTo(Math.sqrt(1 + 4 + 9 + 16), 12);
    expect((f.host.querySelector('.seqlab-units') as HTMLInputElement).value).toBe('1, 2, 0');
  });

  it('switches series with the series buttons', async () => {
    const view = await render();
    const tabs = Array.from(f.host.querySelectorAll<HTMLButtonElement>('.seqlab-tab'));
    expect(tabs.map((t) => t.textContent)).toEqual(['h', 'c']);
    expect(tabs[0]!.getAttribute('aria-pressed')).toBe('true');
    tabs[1]!.click();
    await settle();
    expect(view.series).toBe(1);
    expect(tabs[1]!.getAttribute('aria-pressed')).toBe('true');
    const heat = f.rec.last().data[0]!;
    expect(heat.z[3]).toEqual([4, 5, 6, 7]); // unit 3 of c
    expect([heat.zmin, heat.zmax]).toEqual([-7, 7]);
    expect(heat.colorbar.title.text).toBe('c');
  });

  it('adds and removes unit lines by clicking heatmap rows and by typing units', async () => {
    const view = await render();
    f.rec.emit(f.host, 'plotly_click', { points: [{ curveNumber: 0, x: 1, y: 2 }] });
    await settle();
    expect(view.selected).toEqual([1, 0]);
    f.rec.emit(f.host, 'plotly_click', { points: [{ curveNumber: 0, x: 1, y: 2 }] });
    await settle();
    expect(view.selected).toEqual([1, 0, 2]);
    const input = f.host.querySelector<HTMLInputElement>('.seqlab-units')!;
    input.value = '0 2, 9';
    input.dispatchEvent(new Event('change'));
    await settle();
    expect(view.selected).toEqual([0, 2]);
    expect(view.readout.textContent).toBe('No unit 9: units are 0–2.');
    expect(f.rec.last().data.filter((t) => t.yaxis === 'y2').map((t) => t.name)).toEqual(['unit 0', 'unit 2']);
    f.host.querySelector<HTMLButtonElement>('.seqlab-button')!.click();
    await settle();
    expect(view.selected).toEqual([]);
    expect(f.rec.last().layout.annotations[0].text).toContain('click a row');
  });

  it('reads hovered cells out as text', async () => {
    const view = await render();
    f.rec.emit(f.host, 'plotly_hover', { points: [{ curveNumber: 0, x: 2, y: 1 }] });
    expect(view.readout.textContent).toBe(`h, unit 1, token “${HOSTILE}” (2): -0.7`);
    expect(f.host.querySelector('img')).toBeNull();
  });
});

describe('hidden-states view theme', () => {
  it('draws the norm of the shown series in the theme\'s text colour', async () => {
    const view = renderView(MIME, payload, f.host, { loadPlotly: f.rec.loader, theme: 'light' }) as HiddenStatesView;
    await view.ready;
    const norm = (): Record<string, any> => f.rec.last().data.find((t) => t.name === '‖h‖')!;
    expect(norm().line.color).toBe('#1f1f1f');
    view.setTheme('dark');
    await settle();
    expect(norm().line.color).toBe('#e0e0e0');
    expect(f.rec.last().layout.font.color).toBe('#e0e0e0');
  });
});

describe('unit helpers', () => {
  it('parses typed unit lists and ranks units by variance', () => {
    expect(parseUnits(' 3, 7 12;x ')).toEqual([3, 7, 12]);
    expect(mostVarying(h, 2)).toEqual([1, 2]);
  });

  it('labels a long time axis by the shared rule: every k-th token past what fits, said in a note, hover for each', async () => {
    const long = Array.from({ length: 200 }, (_, i) => (i % 4 === 3 ? ' ' : String.fromCharCode(97 + (i % 26))));
    const view = renderView(MIME, { version: 1, tokens: long, series: [{ name: 'h', states: long.map((_, t) => [Math.sin(t), Math.cos(t)]) }] }, f.host, {
      loadPlotly: f.rec.loader,
    });
    await view.ready;
    const x = f.rec.last().layout.xaxis;
    // 200 tokens on the nominal 800 px axis: 4 px each, 8 px labels every 3rd.
    expect(x.tickvals.slice(0, 3)).toEqual([0, 3, 6]);
    expect(x.tickvals).toHaveLength(67);
    expect(x.ticktext.slice(0, 3)).toEqual(['a', '·', 'g']);
    expect(f.rec.last().data[0]!.customdata[0]).toHaveLength(200);
    expect(f.host.querySelector('.seqlab-axis-note')!.textContent).toBe('Token labels: every 3rd token labelled; hover a cell for each token; · is a space.');
  });
});
