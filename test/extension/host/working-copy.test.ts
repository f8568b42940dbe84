/**
 * The working copy of the lecture notebooks: made on first use, kept across starts, new
 * repository versions taken only where the student changed nothing, a reset that backs the
 * student's versions up, and files that belong to a run (checkpoints, executed copies) or to
 * the student left alone.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import { describeWorkingCopy, MANIFEST, prepareWorkingCopy } from '../../../extension/host/src/working-copy.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) {
    rmSync(dir, { recursive: true, force: true });
  }
});

function course(): { source: string; target: string; backups: string } {
  const root = mkdtempSync(join(tmpdir(), 'seqlab-working-copy-'));
  dirs.push(root);
  const source = join(root, 'notebooks');
  mkdirSync(join(source, 'data'), { recursive: true });
  mkdirSync(join(source, '.ipynb_checkpoints'));
  writeFileSync(join(source, '01-rnn.ipynb'), 'lecture 1');
  writeFileSync(join(source, '02-bptt.ipynb'), 'lecture 2');
  writeFileSync(join(source, 'data', 'corpus.txt'), 'the time machine');
  writeFileSync(join(source, '01-rnn.executed.ipynb'), 'a run');
  mkdirSync(join(source, 'solutions'));
  writeFileSync(join(source, 'solutions', '01-rnn.ts'), 'the answers');
  writeFileSync(join(source, '.ipynb_checkpoints', '01-rnn-checkpoint.ipynb'), 'a checkpoint');
  return { source, target: join(root, 'state', 'notebooks'), backups: join(root, 'state', 'backups') };
}

const read = (path: string): string => readFileSync(path, 'utf8');

describe('the working copy of the lecture notebooks', () => {
  it('is made on first use with the notebooks and their data, not runs, checkpoints or the solutions', () => {
    const { source, target } = course();
    const report = prepareWorkingCopy({ source, target });
    expect(report.created).toEqual(['01-rnn.ipynb', '02-bptt.ipynb', 'data/corpus.txt']);
    expect(read(join(target, 'data', 'corpus.txt'))).toBe('the time machine');
    expect(existsSync(join(target, '01-rnn.executed.ipynb'))).toBe(false);
    expect(existsSync(join(target, '.ipynb_checkpoints'))).toBe(false);
    expect(existsSync(join(target, 'solutions'))).toBe(false);
    expect(existsSync(join(target, MANIFEST))).toBe(true);
    expect(describeWorkingCopy(report, 'reset')[0]).toContain(`copied 3 lecture file(s) into the working copy ${target}`);
  });

  it("keeps the student's work across starts and never touches the student's own files", () => {
    const { source, target } = course();
    prepareWorkingCopy({ source, target });
    writeFileSync(join(target, '01-rnn.ipynb'), 'lecture 1 with my outputs');
    writeFileSync(join(target, 'mine.ipynb'), 'my notebook');
    const again = prepareWorkingCopy({ source, target });
    expect(again).toMatchObject({ created: [], updated: [], outdated: [], backedUp: [] });
    expect(describeWorkingCopy(again, 'reset')).toEqual([]);
    expect(read(join(target, '01-rnn.ipynb'))).toBe('lecture 1 with my outputs');
    expect(read(join(target, 'mine.ipynb'))).toBe('my notebook');
  });

  it('takes a new repository version where the student changed nothing, and says where both changed', () => {
    const { source, target } = course();
    prepareWorkingCopy({ source, target });
    writeFileSync(join(target, '01-rnn.ipynb'), 'lecture 1 with my outputs');
    writeFileSync(join(source, '01-rnn.ipynb'), 'lecture 1, revised');
    writeFileSync(join(source, '02-bptt.ipynb'), 'lecture 2, revised');
    writeFileSync(join(source, '03-lstm.ipynb'), 'lecture 3');
    const report = prepareWorkingCopy({ source, target });
    expect(report).toMatchObject({ created: ['03-lstm.ipynb'], updated: ['02-bptt.ipynb'], outdated: ['01-rnn.ipynb'] });
    expect(read(join(target, '02-bptt.ipynb'))).toBe('lecture 2, revised');
    expect(read(join(target, '01-rnn.ipynb'))).toBe('lecture 1 with my outputs');
    expect(describeWorkingCopy(report, 'reset to take it').join('\n')).toContain('the repository has a newer version of 01-rnn.ipynb; your working copy keeps yours (reset to take it)');
    // Said again at the next start, until a reset.
    expect(prepareWorkingCopy({ source, target }).outdated).toEqual(['01-rnn.ipynb']);
  });

  it('resets to the repository versions, moving the changed ones into a backup first', () => {
    const { source, target, backups } = course();
    prepareWorkingCopy({ source, target });
    writeFileSync(join(target, '01-rnn.ipynb'), 'lecture 1 with my outputs');
    writeFileSync(join(target, 'mine.ipynb'), 'my notebook');
    rmSync(join(target, 'data', 'corpus.txt'));
    const report = prepareWorkingCopy({ source, target, reset: true, backupRoot: backups });
    expect(report.backedUp).toEqual(['01-rnn.ipynb']);
    expect(report.created).toEqual(['data/corpus.txt']);
    expect(report.backup?.startsWith(backups)).toBe(true);
    expect(read(join(report.backup!, '01-rnn.ipynb'))).toBe('lecture 1 with my outputs');
    expect(read(join(target, '01-rnn.ipynb'))).toBe('lecture 1');
    expect(read(join(target, 'mine.ipynb'))).toBe('my notebook');
    expect(describeWorkingCopy(report, 'reset').join('\n')).toContain(`your versions are in ${report.backup}`);
  });

  it('names a missing source folder', () => {
    const { target } = course();
    expect(() => prepareWorkingCopy({ source: join(target, 'nope'), target })).toThrow(/the lecture notebooks folder .*nope does not exist/);
  });
});
