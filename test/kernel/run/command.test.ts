/**
 * `seqlab run`: executes notebooks through the kernel over the real protocol, writes valid
 * nbformat 4.5 (checked with Debian's nbformat), stops on the first error with notebook,
 * cell number and error, interrupts a cell that exceeds --timeout, reports a kernel that died
 * at once, and has nbclient's options for course authors (--allow-errors, the
 * raises-exception tag, --kernel NAME, going on with the other notebooks when one fails).
 */
import { describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runNotebook } from '../../../kernel/dist/run/runner.js';
import { SEQLAB_BIN, requireDebianJupyter, tempDir } from '../helpers.js';
import { SAMPLE_CELLS, writeNotebook } from '../notebooks.js';

/** Code cells of a written notebook. */
const codeCells = (path: string): any[] => JSON.parse(readFileSync(path, 'utf8')).cells.filter((c: any) => c.cell_type === 'code');
const streamText = (cell: any): string => cell.outputs.filter((o: any) => o.output_type === 'stream').map((o: any) => o.text).join('');

/** A notebook whose code cells carry tags: [source, tags]. */
function writeTagged(path: string, cells: [string, string[]][], kernelspec = { name: 'seqlab', display_name: 'TypeScript (seqlab)', language: 'typescript' }): void {
  const nb = {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: { kernelspec },
    cells: cells.map(([source, tags], i) => ({ id: `c${i}`, cell_type: 'code', metadata: { tags }, execution_count: null, outputs: [], source })),
  };
  writeFileSync(path, JSON.stringify(nb, null, 1));
}

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
    const unknown = run(['x.ipynb', '--kernel', 'no-such-kernel'], tempDir());
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain('no kernel named "no-such-kernel" is installed (installed: ');
  });

  it('reports a kernel that dies under a cell at once as DeadKernelError, naming notebook and cell', () => {
    const dir = tempDir();
    const nb = join(dir, 'dies.ipynb');
    writeNotebook(nb, ['const a = 1', 'process.kill(process.pid, "SIGKILL")', 'console.log("never")']);
    // The timeout is far above what the run needs: the death must be seen, not waited out.
    const r = run([nb, '--timeout', '60'], dir);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('dies.ipynb, cell 3: DeadKernelError: the kernel died while this cell ran (killed by signal SIGKILL)');
    expect(r.stderr).not.toContain('CellTimeoutError');
    const code = codeCells(join(dir, 'dies.executed.ipynb'));
    expect(code[1].outputs.at(-1)).toMatchObject({ output_type: 'error', ename: 'DeadKernelError' });
    expect(code[2].outputs).toEqual([]);
  });

  it('declares a kernel that stops answering heartbeats dead, and kills it', async () => {
    const dir = tempDir();
    const nb = join(dir, 'stopped.ipynb');
    writeNotebook(nb, ['process.kill(process.pid, "SIGSTOP")']);
    const result = await runNotebook(nb, { timeout: 60, heartbeat: { intervalMs: 500, misses: 3 } });
    expect(result.error).toMatchObject({ cellNumber: 2, ename: 'DeadKernelError' });
    expect(result.error!.evalue).toContain('answered no heartbeat for 2 s and was killed');
  });

  it('--allow-errors records errors and goes on; exit 0', () => {
    const dir = tempDir();
    const nb = join(dir, 'errors.ipynb');
    writeNotebook(nb, ['throw new RangeError("expected")', 'console.log("after")']);
    const r = run([nb, '--allow-errors', '--inplace'], dir);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/\[1\/2\] cell 2 error \(allowed: allow-errors\)/);
    const code = codeCells(nb);
    expect(code[0].outputs[0]).toMatchObject({ output_type: 'error', ename: 'RangeError' });
    expect(streamText(code[1])).toBe('after\n');
  });

  it('lets a cell tagged raises-exception fail and goes on; an untagged error still stops', () => {
    requireDebianJupyter(['nbformat'], ['python3-nbformat']);
    const dir = tempDir();
    const nb = join(dir, 'tagged.ipynb');
    writeTagged(nb, [
      ['throw new TypeError("on purpose")', ['raises-exception']],
      ['console.log("ran after the tagged cell")', []],
      ['throw new TypeError("not allowed")', []],
      ['console.log("never")', []],
    ]);
    const r = run([nb, '--inplace'], dir);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('cell 1 error (allowed: raises-exception)');
    expect(r.stderr).toContain('tagged.ipynb, cell 3: TypeError: not allowed');
    validate(nb);
    const code = codeCells(nb);
    expect(code[0].outputs[0]).toMatchObject({ ename: 'TypeError', evalue: 'on purpose' });
    expect(streamText(code[1])).toBe('ran after the tagged cell\n');
    expect(code[3].outputs).toEqual([]);
  });

  it('goes on with the other notebooks when one fails; the exit code and the summary say which', () => {
    const dir = tempDir();
    const paths = ['first', 'broken', 'last'].map((n) => join(dir, `${n}.ipynb`));
    writeNotebook(paths[0]!, ['console.log("first ran")']);
    writeNotebook(paths[1]!, ['throw new TypeError("bad input shape")']);
    writeNotebook(paths[2]!, ['console.log("last ran")']);
    const r = run([...paths, join(dir, 'missing.ipynb'), '--out', join(dir, 'out')], dir);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('seqlab run: 2 of 4 notebooks failed:\n  broken.ipynb (cell 2: TypeError)\n  missing.ipynb (');
    expect(streamText(codeCells(join(dir, 'out', 'first.ipynb'))[0])).toBe('first ran\n');
    expect(streamText(codeCells(join(dir, 'out', 'last.ipynb'))[0])).toBe('last ran\n');
  });

  it('--kernel NAME runs with another installed kernelspec (Debian ipykernel)', () => {
    requireDebianJupyter(['ipykernel', 'nbformat'], ['python3-ipykernel', 'python3-nbformat']);
    const dir = tempDir();
    const nb = join(dir, 'python.ipynb');
    writeTagged(nb, [['import sys\nprint(6 * 7)', []], ['1 / 0', ['raises-exception']], ['"%s" % sys.version_info.major', []]], { name: 'python3', display_name: 'Python 3', language: 'python' });
    const r = run([nb, '--kernel', 'python3', '--inplace'], dir);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain('(kernel python3)');
    validate(nb);
    const written = JSON.parse(readFileSync(nb, 'utf8'));
    expect(written.metadata.kernelspec).toMatchObject({ name: 'python3', language: 'python' });
    expect(written.metadata.language_info.name).toBe('python');
    const code = written.cells;
    expect(streamText(code[0])).toBe('42\n');
    expect(code[1].outputs[0]).toMatchObject({ output_type: 'error', ename: 'ZeroDivisionError' });
    expect(code[2].outputs[0].data['text/plain']).toBe("'3'");
  });
});
