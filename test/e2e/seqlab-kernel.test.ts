/**
 * The seqlab kernel in the real JupyterLab: installed with `seqlab install --prefix`, a
 * TypeScript notebook runs, and its results, streams and a plotly figure (an object that
 * shows itself through `Symbol.for("Jupyter.display")`) appear in the page.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { join } from 'node:path';

import { notebook, outputText, prepareHost, recordTimings, renderedFigures, resultsDir, startLab, type Lab } from './harness.js';

const seqlabKernel = { name: 'seqlab', display_name: 'TypeScript (seqlab)', language: 'typescript' };

const figureCell = `const figure = {
  [Symbol.for('Jupyter.display')]() {
    return {
      'application/vnd.plotly.v1+json': {
        data: [{ type: 'scatter', mode: 'lines+markers', name: 'doubling', x: [1, 2, 3, 4], y: [2, 4, 8, 16] }],
        layout: { title: { text: 'seqlab e2e figure' } },
      },
      'text/plain': 'plotly figure: doubling',
    };
  },
};
display(figure);`;

// Real engine traces, computed by the kernel: an LSTM's states and gates, self-attention.
const traceCells = [
  `manualSeed(0);
const tokens = [...'hello seqlab'];
const vocab = [...new Set(tokens)];
const ids = tensor([tokens.map((c) => vocab.indexOf(c))], { dtype: 'int32' });
const embed = new nn.Embedding(vocab.length, 8);
const lstm = new nn.LSTM(8, 12, { batchFirst: true });
const lstmTrace = trace(lstm, () => lstm.forward(embed.forward(ids)), { tokens });
const mha = new nn.MultiheadAttention(8, 2, { batchFirst: true });
const x = embed.forward(ids);
const attentionTrace = trace(mha, () => mha.forward(x, x, x), { tokens });`,
  'display(lstmTrace.hiddenStates());',
  'display(lstmTrace.gates());',
  'display(attentionTrace.attention());',
  "display(linePlot({ loss: [2.5, 1.9, 1.4, 1.1, 0.9] }, { title: 'training loss' }));",
];

// Browser steps are slow on a loaded 2-core machine; a wedged page still fails within 2 minutes.
describe('seqlab kernel in JupyterLab', { timeout: 120_000 }, () => {
  let lab: Lab | null = null;

  beforeAll(async () => {
    await prepareHost();
    lab = await startLab({
      seqlab: true,
      notebooks: {
        'typescript.ipynb': notebook(['1 + 1', 'console.log(`hello from ${"seqlab"}`);', figureCell], seqlabKernel),
        'traces.ipynb': notebook(traceCells, seqlabKernel),
      },
    });
  }, 900_000);

  // close() fails when a kernel process outlives the server.
  afterAll(async () => {
    await lab?.close();
  }, 60_000);

  it('lists the seqlab kernelspec that seqlab install wrote', async () => {
    const specs = (await (await lab!.server.api('api/kernelspecs')).json()) as {
      kernelspecs: Record<string, { spec: { display_name: string; language: string } }>;
    };
    expect(specs.kernelspecs['seqlab']?.spec).toMatchObject({ display_name: 'TypeScript (seqlab)', language: 'typescript' });
  });

  it('runs TypeScript cells and shows the result, the stream and a plotly figure', async () => {
    const started = Date.now();
    const l = lab!;
    await l.openNotebook('typescript.ipynb');
    await l.waitForKernel();
    const kernelName = await l.page.evaluate(
      () => (window as unknown as { jupyterapp: any }).jupyterapp.shell.currentWidget.sessionContext.session.kernel.name
    );
    expect(kernelName).toBe('seqlab');
    const cells = await l.runAllCells();
    expect(cells.every(c => c.outputs.every(o => o['output_type'] !== 'error'))).toBe(true);
    expect(outputText(cells[0]!)).toBe('2');
    expect(outputText(cells[1]!)).toBe('hello from seqlab\n');
    const bundle = cells[2]!.outputs[0]!;
    expect(bundle['output_type']).toBe('display_data');
    expect(Object.keys(bundle['data'] as object).sort()).toEqual(['application/vnd.plotly.v1+json', 'text/plain']);

    // Drawn by seqlab's extension (plotly.js bundled, no CDN), not shown as text.
    expect(l.seqlab?.labextensionDir, 'the @seqlab/jupyterlab labextension must be built and installed').toBeTruthy();
    await l.page.waitForSelector('.jp-OutputArea-output .js-plotly-plot', { timeout: 30_000 });
    const [figure] = await renderedFigures(l.page);
    expect(figure!.title).toBe('seqlab e2e figure');
    expect(figure!.traces).toHaveLength(1);
    expect(figure!.traces[0]).toMatchObject({ type: 'scatter', name: 'doubling', x: [1, 2, 3, 4], y: [2, 4, 8, 16] });
    // Laid out at a readable size in the output area, not collapsed.
    expect(figure!.height).toBeGreaterThanOrEqual(200);
    await l.page.waitForTimeout(500);
    await l.screenshot('seqlab-kernel-notebook');
    expect(l.unexpectedErrors()).toEqual([]);
    recordTimings('seqlab kernel notebook', { ...l.timings, wholeTest: (Date.now() - started) / 1000 });
  });

  it('draws views of real engine traces computed in the kernel, and the head view answers hover', async () => {
    const started = Date.now();
    const l = lab!;
    await l.openNotebook('traces.ipynb');
    await l.waitForKernel();
    const cells = await l.runAllCells();
    expect(cells.flatMap(c => c.outputs.filter(o => o['output_type'] === 'error'))).toEqual([]);
    const mimes = cells.slice(1).map(c => Object.keys((c.outputs[0]?.['data'] ?? {}) as object).find(m => m.startsWith('application/')));
    expect(mimes).toEqual([
      'application/vnd.seqlab.hidden-states.v1+json',
      'application/vnd.seqlab.gates.v1+json',
      'application/vnd.seqlab.attention.v1+json',
      'application/vnd.plotly.v1+json',
    ]);
    await l.page.evaluate(() => {
      const panel = (window as unknown as { jupyterapp: any }).jupyterapp.shell.currentWidget;
      panel.content.widgets.forEach((cell: { node: HTMLElement }, i: number) => cell.node.setAttribute('data-e2e-cell', String(i)));
    });
    const scope = (i: number): string => `.jp-Notebook [data-e2e-cell="${i}"] .jp-OutputArea-output`;
    for (const i of [1, 2, 4]) {
      await l.page.waitForSelector(`${scope(i)} .js-plotly-plot .main-svg`, { timeout: 30_000 });
    }
    const tokens = [...'hello seqlab'];

    const [states] = await renderedFigures(l.page, scope(1));
    expect(states!.traces[0]!.type).toBe('heatmap');
    // 12 hidden units (rows) over 12 characters (columns).
    expect(states!.traces[0]!.z).toHaveLength(12);
    expect((states!.traces[0]!.z as unknown[][])[0]).toHaveLength(tokens.length);

    const [gates] = await renderedFigures(l.page, scope(2));
    const gatesPayload = (cells[2]!.outputs[0]!['data'] as Record<string, { gates: Record<string, unknown> }>)['application/vnd.seqlab.gates.v1+json']!;
    expect(Object.keys(gatesPayload.gates)).toEqual(expect.arrayContaining(['input', 'forget', 'candidate', 'output', 'cell']));
    expect(gates!.traces.filter(t => t.type === 'heatmap').map(t => t.name)).toEqual(Object.keys(gatesPayload.gates));

    const view = `${scope(3)} .seqlab-attention`;
    // Whitespace tokens get a visible label and the token itself in a <title>.
    const labels = await l.page.$$eval(`${view} .seqlab-query text`, ns => ns.map(n => n.querySelector('title')?.textContent ?? n.textContent));
    expect(labels).toEqual(tokens);
    await l.page.locator(`${view} .seqlab-query[data-index="1"]`).hover();
    await l.page.waitForSelector(`${view} .seqlab-query.seqlab-active[data-index="1"]`, { timeout: 5_000 });
    const focus = await l.page.$$eval(`${view} .seqlab-focus line`, ns => ns.map(n => n.getAttribute('data-query')));
    expect(focus.length).toBeGreaterThan(0);
    expect(new Set(focus)).toEqual(new Set(['1']));

    const [loss] = await renderedFigures(l.page, scope(4));
    expect(loss!.title).toBe('training loss');
    expect(loss!.traces[0]!.y).toEqual([2.5, 1.9, 1.4, 1.1, 0.9]);

    for (const [i, name] of [
      [1, 'seqlab-kernel-hidden-states'],
      [2, 'seqlab-kernel-gates'],
      [3, 'seqlab-kernel-attention-hover'],
      [4, 'seqlab-kernel-loss'],
    ] as const) {
      await l.page.locator(scope(i)).first().screenshot({ path: join(resultsDir, `${name}.png`) });
    }
    expect(l.unexpectedErrors()).toEqual([]);
    recordTimings('seqlab kernel traces', { ...l.timings, wholeTest: (Date.now() - started) / 1000 });
  });
});
