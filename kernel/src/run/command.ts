/**
 * `seqlab run NOTEBOOK... [--timeout SECONDS] [--out DIR | --inplace]`.
 */
import { mkdirSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { outputPathIn, runNotebook, type RunEvent } from './runner.js';

function progress(e: RunEvent): void {
  const name = relative(process.cwd(), e.notebook) || e.notebook;
  if (e.kind === 'start') process.stderr.write(`${name}: ${e.codeCells} code cells\n`);
  if (e.kind === 'cell') process.stderr.write(`  [${e.codeIndex}/${e.codeCells}] cell ${e.index} ${e.status} ${e.seconds.toFixed(2)} s\n`);
  if (e.kind === 'done') process.stderr.write(`${name}: done in ${e.seconds.toFixed(2)} s -> ${relative(process.cwd(), e.output) || e.output}\n`);
}

/** Runs the command; resolves with the exit code (0 ok, 1 a cell failed, 2 usage). */
export async function runCommand(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, options: { timeout: { type: 'string' }, out: { type: 'string' }, inplace: { type: 'boolean' } }, strict: true });
  } catch (e) {
    process.stderr.write(`seqlab run: ${(e as Error).message}\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (positionals.length === 0) {
    process.stderr.write('seqlab run: give at least one notebook\n');
    return 2;
  }
  if (values.out !== undefined && values.inplace) {
    process.stderr.write('seqlab run: choose one of --out DIR and --inplace\n');
    return 2;
  }
  const timeout = values.timeout === undefined ? 600 : Number(values.timeout);
  if (!Number.isFinite(timeout) || timeout <= 0) {
    process.stderr.write(`seqlab run: --timeout must be a positive number of seconds, got "${values.timeout}"\n`);
    return 2;
  }
  if (values.out !== undefined) mkdirSync(values.out, { recursive: true });
  for (const nb of positionals) {
    const input = resolve(nb);
    const output = values.inplace ? input : values.out !== undefined ? outputPathIn(values.out, input) : undefined;
    const result = await runNotebook(input, { timeout, ...(output ? { output } : {}), onEvent: progress });
    if (result.error) {
      const e = result.error;
      process.stderr.write(`\nseqlab run: ${relative(process.cwd(), e.notebook) || e.notebook}, cell ${e.cellNumber}: ${e.ename}: ${e.evalue}\n`);
      if (e.traceback.length > 0) process.stderr.write(`${e.traceback.join('\n')}\n`);
      process.stderr.write(`(the notebook with the outputs so far was written to ${result.output})\n`);
      return 1;
    }
  }
  return 0;
}
