/**
 * Reading and writing nbformat 4 notebooks, normalised to nbformat 4.5 (every cell has an id).
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import type { NotebookOutput } from './outputs.js';

/** A notebook cell (the fields seqlab touches; others are kept as they are). */
export interface NotebookCell {
  id: string;
  cell_type: 'code' | 'markdown' | 'raw';
  source: string | string[];
  metadata: Record<string, unknown>;
  outputs?: NotebookOutput[];
  execution_count?: number | null;
  [other: string]: unknown;
}

/** An nbformat 4 notebook. */
export interface Notebook {
  nbformat: number;
  nbformat_minor: number;
  metadata: Record<string, unknown>;
  cells: NotebookCell[];
}

const ID_RE = /^[a-zA-Z0-9-_]{1,64}$/;

/** The source of a cell as one string. */
export function cellSource(cell: NotebookCell): string {
  return Array.isArray(cell.source) ? cell.source.join('') : cell.source;
}

/**
 * Reads a notebook file and upgrades it to nbformat 4.5: cells get ids (kept when valid and
 * unique), code cells get `outputs` and `execution_count`.
 *
 * @throws Error naming the file when it is not JSON or not nbformat 4.
 */
export function readNotebook(path: string): Notebook {
  let nb: Notebook;
  try {
    nb = JSON.parse(readFileSync(path, 'utf8')) as Notebook;
  } catch (e) {
    throw new Error(`${path}: not a notebook (${(e as Error).message})`);
  }
  if (nb.nbformat !== 4 || !Array.isArray(nb.cells)) throw new Error(`${path}: only nbformat 4 notebooks are supported (found nbformat ${String(nb.nbformat)})`);
  nb.nbformat_minor = Math.max(nb.nbformat_minor ?? 0, 5);
  nb.metadata ??= {};
  const seen = new Set<string>();
  for (const cell of nb.cells) {
    if (typeof cell.id !== 'string' || !ID_RE.test(cell.id) || seen.has(cell.id)) {
      let id: string;
      do id = randomBytes(4).toString('hex');
      while (seen.has(id));
      cell.id = id;
    }
    seen.add(cell.id);
    cell.metadata ??= {};
    if (cell.cell_type === 'code') {
      cell.outputs ??= [];
      cell.execution_count ??= null;
    }
  }
  return nb;
}

/** Writes a notebook as Jupyter does (one-space indent, trailing newline). */
export function writeNotebook(path: string, nb: Notebook): void {
  writeFileSync(path, JSON.stringify(nb, null, 1) + '\n');
}
