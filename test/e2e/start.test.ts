/**
 * `npm start`: builds and installs what it needs, serves JupyterLab on 127.0.0.1 on a working
 * copy of the lecture notebooks (a lecture run through the server and saved leaves the
 * repository's notebooks/ as it was), prints a URL with a token, and on Ctrl-C (SIGINT to the
 * whole foreground process group, as a terminal sends it) stops the server and every kernel,
 * leaving no process behind. The copy is kept across starts and reset on request. Missing
 * Debian packages are named with the command that installs them before anything is built.
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { freePort, processesMentioning } from '../../extension/host/src/server.js';
import { recordTimings, repoRoot } from './harness.js';
import { outputsText, ServerKernel, serverApi } from './server-kernel.js';

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

  const stateDir = join(tempDir, 'state');
  const workingCopy = join(stateDir, 'notebooks');
  const lectures = readdirSync(join(repoRoot, 'notebooks')).filter(f => f.endsWith('.ipynb') && !f.endsWith('.executed.ipynb'));
  /** A lecture that runs in about 6 s. */
  const lecture = '09-multi-head-attention.ipynb';
  if (!lectures.includes(lecture)) throw new Error(`start.test: no lecture ${lecture} in notebooks/ (${lectures.join(', ')})`);
  const gitStatus = (): string => execFileSync('git', ['status', '--porcelain', '--untracked-files=all', '--ignored', 'notebooks'], { cwd: repoRoot, encoding: 'utf8' });
  let lectureRun = '';

  it('serves a working copy of the lecture notebooks, runs a lecture through the server leaving the repository as it was, and stops server and kernels on Ctrl-C', async () => {
    const started = Date.now();
    const before = gitStatus();
    const port = await freePort();

    let output = '';
    // detached: npm gets a process group of its own, like a shell's foreground job.
    child = spawn('npm', ['start', '--', '--server', 'host', '--port', String(port), '--state-dir', stateDir], {
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
    expect(output).toContain('seqlab: copied');
    expect(output).toContain(`lecture file(s) into the working copy ${workingCopy}`);
    const token = new URL(url).searchParams.get('token')!;
    const server = { baseUrl: new URL('/', url).toString(), token };

    const page = await fetch(url);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('id="jupyter-config-data"');
    expect(html).toContain(`"serverRoot": "${workingCopy}"`);

    const api = (path: string, init: RequestInit = {}): Promise<Response> => serverApi(server, path, init);
    expect((await fetch(new URL('api/sessions', url))).status).toBe(403);
    const specs = (await (await api('api/kernelspecs')).json()) as { kernelspecs: Record<string, unknown> };
    expect(Object.keys(specs.kernelspecs)).toEqual(expect.arrayContaining(['python3', 'seqlab']));
    const contents = (await (await api('api/contents')).json()) as { content: Array<{ name: string }> };
    expect(contents.content.map(c => c.name)).toEqual(expect.arrayContaining([...lectures, 'data']));

    // Two kernels, as a lecturer would have open: the seqlab kernel on a lecture and Debian's ipykernel.
    const sessions: Record<string, { kernel: { id: string } }> = {};
    for (const [kernel, path] of [['seqlab', lecture], ['python3', 'scratch.ipynb']] as const) {
      const response = await api('api/sessions', {
        method: 'POST',
        body: JSON.stringify({ path, name: path, type: 'notebook', kernel: { name: kernel } }),
      });
      expect(response.status).toBe(201);
      sessions[kernel] = (await response.json()) as { kernel: { id: string } };
    }

    // The lecture, cell by cell through the server's websocket, saved through the contents API
    // with a checkpoint, as JupyterLab does.
    const nb = (await (await api(`api/contents/${lecture}?type=notebook&content=1`)).json()) as { content: { cells: Array<Record<string, unknown>> } };
    const kernel = await ServerKernel.connect(server, sessions['seqlab']!.kernel.id);
    try {
      for (const cell of nb.content.cells.filter(c => c['cell_type'] === 'code')) {
        const source = Array.isArray(cell['source']) ? (cell['source'] as string[]).join('') : String(cell['source']);
        const run = await kernel.execute(source);
        expect(run.status, `${lecture}: ${source.slice(0, 80)}\n${outputsText(run.outputs)}`).toBe('ok');
        cell['outputs'] = run.outputs;
        cell['execution_count'] = run.executionCount;
        lectureRun += outputsText(run.outputs);
      }
    } finally {
      kernel.close();
    }
    expect(lectureRun).toMatch(/\S/);
    const saved = await api(`api/contents/${lecture}`, { method: 'PUT', body: JSON.stringify({ type: 'notebook', format: 'json', content: nb.content }) });
    expect(saved.status).toBe(200);
    expect((await api(`api/contents/${lecture}/checkpoints`, { method: 'POST' })).status).toBe(201);
    const written = JSON.parse(readFileSync(join(workingCopy, lecture), 'utf8')) as { cells: Array<{ outputs?: unknown[] }> };
    expect(written.cells.some(c => (c.outputs ?? []).length > 0)).toBe(true);
    expect(existsSync(join(workingCopy, '.ipynb_checkpoints'))).toBe(true);
    expect(existsSync(join(repoRoot, 'notebooks', '.ipynb_checkpoints'))).toBe(false);
    expect(gitStatus()).toBe(before);

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

  it('keeps the working copy across starts and resets it on request, backing up what changed', () => {
    const ran = readFileSync(join(workingCopy, lecture), 'utf8');
    expect(lectureRun, 'needs the previous test').toMatch(/\S/);
    const again = spawnSync('npm', ['start', '--', '--server', 'host', '--build-only', '--state-dir', stateDir], { cwd: repoRoot, encoding: 'utf8', timeout: 600_000 });
    expect(again.status, again.stdout + again.stderr).toBe(0);
    expect(again.stdout).not.toContain('seqlab: copied');
    // Every build step runs, each skipped when current: the engine's wasm kernels among them
    // (without them a fresh clone's npm start would run the slow reference kernels).
    expect(again.stdout).toMatch(/seqlab: typescript built in [\d.]+ s, wasm (up to date|built in [\d.]+ s), labextension (up to date|built in [\d.]+ s), frontend (up to date|built in [\d.]+ s);/);
    expect(readFileSync(join(workingCopy, lecture), 'utf8')).toBe(ran);

    const reset = spawnSync('npm', ['start', '--', '--server', 'host', '--build-only', '--reset-notebooks', '--state-dir', stateDir], { cwd: repoRoot, encoding: 'utf8', timeout: 600_000 });
    expect(reset.status, reset.stdout + reset.stderr).toBe(0);
    const backup = reset.stdout.match(/your versions are in (\S+):/)?.[1];
    expect(backup, reset.stdout).toBeDefined();
    expect(backup!.startsWith(join(stateDir, 'notebook-backups'))).toBe(true);
    expect(readFileSync(join(backup!, lecture), 'utf8')).toBe(ran);
    expect(readFileSync(join(workingCopy, lecture), 'utf8')).toBe(readFileSync(join(repoRoot, 'notebooks', lecture), 'utf8'));
  }, 600_000);

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
    expect(said).toContain('sudo bash scripts/system-deps.sh start');
    expect(said).not.toContain('compiling TypeScript');
  }, 120_000);

  it('without root, names the missing Debian packages and the one command that installs them, before building anything', () => {
    // dpkg reports nothing installed and the user is not root (stubs first on PATH).
    const bin = join(tempDir, 'stub-bin');
    mkdirSync(bin, { recursive: true });
    writeFileSync(join(bin, 'dpkg-query'), '#!/bin/sh\nexit 1\n');
    writeFileSync(join(bin, 'id'), '#!/bin/sh\necho 1000\n');
    chmodSync(join(bin, 'dpkg-query'), 0o755);
    chmodSync(join(bin, 'id'), 0o755);
    const result = spawnSync('npm', ['start', '--', '--server', 'host', '--state-dir', join(tempDir, 'not-root')], {
      cwd: repoRoot,
      encoding: 'utf8',
      env: { ...process.env, PATH: `${bin}:${process.env['PATH']}` },
      timeout: 120_000,
    });
    expect(result.status).toBe(1);
    const said = `${result.stdout}${result.stderr}`;
    expect(said).toContain('npm start (Debian\'s Jupyter Server serves the notebooks) needs the Debian packages python3-jupyter-server');
    expect(said).toContain('installing them needs root and apt-get; run: sudo bash scripts/system-deps.sh start');
    expect(said).not.toContain('compiling TypeScript');
    expect(existsSync(join(tempDir, 'not-root', 'notebooks'))).toBe(false);
  }, 120_000);
});
