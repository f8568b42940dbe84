/**
 * The seqlab kernel in the real JupyterLab: installed with `seqlab install --prefix`, a
 * TypeScript notebook runs, and its results, streams and a plotly figure (an object that
 * shows itself through `Symbol.for("Jupyter.display")`) appear in the page.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { processesMentioning } from '../../extension/host/src/server.js';
import { notebook, outputText, prepareHost, recordTimings, renderedFigures, startLab, type Lab } from './harness.js';

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

describe('seqlab kernel in JupyterLab', () => {
  let lab: Lab | null = null;

  beforeAll(async () => {
    await prepareHost();
    lab = await startLab({
      seqlab: true,
      notebooks: {
        'typescript.ipynb': notebook(['1 + 1', 'console.log(`hello from ${"seqlab"}`);', figureCell], seqlabKernel),
      },
    });
  }, 900_000);

  afterAll(async () => {
    const runtimeDir = lab?.server.runtimeDir;
    await lab?.close();
    if (runtimeDir) {
      expect(processesMentioning(runtimeDir)).toEqual([]);
    }
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
});
