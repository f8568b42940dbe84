/**
 * Execution history in memory, with the queries of `history_request` (tail, range, search):
 * what every host shares. The Node kernel also keeps it in a file across restarts
 * ({@link HistoryStore} in history.ts); the browser kernel keeps it for the page's lifetime.
 */

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

/** History entries of this kernel session and earlier ones. */
export class HistoryLog {
  private entries: HistoryEntry[] | undefined;
  private sessionNumber: number | undefined;

  /** Entries of earlier sessions (none in memory). */
  protected loadEarlier(): HistoryEntry[] {
    return [];
  }

  /** Keeps a new entry beyond this process (nothing to do in memory). */
  protected persist(_entry: HistoryEntry): void {}

  private load(): HistoryEntry[] {
    if (this.entries) return this.entries;
    const entries = this.loadEarlier();
    this.entries = entries;
    this.sessionNumber = entries.reduce((m, e) => Math.max(m, e.session), 0) + 1;
    return entries;
  }

  /** This kernel's session number. */
  get session(): number {
    this.load();
    return this.sessionNumber!;
  }

  /** Records an executed cell. */
  add(line: number, input: string, output: string | null): void {
    const entries = this.load();
    const entry: HistoryEntry = { session: this.session, line, input, output };
    entries.push(entry);
    this.persist(entry);
  }

  /** Sets the output of the latest entry of this session with `line`. */
  setOutput(line: number, output: string): void {
    const e = [...this.load()].reverse().find((x) => x.session === this.session && x.line === line);
    if (e) e.output = output;
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
