// @vitest-environment jsdom
import { describe, expect, it } from 'vitest';
import { renderView } from '../../../extension/src/views/render.js';
import { PlotlyFigureView } from '../../../extension/src/views/plotly-figure.js';
import { viewFixture } from '../plotly-recorder.js';

const MIME = 'application/vnd.plotly.v1+json';
const f = viewFixture();

describe('plotly figure view', () => {
  it('draws the figure as given, on a copy, themed where the figure sets nothing', async () => {
    const figure = {
      data: [{ type: 'scatter', y: [3, 1, 2], name: 'loss' }, { type: 'bar', x: ['a', 'b'], y: [1, 2] }],
      layout: { title: { text: 'loss' }, yaxis: { type: 'log', gridcolor: '#ff0000' }, font: { size: 15 } },
      config: { displayModeBar: false },
      frames: [{ name: 'f0', data: [{ y: [1, 1, 1] }] }],
    };
    const before = JSON.stringify(figure);
    const view = renderView(MIME, figure, f.host, { loadPlotly: f.rec.loader, theme: 'light' });
    expect(view).toBeInstanceOf(PlotlyFigureView);
    await view.ready;
    const fig = f.rec.last();
    expect(fig.data.map((t) => t.type)).toEqual(['scatter', 'bar']);
    expect(fig.data[0]!.y).toEqual([3, 1, 2]);
    expect(fig.frames).toEqual(figure.frames);
    expect(fig.layout.title).toEqual({ text: 'loss' });
    expect(fig.layout.yaxis).toMatchObject({ type: 'log', gridcolor: '#ff0000' }); // the figure's own colour wins
    expect(fig.layout.font).toMatchObject({ size: 15, color: '#1f1f1f' });
    expect(fig.layout.paper_bgcolor).toBe('rgba(0,0,0,0)');
    expect(fig.config).toMatchObject({ displaylogo: false, displayModeBar: false });
    expect(JSON.stringify(figure)).toBe(before); // plotly writes into what it draws: the payload stays untouched
  });

  it("gives a figure without a height plotly's default 450 px, not its element's 40 px min-height", async () => {
    // An element already on the page at draw time (a live kernel output, an exported page)
    // would otherwise lend plotly its own height: the CSS min-height of a plot area.
    const view = renderView(MIME, { data: [{ y: [1, 2] }], layout: { title: { text: 'no height' } } }, f.host, { loadPlotly: f.rec.loader, theme: 'light' });
    await view.ready;
    expect(f.rec.last().layout.height).toBe(450);
    const own = renderView(MIME, { data: [{ y: [1, 2] }], layout: { height: 280 } }, f.host, { loadPlotly: f.rec.loader, theme: 'light' });
    await own.ready;
    expect(f.rec.last(own.element).layout.height).toBe(280);
  });

  it('redraws in the dark theme', async () => {
    const view = renderView(MIME, { data: [{ y: [1, 2] }] }, f.host, { loadPlotly: f.rec.loader, theme: 'light' });
    await view.ready;
    view.setTheme('dark');
    await new Promise((r) => setTimeout(r, 0));
    expect(f.rec.calls.map((c) => c.fn)).toEqual(['newPlot', 'react']);
    expect(f.rec.last().layout.font.color).toBe('#e0e0e0');
  });

  it('shows a failure to load plotly.js inline instead of a blank output', async () => {
    const view = renderView(MIME, { data: [{ y: [1, 2] }] }, f.host, { loadPlotly: () => Promise.reject(new Error('chunk plotly failed to load')), theme: 'light' });
    await view.ready; // resolves: the failure is shown, not thrown
    const err = f.host.querySelector<HTMLElement>('.seqlab-plot-error')!;
    expect(err.hidden).toBe(false);
    expect(err.getAttribute('role')).toBe('alert');
    expect(err.textContent).toBe('Could not draw this plot: chunk plotly failed to load');
  });
});
