import { describe, expect, it } from 'vitest';
import { heatmap, linePlot, plotlyFigure } from '../../../engine/src/display/index.js';
import { MIME } from '../../../engine/src/display/shared.js';
import { expectHtmlFallback, expectValid, HOSTILE, parseSvg, svgTexts } from './helpers.js';

type Trace = Record<string, unknown>;

describe('plotlyFigure', () => {
  it('wraps any figure as application/vnd.plotly.v1+json with text and a static SVG', () => {
    const view = plotlyFigure({
      data: [{ type: 'bar', x: ['a', 'b', 'c'], y: [3, 5, 2], name: 'counts' }],
      layout: { title: { text: 'letters' }, xaxis: { title: { text: 'letter' } } },
    });
    const bundle = view.bundle();
    expect(Object.keys(bundle).sort()).toEqual([MIME.plotly, MIME.figureMark, MIME.svg, MIME.html, MIME.text].sort());
    // The mark that sends seqlab's own figures to seqlab's renderer (see contract.ts).
    expect(bundle[MIME.figureMark]).toEqual({ version: 1, of: MIME.plotly });
    expectValid(MIME.figureMark, bundle[MIME.figureMark]);
    expectHtmlFallback(bundle);
    expectValid(MIME.plotly, view.payload);
    expect(view.text).toBe('plotly figure "letters": 1 trace (bar)');
    const doc = parseSvg(view.svg);
    const texts = svgTexts(doc);
    expect(texts).toEqual(expect.arrayContaining(['letters', 'a', 'b', 'c', 'letter']));
    const bars = Array.from(doc.getElementsByTagName('rect')).filter((r) => r.getAttribute('fill') === '#1f77b4');
    expect(bars).toHaveLength(3);
    // Heights follow the values 3, 5, 2.
    const heights = bars.map((r) => Number(r.getAttribute('height')));
    expect(heights[1]! / heights[0]!).toBeCloseTo(5 / 3, 1);
  });

  it('copies typed arrays into arrays and non-finite numbers into null gaps', () => {
    const view = plotlyFigure({ data: [{ type: 'scatter', y: Float32Array.from([1, NaN, 3]) }] });
    expect(view.payload.data[0]!.y).toEqual([1, null, 3]);
    expect(JSON.parse(JSON.stringify(view.payload))).toEqual(view.payload);
  });

  it('names trace types the static figure cannot draw', () => {
    const view = plotlyFigure({ data: [{ type: 'scatter3d', x: [1], y: [1], z: [1] }, { y: [1, 2] }] });
    expect(view.text).toBe('plotly figure: 2 traces (scatter3d, scatter)');
    expect(svgTexts(parseSvg(view.svg))).toContain('static preview omits 1 scatter3d trace');
  });

  it('shows plotly label markup as plain text in the SVG', () => {
    const view = plotlyFigure({ data: [{ y: [1, 2], name: 'a' }, { y: [2, 1], name: `&lt;img&gt; ${HOSTILE}` }], layout: { title: '<b>bold</b><br>title' } });
    const doc = parseSvg(view.svg);
    expect(svgTexts(doc)).toContain('bold title');
    expect(doc.getElementsByTagName('img')).toHaveLength(0);
    expect(doc.getElementsByTagName('b')).toHaveLength(0);
  });

  it('rejects what is not a figure, naming the part', () => {
    expect(() => plotlyFigure({ data: 'x' } as unknown as { data: object[] })).toThrow('plotlyFigure: expected a figure {data: [...traces], layout?}, got an object');
    expect(() => plotlyFigure({ data: [3] as unknown as object[] })).toThrow('plotlyFigure: data[0] must be a trace object');
    expect(() => plotlyFigure({ data: [], layout: [] as unknown as object })).toThrow('plotlyFigure: layout must be an object, got an array of shape [0]');
    const loop: Record<string, unknown> = { type: 'scatter' };
    loop.self = loop;
    expect(() => plotlyFigure({ data: [loop] })).toThrow('plotlyFigure: figure.data[0].self refers back to itself');
  });
});

describe('linePlot', () => {
  it('plots named series on a log axis (loss curves)', () => {
    const train = [3, 1.5, 0.8, 0.41234567];
    const view = linePlot({ train, valid: [3.2, 1.9, 1.2, 1.1] }, { title: 'loss', xTitle: 'epoch', yTitle: 'loss', logY: true });
    expectValid(MIME.plotly, view.payload);
    const [t0, t1] = view.payload.data as Trace[];
    expect(t0).toMatchObject({ type: 'scatter', mode: 'lines', name: 'train', y: [3, 1.5, 0.8, 0.4123] });
    expect(t1!.name).toBe('valid');
    expect(view.payload.layout).toMatchObject({ yaxis: { type: 'log', title: { text: 'loss' } }, xaxis: { title: { text: 'epoch' } }, showlegend: true });
    const doc = parseSvg(view.svg);
    const texts = svgTexts(doc);
    expect(texts).toEqual(expect.arrayContaining(['loss', 'epoch', 'train', 'valid', '1']));
    const lines = Array.from(doc.getElementsByTagName('path')).filter((p) => p.getAttribute('fill') === 'none');
    expect(lines).toHaveLength(2);
  });

  it('keeps legend names of a typical lecture length whole in the static figure', () => {
    const a = 'tanh, spectral radius 0.9 (vanishing)';
    const b = 'tanh, spectral radius 1.5 (exploding)';
    const view = linePlot({ [a]: [1, 0.5], [b]: [1, 2] });
    expect(svgTexts(parseSvg(view.svg))).toEqual(expect.arrayContaining([a, b]));
    const long = 'x'.repeat(80);
    const cut = svgTexts(parseSvg(linePlot({ [long]: [1, 2], short: [2, 1] }).svg)).find((t) => t.startsWith('xxx'));
    expect(cut!.length).toBeLessThan(60);
    expect(cut!.endsWith('…')).toBe(true);
  });

  it('labels time steps with tokens, escaped for plotly, and counts non-finite values', () => {
    const view = linePlot([1e-3, 1e-2, Infinity, 1], { xLabels: ['the', HOSTILE, 'b', 'c'], logY: true, markers: true });
    const trace = (view.payload.data as Trace[])[0]!;
    expect(trace.y).toEqual([0.001, 0.01, null, 1]);
    expect(trace.text).toEqual(['the', '&lt;img src=x onerror=alert(1)&gt;', 'b', 'c']);
    expect(trace.mode).toBe('lines+markers');
    expect(view.payload.layout!.xaxis).toMatchObject({ tickvals: [0, 1, 2, 3], ticktext: ['the', '&lt;img src=x on…', 'b', 'c'] }); // labels shortened as on every token axis; the hover text keeps the token
    expect(view.text).toContain('1 value is NaN or infinite (drawn as gaps)');
    const doc = parseSvg(view.svg);
    expect(doc.getElementsByTagName('img')).toHaveLength(0);
    expect(svgTexts(doc)).toEqual(expect.arrayContaining(['the', '1 value is NaN or infinite (drawn as gaps)']));
  });

  it('labels token axes by the rule every view follows, saying which labels it drew', () => {
    const n = 200;
    const view = linePlot(Array.from({ length: n }, (_, i) => i), { xLabels: Array.from({ length: n }, (_, i) => (i % 2 ? ' ' : `t${i}`)), xTitle: 'step' });
    const xaxis = view.payload.layout!.xaxis as { tickvals: number[]; ticktext: string[]; tickangle: number; tickfont: object; title: { text: string } };
    // 200 labels on the nominal 800 px axis: 8 px labels every 3rd.
    expect(xaxis.tickvals.slice(0, 3)).toEqual([0, 3, 6]);
    expect(xaxis.ticktext.slice(0, 3)).toEqual(['t0', '·', 't6']);
    expect([xaxis.tickangle, xaxis.tickfont]).toEqual([-90, { size: 8 }]);
    expect(xaxis.title.text).toBe('step<br><span style="font-size:10px">token labels: every 3rd token labelled; hover for each; · is a space</span>');
    expect(svgTexts(parseSvg(view.svg)).join(' ')).toContain('token labels: every 3rd token labelled');
    // Few labels: all drawn, the title as given.
    const short = linePlot([1, 2, 3], { xLabels: ['a', 'b', 'c'], xTitle: 'token' }).payload.layout!.xaxis as { tickvals: number[]; title: { text: string } };
    expect([short.tickvals, short.title.text]).toEqual([[0, 1, 2], 'token']);
  });

  it('names the argument in its errors', () => {
    expect(() => linePlot([])).toThrow('linePlot: series[0].y must be a non-empty array of numbers, got an array of shape [0] (empty)');
    expect(() => linePlot({})).toThrow('linePlot: series must hold at least one line');
    expect(() => linePlot([1, 2], { x: [1] })).toThrow('linePlot: series[0] has 2 y values but x has 1');
    expect(() => linePlot([1, 2, 3], { xLabels: ['a'] })).toThrow('linePlot: series[0] has 3 values but xLabels has 1 labels');
    expect(() => linePlot([1, 'a' as unknown as number])).toThrow('linePlot: series[0].y[1] must be a number, got a string');
  });
});

describe('heatmap', () => {
  it('draws a matrix row 0 on top with a diverging scale around 0 (positional encodings)', () => {
    const pe = Array.from({ length: 6 }, (_, p) => Array.from({ length: 4 }, (_, i) => (i % 2 ? Math.cos(p / 3) : Math.sin(p / 3))));
    const view = heatmap(pe, { title: 'positional encoding', xTitle: 'dimension', yTitle: 'position' });
    expectValid(MIME.plotly, view.payload);
    const trace = (view.payload.data as Trace[])[0]!;
    expect(trace).toMatchObject({ type: 'heatmap', zmid: 0 });
    expect((trace.colorscale as unknown[]).length).toBe(11);
    expect(view.payload.layout).toMatchObject({ yaxis: { autorange: 'reversed' } });
    const texts = svgTexts(parseSvg(view.svg));
    expect(texts).toEqual(expect.arrayContaining(['positional encoding', 'rows: position, columns: dimension']));
  });

  it('puts string labels on index ticks and into the hover text, escaped', () => {
    const view = heatmap([[0.1, 0.9], [0.5, 0.5]], { x: ['k1', HOSTILE], y: ['q1', 'q1'] });
    const trace = (view.payload.data as Trace[])[0]!;
    expect((trace.customdata as string[][][])[0]![1]).toEqual(['q1', '&lt;img src=x onerror=alert(1)&gt;']);
    expect(view.payload.layout!.yaxis).toMatchObject({ tickvals: [0, 1], ticktext: ['q1', 'q1'] });
    const doc = parseSvg(view.svg);
    expect(doc.getElementsByTagName('img')).toHaveLength(0);
    expect(svgTexts(doc)).toEqual(expect.arrayContaining(['k1', 'q1']));
  });

  it('names the argument and the shapes in its errors', () => {
    expect(() => heatmap([[1, 2], [3]])).toThrow('heatmap: z[1] has 1 entries, expected 2');
    expect(() => heatmap([[1, 2]], { x: ['a'] })).toThrow('heatmap: x must have 2 labels (one per column)');
    expect(() => heatmap([[1, NaN]])).toThrow('heatmap: z[0][1] is NaN; expected a finite number');
  });
});
