/**
 * Execution history kept across kernel restarts, for `history_request` (tail, range, search).
 *
 * One JSON object per line in `<seqlab data dir>/history.jsonl`: `{ s, n, in, out? }` =
 * session number, execution count, source, and the text/plain of the execute_result. Each
 * kernel start is a new session (the largest session in the file + 1). Appending single lines
 * keeps concurrent kernels from corrupting each other's entries.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { HistoryLog, type HistoryEntry } from './log.js';

export { HistoryLog, type HistoryEntry, type HistoryQuery, type HistoryRow } from './log.js';

/** See the module comment. */
export class HistoryStore extends HistoryLog {
  constructor(readonly file: string) {
    super();
  }

  protected override loadEarlier(): HistoryEntry[] {
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
    return entries;
  }

  protected override persist(entry: HistoryEntry): void {
    try {
      mkdirSync(dirname(this.file), { recursive: true });
      appendFileSync(this.file, JSON.stringify({ s: entry.session, n: entry.line, in: entry.input, out: entry.output }) + '\n');
    } catch {
      // History is a convenience: a read-only data dir must not fail the cell.
    }
  }
}
