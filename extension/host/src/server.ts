/**
 * Starts and stops the JupyterLab host server (Debian's Jupyter Server running
 * server/run.py) for `npm start` and the end-to-end tests.
 *
 * The server runs in its own process group, so a Ctrl-C in the terminal reaches only the
 * Node process, which then stops the server with SIGTERM: jupyter_server shuts its kernels
 * down on SIGTERM, while a SIGINT without a terminal would skip that clean-up.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, type WriteStream } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

import { debianPython, frontendDirs, labConfigDir, serverPython, serverScript, systemDepsScript } from './paths.js';

/** Which server program serves the frontend. */
export type ServerKind =
  /** server/run.py: Debian's jupyter_server 1.23 + jupyterlab_server 2.16 and the frontend in build/. */
  | 'seqlab-host'
  /** A real `jupyter lab` (the Python jupyterlab package), where one is installed. */
  | 'jupyterlab';

/** Options of {@link startHostServer}. */
export interface HostServerOptions {
  /** The folder the file browser shows (`ServerApp.root_dir`). */
  rootDir: string;
  /**
   * Holds this server's Jupyter state: `config/` (settings, workspaces), `data/` and
   * `runtime/server-*` (connection files, server info; one folder per server run, removed when
   * it stops). A fresh temporary folder isolates a test run.
   */
  stateDir: string;
  /** Extra Jupyter data folders (`JUPYTER_PATH`): where `seqlab install --prefix P` put `P/share/jupyter`. */
  jupyterPath?: string[];
  /** Port to try first; a free one is picked when absent. */
  port?: number;
  /** Access token; a random one when absent. `''` disables token authentication. */
  token?: string;
  /** Set `window.jupyterapp` in the page (tests). */
  exposeAppInBrowser?: boolean;
  /** Default: 'seqlab-host'. */
  kind?: ServerKind;
  /** Receives every line the server writes (stdout and stderr). */
  onLog?: (line: string) => void;
  /** Also append the server's output to this file. */
  logFile?: string;
  /** How long to wait for the server to answer, in ms (default 60 000). */
  startTimeoutMs?: number;
}

/** A running server. */
export interface HostServer {
  /** Base URL, e.g. `http://127.0.0.1:8888/` (no token). */
  readonly baseUrl: string;
  readonly port: number;
  readonly token: string;
  /** Process id of the server. */
  readonly pid: number;
  /** The runtime folder (connection files of the server's kernels). */
  readonly runtimeDir: string;
  /** A URL under the server that carries the token, e.g. `url('lab/tree/a.ipynb')`. */
  url(path?: string): string;
  /** A REST call with the token in the Authorization header, e.g. `api('api/sessions')`. */
  api(path: string, init?: RequestInit): Promise<Response>;
  /** The server's output so far. */
  output(): string;
  /** Stops the server and every kernel it started; resolves once all are gone. */
  stop(): Promise<void>;
}

/** Thrown when a Debian package the host needs is missing. */
export class MissingSystemDependencyError extends Error {}

/**
 * Checks that Debian's Python has Jupyter Server and jupyterlab_server.
 *
 * @throws MissingSystemDependencyError naming the packages and `sudo bash scripts/system-deps.sh start`
 */
export function checkServerDependencies(env: NodeJS.ProcessEnv = process.env): void {
  const packages = 'python3-jupyter-server jupyter-server python3-jupyterlab-server python3-ipykernel';
  const python = serverPython(env);
  if (!existsSync(python)) {
    throw new MissingSystemDependencyError(
      `the JupyterLab host needs Debian's Python (${python}) with the packages ${packages}; install them with: sudo bash scripts/system-deps.sh start`
    );
  }
  const probe = spawnSync(python, ['-c', 'import jupyter_server, jupyterlab_server, ipykernel'], { encoding: 'utf8' });
  if (probe.status !== 0) {
    const said = (probe.stderr || probe.error?.message || '').trim().split('\n').pop();
    throw new MissingSystemDependencyError(
      `the JupyterLab host needs the Debian packages ${packages} (${python} says: ${said}); install them with: sudo bash scripts/system-deps.sh start`
    );
  }
}

/**
 * Makes sure the server can run, installing what is missing where the machine allows it:
 * `scripts/system-deps.sh start` installs the missing Debian packages when run as root with
 * apt (saying which and why), and otherwise stops, naming the one command that does; then
 * {@link checkServerDependencies} confirms Python can import them. A Python other than
 * Debian's (`$SEQLAB_PYTHON`) is only checked: Debian's packages would not reach it.
 *
 * @throws MissingSystemDependencyError with what is missing and the command to run
 */
export function ensureServerDependencies(env: NodeJS.ProcessEnv = process.env): void {
  if (serverPython(env) === debianPython) {
    // stdout to the terminal as it comes (apt's progress); stderr kept for the error.
    const result = spawnSync('bash', [systemDepsScript, 'start'], { env, encoding: 'utf8', stdio: ['ignore', 'inherit', 'pipe'] });
    if (result.error || result.status !== 0) {
      throw new MissingSystemDependencyError((result.stderr || result.error?.message || `${systemDepsScript} failed (exit ${result.status})`).trim());
    }
  }
  checkServerDependencies(env);
}

/** Whether a real `jupyter lab` 4.x is installed (the Python jupyterlab package). */
export function realJupyterLabVersion(): string | null {
  const probe = spawnSync('jupyter', ['lab', '--version'], { encoding: 'utf8', timeout: 20_000 });
  const version = probe.status === 0 ? probe.stdout.trim().split('\n').pop() ?? '' : '';
  return /^4\.\d+/.test(version) ? version : null;
}

/** A TCP port that was free a moment ago on 127.0.0.1 (the server retries if it is taken since). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

const delay = (ms: number): Promise<void> => new Promise(r => setTimeout(r, ms));

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Processes whose command line mentions `marker` (Linux /proc). Kernels started by the server
 * get their connection file under the server's private runtime folder, so that folder's path
 * names exactly the kernels this server started.
 */
export function processesMentioning(marker: string): number[] {
  if (!existsSync('/proc')) {
    return [];
  }
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) {
      continue;
    }
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (cmdline.includes(marker)) {
        pids.push(Number(entry));
      }
    } catch {
      // The process ended while we looked.
    }
  }
  return pids;
}

function serverArgs(kind: ServerKind, options: HostServerOptions, port: number): { command: string; args: string[] } {
  const common = [
    '--ServerApp.ip=127.0.0.1',
    `--ServerApp.port=${port}`,
    '--ServerApp.port_retries=50',
    `--ServerApp.root_dir=${options.rootDir}`,
    '--ServerApp.open_browser=False',
  ];
  if (process.getuid?.() === 0) {
    common.push('--ServerApp.allow_root=True');
  }
  if (kind === 'jupyterlab') {
    return {
      command: 'jupyter',
      args: ['lab', ...common, `--LabApp.expose_app_in_browser=${options.exposeAppInBrowser ? 'True' : 'False'}`],
    };
  }
  return {
    command: serverPython(),
    args: [
      serverScript,
      ...common,
      `--SeqlabLabApp.app_settings_dir=${labConfigDir}`,
      `--SeqlabLabApp.expose_app_in_browser=${options.exposeAppInBrowser ? 'True' : 'False'}`,
    ],
  };
}

interface ServerInfo {
  port: number;
  pid: number;
}

/**
 * Starts the server and resolves once it answers REST calls.
 *
 * @example
 * const server = await startHostServer({ rootDir: 'notebooks', stateDir: '.seqlab/jupyter' });
 * console.log(server.url('lab'));
 * await server.stop();
 */
export async function startHostServer(options: HostServerOptions): Promise<HostServer> {
  const kind = options.kind ?? 'seqlab-host';
  if (kind === 'seqlab-host') {
    checkServerDependencies();
    if (!existsSync(join(frontendDirs.templates, 'index.html'))) {
      throw new Error('host: the frontend is not built; run `npm run host:build` (or buildFrontend())');
    }
  }
  const config = join(options.stateDir, 'config');
  const data = join(options.stateDir, 'data');
  mkdirSync(config, { recursive: true });
  mkdirSync(data, { recursive: true });
  mkdirSync(join(options.stateDir, 'runtime'), { recursive: true });
  // A runtime folder of its own: its path then names exactly this server's kernels, even
  // when two servers share a state folder (two `npm start` at once).
  const dirs = { config, data, runtime: mkdtempSync(join(options.stateDir, 'runtime', 'server-')) };
  const token = options.token ?? randomBytes(24).toString('hex');
  const port = options.port ?? (await freePort());
  const { command, args } = serverArgs(kind, options, port);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    JUPYTER_CONFIG_DIR: dirs.config,
    JUPYTER_DATA_DIR: dirs.data,
    JUPYTER_RUNTIME_DIR: dirs.runtime,
    // In the environment, not on the command line, where `ps` would show it.
    JUPYTER_TOKEN: token,
  };
  if (options.jupyterPath?.length) {
    env['JUPYTER_PATH'] = options.jupyterPath.join(':');
  } else {
    delete env['JUPYTER_PATH'];
  }
  // Debian's Python must not pick up modules meant for another Python.
  delete env['PYTHONPATH'];
  delete env['PYTHONHOME'];

  const child: ChildProcess = spawn(command, args, {
    cwd: options.rootDir,
    env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const pid = child.pid;
  if (pid === undefined) {
    throw new Error(`host: could not start ${command}`);
  }
  let logStream: WriteStream | null = options.logFile ? createWriteStream(options.logFile, { flags: 'a' }) : null;
  const lines: string[] = [];
  let exited: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  const exitPromise = new Promise<void>(resolve => {
    child.once('exit', (code, signal) => {
      exited = { code, signal };
      resolve();
    });
  });
  const onData = (chunk: Buffer): void => {
    const text = chunk.toString('utf8');
    logStream?.write(text);
    for (const line of text.split('\n')) {
      if (line.trim()) {
        lines.push(line);
        options.onLog?.(line);
      }
    }
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);

  const output = (): string => lines.join('\n');

  const stop = async (): Promise<void> => {
    if (exited === null && isAlive(pid)) {
      process.kill(pid, 'SIGTERM');
      const deadline = Date.now() + 15_000;
      while (exited === null && Date.now() < deadline) {
        await Promise.race([exitPromise, delay(100)]);
      }
      if (exited === null) {
        // The server did not finish its clean-up in time: end its whole process group.
        try {
          process.kill(-pid, 'SIGKILL');
        } catch {
          // Already gone.
        }
        await Promise.race([exitPromise, delay(2_000)]);
      }
    }
    // Kernels live in sessions of their own; the server shuts them down on SIGTERM, and any
    // that outlived it (a crash, a kill) are found by their connection files' folder.
    for (const signal of ['SIGTERM', 'SIGKILL'] as const) {
      const left = processesMentioning(dirs.runtime);
      if (left.length === 0) {
        break;
      }
      for (const p of left) {
        try {
          process.kill(p, signal);
        } catch {
          // Already gone.
        }
      }
      await delay(signal === 'SIGTERM' ? 1_000 : 200);
    }
    rmSync(dirs.runtime, { recursive: true, force: true });
    if (logStream) {
      const stream = logStream;
      logStream = null;
      await new Promise<void>(resolve => stream.end(resolve));
    }
  };

  // jupyter_server writes jpserver-PID.json once it listens; it holds the actual port.
  const infoFile = join(dirs.runtime, `jpserver-${pid}.json`);
  const deadline = Date.now() + (options.startTimeoutMs ?? 60_000);
  let info: ServerInfo | null = null;
  try {
    while (info === null) {
      if (exited !== null) {
        const { code, signal } = exited;
        throw new Error(`host: the server exited during start-up (code ${code}, signal ${signal}):\n${output()}`);
      }
      if (Date.now() > deadline) {
        throw new Error(`host: the server did not start within ${options.startTimeoutMs ?? 60_000} ms:\n${output()}`);
      }
      if (existsSync(infoFile)) {
        try {
          info = JSON.parse(readFileSync(infoFile, 'utf8')) as ServerInfo;
        } catch {
          // Being written; read again.
        }
      }
      if (info === null) {
        await delay(50);
      }
    }
    const baseUrl = `http://127.0.0.1:${info.port}/`;
    const headers = token ? { Authorization: `token ${token}` } : undefined;
    for (;;) {
      try {
        const response = await fetch(`${baseUrl}api/status`, { headers });
        if (response.ok) {
          break;
        }
      } catch {
        // Not listening yet.
      }
      if (Date.now() > deadline || exited !== null) {
        throw new Error(`host: the server at ${baseUrl} did not answer:\n${output()}`);
      }
      await delay(50);
    }
    const server: HostServer = {
      baseUrl,
      port: info.port,
      token,
      pid,
      runtimeDir: dirs.runtime,
      url(path = 'lab') {
        const url = new URL(path, baseUrl);
        if (token) {
          url.searchParams.set('token', token);
        }
        return url.toString();
      },
      api(path, init = {}) {
        const merged = new Headers(init.headers);
        if (token) {
          merged.set('Authorization', `token ${token}`);
        }
        return fetch(new URL(path, baseUrl), { ...init, headers: merged });
      },
      output,
      stop,
    };
    return server;
  } catch (error) {
    await stop();
    throw error;
  }
}
