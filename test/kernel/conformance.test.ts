/**
 * The Jupyter project's conformance suite (Debian python3-jupyter-kernel-test) against the
 * seqlab kernel installed into a temporary prefix.
 */
import { describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { REPO, SEQLAB_BIN, requireDebianJupyter, tempDir } from './helpers.js';

describe('jupyter_kernel_test', () => {
  it('passes every test of the suite, none skipped', () => {
    requireDebianJupyter(['jupyter_kernel_test', 'jupyter_client'], ['python3-jupyter-kernel-test', 'python3-jupyter-client']);
    const prefix = tempDir('seqlab-prefix-');
    execFileSync(process.execPath, [SEQLAB_BIN, 'install', '--prefix', prefix], { encoding: 'utf8' });
    const env = { ...process.env, JUPYTER_PATH: join(prefix, 'share', 'jupyter'), SEQLAB_DATA_DIR: tempDir(), PYTHONDONTWRITEBYTECODE: '1' };
    const r = spawnSync('/usr/bin/python3', ['-m', 'unittest', '-v', 'test_seqlab_kernel'], { cwd: join(REPO, 'test', 'kernel', 'conformance'), env, encoding: 'utf8', timeout: 240_000 });
    const out = `${r.stdout}\n${r.stderr}`;
    const ran = /Ran (\d+) tests?/.exec(out);
    expect(ran, out).not.toBeNull();
    expect(Number(ran![1]), out).toBeGreaterThanOrEqual(12);
    expect(out, out).not.toMatch(/skipped/i);
    expect(r.status, out).toBe(0);
    expect(out).toMatch(/\nOK\s*$/);
  }, 300_000);
});
