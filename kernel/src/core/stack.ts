/**
 * Stack traces that point at cells, and error content that never fails.
 *
 * Every compiled cell is registered here (its source lines and source maps). Frames in cells
 * are mapped back to the cell's line and column; the kernel's own frames are hidden. Frames
 * come from V8's structured call sites where the engine is V8 (Node, Chromium: an
 * `Error.prepareStackTrace` hook, so that a stack a user prints is mapped too), and from the
 * `stack` text elsewhere (Firefox and Safari: `fn@file:line:column`, parsed with
 * error-stack-parser). Browsers may name eval'd code by its `//# sourceURL` or by the script
 * that called eval (`worker.js line 9 > eval`): the browser host gives each cell its own range of
 * line numbers (`lineBase`), so a frame's line alone identifies the cell.
 *
 * What is kept is bounded: a cell's record stays while functions defined in it can still be
 * on a stack (cells that define functions or classes, up to {@link KEPT_CELLS}, least recently
 * used first out); other cells are kept only for the last {@link RECENT_CELLS} executions.
 * Host-neutral.
 */
import ErrorStackParser from 'error-stack-parser';
import { mapThrough } from './compile.js';
import { CELL_FUNCTION, type SourceMapV3 } from './transform.js';
import { describe } from './inspect.js';

/** Records of cells that define functions, at most (least recently used dropped first). */
export const KEPT_CELLS = 2000;
/** Records of other cells, at most (oldest dropped first). */
export const RECENT_CELLS = 64;

/** What the kernel remembers of a compiled cell to map its frames. */
interface CellRecord {
  lines: string[];
  maps: SourceMapV3[] | undefined;
  /** Line numbers of the evaluated code start after this many lines (browser host). */
  lineBase: number;
  lineCount: number;
  keep: boolean;
}

const kept = new Map<string, CellRecord>();
const recent = new Map<string, CellRecord>();
let kernelFrame: (file: string) => boolean = () => false;

/** Tells which frames are the kernel's own (hidden from tracebacks). */
export function configureStacks(options: { isKernelFrame: (file: string) => boolean }): void {
  kernelFrame = options.isKernelFrame;
}

function lookup(name: string): CellRecord | undefined {
  const k = kept.get(name);
  if (k) {
    kept.delete(name);
    kept.set(name, k);
    return k;
  }
  return recent.get(name);
}

/** Options of {@link registerCell}. */
export interface RegisterOptions {
  /** Keep the record after the run: the cell defines functions that may be on later stacks. */
  keep?: boolean;
  lineBase?: number;
  lineCount?: number;
}

/** Remembers a compiled cell so that frames in `name` can be mapped. */
export function registerCell(name: string, source: string, maps: SourceMapV3[] | undefined, options: RegisterOptions = {}): void {
  kept.delete(name);
  recent.delete(name);
  const rec: CellRecord = { lines: source.split('\n'), maps, lineBase: options.lineBase ?? 0, lineCount: options.lineCount ?? 0, keep: options.keep === true };
  const table = rec.keep ? kept : recent;
  table.set(name, rec);
  const cap = rec.keep ? KEPT_CELLS : RECENT_CELLS;
  while (table.size > cap) table.delete(table.keys().next().value as string);
}

/** Number of cell records held (for tests and the soak benchmark). */
export function registeredCells(): number {
  return kept.size + recent.size;
}

/** Whether `name` is taken by a cell record. */
export function isCellName(name: string): boolean {
  return kept.has(name) || recent.has(name);
}

/** A name for a cell that no held record has: `In[n]`, else `In[n]#2`, ... */
export function uniqueCellName(base: string): string {
  let name = base;
  for (let k = 2; isCellName(name); k++) name = `${base}#${k}`;
  return name;
}

function recordByLine(line: number): [string, CellRecord] | undefined {
  for (const table of [recent, kept]) {
    for (const entry of table) {
      const r = entry[1];
      if (r.lineCount > 0 && line > r.lineBase && line <= r.lineBase + r.lineCount) return entry;
    }
  }
  return undefined;
}

/** A 1-based position in a cell. */
export interface CellPosition {
  cell: string;
  line: number;
  column: number;
}

/** Maps a 1-based line/column of a cell's evaluated code to the cell source. */
export function mapCellPosition(name: string, line: number, column: number): CellPosition | undefined {
  const rec = lookup(name);
  if (!rec) return undefined;
  return mapRecord(name, rec, line, column);
}

function mapRecord(name: string, rec: CellRecord, line: number, column: number): CellPosition | undefined {
  const l = line - rec.lineBase;
  if (!rec.maps) return { cell: name, line: l, column };
  const p = mapThrough(rec.maps, l, column);
  return p ? { cell: name, ...p } : undefined;
}

/** One stack frame, from a V8 call site or parsed from stack text. */
export interface RawFrame {
  functionName?: string | null | undefined;
  file?: string | null | undefined;
  line?: number | null | undefined;
  column?: number | null | undefined;
  async?: boolean;
  /** How to show the frame when it is not in a cell. */
  text: string;
}

/** The cell a frame's file (and line) belongs to, if any. */
function cellOf(file: string | null | undefined, line: number | null | undefined): [string, CellRecord] | undefined {
  if (!file) return undefined;
  const direct = lookup(file);
  if (direct) return [file, direct];
  // A sourceURL a browser resolved against the worker's URL: ".../In%5B3%5D".
  const tail = safeDecode(file.slice(file.lastIndexOf('/') + 1));
  const byTail = tail !== file ? lookup(tail) : undefined;
  if (byTail) return [tail, byTail];
  // Eval'd code named by the script that called eval (Firefox: "worker.js line 9 > eval").
  if (/ > (?:eval|Function)$/.test(file) && line) return recordByLine(line);
  return undefined;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

function isCellFunction(name: string | null | undefined): boolean {
  return !!name && (name === CELL_FUNCTION || name.endsWith(`*${CELL_FUNCTION}`) || name.endsWith(`/${CELL_FUNCTION}`));
}

/** Formats frames: cell frames mapped, the kernel's frames (and those below the cell) left out. */
export function formatFrames(frames: RawFrame[]): { lines: string[]; first: CellPosition | undefined } {
  // Frames below the outermost cell frame are the kernel calling the cell.
  let last = -1;
  frames.forEach((f, i) => {
    if (isCellFunction(f.functionName) && cellOf(f.file, f.line)) last = i;
  });
  const shown = last >= 0 ? frames.slice(0, last + 1) : frames;
  const lines: string[] = [];
  let first: CellPosition | undefined;
  for (const f of shown) {
    const cell = cellOf(f.file, f.line);
    if (cell) {
      const [name, rec] = cell;
      const pos = mapRecord(name, rec, f.line ?? 0, f.column ?? 0);
      if (pos && !first) first = pos;
      const where = pos ? `${name}:${pos.line}:${pos.column}` : name;
      let fn = f.functionName ?? '';
      fn = fn.replace(/^async\*/, '');
      if (fn.startsWith('globalThis.')) fn = fn.slice('globalThis.'.length);
      const label = isCellFunction(fn) || fn === '' ? '' : `${f.async ? 'async ' : ''}${fn}`;
      lines.push(label ? `    at ${label} (${where})` : `    at ${where}`);
      continue;
    }
    if (f.file && kernelFrame(f.file)) continue;
    lines.push(f.text);
  }
  return { lines, first };
}

/** Name and message as V8 prints them in the first line of a stack; never throws. */
function headline(err: unknown): string {
  try {
    return Error.prototype.toString.call(err);
  } catch {
    return safeString(() => (err as Error).name) ?? 'Error';
  }
}

const innermostCellFrame = new WeakMap<object, CellPosition>();

interface CallSite {
  getFunctionName(): string | null;
  getFileName(): string | null | undefined;
  getScriptNameOrSourceURL?(): string | null | undefined;
  getLineNumber(): number | null;
  getColumnNumber(): number | null;
  isAsync?(): boolean;
  toString(): string;
}

/**
 * Installs `Error.prepareStackTrace` where the engine is V8, so that every stack (also one a
 * user prints) shows cell positions instead of compiled ones. Elsewhere stacks are mapped when
 * an error is reported ({@link errorContent}).
 */
export function installStackMapping(): void {
  const E = Error as unknown as { stackTraceLimit: number; prepareStackTrace?: unknown; captureStackTrace?: unknown };
  if (typeof E.captureStackTrace !== 'function') return;
  E.stackTraceLimit = Math.max(E.stackTraceLimit, 30);
  E.prepareStackTrace = (err: Error, callsites: CallSite[]) => {
    const frames: RawFrame[] = callsites.map((cs) => {
      let text: string;
      try {
        text = `    at ${cs.toString()}`;
      } catch {
        text = '    at <unknown>';
      }
      return {
        functionName: cs.getFunctionName(),
        file: cs.getFileName() ?? cs.getScriptNameOrSourceURL?.(),
        line: cs.getLineNumber(),
        column: cs.getColumnNumber(),
        async: cs.isAsync?.() ?? false,
        text,
      };
    });
    const { lines, first } = formatFrames(frames);
    if (first && err !== null && typeof err === 'object') innermostCellFrame.set(err, first);
    return [headline(err), ...lines].join('\n');
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
  const rec = lookup(pos.cell);
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

function safe<T>(f: () => T, fallback: T): T {
  try {
    return f();
  } catch {
    return fallback;
  }
}

function safeString(f: () => unknown): string | undefined {
  try {
    const v = f();
    return typeof v === 'string' ? v : undefined;
  } catch {
    return undefined;
  }
}

/** `fn@https://site/worker.js line 9 > eval:5:9`: a frame in code run by eval (Firefox). */
const EVAL_FRAME = /^\s*([^@]*)@(.* line \d+ > (?:eval|Function)):(\d+):(\d+)\s*$/;

/** The frames of a stack text: V8's (already mapped by the hook) kept, others parsed and mapped. */
function stackFrames(stack: string, err: object): { lines: string[]; first: CellPosition | undefined } {
  const v8 = stack.split('\n').filter((l) => /^\s+at /.test(l));
  if (v8.length > 0) return { lines: v8, first: innermostCellFrame.get(err) };
  const frames: RawFrame[] = [];
  for (const line of stack.split('\n')) {
    if (line.trim() === '') continue;
    // SpiderMonkey's eval'd code: error-stack-parser reports the caller's position instead.
    const ev = EVAL_FRAME.exec(line);
    if (ev) {
      frames.push({ functionName: ev[1] || null, file: ev[2]!, line: Number(ev[3]), column: Number(ev[4]), text: `    at ${line.trim()}` });
      continue;
    }
    let parsed: ErrorStackParser.StackFrame[];
    try {
      parsed = ErrorStackParser.parse({ stack: line } as Error);
    } catch {
      continue;
    }
    for (const f of parsed) {
      frames.push({
        functionName: f.functionName ?? null,
        file: f.fileName ?? null,
        line: f.lineNumber ?? null,
        column: f.columnNumber ?? null,
        text: `    at ${f.functionName ? `${f.functionName} (` : ''}${f.fileName ?? '<unknown>'}:${f.lineNumber ?? '?'}:${f.columnNumber ?? '?'}${f.functionName ? ')' : ''}`,
      });
    }
  }
  return formatFrames(frames);
}

function contentOf(err: unknown): ErrorContent {
  const errorLike = safe(() => err instanceof Error || (typeof err === 'object' && err !== null && 'stack' in err && 'message' in err), false);
  if (!errorLike) {
    const evalue = describe(err);
    return { ename: 'Uncaught', evalue, traceback: [`${RED}${BOLD}Uncaught${RESET} ${evalue}`] };
  }
  const e = err as Error;
  const ename = safeString(() => e.name) || safeString(() => e.constructor?.name) || 'Error';
  let evalue: string;
  try {
    const m: unknown = e.message;
    evalue = m === undefined || m === null ? '' : typeof m === 'string' ? m : describe(m);
  } catch (thrown) {
    evalue = `<its message could not be read: reading it threw ${describe(thrown)}>`;
  }
  const stack = safeString(() => e.stack);
  const { lines, first } = stack ? stackFrames(stack, e) : { lines: [], first: undefined };
  const traceback = [`${RED}${BOLD}${ename}${RESET}: ${evalue}`, ...lines];
  if (first) traceback.push('', ...cellExcerpt(first));
  const cause = safe(() => (e as { cause?: unknown }).cause, undefined);
  if (cause !== undefined) {
    const text = safe(() => (cause instanceof Error ? (safeString(() => cause.stack) ?? describe(cause)) : describe(cause)), '<a cause that cannot be printed>');
    traceback.push('', `Caused by: ${text}`);
  }
  return { ename, evalue, traceback };
}

/**
 * Turns anything thrown by user code into Jupyter error content: `ename`, `evalue`, and a
 * traceback whose frames point at cell lines (the kernel's frames are left out).
 *
 * Never throws: an error whose `message`, `name` or `stack` getter throws, a Proxy, a revoked
 * Proxy, an object whose `toString` throws are described step by step more simply, down to a
 * fixed text.
 */
export function errorContent(err: unknown): ErrorContent {
  try {
    return contentOf(err);
  } catch {
    // contentOf guards every access; this is the last resort.
  }
  const evalue = safe(() => describe(err), 'a value that cannot be printed');
  return { ename: 'Error', evalue, traceback: [`${RED}${BOLD}Error${RESET}: ${evalue}`] };
}

/** Error content for a syntax error at a 1-based position of a cell. */
export function syntaxErrorContent(cell: string, source: string, message: string, line: number, column: number): ErrorContent {
  if (!isCellName(cell)) registerCell(cell, source, undefined);
  return {
    ename: 'SyntaxError',
    evalue: `${message} (${cell}:${line}:${column})`,
    traceback: [`${RED}${BOLD}SyntaxError${RESET}: ${message}`, ...cellExcerpt({ cell, line, column })],
  };
}
