/**
 * The `seqlab` command.
 */
import { parseArgs } from 'node:util';
import { wantsHelp } from './args.js';
import { KERNEL_VERSION } from '../version.js';
import { install, uninstall, type InstallTarget } from './install.js';

/** The subcommands and what each does, in one line (`seqlab --help`). */
const COMMANDS: ReadonlyArray<[string, string]> = [
  ['install', 'install the kernelspec (and the JupyterLab extension) into a Jupyter data dir'],
  ['uninstall', 'remove what install wrote'],
  ['kernel', 'run the kernel on a connection file (what kernel.json starts)'],
  ['run', 'execute notebooks cell by cell and write the executed notebooks'],
  ['export', 'write executed notebooks as an offline course site'],
  ['lite', 'write a static site that runs the notebooks in the browser (JupyterLite)'],
  ['serve', 'serve a lite site on 127.0.0.1 with the headers that let Stop interrupt'],
];

const HELP = `seqlab ${KERNEL_VERSION} — a TypeScript Jupyter kernel with the seqlab engine preloaded

Usage: seqlab COMMAND [options]      (seqlab COMMAND --help for its options)

Commands:
${COMMANDS.map(([name, what]) => `  ${name.padEnd(10)} ${what}`).join('\n')}

  seqlab --help | --version
`;

/** `--help` of the subcommands handled here; run and export have theirs in their modules. */
const COMMAND_HELP: Record<'install' | 'uninstall' | 'kernel', string> = {
  install: `Usage: seqlab install [--user | --sys-prefix | --prefix DIR] [--name NAME] [--display-name TEXT]
                      [--interrupt-mode message|signal] [--typecheck off|warn|error] [--threads N]

Writes the kernelspec into a Jupyter data dir, and the prebuilt JupyterLab extension when it is
built; \`jupyter kernelspec list\` then shows it.
  --user              the user's data dir (default)
  --sys-prefix        <sys.prefix>/share/jupyter of the Python that runs Jupyter ($SEQLAB_PYTHON, else /usr/bin/python3)
  --prefix DIR        DIR/share/jupyter (add it to JUPYTER_PATH)
  --name NAME         the kernelspec's name (default seqlab)
  --display-name TEXT the name frontends show (default "TypeScript (seqlab)")
  --interrupt-mode    message (default) or signal
  --typecheck         off (default), warn or error: type-check cells before they run
  --threads N         the engine's threads per kernel (SEQLAB_THREADS in kernel.json); 1 for
                      many kernels on one machine (a JupyterHub)
`,
  uninstall: `Usage: seqlab uninstall [--user | --sys-prefix | --prefix DIR] [--name NAME]

Removes the kernelspec and the JupyterLab extension that install wrote to that data dir.
`,
  kernel: `Usage: seqlab kernel --connection-file FILE [--typecheck off|warn|error]

Runs the kernel on the sockets of a Jupyter connection file (this is what kernel.json starts).
`,
};


function target(values: { user?: boolean; 'sys-prefix'?: boolean; prefix?: string }): InstallTarget {
  const chosen = [values.user, values['sys-prefix'], values.prefix !== undefined].filter(Boolean).length;
  if (chosen > 1) throw new UsageError('choose one of --user, --sys-prefix, --prefix DIR');
  if (values['sys-prefix']) return { kind: 'sys-prefix' };
  if (values.prefix !== undefined) return { kind: 'prefix', dir: values.prefix };
  return { kind: 'user' };
}

class UsageError extends Error {}

function oneOf<T extends string>(flag: string, v: string | undefined, allowed: readonly T[]): T | undefined {
  if (v === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(v)) throw new UsageError(`${flag} must be one of ${allowed.join(', ')}, got "${v}"`);
  return v as T;
}

/** Runs the command; resolves with the exit code. */
export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
      process.stdout.write(HELP);
      return command === undefined ? 1 : 0;
    }
    if (command === '--version' || command === '-V') {
      process.stdout.write(`${KERNEL_VERSION}\n`);
      return 0;
    }
    if ((command === 'install' || command === 'uninstall' || command === 'kernel') && wantsHelp(rest)) {
      process.stdout.write(COMMAND_HELP[command]);
      return 0;
    }
    if (command === 'install' || command === 'uninstall') {
      const { values } = parseArgs({
        args: rest,
        options: {
          user: { type: 'boolean' },
          'sys-prefix': { type: 'boolean' },
          prefix: { type: 'string' },
          name: { type: 'string' },
          'display-name': { type: 'string' },
          'interrupt-mode': { type: 'string' },
          typecheck: { type: 'string' },
          threads: { type: 'string' },
        },
        strict: true,
      });
      const t = target(values);
      if (command === 'uninstall') {
        const removed = uninstall({ target: t, ...(values.name ? { name: values.name } : {}) });
        process.stdout.write(removed.length ? removed.map((p) => `removed ${p}\n`).join('') : 'nothing to remove\n');
        return 0;
      }
      const interruptMode = oneOf('--interrupt-mode', values['interrupt-mode'], ['message', 'signal'] as const);
      const typecheck = oneOf('--typecheck', values.typecheck, ['off', 'warn', 'error'] as const);
      const threads = values.threads === undefined ? undefined : Number(values.threads);
      if (threads !== undefined && !(/^\d+$/.test(values.threads!) && threads >= 1)) throw new UsageError(`--threads must be a whole number of threads, 1 or more, got "${values.threads}"`);
      const report = install({
        target: t,
        ...(values.name ? { name: values.name } : {}),
        ...(values['display-name'] ? { displayName: values['display-name'] } : {}),
        ...(interruptMode ? { interruptMode } : {}),
        ...(typecheck ? { typecheck } : {}),
        ...(threads !== undefined ? { threads } : {}),
      });
      process.stdout.write(`installed kernelspec "${values.name ?? 'seqlab'}" in ${report.kernelspecDir}\n`);
      if (report.labextension.installed) process.stdout.write(`installed the JupyterLab extension in ${report.labextension.dir}\n`);
      else process.stdout.write(`NOT installed: ${report.labextension.reason}\n`);
      if (t.kind === 'prefix') process.stdout.write(`note: Jupyter finds it when ${report.kernelspecDir.replace(/\/kernels\/[^/]+$/, '')} is in JUPYTER_PATH\n`);
      return 0;
    }
    if (command === 'kernel') {
      const { values } = parseArgs({ args: rest, options: { 'connection-file': { type: 'string', short: 'f' }, typecheck: { type: 'string' } }, strict: true });
      const file = values['connection-file'];
      if (!file) throw new UsageError('seqlab kernel needs --connection-file FILE');
      const typecheck = oneOf('--typecheck', values.typecheck, ['off', 'warn', 'error'] as const);
      const { startKernel } = await import('../session/kernel.js');
      const kernel = await startKernel({ connectionFile: file, ...(typecheck ? { typecheck } : {}) });
      await kernel.closed;
      // Workers and sockets are closed; leave no stray handle keeping the process alive.
      process.exit(0);
    }
    if (command === 'run') {
      const { runCommand } = await import('../run/command.js');
      return await runCommand(rest);
    }
    if (command === 'export') {
      const { exportCommand } = await import('../export/command.js');
      return await exportCommand(rest);
    }
    if (command === 'lite') {
      const { liteCommand } = await import('../lite/command.js');
      return await liteCommand(rest);
    }
    if (command === 'serve') {
      const { serveCommand } = await import('../lite/command.js');
      return await serveCommand(rest);
    }
    throw new UsageError(`unknown command "${command}"`);
  } catch (e) {
    if (e instanceof UsageError || (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`seqlab: ${(e as Error).message}\n\n${HELP}`);
      return 2;
    }
    process.stderr.write(`seqlab: ${(e as Error).message}\n`);
    return 1;
  }
}
