/**
 * Stack traces that point at cells: frames in compiled cells are mapped back to the cell's
 * line and column through the TypeScript source map, and the kernel's own frames are hidden.
 */
import type { SourceMap } from 'node:module';
import { fileURLToPath } from 'node:url';
import { dirname } from 'node:path';
import { inspect } from 'node:util';
import { CELL_FUNCTION } from './transform.js';

/** What the kernel remembers of a compiled cell to map its frames. */
interface CellRecord {
  map: SourceMap | undefined;
  lines: string[];
}

const cells = new Map<string, CellRecord>();
const kernelDist = dirname(dirname(fileURLToPath(import.meta.url)));

/** Remembers a compiled cell so that frames in `fileName` can be mapped. */
export function registerCell(fileName: string, source: string, map: SourceMap | undefined): void {
  cells.set(fileName, { map, lines: source.split('\n') });
}

/** A 1-based position in a cell. */
export interface CellPosition {
  cell: string;
  line: number;
  column: number;
}

/** Maps a 1-based line/column of compiled cell JavaScript to the cell source. */
export function mapCellPosition(fileName: string, line: number, column: number): CellPosition | undefined {
  const rec = cells.get(fileName);
  if (!rec) return undefined;
  if (!rec.map) return { cell: fileName, line, column };
  const e = rec.map.findEntry(line - 1, column - 1) as { originalLine?: number; originalColumn?: number };
  if (e.originalLine === undefined || e.originalColumn === undefined) return undefined;
  return { cell: fileName, line: e.originalLine + 1, column: e.originalColumn + 1 };
}

function isKernelFrame(file: string | null | undefined): boolean {
  if (!file) return false;
  const path = file.startsWith('file://') ? fileURLToPath(file) : file;
  return path.startsWith(kernelDist) || file.startsWith('node:internal') || file.startsWith('node:worker_threads');
}

interface MappedFrame {
  text: string;
  position?: CellPosition;
}

function formatFrame(cs: NodeJS.CallSite): MappedFrame | undefined {
  const file = cs.getFileName() ?? cs.getScriptNameOrSourceURL?.();
  if (file && cells.has(file)) {
    const pos = mapCellPosition(file, cs.getLineNumber() ?? 0, cs.getColumnNumber() ?? 0);
    const where = pos ? `${file}:${pos.line}:${pos.column}` : `${file}`;
    const fn = cs.getFunctionName();
    const prefix = cs.isAsync() ? 'async ' : '';
    const shown = fn?.startsWith('globalThis.') ? fn.slice('globalThis.'.length) : fn;
    const name = fn === CELL_FUNCTION ? '' : shown ? `${prefix}${shown}` : '';
    return { text: name ? `    at ${name} (${where})` : `    at ${where}`, ...(pos ? { position: pos } : {}) };
  }
  if (isKernelFrame(file)) return undefined;
  return { text: `    at ${cs.toString()}` };
}

/** Name and message as V8 prints them in the first line of a stack. */
function headline(err: unknown): string {
  if (err instanceof Error) {
    try {
      return Error.prototype.toString.call(err);
    } catch {
      return 'Error';
    }
  }
  return String(err);
}

const innermostCellFrame = new WeakMap<object, CellPosition>();

/**
 * Installs `Error.prepareStackTrace` in this realm so that every stack (also one a user
 * prints) shows cell positions instead of compiled ones.
 */
export function installStackMapping(): void {
  Error.stackTraceLimit = Math.max(Error.stackTraceLimit, 30);
  Error.prepareStackTrace = (err: Error, callsites: NodeJS.CallSite[]) => {
    const frames: string[] = [];
    let first: CellPosition | undefined;
    // Frames below the outermost cell frame are the kernel calling the cell: leave them out.
    let last = -1;
    callsites.forEach((cs, i) => {
      if (cs.getFunctionName() === CELL_FUNCTION && cells.has(cs.getFileName() ?? '')) last = i;
    });
    const shown = last >= 0 ? callsites.slice(0, last + 1) : callsites;
    for (const cs of shown) {
      const f = formatFrame(cs);
      if (!f) continue;
      if (f.position && !first) first = f.position;
      frames.push(f.text);
    }
    if (first && err && typeof err === 'object') innermostCellFrame.set(err, first);
    return [headline(err), ...frames].join('\n');
  };
}

/** The content of a Jupyter `error` message. */
export interface ErrorContent {
  ename: string;
  evalue: string;
  traceback: string[];
}

const RED = '\u001b[0;31m';
const GREEN = '\u001b[0;32m';
const BOLD = '\u001b[1m';
const RESET = '\u001b[0m';

/** An excerpt of a cell around `pos`, with an arrow at the line and a caret at the column. */
export function cellExcerpt(pos: CellPosition): string[] {
  const rec = cells.get(pos.cell);
  if (!rec) return [];
  const out = [`${GREEN}${pos.cell}${RESET}, line ${pos.line}, column ${pos.column}:`];
  const from = Math.max(1, pos.line - 2);
  const to = Math.min(rec.lines.length, pos.line + 1);
  const width = String(to).length;
  for (let l = from; l <= to; l++) {
    const marker = l === pos.line ? `${RED}--> ` : '    ';
    out.push(`${marker}${String(l).padStart(width)}${RESET} ${rec.lines[l - 1] ?? ''}`);
    if (l === pos.line) out.push(`${' '.repeat(5 + width + pos.column - 1)}${RED}^${RESET}`);
  }
  return out;
}

/**
 * Turns anything thrown by user code into Jupyter error content: `ename`, `evalue`, and a
 * traceback whose frames point at cell lines (the kernel's frames are left out).
 */
export function errorContent(err: unknown): ErrorContent {
  if (err instanceof Error || (err && typeof err === 'object' && 'stack' in err && 'message' in err)) {
    const e = err as Error;
    const stack = typeof e.stack === 'string' ? e.stack : headline(e);
    const ename = e.name || e.constructor?.name || 'Error';
    const evalue = e.message ?? '';
    const lines = stack.split('\n');
    // The headline V8 builds may span lines (multi-line messages); keep frames only.
    const frames = lines.filter((l) => /^\s+at /.test(l));
    const pos = innermostCellFrame.get(e);
    const traceback = [`${RED}${BOLD}${ename}${RESET}: ${evalue}`, ...frames];
    if (pos) traceback.push('', ...cellExcerpt(pos));
    const cause = (e as { cause?: unknown }).cause;
    if (cause !== undefined) traceback.push('', `Caused by: ${cause instanceof Error ? (cause.stack ?? String(cause)) : inspect(cause)}`);
    return { ename, evalue, traceback };
  }
  const evalue = inspect(err, { depth: 2 });
  return { ename: 'Uncaught', evalue, traceback: [`${RED}${BOLD}Uncaught${RESET} ${evalue}`] };
}

/** Error content for a syntax error at a 1-based position of a cell. */
export function syntaxErrorContent(cell: string, source: string, message: string, line: number, column: number): ErrorContent {
  if (!cells.has(cell)) cells.set(cell, { map: undefined, lines: source.split('\n') });
  return {
    ename: 'SyntaxError',
    evalue: `${message} (${cell}:${line}:${column})`,
    traceback: [`${RED}${BOLD}SyntaxError${RESET}: ${message}`, ...cellExcerpt({ cell, line, column })],
  };
}
