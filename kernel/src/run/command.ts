/**
 * `seqlab run`: executes notebooks, each in a fresh kernel, and reports per cell and per notebook.
 */
import { mkdirSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { parseCommand, usageError } from '../cli/args.js';
import { findKernelspec } from './kernelspec.js';
import { outputPathIn, runNotebook, type KernelChoice, type RunEvent } from './runner.js';

/** `seqlab run --help`. */
export const RUN_HELP = `Usage: seqlab run NOTEBOOK... [options]

Executes each notebook cell by cell in a fresh kernel started in the notebook's folder, and
writes the executed notebook (nbformat 4.5). A failing notebook does not stop the others.

Options:
  --out DIR          write the executed notebooks into DIR (same file names)
  --inplace          overwrite the notebooks
                     (default: <name>.executed.ipynb next to each notebook)
  --timeout SECONDS  interrupt a cell that runs longer, then fail it (default 600)
  --allow-errors     record cell errors as outputs and go on (a timeout or a dead kernel
                     still stops that notebook); a cell tagged raises-exception may always fail
  --kernel NAME      run with the installed kernelspec NAME (see jupyter kernelspec list;
                     default: this seqlab kernel)
  -h, --help         this help

Progress goes to stderr, one line per cell: [code cell/code cells] cell N status seconds.
Exit code: 0 when every notebook ran, 1 when one or more failed (the summary names them),
2 for a usage error.
`;

const shown = (p: string): string => relative(process.cwd(), p) || p;

/** The progress line of a cell: `  [3/12] cell 5 ok 0.42 s` (also used by `seqlab export --execute`). */
export function cellProgressLine(e: Extract<RunEvent, { kind: 'cell' }>): string {
  return `  [${e.codeIndex}/${e.codeCells}] cell ${e.index} ${e.status}${e.allowed ? ` (allowed: ${e.allowed})` : ''} ${e.seconds.toFixed(2)} s\n`;
}

function progress(e: RunEvent): void {
  const name = shown(e.notebook);
  if (e.kind === 'start') process.stderr.write(`${name}: ${e.codeCells} code cell${e.codeCells === 1 ? '' : 's'} (kernel ${e.kernel})\n`);
  if (e.kind === 'cell') process.stderr.write(cellProgressLine(e));
  if (e.kind === 'done') process.stderr.write(`${name}: done in ${e.seconds.toFixed(2)} s -> ${shown(e.output)}\n`);
}

const RUN_USAGE = '(seqlab run --help shows the options)';
const usage = (message: string): number => usageError({ command: 'run', usage: RUN_USAGE }, message);

/** Runs the command; resolves with the exit code (0 every notebook ran, 1 one or more failed, 2 usage). */
export async function runCommand(argv: string[]): Promise<number> {
  const parsed = parseCommand(argv, {
    command: 'run',
    options: {
      timeout: { type: 'string' },
      out: { type: 'string' },
      inplace: { type: 'boolean' },
      'allow-errors': { type: 'boolean' },
      kernel: { type: 'string' },
    },
    usage: RUN_USAGE,
    help: RUN_HELP,
    positionals: 'notebooks',
  });
  if (typeof parsed === 'number') return parsed;
  const { values, positionals } = parsed;
  if (values.out !== undefined && values.inplace) return usage('choose one of --out DIR and --inplace');
  const timeout = values.timeout === undefined ? 600 : Number(values.timeout);
  if (!Number.isFinite(timeout) || timeout <= 0) return usage(`--timeout must be a positive number of seconds, got "${values.timeout}"`);
  let kernel: KernelChoice | undefined;
  if (values.kernel !== undefined) {
    try {
      const spec = findKernelspec(values.kernel);
      kernel = {
        argv: spec.argv,
        env: { ...process.env, ...spec.env },
        interruptMode: spec.interruptMode,
        kernelspec: { name: spec.name, display_name: spec.displayName, language: spec.language },
      };
    } catch (e) {
      return usage((e as Error).message);
    }
  }
  if (values.out !== undefined) mkdirSync(values.out, { recursive: true });

  const failed: string[] = [];
  for (const nb of positionals) {
    const input = resolve(nb);
    const output = values.inplace ? input : values.out !== undefined ? outputPathIn(values.out, input) : undefined;
    try {
      const result = await runNotebook(input, { timeout, allowErrors: values['allow-errors'] ?? false, ...(output ? { output } : {}), ...(kernel ? { kernel } : {}), onEvent: progress });
      if (result.error) {
        const e = result.error;
        const where = e.cellNumber > 0 ? `cell ${e.cellNumber}` : 'start';
        process.stderr.write(`\nseqlab run: ${shown(e.notebook)}, ${where}: ${e.ename}: ${e.evalue}\n`);
        if (e.traceback.length > 0) process.stderr.write(`${e.traceback.join('\n')}\n`);
        process.stderr.write(`(the notebook with the outputs so far was written to ${shown(result.output)})\n\n`);
        failed.push(`${shown(input)} (${where}: ${e.ename})`);
      }
    } catch (e) {
      // The notebook could not be read, or its kernel did not start: say so and go on with the others.
      process.stderr.write(`\nseqlab run: ${shown(input)}: ${(e as Error).message}\n\n`);
      failed.push(`${shown(input)} (${(e as Error).message.split('\n')[0]})`);
    }
  }
  const total = positionals.length;
  if (failed.length === 0) {
    if (total > 1) process.stderr.write(`seqlab run: all ${total} notebooks ran\n`);
    return 0;
  }
  process.stderr.write(`seqlab run: ${failed.length} of ${total} notebook${total === 1 ? '' : 's'} failed:\n${failed.map((f) => `  ${f}\n`).join('')}`);
  return 1;
}
