/**
 * `npm start`: builds and installs what it needs, serves JupyterLab on 127.0.0.1, prints a URL
 * with a token, and on Ctrl-C (SIGINT to the whole foreground process group, as a terminal
 * sends it) stops the server and every kernel, leaving no process behind.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { freePort, processesMentioning } from '../../extension/host/src/server.js';
import { notebook, recordTimings, repoRoot } from './harness.js';

const delay = (ms: number): Promise<void> => new Promise(r => setTimeout(r, ms));

async function waitFor<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs: number, log: () => string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) {
      return value;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}; npm start said:\n${log()}`);
    }
    await delay(200);
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('npm start', () => {
  const tempDir = mkdtempSync(join(tmpdir(), 'seqlab-start-'));
  let child: ChildProcess | null = null;

  afterAll(() => {
    if (child?.pid && child.exitCode === null && child.signalCode === null) {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
    for (const pid of processesMentioning(tempDir)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
    rmSync(tempDir, { recursive: true, force: true });
  });

  it('serves the notebooks with a token URL and stops server and kernels on Ctrl-C', async () => {
    const started = Date.now();
    const notebooks = join(tempDir, 'notebooks');
    const stateDir = join(tempDir, 'state');
    mkdirSync(notebooks, { recursive: true });
    writeFileSync(join(notebooks, 'intro.ipynb'), JSON.stringify(notebook(['1 + 1'])));
    const port = await freePort();

    let output = '';
    // detached: npm gets a process group of its own, like a shell's foreground job.
    child = spawn('npm', ['start', '--', '--server', 'host', '--port', String(port), '--notebooks', notebooks, '--state-dir', stateDir], {
      cwd: repoRoot,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>(resolve =>
      child!.once('exit', (code, signal) => resolve({ code, signal }))
    );
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));

    // The first run may install the host's dependencies and build everything.
    const url = await waitFor('the URL', () => output.match(/http:\/\/127\.0\.0\.1:\d+\/lab\?token=[0-9a-f]{16,}/)?.[0], 600_000, () => output);
    const ready = (Date.now() - started) / 1000;
    expect(new URL(url).port).toBe(String(port));
    const token = new URL(url).searchParams.get('token')!;

    const page = await fetch(url);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('id="jupyter-config-data"');
    expect(html).toContain(`"serverRoot": "${notebooks}"`);

    const api = (path: string, init: RequestInit = {}): Promise<Response> =>
      fetch(new URL(path, url), { ...init, headers: { Authorization: `token ${token}`, 'Content-Type': 'application/json' } });
    expect((await fetch(new URL('api/sessions', url))).status).toBe(403);
    const specs = (await (await api('api/kernelspecs')).json()) as { kernelspecs: Record<string, unknown> };
    expect(Object.keys(specs.kernelspecs)).toEqual(expect.arrayContaining(['python3', 'seqlab']));
    const contents = (await (await api('api/contents')).json()) as { content: Array<{ name: string }> };
    expect(contents.content.map(c => c.name)).toContain('intro.ipynb');

    // Two kernels, as a lecturer would have open: the seqlab kernel and Debian's ipykernel.
    for (const kernel of ['seqlab', 'python3']) {
      const response = await api('api/sessions', {
        method: 'POST',
        body: JSON.stringify({ path: `${kernel}.ipynb`, name: `${kernel}.ipynb`, type: 'notebook', kernel: { name: kernel } }),
      });
      expect(response.status).toBe(201);
    }
    // One runtime folder per server run: state/jupyter/runtime/server-*/jpserver-PID.json.
    const runtimeRoot = join(stateDir, 'jupyter', 'runtime');
    const runs = readdirSync(runtimeRoot);
    expect(runs).toHaveLength(1);
    const runtimeDir = join(runtimeRoot, runs[0]!);
    const serverPid = Number(readdirSync(runtimeDir).find(f => /^jpserver-\d+\.json$/.test(f))!.match(/\d+/)![0]);
    expect(alive(serverPid)).toBe(true);
    const kernelPids = await waitFor(
      'two kernel processes',
      () => {
        const pids = processesMentioning(runtimeDir);
        return pids.length >= 2 ? pids : undefined;
      },
      60_000,
      () => output
    );
    expect(JSON.parse(readFileSync(join(runtimeDir, `jpserver-${serverPid}.json`), 'utf8')).port).toBe(port);

    // Ctrl-C: the terminal signals the whole foreground process group.
    const stopping = Date.now();
    process.kill(-child.pid!, 'SIGINT');
    const result = await Promise.race([exited, delay(60_000).then(() => null)]);
    expect(result, `npm start did not exit after SIGINT:\n${output}`).not.toBeNull();
    const stopSeconds = (Date.now() - stopping) / 1000;
    expect(output).toContain('seqlab: stopped.');
    expect(alive(serverPid)).toBe(false);
    for (const pid of kernelPids) {
      expect(alive(pid), `kernel process ${pid} outlived npm start`).toBe(false);
    }
    expect(processesMentioning(tempDir)).toEqual([]);
    expect(readdirSync(runtimeRoot)).toEqual([]);
    recordTimings('npm start', { ready, stop: stopSeconds, wholeTest: (Date.now() - started) / 1000 });
  }, 900_000);

  it('says which Debian packages are missing and how to install them, before building anything', () => {
    const result = spawnSync('npm', ['start', '--', '--server', 'host', '--state-dir', join(tempDir, 'missing')], {
      cwd: repoRoot,
      encoding: 'utf8',
      env: { ...process.env, SEQLAB_PYTHON: join(tempDir, 'no-such-python3') },
      timeout: 120_000,
    });
    expect(result.status).toBe(1);
    const said = `${result.stdout}${result.stderr}`;
    expect(said).toContain(`needs Debian's Python (${join(tempDir, 'no-such-python3')})`);
    expect(said).toContain('python3-jupyter-server');
    expect(said).toContain('python3-jupyterlab-server');
    expect(said).toContain('sudo bash scripts/system-deps.sh');
    expect(said).not.toContain('compiling TypeScript');
  }, 120_000);
});
