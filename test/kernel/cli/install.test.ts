/**
 * `seqlab install` / `uninstall`: kernelspec in the chosen data dir, labextension copied when
 * built (a temp folder stands in for it), a clear message when it is not, and Debian's
 * `jupyter kernelspec list` finds the kernel.
 */
import { describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SEQLAB_BIN, requireDebianJupyter, tempDir } from '../helpers.js';
import { dataDir } from '../../../kernel/dist/cli/install.js';

const seqlab = (args: string[], env: NodeJS.ProcessEnv = {}) => spawnSync(process.execPath, [SEQLAB_BIN, ...args], { encoding: 'utf8', env: { ...process.env, ...env } });

describe('seqlab install', { timeout: 120_000 }, () => {
  it('writes kernel.json (absolute argv, language, interrupt_mode) and logos under --prefix', () => {
    const prefix = tempDir();
    const r = seqlab(['install', '--prefix', prefix, '--name', 'seqlab-test', '--interrupt-mode', 'signal', '--typecheck', 'warn'], { SEQLAB_LABEXTENSION_DIR: join(prefix, 'no-such-dir') });
    expect(r.status, r.stderr).toBe(0);
    const dir = join(prefix, 'share', 'jupyter', 'kernels', 'seqlab-test');
    const spec = JSON.parse(readFileSync(join(dir, 'kernel.json'), 'utf8'));
    expect(spec.argv).toEqual([process.execPath, SEQLAB_BIN, 'kernel', '--connection-file', '{connection_file}']);
    expect(spec).toMatchObject({ display_name: 'TypeScript (seqlab)', language: 'typescript', interrupt_mode: 'signal', env: { SEQLAB_TYPECHECK: 'warn' } });
    for (const logo of ['logo-32x32.png', 'logo-64x64.png', 'logo-svg.svg']) expect(existsSync(join(dir, logo))).toBe(true);
    expect(readFileSync(join(dir, 'logo-64x64.png')).subarray(1, 4).toString()).toBe('PNG');
    expect(r.stdout).toContain('NOT installed: the JupyterLab extension is not built');
  });

  it('--threads N writes SEQLAB_THREADS into kernel.json and rejects what is not a thread count', () => {
    const prefix = tempDir();
    const r = seqlab(['install', '--prefix', prefix, '--threads', '1', '--typecheck', 'off']);
    expect(r.status, r.stderr).toBe(0);
    const spec = JSON.parse(readFileSync(join(prefix, 'share', 'jupyter', 'kernels', 'seqlab', 'kernel.json'), 'utf8'));
    expect(spec.env).toEqual({ SEQLAB_TYPECHECK: 'off', SEQLAB_THREADS: '1' });
    for (const bad of ['0', '-2', '1.5', 'two', '']) {
      const b = seqlab(['install', '--prefix', tempDir(), `--threads=${bad}`]);
      expect(b.status, `--threads ${bad}`).toBe(2);
      expect(b.stderr).toContain(`--threads must be a whole number of threads, 1 or more, got "${bad}"`);
    }
  });

  it('copies a built labextension and uninstall removes both', () => {
    const prefix = tempDir();
    const ext = tempDir('labext-');
    writeFileSync(join(ext, 'package.json'), JSON.stringify({ name: '@seqlab/jupyterlab', version: '0.1.0' }));
    mkdirSync(join(ext, 'static'));
    writeFileSync(join(ext, 'static', 'remoteEntry.js'), '// built');
    const r = seqlab(['install', '--prefix', prefix], { SEQLAB_LABEXTENSION_DIR: ext });
    expect(r.status, r.stderr).toBe(0);
    const target = join(prefix, 'share', 'jupyter', 'labextensions', '@seqlab', 'jupyterlab');
    expect(readFileSync(join(target, 'static', 'remoteEntry.js'), 'utf8')).toBe('// built');
    expect(r.stdout).toContain(`installed the JupyterLab extension in ${target}`);
    const u = seqlab(['uninstall', '--prefix', prefix]);
    expect(u.status).toBe(0);
    expect(existsSync(target)).toBe(false);
    expect(existsSync(join(prefix, 'share', 'jupyter', 'kernels', 'seqlab'))).toBe(false);
  });

  it('finds data dirs as jupyter_core does', () => {
    expect(dataDir({ kind: 'user' }, { JUPYTER_DATA_DIR: '/x/data' })).toBe('/x/data');
    expect(dataDir({ kind: 'user' }, { HOME: '/home/u', XDG_DATA_HOME: '/home/u/xdg' })).toBe('/home/u/xdg/jupyter');
    expect(dataDir({ kind: 'prefix', dir: '/opt/p' })).toBe('/opt/p/share/jupyter');
    requireDebianJupyter(['jupyter_core'], ['python3-jupyter-core']);
    const sys = execFileSync('/usr/bin/python3', ['-c', 'import sys; print(sys.prefix)'], { encoding: 'utf8' }).trim();
    expect(dataDir({ kind: 'sys-prefix' }, { SEQLAB_PYTHON: '/usr/bin/python3' })).toBe(join(sys, 'share', 'jupyter'));
  });

  it('--user installs where `jupyter kernelspec list` looks', () => {
    requireDebianJupyter(['jupyter_client'], ['jupyter-client', 'python3-jupyter-client']);
    const data = tempDir();
    const r = seqlab(['install', '--user'], { JUPYTER_DATA_DIR: data });
    expect(r.status, r.stderr).toBe(0);
    const list = execFileSync('/usr/bin/jupyter', ['kernelspec', 'list', '--json'], { encoding: 'utf8', env: { ...process.env, JUPYTER_DATA_DIR: data } });
    const specs = JSON.parse(list).kernelspecs;
    expect(specs.seqlab.resource_dir).toBe(join(data, 'kernels', 'seqlab'));
    expect(specs.seqlab.spec.language).toBe('typescript');
  });

  it('prints help and version, and rejects unknown flags', () => {
    expect(seqlab(['install', '--help']).stdout).toContain('Usage: seqlab install');
    expect(seqlab(['--version']).stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
    const bad = seqlab(['install', '--bogus']);
    expect(bad.status).toBe(2);
    expect(seqlab(['install', '--user', '--prefix', '/tmp/x']).stderr).toContain('choose one of');
  });
});
