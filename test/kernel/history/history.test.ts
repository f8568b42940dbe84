/** The history file: sessions across restarts, tail/range/search. */
import { describe, expect, it } from 'vitest';
import { appendFileSync } from 'node:fs';
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

  it('lives in $SEQLAB_DATA_DIR, else the Jupyter data dir', () => {
    expect(seqlabDataDir({ SEQLAB_DATA_DIR: '/d' })).toBe('/d');
    expect(seqlabDataDir({ JUPYTER_DATA_DIR: '/j' })).toBe('/j/seqlab');
  });
});
