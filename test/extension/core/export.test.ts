// @vitest-environment jsdom
import { describe, expect, it } from 'vitest';
import { composeViewImage, imageFileName, NothingToSave, type ToImage } from '../../../extension/src/core/export.js';
import { renderView } from '../../../extension/src/views/render.js';
import type { GatesView } from '../../../extension/src/views/gates.js';
import { drawnLikePlotly as drawnLikePlotlyIn, HOSTILE, settle, softmaxRows, viewFixture } from '../plotly-recorder.js';

const GATES = 'application/vnd.seqlab.gates.v1+json';
const ATT = 'application/vnd.seqlab.attention.v1+json';
const tokens = ['x', HOSTILE, 'z'];
const g = (f: (t: number, u: number) => number): number[][] => tokens.map((_, t) => [0, 1].map((u) => f(t, u)));
const gatesPayload = { version: 1, architecture: 'lstm', tokens, gates: { input: g(() => 0.2), forget: g(() => 0.9), output: g(() => 0.5) } };

const f = viewFixture();

const drawnLikePlotly = (width: number, height: number): void => drawnLikePlotlyIn(f.rec, width, height);
/** The recorder's toImage (set by drawnLikePlotly). */
const toImage: ToImage = (gd, o) => f.rec.plotly.toImage!(gd, o);

const parse = (svg: string): Document => new DOMParser().parseFromString(svg, 'image/svg+xml');

describe('composeViewImage', () => {
  it('stacks the plots a view shows under its title, on a background, at their laid-out sizes', async () => {
    drawnLikePlotly(500, 300);
    const view = renderView(GATES, gatesPayload, f.host, { loadPlotly: f.rec.loader, theme: 'light' }) as GatesView;
    await view.ready;
    let image = await composeViewImage(view.element, toImage);
    expect(image.parts).toEqual(['plot']); // the unit pane is hidden until a unit is picked
    let doc = parse(image.svg);
    expect(doc.querySelector('parsererror')).toBeNull();
    const root = doc.documentElement;
    expect(root.namespaceURI).toBe('http://www.w3.org/2000/svg');
    expect(image.svg.match(/^<\?xml[^>]*>\n<svg [^>]*>/)![0].match(/xmlns="http:\/\/www.w3.org\/2000\/svg"/g)).toHaveLength(1);
    expect(root.querySelector(':scope > rect')!.getAttribute('fill')).toBe('#ffffff');
    expect(root.querySelector(':scope > text')!.textContent).toBe('LSTM gates');
    const gatesHeight = (f.rec.last().layout as { height: number }).height;
    let frames = Array.from(root.querySelectorAll(':scope > svg'));
    expect(frames.map((s) => [s.getAttribute('width'), s.getAttribute('height')])).toEqual([['500', String(gatesHeight)]]);
    expect(Array.from(frames[0]!.querySelectorAll('text')).map((t) => t.textContent)).toEqual(['input', 'forget', 'output']);
    expect(image.width).toBe(500 + 24);
    expect(image.height).toBe(12 + 26 + gatesHeight + 12);

    await view.pickUnit(1);
    image = await composeViewImage(view.element, toImage);
    expect(image.parts).toEqual(['plot', 'plot']);
    doc = parse(image.svg);
    frames = Array.from(doc.documentElement.querySelectorAll(':scope > svg'));
    expect(frames.map((s) => Number(s.getAttribute('y')))).toEqual([38, 38 + gatesHeight + 12]);
    expect(frames[1]!.getAttribute('height')).toBe('260');
    expect(image.height).toBe(38 + gatesHeight + 12 + 260 + 12);

    // A plot hidden by a style sheet is not on screen, so not in the image either.
    const style = document.createElement('style');
    style.textContent = '.seqlab-pane-unit { display: none; }';
    document.head.append(style);
    try {
      expect((await composeViewImage(view.element, toImage)).parts).toEqual(['plot']);
    } finally {
      style.remove();
    }
  });

  it('makes the image as wide as a long title and selection line, so neither is cut', async () => {
    drawnLikePlotly(300, 200);
    const title = 'LSTM gates of the second layer over the first paragraph of The Time Machine, chapter one';
    const view = renderView(GATES, { ...gatesPayload, title }, f.host, { loadPlotly: f.rec.loader, theme: 'light' });
    await view.ready;
    const image = await composeViewImage(view.element, toImage);
    const root = parse(image.svg).documentElement;
    expect(root.querySelector('.seqlab-image-title')!.textContent).toBe(title);
    // No canvas in jsdom: the width comes from the estimate of 0.62 em per character (14 px title).
    expect(image.width).toBeGreaterThanOrEqual(Math.ceil(title.length * 14 * 0.62) + 24);
    expect(image.width).toBeGreaterThan(300 + 24);
    expect(root.getAttribute('width')).toBe(String(image.width));
    // The plot keeps its own size, at the left under the title.
    expect(root.querySelector(':scope > svg')!.getAttribute('width')).toBe('300');
  });

  it('copies the attention head view (seqlab SVG, not plotly) with tokens as text', async () => {
    drawnLikePlotly(400, 300);
    const payload = { version: 1, title: `a ${HOSTILE} title`, queryTokens: ['the', HOSTILE, 'cat'], keyTokens: ['le', 'chat'], weights: [[softmaxRows(3, 2)]] };
    const view = renderView(ATT, payload, f.host, { loadPlotly: f.rec.loader, theme: 'dark' });
    await view.ready;
    const image = await composeViewImage(view.element, toImage);
    expect(image.parts).toEqual(['head-view']);
    expect(image.svg).not.toContain('<img');
    const doc = parse(image.svg);
    expect(doc.querySelector('parsererror')).toBeNull();
    expect(Array.from(doc.documentElement.querySelectorAll(':scope > text')).map((t) => t.textContent)).toEqual([payload.title]);
    const copy = doc.querySelector('svg.seqlab-head-view')!;
    const labels = Array.from(copy.querySelectorAll('.seqlab-token text')).map((t) => t.firstChild!.textContent);
    expect(labels.slice(0, 1)).toEqual(['the']);
    expect(labels).toContain('chat');
    expect(copy.querySelectorAll('[tabindex], [role]')).toHaveLength(0);
    expect(copy.querySelectorAll('path[stroke-opacity]').length).toBeGreaterThan(0);
    // The live head view is untouched.
    expect(view.element.querySelector('svg.seqlab-head-view [tabindex]')).not.toBeNull();
  });

  it('names what the selectors chose: layer and head, or the series', async () => {
    drawnLikePlotly(400, 300);
    const deep = { version: 1, queryTokens: ['a', 'b'], keyTokens: ['a', 'b'], headNames: ['syntax', 'position'], weights: [0, 1].map(() => [0, 1].map(() => softmaxRows(2, 2))) };
    const view = renderView(ATT, deep, f.host, { loadPlotly: f.rec.loader });
    await view.ready;
    const layer = view.element.querySelector<HTMLSelectElement>('select.seqlab-layer')!;
    layer.value = '1';
    layer.dispatchEvent(new Event('change'));
    const head = view.element.querySelector<HTMLSelectElement>('select.seqlab-head')!;
    head.value = '1';
    head.dispatchEvent(new Event('change'));
    await settle();
    let image = await composeViewImage(view.element, toImage);
    expect(parse(image.svg).querySelector('.seqlab-image-selection')!.textContent).toBe('layer 2 · position');
    expect(parse(image.svg).querySelector(':scope > svg')!.getAttribute('y')).toBe(String(12 + 26 + 20)); // under the title and the selection line

    const states = { version: 1, tokens: ['a', 'b'], series: [{ name: 'h', states: [[0.1, 0.2], [0.3, 0.4]] }, { name: 'c', states: [[1, 2], [3, 4]] }] };
    const hv = renderView('application/vnd.seqlab.hidden-states.v1+json', states, f.host, { loadPlotly: f.rec.loader });
    await hv.ready;
    hv.element.querySelector<HTMLButtonElement>('button[data-series="c"]')!.click();
    await settle();
    image = await composeViewImage(hv.element, toImage);
    expect(parse(image.svg).querySelector('.seqlab-image-selection')!.textContent).toBe('series c');
  });

  it('reads base64 data URLs too', async () => {
    drawnLikePlotly(300, 200);
    const view = renderView('application/vnd.plotly.v1+json', { data: [{ type: 'scatter', name: 'loss', y: [3, 2, 1] }], layout: { height: 200 } }, f.host, { loadPlotly: f.rec.loader });
    await view.ready;
    const image = await composeViewImage(view.element, async (gd, o) => `data:image/svg+xml;base64,${btoa(decodeURIComponent((await toImage(gd, o)).split(',')[1]!))}`);
    expect(parse(image.svg).querySelector('svg > svg text')!.textContent).toBe('loss');
    expect(image.parts).toEqual(['plot']);
  });

  it('refuses, with a reason, an error view, a view not drawn yet and the thumbnail grid', async () => {
    const bad = renderView(ATT, { version: 1, queryTokens: ['a'], keyTokens: ['a'], weights: [[[[1, 2]]]] }, f.host, { loadPlotly: f.rec.loader });
    await expect(composeViewImage(bad.element, toImage)).rejects.toThrow(NothingToSave);
    await expect(composeViewImage(bad.element, toImage)).rejects.toThrow(/shows an error/);

    // The recorder does not mark plots drawn: nothing is on screen yet.
    const plain = renderView(GATES, gatesPayload, f.host, { loadPlotly: f.rec.loader });
    await plain.ready;
    await expect(composeViewImage(plain.element, toImage)).rejects.toThrow(/not drawn anything yet/);

    drawnLikePlotly(300, 200);
    const deep = { version: 1, queryTokens: ['a', 'b'], keyTokens: ['a', 'b'], weights: [0, 1].map(() => [0, 1].map(() => softmaxRows(2, 2))) };
    const view = renderView(ATT, deep, f.host, { loadPlotly: f.rec.loader });
    await view.ready;
    view.element.querySelector<HTMLButtonElement>('.seqlab-tab[data-mode="grid"]')!.click();
    await settle();
    await expect(composeViewImage(view.element, toImage)).rejects.toThrow(/grid is a picker/);
  });
});

describe('imageFileName', () => {
  it('makes a file name from the title, else from the kind', () => {
    expect(imageFileName('LSTM gates', 'gates', 'png')).toBe('lstm-gates.png');
    expect(imageFileName('Layer 1 — head 2: “café”', 'attention', 'svg')).toBe('layer-1-head-2-cafe.svg');
    expect(imageFileName(HOSTILE, 'attention', 'png')).toBe('img-src-x-onerror-alert-1.png');
    expect(imageFileName(undefined, 'hidden-states', 'svg')).toBe('seqlab-hidden-states.svg');
    expect(imageFileName('…', 'plotly', 'png')).toBe('seqlab-plotly.png');
    expect(imageFileName('x'.repeat(100), 'plotly', 'png')).toBe(`${'x'.repeat(60)}.png`);
  });
});
