/**
 * scripts/system-deps.sh decides what to install from dpkg, installs only what is missing
 * when it can (root and apt-get), says what and why, and otherwise names the one command.
 * dpkg-query, id and apt-get are stubs first on PATH, so nothing is installed here.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterAll, describe, expect, it } from 'vitest';

const script = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'scripts', 'system-deps.sh');
const dir = mkdtempSync(join(tmpdir(), 'seqlab-system-deps-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * Runs the script with stubs: `installed` are the packages dpkg reports as installed, `uid` is
 * what `id -u` says; apt-get appends its arguments to a log.
 */
function run(args: string[], stubs: { installed: string[]; uid: number; apt?: boolean }): { status: number | null; stdout: string; stderr: string; apt: string[] } {
  const bin = mkdtempSync(join(dir, 'bin-'));
  const aptLog = join(bin, 'apt.log');
  const stub = (name: string, body: string): void => {
    writeFileSync(join(bin, name), `#!/bin/sh\n${body}\n`);
    chmodSync(join(bin, name), 0o755);
  };
  // dpkg-query -W -f='${Status}' PACKAGE
  stub('dpkg-query', `case " ${stubs.installed.join(' ')} " in *" $3 "*) printf 'install ok installed'; exit 0;; esac; exit 1`);
  stub('id', `echo ${stubs.uid}`);
  if (stubs.apt !== false) stub('apt-get', `echo "$*" >> ${aptLog}`);
  // The one real tool the script needs besides the stubs; no real apt-get or dpkg-query reachable.
  symlinkSync('/usr/bin/grep', join(bin, 'grep'));
  const result = spawnSync('/bin/bash', [script, ...args], { encoding: 'utf8', env: { PATH: bin, HOME: dir } });
  let apt: string[] = [];
  try {
    apt = readFileSync(aptLog, 'utf8').trim().split('\n');
  } catch {
    apt = [];
  }
  return { status: result.status, stdout: result.stdout, stderr: result.stderr, apt };
}

describe('scripts/system-deps.sh', () => {
  const start = ['python3-jupyter-server', 'jupyter-server', 'python3-jupyterlab-server', 'python3-ipykernel', 'python3-jupyter-client', 'jupyter-client'];

  it('does nothing when the group is installed', () => {
    const r = run(['start'], { installed: start, uid: 1000 });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("all 6 Debian packages for npm start (Debian's Jupyter Server serves the notebooks) are installed");
    expect(r.apt).toEqual([]);
  });

  it('as root with apt, installs only what is missing and says what and why', () => {
    const r = run(['hub'], { installed: start.slice(1), uid: 0 });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('a class on JupyterHub (jupyter-config/hub/) needs the Debian packages python3-jupyter-server jupyterhub, which are missing; installing them with apt-get');
    expect(r.apt).toEqual(['update -qq', 'install -y -qq --no-install-recommends python3-jupyter-server jupyterhub']);
  });

  it('without root, or without apt-get, installs nothing and names the one command', () => {
    for (const stubs of [{ installed: [], uid: 1000 }, { installed: [], uid: 0, apt: false }]) {
      const r = run(['start'], stubs);
      expect(r.status).toBe(1);
      expect(r.stderr).toContain(`npm start (Debian's Jupyter Server serves the notebooks) needs the Debian packages ${start.join(' ')}, which are missing`);
      expect(r.stderr).toContain('installing them needs root and apt-get; run: sudo bash scripts/system-deps.sh start');
      expect(r.apt).toEqual([]);
    }
  });

  it('--check only reports; the default group is everything the tests need', () => {
    const r = run(['--check'], { installed: [], uid: 0 });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/the tests .* needs the Debian packages .*jupyterhub .*python3-torch .*chromium, which are missing/);
    expect(r.stderr).toContain('install them with: sudo bash scripts/system-deps.sh\n');
    expect(r.apt).toEqual([]);
    expect(run(['bogus'], { installed: [], uid: 0 }).stderr).toContain("unknown group 'bogus' (all, start or hub)");
  });
});
