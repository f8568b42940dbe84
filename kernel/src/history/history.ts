/**
 * Execution history kept across kernel restarts, for `history_request` (tail, range, search).
 *
 * One JSON object per line in `<seqlab data dir>/history.jsonl`: `{ s, n, in, out? }` =
 * session number, execution count, source, and the text/plain of the execute_result. Each
 * kernel start is a new session (the largest session in the file + 1). Appending single lines
 * keeps concurrent kernels from corrupting each other's entries.
 *
 * The file is the store: a query reads it (so it also sees what other kernels wrote since),
 * and the kernel keeps no copy of its cells in memory, which would grow with every execute.
 * Only entries that could not be written (a read-only data dir) are kept in memory.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** One history entry. */
export interface HistoryEntry {
  session: number;
  line: number;
  input: string;
  output?: string | null;
}

/** A history_reply row: `[session, line, input]` or `[session, line, [input, output]]`. */
export type HistoryRow = [number, number, string | [string, string | null]];

/** Fields of a history_request this store understands. */
export interface HistoryQuery {
  hist_access_type: 'tail' | 'range' | 'search';
  output?: boolean;
  raw?: boolean;
  session?: number;
  start?: number;
  stop?: number | null;
  n?: number | null;
  pattern?: string;
  unique?: boolean;
}

/** A glob as IPython's history search understands it: `*` any text, `?` one character. */
function globToRegExp(pattern: string): RegExp {
  const escaped = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[\\s\\S]*').replace(/\?/g, '[\\s\\S]');
  return new RegExp(`^${escaped}$`);
}

/** See the module comment. */
export class HistoryStore {
  private sessionNumber: number | undefined;
  /** Entries of this session that could not be appended to the file. */
  private readonly unwritten: HistoryEntry[] = [];

  constructor(readonly file: string) {}

  /** Every entry of the file, oldest first, then this session's unwritten ones. */
  private load(): HistoryEntry[] {
    const entries: HistoryEntry[] = [];
    if (existsSync(this.file)) {
      for (const line of readFileSync(this.file, 'utf8').split('\n')) {
        if (!line.trim()) continue;
        try {
          const e = JSON.parse(line) as { s: number; n: number; in: string; out?: string | null };
          if (typeof e.s === 'number' && typeof e.n === 'number' && typeof e.in === 'string') entries.push({ session: e.s, line: e.n, input: e.in, output: e.out ?? null });
        } catch {
          // A torn line from a crash: skip it rather than lose the whole history.
        }
      }
    }
    this.sessionNumber ??= entries.reduce((m, e) => Math.max(m, e.session), 0) + 1;
    entries.push(...this.unwritten);
    return entries;
  }

  /** This kernel's session number (fixed on first use). */
  get session(): number {
    if (this.sessionNumber === undefined) this.load();
    return this.sessionNumber!;
  }

  /** Records an executed cell. */
  add(line: number, input: string, output: string | null): void {
    const entry: HistoryEntry = { session: this.session, line, input, output };
    try {
      mkdirSync(dirname(this.file), { recursive: true });
      appendFileSync(this.file, JSON.stringify({ s: entry.session, n: line, in: input, out: output }) + '\n');
    } catch {
      // History is a convenience: a read-only data dir must not fail the cell (nor lose its entry).
      this.unwritten.push(entry);
    }
  }

  /** Answers a history_request. */
  query(q: HistoryQuery): HistoryRow[] {
    const entries = this.load();
    let selected: HistoryEntry[];
    if (q.hist_access_type === 'tail') {
      const n = q.n ?? 10;
      selected = n > 0 ? entries.slice(-n) : [];
    } else if (q.hist_access_type === 'range') {
      // IPython: session 0 = current, negative = relative to current.
      const session = q.session === undefined || q.session === 0 ? this.session : q.session < 0 ? this.session + q.session : q.session;
      const start = q.start ?? 0;
      const stop = q.stop ?? Infinity;
      selected = entries.filter((e) => e.session === session && e.line >= start && e.line < stop);
    } else {
      const re = globToRegExp(q.pattern ?? '*');
      let hits = entries.filter((e) => re.test(e.input));
      if (q.unique) {
        const seen = new Set<string>();
        hits = hits.reverse().filter((e) => !seen.has(e.input) && (seen.add(e.input), true)).reverse();
      }
      selected = q.n ? hits.slice(-q.n) : hits;
    }
    return selected.map((e) => [e.session, e.line, q.output ? [e.input, e.output ?? null] : e.input]);
  }
}
