/**
 * `seqlab export NOTEBOOK... --out DIR [--title TEXT] [--trust] [--execute [--timeout S]] [--allow-unexecuted]`.
 */
import { relative } from 'node:path';
import { parseCommand } from '../cli/args.js';
import { cellProgressLine } from '../run/command.js';
import type { RunEvent } from '../run/runner.js';
import { ExportError, exportSite } from './site.js';

const USAGE = 'usage: seqlab export NOTEBOOK... --out DIR [--title TEXT] [--trust] [--execute [--timeout SECONDS]] [--allow-unexecuted]';

/** `seqlab export --help`. */
export const EXPORT_HELP = `Usage: seqlab export NOTEBOOK... --out DIR [options]

Writes executed notebooks as an offline course site: DIR/index.html and a page per notebook
(math, highlighted code, interactive seqlab views and plotly figures; opens from file://).

Options:
  -o, --out DIR        the site's folder (required)
  --title TEXT         the site's title (default "Notebooks")
  --trust              put the notebooks' HTML into the pages as it is, scripts included
                       (default: HTML is sanitised, and text/html outputs shown in sandboxed frames)
  --execute            execute each notebook first (into a temporary copy) with seqlab run
  --timeout SECONDS    with --execute: per-cell timeout (default 600)
  --allow-unexecuted   export notebooks that were never executed, with a warning
  -h, --help           this help

Exit code: 0 written, 1 the export failed (the message says which notebook and why), 2 usage.
`;

const shown = (p: string): string => relative(process.cwd(), p) || p;

function megabytes(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

function progress(e: RunEvent): void {
  if (e.kind === 'start') process.stderr.write(`executing ${shown(e.notebook)}: ${e.codeCells} code cells\n`);
  if (e.kind === 'cell') process.stderr.write(cellProgressLine(e));
}

/** Runs the command; resolves with the exit code (0 written, 1 export failed, 2 usage). */
export async function exportCommand(argv: string[]): Promise<number> {
  const parsed = parseCommand(argv, {
    command: 'export',
    options: {
      out: { type: 'string', short: 'o' },
      title: { type: 'string' },
      trust: { type: 'boolean' },
      execute: { type: 'boolean' },
      timeout: { type: 'string' },
      'allow-unexecuted': { type: 'boolean' },
    },
    usage: USAGE,
    help: EXPORT_HELP,
    positionals: 'notebooks',
    requireOut: true,
  });
  if (typeof parsed === 'number') return parsed;
  const { values, positionals } = parsed;
  const out = values.out!;
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
      out,
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
