import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { fingerprint, listFiles, readStamp, writeStamp } from '../../../extension/host/src/fingerprint.js';

describe('fingerprint', () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'seqlab-fingerprint-'));
    mkdirSync(join(dir, 'app', 'sub'), { recursive: true });
    writeFileSync(join(dir, 'app', 'a.ts'), 'export const a = 1;\n');
    writeFileSync(join(dir, 'app', 'sub', 'b.ts'), 'export const b = 2;\n');
    writeFileSync(join(dir, 'package-lock.json'), '{}\n');
  });

  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('is stable for unchanged inputs and changes with a file content', () => {
    const before = fingerprint(dir, ['package-lock.json', 'app']);
    expect(fingerprint(dir, ['package-lock.json', 'app'])).toBe(before);
    writeFileSync(join(dir, 'app', 'sub', 'b.ts'), 'export const b = 3;\n');
    expect(fingerprint(dir, ['package-lock.json', 'app'])).not.toBe(before);
  });

  it('changes when a file is added, renamed or an input appears', () => {
    const before = fingerprint(dir, ['app', 'style']);
    writeFileSync(join(dir, 'app', 'c.ts'), '');
    const added = fingerprint(dir, ['app', 'style']);
    expect(added).not.toBe(before);
    rmSync(join(dir, 'app', 'c.ts'));
    writeFileSync(join(dir, 'app', 'd.ts'), '');
    expect(fingerprint(dir, ['app', 'style'])).not.toBe(added);
    const withoutStyle = fingerprint(dir, ['app', 'style']);
    mkdirSync(join(dir, 'style'));
    writeFileSync(join(dir, 'style', 'x.css'), '');
    expect(fingerprint(dir, ['app', 'style'])).not.toBe(withoutStyle);
  });

  it('ignores files outside its inputs and node_modules inside them', () => {
    const before = fingerprint(dir, ['app']);
    writeFileSync(join(dir, 'unrelated.txt'), 'x');
    mkdirSync(join(dir, 'app', 'node_modules'));
    writeFileSync(join(dir, 'app', 'node_modules', 'dep.js'), 'x');
    expect(fingerprint(dir, ['app'])).toBe(before);
    expect(listFiles(join(dir, 'app')).map(f => f.slice(dir.length + 1))).toEqual(['app/a.ts', 'app/sub/b.ts']);
  });

  it('mixes in extra strings (versions, platform)', () => {
    expect(fingerprint(dir, ['app'], ['linux'])).not.toBe(fingerprint(dir, ['app'], ['darwin']));
  });

  it('reads back a written stamp, and null when there is none', () => {
    const stamp = join(dir, 'deep', 'er', 'stamp');
    expect(readStamp(stamp)).toBeNull();
    writeStamp(stamp, 'abc');
    expect(readStamp(stamp)).toBe('abc');
  });
});
