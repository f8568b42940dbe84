/** The history file: sessions across restarts, tail/range/search. */
import { describe, expect, it } from 'vitest';
import { appendFileSync, chmodSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { HistoryStore } from '../../../kernel/dist/history/history.js';
import { seqlabDataDir } from '../../../kernel/dist/history/paths.js';
import { tempDir } from '../helpers.js';

describe('HistoryStore', () => {
  it('numbers sessions across instances and answers tail, range and search', () => {
    const file = join(tempDir(), 'sub', 'history.jsonl');
    const first = new HistoryStore(file);
    expect(first.session).toBe(1);
    first.add(1, 'const a = 1', null);
    first.add(2, 'a + 1', '2');
    appendFileSync(file, '{torn line\n');
    const second = new HistoryStore(file);
    expect(second.session).toBe(2);
    second.add(1, 'a + 1', null);
    expect(second.query({ hist_access_type: 'tail', n: 2 })).toEqual([[1, 2, 'a + 1'], [2, 1, 'a + 1']]);
    expect(second.query({ hist_access_type: 'range', session: 1, start: 1, stop: 2 })).toEqual([[1, 1, 'const a = 1']]);
    expect(second.query({ hist_access_type: 'range', session: -1, start: 2 })).toEqual([[1, 2, 'a + 1']]);
    expect(second.query({ hist_access_type: 'search', pattern: 'a*' }).length).toBe(2);
    expect(second.query({ hist_access_type: 'search', pattern: 'a*', unique: true })).toEqual([[2, 1, 'a + 1']]);
    expect(second.query({ hist_access_type: 'search', pattern: '*', n: 1 })).toEqual([[2, 1, 'a + 1']]);
    expect(second.query({ hist_access_type: 'tail', n: 1, output: true })).toEqual([[2, 1, ['a + 1', null]]]);
  });

  it('reads the file for every query: entries other kernels write meanwhile count, unique across sessions', () => {
    const file = join(tempDir(), 'history.jsonl');
    const a = new HistoryStore(file);
    a.add(1, 'x = 1', null);
    const b = new HistoryStore(file);
    b.add(1, 'x = 1', null);
    a.add(2, 'x = 1', null);
    b.add(2, 'y', null);
    expect(a.query({ hist_access_type: 'search', pattern: 'x*' })).toEqual([[1, 1, 'x = 1'], [2, 1, 'x = 1'], [1, 2, 'x = 1']]);
    expect(a.query({ hist_access_type: 'search', pattern: 'x*', unique: true })).toEqual([[1, 2, 'x = 1']]);
    expect(b.query({ hist_access_type: 'search', pattern: '*', unique: true, n: 5 })).toEqual([[1, 2, 'x = 1'], [2, 2, 'y']]);
    expect(a.query({ hist_access_type: 'range', session: 0 })).toEqual([[1, 1, 'x = 1'], [1, 2, 'x = 1']]);
  });

  it('keeps entries it cannot write (a read-only data dir) in memory, and the cell does not fail', () => {
    if (process.getuid?.() === 0) {
      // root writes anyway; a path below a file cannot be created by anyone.
      const blocker = join(tempDir(), 'a-file');
      appendFileSync(blocker, '');
      const store = new HistoryStore(join(blocker, 'history.jsonl'));
      store.add(1, 'kept', null);
      expect(store.query({ hist_access_type: 'tail', n: 1 })).toEqual([[1, 1, 'kept']]);
      return;
    }
    const dir = join(tempDir(), 'ro');
    mkdirSync(dir);
    chmodSync(dir, 0o500);
    const store = new HistoryStore(join(dir, 'history.jsonl'));
    store.add(1, 'kept', null);
    expect(store.query({ hist_access_type: 'tail', n: 1 })).toEqual([[1, 1, 'kept']]);
  });

  it('lives in $SEQLAB_DATA_DIR, else the Jupyter data dir', () => {
    expect(seqlabDataDir({ SEQLAB_DATA_DIR: '/d' })).toBe('/d');
    expect(seqlabDataDir({ JUPYTER_DATA_DIR: '/j' })).toBe('/j/seqlab');
  });
});
