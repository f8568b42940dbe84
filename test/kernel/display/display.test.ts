/** MIME bundles, display helpers and the progress bar, with a recording publish. */
import { describe, expect, it } from 'vitest';
import { toBundle, plainText, DisplayError } from '../../../kernel/dist/display/bundle.js';
import { createDisplay } from '../../../kernel/dist/display/display.js';
import { createProgress } from '../../../kernel/dist/display/progress.js';
import { useInspect } from '../../../kernel/dist/core/inspect.js';
import { format, inspect } from 'node:util';

// What the Node host installs (the browser worker installs node-inspect-extracted).
useInspect(inspect, format);

describe('toBundle', () => {
  it('renders plain values like util.inspect', () => {
    expect(toBundle(42)).toEqual({ 'text/plain': '42' });
    expect(toBundle('s')).toEqual({ 'text/plain': "'s'" });
    expect(plainText({ a: [1, 2] })).toBe('{ a: [ 1, 2 ] }');
  });

  it('uses Symbol.for("Jupyter.display") bundles, adding text/plain, keeping JSON objects', () => {
    class View {
      [Symbol.for('Jupyter.display')]() {
        return { 'application/vnd.seqlab.attention.v1+json': { weights: [[1]] }, 'image/svg+xml': '<svg/>' };
      }
    }
    const b = toBundle(new View());
    expect(b['application/vnd.seqlab.attention.v1+json']).toEqual({ weights: [[1]] });
    expect(b['text/plain']).toBe('View {}');
  });

  it('rejects malformed bundles with the offending key', () => {
    const bad = (bundle: unknown) => ({ [Symbol.for('Jupyter.display')]: () => bundle });
    expect(() => toBundle(bad({ 'application/json': '{}' }))).toThrow(DisplayError);
    expect(() => toBundle(bad({ 'text/html': 5 }))).toThrow('text/html as number');
    expect(() => toBundle(bad({ html: 'x' }))).toThrow('"html", which is not a MIME type');
    expect(() => toBundle(bad([1]))).toThrow('an array');
  });
});

describe('display helpers', () => {
  it('publishes display_data, update_display_data and clear_output', () => {
    const out: [string, any][] = [];
    const { display, newDisplay, clearOutput } = createDisplay((t, c) => out.push([t, c]));
    display.png(new Uint8Array([1, 2, 3]));
    display('a', { displayId: 'd' });
    display('b', { displayId: 'd', update: true });
    const nd = newDisplay();
    nd.html('<i>1</i>');
    nd.raw('text/csv', 'a,b');
    clearOutput();
    expect(out.map(([t]) => t)).toEqual(['display_data', 'display_data', 'update_display_data', 'display_data', 'update_display_data', 'clear_output']);
    expect(out[0]![1].data['image/png']).toBe('AQID');
    expect(out[4]![1].data).toEqual({ 'text/csv': 'a,b' });
    expect(() => display('x', { update: true })).toThrow('needs a displayId');
  });
});

describe('progress', () => {
  it('shows one output and updates it at most once per minInterval, always the final state', () => {
    const out: [string, any][] = [];
    let now = 0;
    const { display } = createDisplay((t, c) => out.push([t, c]));
    const progress = createProgress(display, () => now);
    const bar = progress(100, { label: 'epoch', minInterval: 100 });
    for (let i = 0; i < 100; i++) {
      now += 5;
      bar.update(1, { loss: 0.5 });
    }
    bar.close();
    expect(out[0]![0]).toBe('display_data');
    expect(out.slice(1).every(([t]) => t === 'update_display_data')).toBe(true);
    expect(out.length).toBeLessThanOrEqual(8);
    const last = out.at(-1)![1].data['text/plain'];
    expect(last).toContain('epoch 100%');
    expect(last).toContain('100/100');
    expect(last).toContain('loss=0.5000');
    expect(out.at(-1)![1].data['text/html']).toContain('<progress value="100" max="100"');
  });

  it('draws the plotted metrics as a second output, updated in place and throttled; thins long runs', () => {
    const out: [string, any][] = [];
    let now = 0;
    const { display } = createDisplay((t, c) => out.push([t, c]));
    const drawn: { name: string; x: number[]; y: number[] }[][] = [];
    const plotter = (series: { name: string; x: number[]; y: number[] }[]) => {
      drawn.push(series);
      return { [Symbol.for('Jupyter.display')]: () => ({ 'application/vnd.plotly.v1+json': { data: series } }) };
    };
    const bar = createProgress(display, () => now, () => plotter)(2000, { label: 'train', plot: ['loss'], minInterval: 100, plotInterval: 500 });
    for (let i = 0; i < 2000; i++) {
      now += 1;
      bar.update(1, { loss: 1 / (i + 1), lr: 0.1 });
    }
    bar.close();
    const plots = out.filter(([, c]) => c.data['application/vnd.plotly.v1+json']);
    expect(plots[0]![0]).toBe('display_data');
    expect(plots.slice(1).every(([t]) => t === 'update_display_data')).toBe(true);
    expect(new Set(plots.map(([, c]) => c.transient.display_id)).size).toBe(1);
    expect(plots.length).toBeLessThanOrEqual(6);
    const last = drawn.at(-1)!;
    expect(last.map((s) => s.name)).toEqual(['loss']);
    expect(last[0]!.y.length).toBe(500);
    expect(last[0]!.x.at(-1)).toBe(2000);
    expect(last[0]!.y.at(-1)).toBeCloseTo(1 / 2000);
  });

  it('without the engine the curve is a text summary', () => {
    const out: [string, any][] = [];
    const { display } = createDisplay((t, c) => out.push([t, c]));
    const bar = createProgress(display, () => 0)(3, { plot: true });
    bar.update(1, { loss: 2 });
    bar.update(1, { loss: 1 });
    bar.close();
    expect(out.at(-1)![1].data['text/plain']).toMatch(/^loss: last=1, min=1 over 2 steps$/);
  });

  it('wraps iterables and escapes labels in HTML', () => {
    const out: [string, any][] = [];
    const { display } = createDisplay((t, c) => out.push([t, c]));
    const seen = [...createProgress(display)(['a', 'b'], { label: '<b>x</b>' })];
    expect(seen).toEqual(['a', 'b']);
    expect(out.at(-1)![1].data['text/html']).toContain('&lt;b&gt;x&lt;/b&gt;');
    expect(() => [...createProgress(display)(3)]).toThrow('not iterable');
  });
});
