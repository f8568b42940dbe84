/**
 * Executed notebooks for the `seqlab export` suites, built in memory: every kind of cell and
 * output, seqlab views from the engine's own display builders, hostile user text.
 */
import { writeFileSync } from 'node:fs';
import { attentionView, hiddenStatesView, linePlot } from '../../engine/src/display/index.js';

export const HOSTILE = '<img src=x onerror=alert(1)>';
export const SCRIPT_TOKEN = '</script><script>alert(2)</script>';

/** A display bundle of an engine display object. */
export function bundleOf(view: object): Record<string, unknown> {
  return (view as Record<symbol, () => Record<string, unknown>>)[Symbol.for('Jupyter.display')]!();
}

/** An attention view whose tokens try to break out of every context they land in. */
export function hostileAttention(): Record<string, unknown> {
  const tokens = ['the', HOSTILE, SCRIPT_TOKEN, '&amp;'];
  const w = tokens.map((_, i) => tokens.map((_, j) => (j <= i ? 1 / (i + 1) : 0)));
  return bundleOf(attentionView({ queryTokens: tokens, weights: w, title: `attention ${HOSTILE}` }));
}

const md = (source: string, extra: Record<string, unknown> = {}) => ({ cell_type: 'markdown', metadata: {}, source, ...extra });
const code = (source: string, count: number | null, outputs: unknown[], metadata: Record<string, unknown> = {}) => ({
  cell_type: 'code',
  metadata,
  execution_count: count,
  source,
  outputs,
});

/** Cells of an executed notebook covering every output type the export handles. */
export function executedNotebook(options: { title?: string; extraMarkdown?: string } = {}): Record<string, unknown> {
  const states = hiddenStatesView({ tokens: ['a', 'b', HOSTILE], series: { h: [[0.1, -0.2], [0.3, 0.4], [-0.5, 0.6]] } });
  const loss = linePlot({ train: [3, 2, 1.5, 1.2] }, { title: 'loss' });
  const cells = [
    md(`# ${options.title ?? 'Attention & "quotes" <3'}\n\nThe state $h_t$ and a <b>bold</b> word.\n\n${options.extraMarkdown ?? ''}`),
    md('## Equations\n\n$$\n\\begin{aligned}\nf_t &= \\sigma(W_f [h_{t-1}, x_t] + b_f) \\\\\ni_t &= \\sigma(W_i x_t)\n\\end{aligned}\n$$\n\nIt costs $5 and $10.'),
    code('const x: number = 1;\nconsole.log("<hello>");', 1, [
      { output_type: 'stream', name: 'stdout', text: ['<hello>\n', 'line 2\n'] },
      { output_type: 'stream', name: 'stderr', text: 'careful & <warned>\n' },
    ]),
    code('x + 1', 2, [{ output_type: 'execute_result', execution_count: 2, data: { 'text/plain': '2' }, metadata: {} }]),
    code('display(attention)', 3, [{ output_type: 'display_data', data: hostileAttention(), metadata: {} }]),
    code('display(states); loss', 4, [
      { output_type: 'display_data', data: bundleOf(states), metadata: {} },
      { output_type: 'execute_result', execution_count: 4, data: bundleOf(loss), metadata: {} },
    ]),
    code('display.html(table)', 5, [
      { output_type: 'display_data', data: { 'text/html': '<table><tr><td>1</td></tr></table><script>parent.document.title="pwned"</script>', 'text/plain': 'table' }, metadata: {} },
    ]),
    code('throw new TypeError("bad <shape>")', 6, [
      { output_type: 'error', ename: 'TypeError', evalue: 'bad <shape>', traceback: ['\u001b[0;31m\u001b[1mTypeError\u001b[0m: bad <shape>', '    at In[6]:1:7'] },
    ]),
    code('// hidden source', 7, [{ output_type: 'stream', name: 'stdout', text: 'only the output\n' }], { tags: ['remove-input'] }),
    code('secret()', 8, [{ output_type: 'stream', name: 'stdout', text: 'removed\n' }], { tags: ['remove-cell'] }),
  ];
  return {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: {
      kernelspec: { name: 'seqlab', display_name: 'TypeScript (seqlab)', language: 'typescript' },
      language_info: { name: 'typescript', file_extension: '.ts' },
    },
    cells: cells.map((c, i) => ({ id: `cell-${i}`, ...c })),
  };
}

/** A notebook with cleared outputs (as the project commits them). */
export function clearedNotebook(title = 'Cleared'): Record<string, unknown> {
  return {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: { kernelspec: { name: 'seqlab', display_name: 'TypeScript (seqlab)', language: 'typescript' } },
    cells: [md(`# ${title}`), code('1 + 1', null, [])].map((c, i) => ({ id: `c${i}`, ...c })),
  };
}

/** Writes a notebook object as a file. */
export function writeJson(path: string, nb: unknown): string {
  writeFileSync(path, JSON.stringify(nb, null, 1));
  return path;
}
