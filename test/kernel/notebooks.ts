/** Small notebooks the kernel suites execute. */
import { writeFileSync } from 'node:fs';

/** Writes an nbformat 4 notebook for the seqlab kernel with these code cells. */
export function writeNotebook(path: string, cells: string[], minor = 4): void {
  const nb = {
    nbformat: 4,
    nbformat_minor: minor,
    metadata: { kernelspec: { name: 'seqlab', display_name: 'TypeScript (seqlab)', language: 'typescript' } },
    cells: [
      { cell_type: 'markdown', metadata: {}, source: ['# A test notebook\n', 'for the seqlab kernel'] },
      ...cells.map((source) => ({ cell_type: 'code', metadata: {}, execution_count: null, outputs: [], source })),
    ],
  };
  writeFileSync(path, JSON.stringify(nb, null, 1));
}

/** Cells producing each kind of output. */
export const SAMPLE_CELLS = [
  'const xs = [1, 2, 3];\nconsole.log("sum", xs.reduce((a, b) => a + b, 0));',
  'display.html("<b>bold</b>");\ndisplay.json({ a: 1 });',
  'const bar = progress(3, { label: "steps" }); for (let i = 0; i < 3; i++) bar.update(); bar.close();',
  '({ [Symbol.for("Jupyter.display")]: () => ({ "application/vnd.seqlab.test+json": { ok: true }, "text/plain": "test view" }) })',
  'xs.map((x) => x * 2)',
];
