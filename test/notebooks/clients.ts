/**
 * The two Jupyter clients the lecture notebooks must run under — `seqlab run` and Debian's
 * `jupyter nbconvert --execute` — and what the notebook checks compare between them.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { REPO, SEQLAB_BIN, tempDir } from '../kernel/helpers.js';

export const NOTEBOOKS_DIR = join(REPO, 'notebooks');
export const RESULTS_FILE = join(REPO, 'test-results', 'notebooks.json');

/** Seconds a single cell may take before the client interrupts it (generous: the budget is checked by npm run notebooks:budget). */
export const CELL_TIMEOUT = 600;

/** The MIME types seqlab's renderers draw (the contract in engine/schemas). */
export const VIEW_TYPES = [
  'application/vnd.seqlab.attention.v1+json',
  'application/vnd.seqlab.hidden-states.v1+json',
  'application/vnd.seqlab.gates.v1+json',
  'application/vnd.plotly.v1+json',
];

export interface Output {
  output_type: string;
  name?: string;
  data?: Record<string, unknown>;
  ename?: string;
  evalue?: string;
  traceback?: string[];
}
export interface Cell {
  cell_type: string;
  source: string | string[];
  execution_count?: number | null;
  outputs?: Output[];
}
export interface Notebook {
  nbformat: number;
  nbformat_minor: number;
  metadata?: Record<string, unknown>;
  cells: Cell[];
}

export const text = (v: string | string[] | undefined): string => (Array.isArray(v) ? v.join('') : (v ?? ''));
export const readNotebook = (path: string): Notebook => JSON.parse(readFileSync(path, 'utf8')) as Notebook;

/** The code cells that have source, with their 1-based position among all cells. */
export function codeCells(nb: Notebook): Array<{ cell: Cell; number: number }> {
  return nb.cells.map((cell, i) => ({ cell, number: i + 1 })).filter(({ cell }) => cell.cell_type === 'code' && text(cell.source).trim() !== '');
}

/** An executed notebook's error outputs, as "cell N: ename: evalue" with the traceback's first lines. */
export function errorsIn(nb: Notebook): string[] {
  return codeCells(nb).flatMap(({ cell, number }) =>
    (cell.outputs ?? []).filter((o) => o.output_type === 'error').map((o) => `cell ${number}: ${o.ename}: ${o.evalue}\n${(o.traceback ?? []).slice(0, 6).join('\n')}`),
  );
}

/**
 * The shape of a cell's outputs, to compare clients: output type, stream name or the MIME
 * types of the bundle; consecutive streams of one name count once (clients may split them
 * differently).
 */
export function outputShape(cell: Cell): string[] {
  const shape: string[] = [];
  for (const o of cell.outputs ?? []) {
    const s = o.output_type === 'stream' ? `stream:${o.name}` : o.output_type === 'error' ? `error:${o.ename}` : `${o.output_type}:${Object.keys(o.data ?? {}).sort().join(',')}`;
    if (s.startsWith('stream:') && shape.at(-1) === s) continue;
    shape.push(s);
  }
  return shape;
}

/** Views (seqlab MIME types and plotly figures) among the outputs of a notebook, by MIME type. */
export function viewsIn(nb: Notebook): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const { cell } of codeCells(nb)) {
    for (const o of cell.outputs ?? []) {
      for (const m of Object.keys(o.data ?? {}).filter((k) => VIEW_TYPES.includes(k))) counts[m] = (counts[m] ?? 0) + 1;
    }
  }
  return counts;
}

/** Validates with Debian's nbformat (the reference implementation); throws its message. */
export function validateNbformat(path: string): void {
  const r = spawnSync(
    '/usr/bin/python3',
    ['-c', 'import sys, nbformat\nnb = nbformat.read(sys.argv[1], as_version=4)\nnbformat.validate(nb)\nassert (nb.nbformat, nb.nbformat_minor) >= (4, 5), f"nbformat {nb.nbformat}.{nb.nbformat_minor}"', path],
    { encoding: 'utf8' },
  );
  if (r.status !== 0) throw new Error(`${path} is not valid nbformat 4.5:\n${r.stderr}`);
}

/** What one client run produced. */
export interface ClientRun {
  output: string;
  seconds: number;
  status: number | null;
  stderr: string;
}

/** `seqlab run NOTEBOOK --out DIR`. */
export function seqlabRun(notebook: string, outDir: string, env: Record<string, string> = {}): ClientRun {
  mkdirSync(outDir, { recursive: true });
  const started = performance.now();
  const r = spawnSync(process.execPath, [SEQLAB_BIN, 'run', notebook, '--out', outDir, '--timeout', String(CELL_TIMEOUT)], {
    encoding: 'utf8',
    env: { ...process.env, SEQLAB_DATA_DIR: tempDir('seqlab-nb-data-'), ...env },
    timeout: 30 * 60_000,
  });
  return { output: join(outDir, basename(notebook)), seconds: (performance.now() - started) / 1000, status: r.status, stderr: r.stderr };
}

let prefix: string | undefined;

/** The seqlab kernelspec installed into a temporary prefix (once per test file), for `JUPYTER_PATH`. */
export function kernelspecPath(): string {
  if (!prefix) {
    prefix = tempDir('seqlab-nb-prefix-');
    execFileSync(process.execPath, [SEQLAB_BIN, 'install', '--prefix', prefix], { stdio: 'pipe' });
  }
  return join(prefix, 'share', 'jupyter');
}

/** `jupyter nbconvert --to notebook --execute` with Debian's Jupyter and the seqlab kernelspec. */
export function nbconvertRun(notebook: string, outDir: string): ClientRun {
  if (!existsSync('/usr/bin/jupyter')) throw new Error('missing /usr/bin/jupyter: install the Debian packages jupyter-nbconvert jupyter-client with: bash scripts/system-deps.sh');
  mkdirSync(outDir, { recursive: true });
  const started = performance.now();
  const r = spawnSync(
    '/usr/bin/jupyter',
    ['nbconvert', '--to', 'notebook', '--execute', `--ExecutePreprocessor.timeout=${CELL_TIMEOUT}`, '--output-dir', outDir, notebook],
    { encoding: 'utf8', env: { ...process.env, JUPYTER_PATH: kernelspecPath(), SEQLAB_DATA_DIR: tempDir('seqlab-nb-data-') }, timeout: 30 * 60_000 },
  );
  return { output: join(outDir, basename(notebook)), seconds: (performance.now() - started) / 1000, status: r.status, stderr: r.stderr };
}

/** Merges one notebook's record into test-results/notebooks.json (kept across files and runs of one suite). */
export function recordNotebook(name: string, record: Record<string, unknown>): void {
  mkdirSync(join(REPO, 'test-results'), { recursive: true });
  let all: { at?: string; notebooks: Record<string, Record<string, unknown>> } = { notebooks: {} };
  try {
    all = JSON.parse(readFileSync(RESULTS_FILE, 'utf8'));
  } catch {
    // first record of this run
  }
  all.at = new Date().toISOString();
  all.notebooks[name] = { ...all.notebooks[name], ...record };
  writeFileSync(RESULTS_FILE, `${JSON.stringify(all, null, 2)}\n`);
}
