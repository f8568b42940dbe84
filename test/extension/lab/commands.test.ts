// @vitest-environment jsdom
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { IRenderMime } from '@jupyterlab/rendermime-interfaces';
import { drawnLikePlotly, recordingPlotly } from '../plotly-recorder.js';

// jsdom has no DragEvent, which @lumino/dragdrop (loaded by @lumino/widgets) subclasses.
(globalThis as { DragEvent?: unknown }).DragEvent ??= class DragEvent extends MouseEvent {};
const { Widget } = await import('@lumino/widgets');
const { SeqlabRenderer } = await import('../../../extension/src/renderer.js');
const commands = await import('../../../extension/src/lab/commands.js');
const { bundleTitle, commandTarget, CONTEXT_MENU_ARGS, copyBundle, lastRendererIn, NO_VIEW_MESSAGE, runSaveCommand, viewKind } = commands;
type CommandHost = import('../../../extension/src/lab/commands.js').CommandHost;
type Renderer = InstanceType<typeof SeqlabRenderer>;

const GATES = 'application/vnd.seqlab.gates.v1+json';
const ATT = 'application/vnd.seqlab.attention.v1+json';
const tokens = ['a', 'b'];
const gates = { version: 1, architecture: 'gru', title: 'GRU gates', tokens, gates: { reset: [[0.1], [0.2]], update: [[0.5], [0.6]] } };

/** A recorder that behaves like plotly.js after a draw (320 x 240), with a toImage. */
function fakePlotly() {
  const rec = recordingPlotly();
  drawnLikePlotly(rec, 320, 240);
  return rec;
}

async function rendered(mime: string, data: unknown, parent: HTMLElement = document.body): Promise<Renderer> {
  const r = new SeqlabRenderer({ mimeType: mime, sanitizer: {} } as IRenderMime.IRendererOptions, fakePlotly().loader);
  Widget.attach(r, parent);
  await r.renderModel({ trusted: false, data: { [mime]: data, 'text/plain': 'gates' }, metadata: { isolated: false }, setData: () => undefined } as unknown as IRenderMime.IMimeModel);
  return r;
}

function host(over: Partial<CommandHost> = {}) {
  const notes: Array<[string, string]> = [];
  const downloads: Array<{ blob: Blob; name: string }> = [];
  const h: CommandHost = {
    contextTarget: () => null,
    activeTarget: () => null,
    notify: (level, message) => void notes.push([level, message]),
    download: (blob, name) => void downloads.push({ blob, name }),
    ...over,
  };
  return { h, notes, downloads };
}

afterEach(() => {
  for (const w of Array.from(document.body.children)) w.remove();
});

describe('finding the view a command acts on', () => {
  it('finds the renderer holding a node, the last one in a cell, and forgets disposed ones', async () => {
    const cell = document.createElement('div');
    document.body.append(cell);
    const first = await rendered(GATES, gates, cell);
    const second = await rendered(GATES, { ...gates, title: 'second' }, cell);
    expect(SeqlabRenderer.containing(first.node.querySelector('.seqlab-title'))).toBe(first);
    expect(SeqlabRenderer.containing(first.node.querySelector('.seqlab-title')!.firstChild)).toBe(first);
    expect(SeqlabRenderer.containing(cell)).toBeNull();
    expect(SeqlabRenderer.containing(undefined)).toBeNull();
    expect(lastRendererIn(cell)).toBe(second);
    second.dispose();
    expect(lastRendererIn(cell)).toBe(first);
    expect(lastRendererIn(null)).toBeNull();
  });

  it('uses the right-clicked view from the context menu and the active one otherwise', async () => {
    const clicked = await rendered(GATES, gates);
    const active = await rendered(GATES, gates);
    const { h } = host({ contextTarget: () => clicked, activeTarget: () => active });
    expect(commandTarget(CONTEXT_MENU_ARGS, h)).toBe(clicked);
    expect(commandTarget({}, h)).toBe(active);
    // An output that left the page (cleared) is no target.
    active.node.remove();
    expect(commandTarget({}, h)).toBeNull();
  });
});

describe('the save commands', () => {
  it('say there is no seqlab view, and do nothing, when there is none', async () => {
    const { h, notes, downloads } = host();
    expect(await runSaveCommand('png', {}, h)).toBeNull();
    expect(await runSaveCommand('svg', CONTEXT_MENU_ARGS, h)).toBeNull();
    expect(notes).toEqual([
      ['info', NO_VIEW_MESSAGE],
      ['info', NO_VIEW_MESSAGE],
    ]);
    expect(downloads).toEqual([]);
  });

  it('download the composed SVG, or the PNG made from it, named after the view', async () => {
    const r = await rendered(GATES, gates);
    const toPng = vi.fn(async (_svg: string, _w: number, _h: number) => new Blob([new Uint8Array([0x89, 0x50, 0x4e, 0x47])], { type: 'image/png' }));
    const { h, notes, downloads } = host({ contextTarget: () => r, toPng });
    expect(await runSaveCommand('svg', CONTEXT_MENU_ARGS, h)).toBe('gru-gates.svg');
    expect(await runSaveCommand('png', CONTEXT_MENU_ARGS, h)).toBe('gru-gates.png');
    expect(notes).toEqual([]);
    expect(downloads.map((d) => [d.name, d.blob.type])).toEqual([
      ['gru-gates.svg', 'image/svg+xml'],
      ['gru-gates.png', 'image/png'],
    ]);
    // jsdom's Blob has no text(); its FileReader reads it.
    const svg = await new Promise<string>((resolve) => {
      const reader = new FileReader();
      reader.onload = () => resolve(reader.result as string);
      reader.readAsText(downloads[0]!.blob);
    });
    expect(svg).toContain('GRU gates');
    expect(svg).toContain('<text>reset</text><text>update</text>');
    // The PNG is drawn from the same composed SVG, at its size.
    const height = Number(/<svg [^>]*height="(\d+)"/.exec(svg.split('\n')[1]!)![1]);
    expect(toPng).toHaveBeenCalledWith(svg, 320 + 24, height);
    expect(height).toBeGreaterThan(240);
  });

  it('explain why an error output is not saved, and report failures', async () => {
    const bad = await rendered(ATT, { version: 1, queryTokens: ['a'], keyTokens: ['a'], weights: 'nope' });
    const { h, notes, downloads } = host({ activeTarget: () => bad });
    expect(await runSaveCommand('png', {}, h)).toBeNull();
    expect(notes).toHaveLength(1);
    expect(notes[0]![0]).toBe('warning');
    expect(notes[0]![1]).toMatch(/^Nothing saved: this output shows an error instead of a figure/);

    const good = await rendered(GATES, gates);
    const failing = host({ activeTarget: () => good, toPng: () => Promise.reject(new Error('canvas is tainted')) });
    expect(await runSaveCommand('png', {}, failing.h)).toBeNull();
    expect(failing.notes).toEqual([['error', 'Could not save the view as PNG: canvas is tainted']]);
    expect(downloads).toEqual([]);
  });
});

describe('bundles for side panels', () => {
  it('copies a bundle deeply, so the panel keeps it when the output changes', async () => {
    const r = await rendered(GATES, gates);
    const copy = copyBundle(r.bundle!);
    expect(copy).toEqual({ mimeType: GATES, data: { [GATES]: gates, 'text/plain': 'gates' }, metadata: { isolated: false }, trusted: false });
    ((r.bundle!.data[GATES] as { tokens: string[] }).tokens)[0] = 'changed';
    expect((copy.data[GATES] as { tokens: string[] }).tokens[0]).toBe('a');
    gates.tokens[0] = 'a';
  });

  it('titles a panel from the payload or the plotly layout', () => {
    const b = (mimeType: string, payload: unknown) => ({ mimeType, data: { [mimeType]: payload } as IRenderMime.IMimeModel['data'], metadata: {}, trusted: true });
    expect(bundleTitle(b(GATES, gates))).toBe('GRU gates');
    expect(bundleTitle(b('application/vnd.plotly.v1+json', { data: [], layout: { title: { text: ' loss ' } } }))).toBe('loss');
    expect(bundleTitle(b('application/vnd.plotly.v1+json', { data: [], layout: { title: 'norms' } }))).toBe('norms');
    expect(bundleTitle(b('application/vnd.plotly.v1+json', { data: [] }))).toBeUndefined();
    expect(bundleTitle(b(ATT, { title: '  ' }))).toBeUndefined();
    // A plotly figure seqlab made comes as its mark; the title is the marked figure's.
    const MARK = 'application/vnd.seqlab.figure.v1+json';
    const marked = { mimeType: MARK, data: { 'application/vnd.plotly.v1+json': { data: [], layout: { title: 'norms' } }, [MARK]: { version: 1, of: 'application/vnd.plotly.v1+json' } } as IRenderMime.IMimeModel['data'], metadata: {}, trusted: true };
    expect(bundleTitle(marked)).toBe('norms');
    expect([viewKind(MARK), viewKind('application/vnd.plotly.v1+json'), viewKind(GATES)]).toEqual(['plotly', 'plotly', 'gates']);
  });
});
