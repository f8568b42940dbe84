/**
 * `seqlab export NOTEBOOK... --out DIR [--title TEXT] [--trust] [--execute [--timeout S]] [--allow-unexecuted]`.
 */
import { relative } from 'node:path';
import { parseArgs } from 'node:util';
import type { RunEvent } from '../run/runner.js';
import { ExportError, exportSite } from './site.js';

const USAGE = 'usage: seqlab export NOTEBOOK... --out DIR [--title TEXT] [--trust] [--execute [--timeout SECONDS]] [--allow-unexecuted]';

const shown = (p: string): string => relative(process.cwd(), p) || p;

function megabytes(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

function progress(e: RunEvent): void {
  if (e.kind === 'start') process.stderr.write(`executing ${shown(e.notebook)}: ${e.codeCells} code cells\n`);
  if (e.kind === 'cell') process.stderr.write(`  [${e.codeIndex}/${e.codeCells}] cell ${e.index} ${e.status} ${e.seconds.toFixed(2)} s\n`);
}

/** Runs the command; resolves with the exit code (0 written, 1 export failed, 2 usage). */
export async function exportCommand(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        out: { type: 'string', short: 'o' },
        title: { type: 'string' },
        trust: { type: 'boolean' },
        execute: { type: 'boolean' },
        timeout: { type: 'string' },
        'allow-unexecuted': { type: 'boolean' },
      },
    });
  } catch (e) {
    process.stderr.write(`seqlab export: ${(e as Error).message}\n${USAGE}\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (positionals.length === 0) {
    process.stderr.write(`seqlab export: give at least one notebook\n${USAGE}\n`);
    return 2;
  }
  if (values.out === undefined || values.out.trim() === '') {
    process.stderr.write(`seqlab export: --out DIR is required (the folder the site is written to)\n${USAGE}\n`);
    return 2;
  }
  let timeout: number | undefined;
  if (values.timeout !== undefined) {
    timeout = Number(values.timeout);
    if (!values.execute) {
      process.stderr.write('seqlab export: --timeout applies to --execute only\n');
      return 2;
    }
    if (!Number.isFinite(timeout) || timeout <= 0) {
      process.stderr.write(`seqlab export: --timeout must be a positive number of seconds, got "${values.timeout}"\n`);
      return 2;
    }
  }
  try {
    const report = await exportSite(positionals, {
      out: values.out,
      ...(values.title !== undefined && { title: values.title }),
      trusted: values.trust ?? false,
      allowUnexecuted: values['allow-unexecuted'] ?? false,
      ...(values.execute && { execute: { ...(timeout !== undefined && { timeout }), onEvent: progress } }),
      onPage: (page) => {
        process.stderr.write(`${shown(page.notebook)} -> ${shown(page.file)} (${page.title}; ${page.views} view${page.views === 1 ? '' : 's'}, ${megabytes(page.bytes)})\n`);
        for (const w of page.warnings) process.stderr.write(`  warning: ${w}\n`);
      },
    });
    process.stderr.write(`site: ${report.pages.length} page${report.pages.length === 1 ? '' : 's'} + index, ${report.files} files, ${megabytes(report.bytes)}, in ${report.seconds.toFixed(2)} s\n`);
    process.stdout.write(`${report.index}\n`);
    return 0;
  } catch (e) {
    if (e instanceof ExportError) {
      process.stderr.write(`seqlab export: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
}
