/**
 * `seqlab run`: executes notebooks through the kernel over the real protocol, writes valid
 * nbformat 4.5 (checked with Debian's nbformat), stops on the first error with notebook,
 * cell number and error, and interrupts a cell that exceeds --timeout.
 */
import { describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SEQLAB_BIN, requireDebianJupyter, tempDir } from '../helpers.js';
import { SAMPLE_CELLS, writeNotebook } from '../notebooks.js';

function validate(path: string): void {
  execFileSync('/usr/bin/python3', ['-c', 'import sys, nbformat; nb = nbformat.read(sys.argv[1], as_version=4); nbformat.validate(nb); assert nb.nbformat_minor >= 5', path], { stdio: 'pipe' });
}

const run = (args: string[], cwd: string) => spawnSync(process.execPath, [SEQLAB_BIN, 'run', ...args], { cwd, encoding: 'utf8', env: { ...process.env, SEQLAB_DATA_DIR: tempDir() }, timeout: 120_000 });

describe('seqlab run', { timeout: 120_000 }, () => {
  it('executes every cell, writes valid nbformat 4.5 with outputs in the right shape', () => {
    requireDebianJupyter(['nbformat'], ['python3-nbformat']);
    const dir = tempDir();
    const nb = join(dir, 'sample.ipynb');
    writeNotebook(nb, SAMPLE_CELLS);
    const out = join(dir, 'out');
    const r = run([nb, '--out', out], dir);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain('[5/5]');
    const written = join(out, 'sample.ipynb');
    validate(written);
    const cells = JSON.parse(readFileSync(written, 'utf8')).cells;
    expect(cells.map((c: any) => c.id).every((id: string) => /^[a-zA-Z0-9-_]{1,64}$/.test(id))).toBe(true);
    const code = cells.filter((c: any) => c.cell_type === 'code');
    expect(code.map((c: any) => c.execution_count)).toEqual([1, 2, 3, 4, 5]);
    expect(code[0].outputs).toEqual([{ output_type: 'stream', name: 'stdout', text: 'sum 6\n' }]);
    expect(code[1].outputs.map((o: any) => Object.keys(o.data)[0])).toEqual(['text/html', 'application/json']);
    expect(code[2].outputs).toHaveLength(1);
    expect(code[2].outputs[0].data['text/plain']).toContain('3/3');
    expect(code[3].outputs[0]).toMatchObject({ output_type: 'execute_result', execution_count: 4, data: { 'application/vnd.seqlab.test+json': { ok: true } } });
    expect(code[4].outputs[0].data).toEqual({ 'text/plain': '[ 2, 4, 6 ]' });
  });

  it('stops at the first error with notebook, cell number and error, exit code 1', () => {
    requireDebianJupyter(['nbformat'], ['python3-nbformat']);
    const dir = tempDir();
    const nb = join(dir, 'broken.ipynb');
    writeNotebook(nb, ['const ok = 1', 'throw new TypeError("bad input shape")', 'console.log("never")']);
    const r = run([nb, '--inplace'], dir);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('broken.ipynb, cell 3: TypeError: bad input shape');
    validate(nb);
    const code = JSON.parse(readFileSync(nb, 'utf8')).cells.filter((c: any) => c.cell_type === 'code');
    expect(code[1].outputs[0]).toMatchObject({ output_type: 'error', ename: 'TypeError' });
    expect(code[2].outputs).toEqual([]);
  });

  it('interrupts a cell over --timeout and reports it', () => {
    const dir = tempDir();
    const nb = join(dir, 'slow.ipynb');
    writeNotebook(nb, ['while (true) {}']);
    const r = run([nb, '--timeout', '1'], dir);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('slow.ipynb, cell 2: CellTimeoutError');
    const code = JSON.parse(readFileSync(join(dir, 'slow.executed.ipynb'), 'utf8')).cells.filter((c: any) => c.cell_type === 'code');
    expect(code[0].outputs.map((o: any) => o.ename)).toContain('CellTimeoutError');
  });

  it('rejects bad arguments with usage errors', () => {
    expect(run([], tempDir()).status).toBe(2);
    expect(run(['x.ipynb', '--timeout', 'soon'], tempDir()).stderr).toContain('--timeout');
  });
});
