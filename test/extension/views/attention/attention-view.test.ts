// @vitest-environment jsdom
import { describe, expect, it, vi } from 'vitest';
import { renderView } from '../../../../extension/src/views/render.js';
import { AttentionView } from '../../../../extension/src/views/attention/attention-view.js';
import { composeViewImage } from '../../../../extension/src/core/export.js';
import { drawnLikePlotly, HOSTILE, settle, softmaxRows, viewFixture } from '../../plotly-recorder.js';

const MIME = 'application/vnd.seqlab.attention.v1+json';
const tokens = ['The', 'cat', 'sat', 'down'];
const causal = tokens.map((_, i) => tokens.map((_, j) => j > i));

function payload(extra: Record<string, unknown> = {}) {
  return {
    version: 1,
    title: 'decoder self-attention',
    kind: 'causal-self',
    queryTokens: tokens,
    keyTokens: tokens,
    weights: [[softmaxRows(4, 4, 1, (i, j) => j > i), softmaxRows(4, 4, 2, (i, j) => j > i)]],
    mask: causal,
    precision: 3,
    ...extra,
  };
}

const f = viewFixture();

function render(data: unknown): AttentionView {
  const view = renderView(MIME, data, f.host, { loadPlotly: f.rec.loader, theme: 'light' });
  expect(view).toBeInstanceOf(AttentionView);
  return view as AttentionView;
}

describe('attention view', () => {
  it('opens on the head view with both token columns, selectors and one colour scale', async () => {
    const view = render(payload());
    await view.ready;
    expect(f.host.querySelector('.seqlab-title')!.textContent).toBe('decoder self-attention');
    expect(f.host.querySelector('.seqlab-facts')!.textContent).toContain('1 layer × 2 heads · 4 query × 4 key tokens');
    expect(f.host.querySelector('.seqlab-facts')!.textContent).toContain('grey: masked');
    expect(view.mode.current).toBe('heads');
    const queries = Array.from(f.host.querySelectorAll('.seqlab-query text')).map((t) => t.textContent);
    const keys = Array.from(f.host.querySelectorAll('.seqlab-key text')).map((t) => t.textContent);
    expect(queries).toEqual(tokens);
    expect(keys).toEqual(tokens);
    const heads = Array.from(f.host.querySelectorAll<HTMLOptionElement>('select.seqlab-head option')).map((o) => o.textContent);
    expect(heads).toEqual(['head 1', 'head 2', 'mean of heads']);
    expect(f.host.querySelector('select.seqlab-layer')).toBeNull(); // one layer: no layer selector
    // Lines grouped by opacity level; masked pairs have none.
    const paths = Array.from(f.host.querySelectorAll('.seqlab-lines path'));
    expect(paths.length).toBeGreaterThan(0);
    const segments = paths.flatMap((p) => p.getAttribute('d')!.match(/M[^M]+/g)!);
    expect(segments.length).toBeLessThanOrEqual(10); // at most the 10 unmasked pairs of a 4x4 causal map
    expect(f.rec.calls).toHaveLength(0); // nothing for plotly until the heatmap is opened
  });

  it('highlights the weights of a hovered query token and marks masked keys', async () => {
    const view = render(payload());
    await view.ready;
    const cat = f.host.querySelector<SVGGElement>('.seqlab-query[data-index="1"]')!;
    cat.dispatchEvent(new Event('mouseenter'));
    expect(cat.classList.contains('seqlab-active')).toBe(true);
    expect(f.host.querySelector('.seqlab-head-view')!.classList.contains('seqlab-dimmed')).toBe(true);
    const focus = Array.from(f.host.querySelectorAll('.seqlab-focus line'));
    expect(focus.map((l) => l.getAttribute('data-key'))).toEqual(['0', '1']); // "cat" sees "The" and itself
    const w = payload().weights[0]![0]![1]!;
    const zmax = Math.max(...payload().weights.flat(3));
    expect(Number(focus[0]!.getAttribute('stroke-opacity'))).toBeCloseTo(w[0]! / zmax, 3);
    const masked = Array.from(f.host.querySelectorAll('.seqlab-key.seqlab-masked')).map((k) => k.getAttribute('data-index'));
    expect(masked).toEqual(['2', '3']);
    expect(view.readout.textContent).toMatch(/^head 1: query “cat” \(1\) attends most to “(The|cat)”/);
    cat.dispatchEvent(new Event('mouseleave'));
    expect(f.host.querySelectorAll('.seqlab-focus line')).toHaveLength(0);
    expect(f.host.querySelectorAll('.seqlab-masked')).toHaveLength(0);
    expect(view.readout.textContent).toBe('');
  });

  it('highlights the queries that attend to a hovered key token', async () => {
    const view = render(payload());
    await view.ready;
    f.host.querySelector('.seqlab-key[data-index="0"]')!.dispatchEvent(new Event('focus'));
    expect(Array.from(f.host.querySelectorAll('.seqlab-focus line')).map((l) => l.getAttribute('data-query'))).toEqual(['0', '1', '2', '3']);
    expect(view.readout.textContent).toContain('key “The” (0) is attended most by');
  });

  it('draws the selected head as a heatmap with token ticks, hover values and masked cells', async () => {
    const view = render(payload());
    await view.ready;
    f.host.querySelector<HTMLButtonElement>('.seqlab-tab[data-mode="heatmap"]')!.click();
    await settle();
    expect(view.mode.current).toBe('heatmap');
    const fig = f.rec.last();
    const [heat, mask] = fig.data;
    expect(heat!.type).toBe('heatmap');
    expect(heat!.z).toEqual(payload().weights[0]![0]);
    expect(heat!.zmin).toBe(0);
    expect(heat!.zmax).toBe(Math.max(...payload().weights.flat(3)));
    expect(heat!.customdata[1][0]).toBe('query “cat” (1) → key “The” (0)');
    expect(mask!.z[0]).toEqual([null, 1, 1, 1]);
    expect(mask!.showscale).toBe(false);
    expect(fig.layout.xaxis.ticktext).toEqual(tokens);
    expect(fig.layout.yaxis.ticktext).toEqual(tokens);
    expect(fig.layout.yaxis.autorange).toBe('reversed');
    expect(fig.layout.paper_bgcolor).toBe('rgba(0,0,0,0)');
    f.rec.emit(f.host, 'plotly_hover', { points: [{ curveNumber: 0, x: 0, y: 2 }] });
    expect(view.readout.textContent).toBe(`head 1: query “sat” (2) → key “The” (0): ${payload().weights[0]![0]![2]![0]}`);
  });

  it('switches heads, the mean over heads and layers', async () => {
    const weights = [0, 1].map((l) => [1, 2, 3].map((h) => softmaxRows(4, 4, 10 * l + h)));
    const view = render(payload({ weights, mask: undefined, layerNames: ['enc 0', 'enc 1'] }));
    await view.ready;
    await view.show('heatmap');
    const head = f.host.querySelector<HTMLSelectElement>('select.seqlab-head')!;
    head.value = '2';
    head.dispatchEvent(new Event('change'));
    await settle();
    expect(f.rec.last().data[0]!.z).toEqual(weights[0]![2]);
    head.value = 'mean';
    head.dispatchEvent(new Event('change'));
    await settle();
    const mean = weights[0]![0]!.map((row, i) => row.map((_, j) => (weights[0]![0]![i]![j]! + weights[0]![1]![i]![j]! + weights[0]![2]![i]![j]!) / 3));
    const z = f.rec.last().data[0]!.z as number[][];
    z.forEach((row, i) => row.forEach((v, j) => expect(v).toBeCloseTo(mean[i]![j]!, 12)));
    expect(f.rec.last().layout.title.text).toBe('enc 0, mean of 3 heads');
    const layer = f.host.querySelector<HTMLSelectElement>('select.seqlab-layer')!;
    expect(Array.from(layer.options).map((o) => o.textContent)).toEqual(['enc 0', 'enc 1']);
    layer.value = '1';
    layer.dispatchEvent(new Event('change'));
    await settle();
    expect(view.layer).toBe(1);
    expect(f.rec.last().layout.title.text).toBe('enc 1, mean of 3 heads');
  });

  it('opens on the layer and head the payload names, in the head view, the heatmap and a saved image', async () => {
    const weights = [0, 1].map((l) => [1, 2, 3].map((h) => softmaxRows(4, 4, 10 * l + h)));
    drawnLikePlotly(f.rec, 400, 300);
    const view = render(payload({ weights, mask: undefined, layerNames: ['enc 0', 'enc 1'], open: { layer: 1, head: 2 } }));
    await view.ready;
    expect([view.layer, view.head]).toEqual([1, 2]);
    expect(f.host.querySelector<HTMLSelectElement>('select.seqlab-layer')!.value).toBe('1');
    expect(f.host.querySelector<HTMLSelectElement>('select.seqlab-head')!.value).toBe('2');
    expect(f.host.querySelector<HTMLElement>('.seqlab-pane-heads')!.dataset.map).toBe('1:2');
    // The image says which map it shows.
    const image = await composeViewImage(view.element, (gd, o) => f.rec.plotly.toImage!(gd, o));
    expect(new DOMParser().parseFromString(image.svg, 'image/svg+xml').querySelector('.seqlab-image-selection')!.textContent).toBe('enc 1 · head 3');
    await view.show('heatmap');
    expect(f.rec.last().data[0]!.z).toEqual(weights[1]![2]);
    expect(f.rec.last().layout.title.text).toBe('enc 1, head 3');

    const mean = render(payload({ weights, mask: undefined, open: { layer: 0, head: 'mean' } }));
    await mean.ready;
    expect([mean.layer, mean.head]).toEqual([0, 'mean']);
    // A payload naming a map it does not have is an error, like any shape problem.
    const bad = renderView(MIME, payload({ weights, mask: undefined, open: { layer: 2, head: 3 } }), f.host, { loadPlotly: f.rec.loader });
    expect(Array.from(bad.element.querySelectorAll('.seqlab-error li')).map((li) => li.textContent)).toEqual([
      'open.layer is 2 but weights has 2 layers',
      'open.head is 3 but there are 3 heads',
    ]);
  });

  it('draws the layer x head thumbnails only when the grid opens, and zooms on click', async () => {
    const puts: Array<[number, number]> = [];
    vi.spyOn(HTMLCanvasElement.prototype, 'getContext').mockImplementation(function (this: HTMLCanvasElement) {
      return {
        createImageData: (w: number, h: number) => ({ width: w, height: h, data: new Uint8ClampedArray(w * h * 4) }),
        putImageData: (img: ImageData) => void puts.push([img.width, img.height]),
      } as unknown as CanvasRenderingContext2D;
    } as never);
    const weights = [0, 1].map((l) => [1, 2, 3].map((h) => softmaxRows(4, 4, 10 * l + h)));
    const view = render(payload({ weights, mask: undefined }));
    await view.ready;
    await settle();
    expect(view.thumbnails!.drawnCount).toBe(0);
    const thumbs = f.host.querySelectorAll('.seqlab-thumb');
    expect(thumbs).toHaveLength(8); // 2 layers x (3 heads + mean)
    expect(Array.from(f.host.querySelectorAll('.seqlab-thumb-head')).map((e) => e.textContent)).toEqual(['head 1', 'head 2', 'head 3', 'mean']);
    f.host.querySelector<HTMLButtonElement>('.seqlab-tab[data-mode="grid"]')!.click();
    await settle();
    expect(view.thumbnails!.drawnCount).toBe(8);
    expect(puts).toEqual(Array.from({ length: 8 }, () => [4, 4]));
    (thumbs[5] as HTMLButtonElement).click(); // layer 2, head 2
    await settle();
    expect(view.mode.current).toBe('heatmap');
    expect([view.layer, view.head]).toEqual([1, 1]);
    expect(f.rec.last().data[0]!.z).toEqual(weights[1]![1]);
  });

  it('draws cross-attention between sequences of different lengths', async () => {
    const keys = ['Le', 'chat', 'est', 'assis', 'là', '.'];
    const view = render({ version: 1, kind: 'cross', queryTokens: tokens, keyTokens: keys, weights: [[softmaxRows(4, 6)]] });
    await view.ready;
    expect(f.host.querySelectorAll('.seqlab-query')).toHaveLength(4);
    expect(Array.from(f.host.querySelectorAll('.seqlab-key text')).map((t) => t.textContent)).toEqual(keys);
    expect(f.host.querySelector('.seqlab-tab[data-mode="grid"]')).toBeNull();
    await view.show('heatmap');
    const fig = f.rec.last();
    expect((fig.data[0]!.z as number[][]).map((r) => r.length)).toEqual([6, 6, 6, 6]);
    expect(fig.layout.xaxis.ticktext).toEqual(keys);
    expect(fig.data).toHaveLength(1); // no mask, no mask trace
  });

  it('keeps hostile tokens as text in the DOM and escaped for plotly', async () => {
    const view = render({ version: 1, title: '<b>t</b>', queryTokens: [HOSTILE, 'ok'], keyTokens: ['x', 'ok'], weights: [[[[0.5, 0.5], [0.1, 0.9]]]] });
    await view.ready;
    expect(f.host.querySelector('img')).toBeNull();
    expect(f.host.querySelector('b')).toBeNull();
    expect(f.host.querySelector('.seqlab-title')!.textContent).toBe('<b>t</b>');
    const label = f.host.querySelector('.seqlab-query text')!;
    expect(label.firstChild!.textContent).toBe('<img src=x onerror=…');
    expect(label.querySelector('title')!.textContent).toBe(HOSTILE);
    f.host.querySelector('.seqlab-query')!.dispatchEvent(new Event('mouseenter'));
    expect(view.readout.textContent).toContain(`query “${HOSTILE}” (0)`);
    await view.show('heatmap');
    const fig = f.rec.last();
    expect(fig.layout.yaxis.ticktext[0]).toBe('&lt;img src=x on…');
    expect(fig.data[0]!.customdata[0][1]).toBe('query “&lt;img src=x onerror=alert(1)&gt;” (0) → key “ok” (1)');
    expect(fig.layout.title.text).toBe('head 1');
  });

  it('opens a 6 x 8 x 128 x 128 payload as one heatmap and leaves the rest undrawn', async () => {
    const toks = Array.from({ length: 128 }, (_, i) => `w${i}`);
    const map = softmaxRows(128, 128);
    const weights = Array.from({ length: 6 }, () => Array.from({ length: 8 }, () => map));
    const view = render({ version: 1, queryTokens: toks, keyTokens: toks, weights });
    await view.ready;
    await settle();
    expect(view.mode.current).toBe('heatmap'); // long inputs open as a heatmap
    expect(f.rec.calls).toHaveLength(1);
    expect(f.host.querySelectorAll('.seqlab-lines path')).toHaveLength(0); // head view not drawn
    expect(view.thumbnails!.drawnCount).toBe(0);
    expect(f.host.querySelectorAll('.seqlab-thumb')).toHaveLength(6 * 9);
    // 4 px cells: 8 px labels need 9.2 px each, so every 3rd of 128 is labelled, and the note says so.
    expect(f.rec.last().layout.xaxis.tickvals).toHaveLength(43);
    expect(f.rec.last().layout.xaxis.tickfont).toEqual({ size: 8 });
    expect(f.host.querySelector('.seqlab-pane-heatmap .seqlab-axis-note')!.textContent).toBe('Token labels: every 3rd token labelled; hover a cell for each token.');
  });

  it('follows the theme and cleans up on dispose', async () => {
    const view = render(payload());
    await view.show('heatmap');
    view.setTheme('dark');
    await settle();
    expect(view.element.classList.contains('seqlab-dark')).toBe(true);
    expect(f.rec.calls.at(-1)!.fn).toBe('react');
    expect(f.rec.last().layout.font.color).toBe('#e0e0e0');
    const gd = f.rec.calls[0]!.el;
    view.dispose();
    expect(f.rec.purged).toContain(gd);
    expect(f.host.children).toHaveLength(0);
  });

  it('keeps outputs independent: no ids, hover in one leaves the other alone', async () => {
    const other = document.createElement('div');
    document.body.append(other);
    const a = render(payload());
    const b = renderView(MIME, payload(), other, { loadPlotly: f.rec.loader, theme: 'light' }) as AttentionView;
    await Promise.all([a.ready, b.ready]);
    expect(document.querySelectorAll('[id]')).toHaveLength(0);
    f.host.querySelector('.seqlab-query[data-index="2"]')!.dispatchEvent(new Event('mouseenter'));
    expect(f.host.querySelectorAll('.seqlab-focus line').length).toBeGreaterThan(0);
    expect(other.querySelectorAll('.seqlab-focus line')).toHaveLength(0);
    a.dispose();
    expect(other.querySelectorAll('.seqlab-query')).toHaveLength(4);
    other.remove();
  });
});
