/**
 * The corpora loader on the course texts: The Time Machine as D2L 1.0 prepares it, and
 * tiny Shakespeare with nanoGPT's character indices. The files are the project's copies
 * in notebooks/data/ (what CI and users have); loading checks their SHA-1 against the
 * published copies.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { data } from '../../../engine/src/index.js';

const DATA = fileURLToPath(new URL('../../../notebooks/data/', import.meta.url));

function corpusFile(name: string): string {
  const path = DATA + name;
  if (!existsSync(path)) throw new Error(`${path} is missing: the notebooks' corpora belong in notebooks/data/ (see notebooks/data/README.md)`);
  return path;
}

const timeMachine = corpusFile('timemachine.txt');
const shakespeare = corpusFile('tinyshakespeare.txt');
const tmp = mkdtempSync(join(tmpdir(), 'seqlab-corpora-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('The Time Machine (D2L 1.0 setup)', () => {
  let tm: data.LoadedCorpus;
  beforeAll(async () => {
    tm = await data.loadTimeMachine(timeMachine, { sha1: data.CORPORA.timemachine.sha1 });
  });

  it('has a vocabulary of 28: space, <unk>, a-z in that order', () => {
    expect(tm.vocab.length).toBe(28);
    expect(tm.vocab.idxToTokenList).toEqual([' ', '<unk>', ...'abcdefghijklmnopqrstuvwxyz']);
  });

  it("has D2L's corpus: 173,428 characters, beginning 'the time machine by h g wells'", () => {
    expect(tm.corpus.length).toBe(173428);
    expect(tm.text.length).toBe(173428);
    expect(tm.text.startsWith('the time machine by h g wells i the time traveller')).toBe(true);
    expect(Array.from(tm.corpus.subarray(0, 12))).toEqual([21, 9, 6, 0, 21, 10, 14, 6, 0, 14, 2, 4]);
    expect(tm.corpus.includes(tm.vocab.unk!)).toBe(false);
    expect(tm.vocab.tokenFreqs.slice(0, 3)).toEqual([
      [' ', 32775],
      ['e', 17838],
      ['t', 13515],
    ]);
  });

  it('words: 32,775 tokens and 4,579 distinct words after the same preprocessing', async () => {
    const words = await data.loadCorpus(timeMachine, { level: 'word', preprocess: 'letters' });
    expect(words.corpus.length).toBe(32775);
    expect(words.vocab.length).toBe(4580);
    expect(words.vocab.tokenFreqs.slice(0, 3)).toEqual([
      ['the', 2261],
      ['i', 1267],
      ['and', 1245],
    ]);
    expect((await data.loadCorpus(timeMachine, { level: 'word', preprocess: 'letters', maxTokens: 100 })).corpus.length).toBe(100);
  });

  it('feeds the language-model batches', () => {
    const { train, val } = data.splitCorpus(tm.corpus, { valFraction: 0.1 });
    const [X, Y] = data.seqDataIterSequential(train, 32, 35, { offset: 0 }).next().value!;
    expect(X.shape).toEqual([32, 35]);
    expect(tm.vocab.decode(X.select(0, 0)).join('')).toBe('the time machine by h g wells i the');
    expect(tm.vocab.decode(Y.select(0, 0)).join('')).toBe('he time machine by h g wells i the ');
    expect(train.length + val.length).toBe(173428);
  });
});

describe('tiny Shakespeare (nanoGPT character indices)', () => {
  it('has 65 characters, indexed in sorted order without <unk>', async () => {
    const ts = await data.loadCorpus(shakespeare, { vocab: { unk: false, order: 'alphabetical' }, sha1: data.CORPORA.tinyshakespeare.sha1 });
    expect(ts.vocab.length).toBe(65);
    expect(ts.corpus.length).toBe(1115394);
    expect(ts.vocab.idxToTokenList.slice(0, 15).join('')).toBe("\n !$&',-.3:;?AB");
    expect(Array.from(ts.corpus.subarray(0, 12))).toEqual([18, 47, 56, 57, 58, 1, 15, 47, 58, 47, 64, 43]);
  });
});

describe('reading files', () => {
  it('checks the SHA-1 when asked, and names missing files', async () => {
    const path = join(tmp, 'copy.txt');
    writeFileSync(path, 'The Time Machine, abridged');
    await expect(data.readText(path, { sha1: data.CORPORA.timemachine.sha1 })).rejects.toThrow(/has SHA-1 [0-9a-f]{40} \(26 bytes\), expected 090b5e7e/);
    expect(await data.readText(path)).toBe('The Time Machine, abridged');
    await expect(data.loadTimeMachine(join(tmp, 'missing.txt'))).rejects.toThrow(/readText: cannot access ".*missing.txt": no such file/);
    await expect(data.readText('')).rejects.toThrow(/expects a file path/);
  });

  it('buildCorpus works on a string, with a custom preprocessing and an existing vocabulary', () => {
    const built = data.buildCorpus('Abc abc', { preprocess: (t) => t.toUpperCase(), vocab: { order: 'alphabetical' } });
    expect(built.vocab.idxToTokenList).toEqual([' ', '<unk>', 'A', 'B', 'C']);
    const again = data.buildCorpus('cab?', { vocab: built.vocab, preprocess: (t) => t.toUpperCase() });
    expect(Array.from(again.corpus)).toEqual([4, 2, 3, 1]);
    expect(() => data.buildCorpus('x', { preprocess: 'upper' as never })).toThrow(/preprocess must be 'letters', 'none' or a function/);
  });
});
