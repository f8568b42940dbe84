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

/**
 * History entries of this kernel session and earlier ones. The base class keeps them in
 * memory (the browser kernel: the page's lifetime); a subclass decides where they live by
 * overriding {@link HistoryLog.entries}, {@link HistoryLog.persist} and
 * {@link HistoryLog.earlierSessions} (the Node kernel: a file that every query reads).
 */
export class HistoryLog {
  private readonly kept: HistoryEntry[] = [];
  private sessionNumber: number | undefined;

  /** Every entry, oldest first. */
  protected entries(): HistoryEntry[] {
    return this.kept;
  }

  /** Keeps a new entry. */
  protected persist(entry: HistoryEntry): void {
    this.kept.push(entry);
  }

  /** The largest session number already used (0: none). */
  protected earlierSessions(): number {
    return 0;
  }

  /** This kernel's session number (fixed on first use). */
  get session(): number {
    this.sessionNumber ??= this.earlierSessions() + 1;
    return this.sessionNumber;
  }

  /** Records an executed cell. */
  add(line: number, input: string, output: string | null): void {
    this.persist({ session: this.session, line, input, output });
  }

  /** Answers a history_request. */
  query(q: HistoryQuery): HistoryRow[] {
    const entries = this.entries();
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
