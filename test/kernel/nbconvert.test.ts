/**
 * Debian's `jupyter nbconvert --to notebook --execute` runs a notebook with the seqlab kernel
 * (installed into a temporary prefix) and the outputs come back intact.
 */
import { describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SEQLAB_BIN, requireDebianJupyter, tempDir } from './helpers.js';
import { SAMPLE_CELLS, writeNotebook } from './notebooks.js';

describe('jupyter nbconvert --execute', () => {
  it('executes a seqlab notebook with outputs intact', () => {
    requireDebianJupyter(['nbconvert', 'nbclient'], ['jupyter-nbconvert', 'python3-nbconvert', 'python3-nbclient']);
    if (!existsSync('/usr/bin/jupyter')) throw new Error('missing /usr/bin/jupyter: install the Debian packages jupyter-nbconvert jupyter-client with: bash scripts/system-deps.sh');
    const prefix = tempDir('seqlab-prefix-');
    execFileSync(process.execPath, [SEQLAB_BIN, 'install', '--prefix', prefix]);
    const dir = tempDir();
    const nb = join(dir, 'lesson.ipynb');
    writeNotebook(nb, SAMPLE_CELLS);
    const r = spawnSync('/usr/bin/jupyter', ['nbconvert', '--to', 'notebook', '--execute', '--output', 'executed', nb], {
      cwd: dir,
      encoding: 'utf8',
      env: { ...process.env, JUPYTER_PATH: join(prefix, 'share', 'jupyter'), SEQLAB_DATA_DIR: tempDir() },
      timeout: 120_000,
    });
    expect(r.status, r.stderr).toBe(0);
    // nbformat stores multi-line text as a list of lines.
    const text = (v: unknown): unknown => (Array.isArray(v) ? v.join('') : v);
    const cells = JSON.parse(readFileSync(join(dir, 'executed.ipynb'), 'utf8')).cells.filter((c: any) => c.cell_type === 'code');
    expect(cells.map((c: any) => c.execution_count)).toEqual([1, 2, 3, 4, 5]);
    expect(cells[0].outputs[0]).toMatchObject({ output_type: 'stream', name: 'stdout' });
    expect(text(cells[0].outputs[0].text)).toBe('sum 6\n');
    expect(text(cells[1].outputs[0].data['text/html'])).toBe('<b>bold</b>');
    expect(cells[1].outputs[1].data['application/json']).toEqual({ a: 1 });
    expect(cells[2].outputs).toHaveLength(1);
    expect(text(cells[2].outputs[0].data['text/plain'])).toContain('3/3');
    expect(cells[3].outputs[0].data['application/vnd.seqlab.test+json']).toEqual({ ok: true });
    expect(cells[4].outputs[0].output_type).toBe('execute_result');
    expect(text(cells[4].outputs[0].data['text/plain'])).toBe('[ 2, 4, 6 ]');
  }, 180_000);
});
