/**
 * `npm start`: installs the Debian packages the server needs where it can, builds what is
 * needed, installs the seqlab kernel and extension into a project-local Jupyter prefix, starts
 * JupyterLab on 127.0.0.1 on a working copy of the lecture notebooks, prints the URL and stops
 * everything on Ctrl-C.
 *
 *   npm start [-- --port 8888] [--reset-notebooks | --notebooks DIR] [--state-dir DIR] [--server auto|host|jupyterlab] [--build-only]
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

import { buildProject, installIntoPrefix, type StepReport } from './project-build.js';
import { ensureServerDependencies, realJupyterLabVersion, startHostServer, type HostServer, type ServerKind } from './server.js';
import { repoRoot } from './paths.js';
import { describeWorkingCopy, prepareWorkingCopy } from './working-copy.js';

const usage = `Usage: npm start [-- options]

Installs the Debian packages the server needs if they are missing (as root with apt; otherwise
it names the command), builds what is out of date (TypeScript, the JupyterLab extension, the
JupyterLab frontend), installs the seqlab kernel and extension into <state-dir>/prefix, and
serves JupyterLab on 127.0.0.1 with a working copy of the lecture notebooks
(<state-dir>/notebooks: made on first start and kept, so notebooks/ in the repository stays
as committed). Ctrl-C stops the server and every kernel it started.

Options:
  --port N            first port to try (default 8888; the next free one is used if taken)
  --reset-notebooks   take every lecture notebook from notebooks/ again; your changed ones
                      are moved to <state-dir>/notebook-backups/<time>/ first
  --notebooks DIR     serve DIR itself instead of the working copy
  --state-dir DIR     working copy, kernel/extension prefix, settings, runtime files (default: .seqlab/)
  --server KIND       auto (default): a real \`jupyter lab\` 4 if installed, else the host;
                      host: always seqlab's host (Debian's jupyter_server + the built frontend);
                      jupyterlab: always the real \`jupyter lab\`
  --build-only        build and install, then exit
  -h, --help          this help

Needs: Node 20, \`npm ci\` done, and Debian's python3-jupyter-server, python3-jupyterlab-server
and python3-ipykernel (npm start installs them when run as root; otherwise:
sudo bash scripts/system-deps.sh start).`;

function say(line: string): void {
  process.stdout.write(`${line}\n`);
}

function describeSteps(steps: StepReport[]): string {
  return steps.map(s => `${s.step} ${s.status === 'built' ? `built in ${s.seconds.toFixed(1)} s` : s.status}`).join(', ');
}

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: 'string' },
      notebooks: { type: 'string' },
      'reset-notebooks': { type: 'boolean' },
      'state-dir': { type: 'string' },
      server: { type: 'string' },
      'build-only': { type: 'boolean' },
      'skip-typescript': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    say(usage);
    return 0;
  }
  const port = values.port === undefined ? 8888 : Number(values.port);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new Error(`--port ${values.port}: expected a port number between 1 and 65535`);
  }
  const choice = values.server ?? 'auto';
  if (!['auto', 'host', 'jupyterlab'].includes(choice)) {
    throw new Error(`--server ${choice}: expected auto, host or jupyterlab`);
  }
  if (values.notebooks !== undefined && values['reset-notebooks']) {
    throw new Error('--reset-notebooks resets the working copy of notebooks/; it does not apply to --notebooks DIR');
  }
  const stateDir = resolve(values['state-dir'] ?? join(repoRoot, '.seqlab'));
  mkdirSync(stateDir, { recursive: true });

  let kind: ServerKind = 'seqlab-host';
  if (choice !== 'host') {
    const version = realJupyterLabVersion();
    if (version) {
      kind = 'jupyterlab';
      say(`seqlab: using the installed JupyterLab ${version} (\`jupyter lab\`); --server host uses seqlab's host instead`);
    } else if (choice === 'jupyterlab') {
      throw new Error('--server jupyterlab: no JupyterLab 4 found (`jupyter lab --version` failed); use --server host');
    }
  }
  if (kind === 'seqlab-host') {
    // Before building anything: a missing Debian package is installed or named first.
    ensureServerDependencies();
  }

  let notebooks: string;
  if (values.notebooks !== undefined) {
    notebooks = resolve(values.notebooks);
  } else {
    const copy = prepareWorkingCopy({
      source: join(repoRoot, 'notebooks'),
      target: join(stateDir, 'notebooks'),
      reset: values['reset-notebooks'] ?? false,
      backupRoot: join(stateDir, 'notebook-backups'),
    });
    notebooks = copy.dir;
    for (const line of describeWorkingCopy(copy, '`npm start -- --reset-notebooks` takes the new ones and backs yours up')) {
      say(`seqlab: ${line}`);
    }
  }

  const started = Date.now();
  const steps = await buildProject({
    log: say,
    skipTypeScript: values['skip-typescript'] ?? false,
  });
  const prefix = installIntoPrefix(join(stateDir, 'prefix'), say);
  say(`seqlab: ${describeSteps(steps)}; kernel installed in ${prefix.kernelspecDir}`);
  if (!prefix.labextensionDir) {
    say('seqlab: warning: the seqlab JupyterLab extension is not installed, so seqlab views will show as text');
  }
  say(`seqlab: ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  if (values['build-only']) {
    return 0;
  }

  const server: HostServer = await startHostServer({
    kind,
    rootDir: notebooks,
    stateDir: join(stateDir, 'jupyter'),
    jupyterPath: [prefix.jupyterPath],
    port,
    logFile: join(stateDir, 'server.log'),
  });

  say('');
  say(`JupyterLab is running (notebooks: ${notebooks}):`);
  say(`    ${server.url('lab')}`);
  say(`Server log: ${join(stateDir, 'server.log')}. Press Ctrl-C to stop the server and its kernels.`);

  return new Promise<number>(resolveExit => {
    let stopping = false;
    let poll: NodeJS.Timeout | undefined;
    const shutdown = (signal: string): void => {
      if (stopping) {
        return;
      }
      stopping = true;
      clearInterval(poll);
      say(`\nseqlab: ${signal}: stopping JupyterLab and its kernels...`);
      server.stop().then(
        () => {
          say('seqlab: stopped.');
          resolveExit(0);
        },
        (error: unknown) => {
          process.stderr.write(`seqlab: could not stop cleanly: ${String(error)}\n`);
          resolveExit(1);
        }
      );
    };
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
      process.on(signal, () => shutdown(signal));
    }
    // File > Shut Down in JupyterLab ends the server by itself.
    poll = setInterval(() => {
      try {
        process.kill(server.pid, 0);
      } catch {
        clearInterval(poll);
        if (!stopping) {
          stopping = true;
          void server.stop().finally(() => {
            say('seqlab: the server has shut down.');
            resolveExit(0);
          });
        }
      }
    }, 1_000);
  });
}

main(process.argv.slice(2)).then(
  code => {
    process.exitCode = code;
  },
  (error: unknown) => {
    // Messages name the problem and the fix (e.g. MissingSystemDependencyError names the
    // Debian packages and scripts/system-deps.sh); a stack trace would bury that.
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`${message.startsWith('seqlab:') || message.startsWith('host:') ? '' : 'seqlab: '}${message}\n`);
    process.exitCode = 1;
  }
);
