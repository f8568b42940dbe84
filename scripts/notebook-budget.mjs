#!/usr/bin/env node
// The lecture notebooks' time budget: runs each notebook once with `seqlab run`, one after
// the other (the machine to itself: CI runs this after `npm test`), prints a table of times
// and exits 1 if any notebook fails or takes longer than the budget (default 60 s, wall
// clock of the whole `seqlab run`: kernel start included).
//
//   node scripts/notebook-budget.mjs [NOTEBOOK...] [--budget SECONDS]
//   npm run notebooks:budget
//
// Without notebooks it runs every notebooks/*.ipynb. Times also go to
// test-results/notebook-budget.json, with the load average when each notebook started.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const seqlab = join(repo, 'kernel', 'bin', 'seqlab.js');

function usage(message) {
  process.stderr.write(`notebook-budget: ${message}\nusage: node scripts/notebook-budget.mjs [NOTEBOOK...] [--budget SECONDS]\n`);
  process.exit(2);
}

let parsed;
try {
  parsed = parseArgs({ allowPositionals: true, options: { budget: { type: 'string' } } });
} catch (e) {
  usage(e.message);
}
const budget = parsed.values.budget === undefined ? 60 : Number(parsed.values.budget);
if (!Number.isFinite(budget) || budget <= 0) usage(`--budget must be a positive number of seconds, got "${parsed.values.budget}"`);
if (!existsSync(join(repo, 'kernel', 'dist', 'cli', 'main.js'))) {
  process.stderr.write('notebook-budget: the kernel is not built (no kernel/dist): run `npm run build` (or `npx tsc -b`) first\n');
  process.exit(2);
}
const notebooksDir = join(repo, 'notebooks');
const notebooks = parsed.positionals.length > 0
  ? parsed.positionals.map((p) => resolve(p))
  : readdirSync(notebooksDir).filter((f) => f.endsWith('.ipynb') && !f.endsWith('.executed.ipynb')).sort().map((f) => join(notebooksDir, f));
if (notebooks.length === 0) usage(`no notebooks in ${notebooksDir}`);
for (const nb of notebooks) if (!existsSync(nb)) usage(`no such notebook: ${nb}`);

/** Runs one notebook; resolves with its wall time, exit status, the slowest cell and the error lines. */
function run(notebook, outDir, dataDir) {
  return new Promise((done) => {
    const started = performance.now();
    const child = spawn(process.execPath, [seqlab, 'run', notebook, '--out', outDir, '--timeout', String(Math.max(budget * 5, 300))], {
      cwd: repo,
      env: { ...process.env, SEQLAB_DATA_DIR: dataDir },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('close', (status) => {
      const seconds = (performance.now() - started) / 1000;
      let slowest = null;
      let cellSeconds = 0;
      for (const m of stderr.matchAll(/\[\d+\/\d+\] cell (\d+) (\w+) ([\d.]+) s/g)) {
        const s = Number(m[3]);
        cellSeconds += s;
        if (!slowest || s > slowest.seconds) slowest = { cell: Number(m[1]), seconds: s };
      }
      const error = status === 0 ? null : stderr.split('\n').filter((l) => l.startsWith('seqlab run:') || l.startsWith('seqlab:')).join(' ') || stderr.trim().split('\n').slice(-3).join(' ');
      done({ seconds, cellSeconds, status, slowest, error });
    });
  });
}

const work = mkdtempSync(join(tmpdir(), 'seqlab-budget-'));
const results = [];
try {
  process.stdout.write(`notebook budget: ${budget} s each, ${notebooks.length} notebook${notebooks.length === 1 ? '' : 's'}, run one at a time with seqlab run\n`);
  for (const [i, notebook] of notebooks.entries()) {
    // Times are wall clock: the load average says whether the machine was really to itself.
    const load = loadavg()[0];
    const r = { ...(await run(notebook, join(work, 'out'), mkdtempSync(join(work, 'data-')))), load };
    const verdict = r.status !== 0 ? 'FAILED' : r.seconds > budget ? 'OVER' : 'ok';
    results.push({ notebook: relative(repo, notebook), ...r, verdict });
    process.stdout.write(`  [${i + 1}/${notebooks.length}] ${basename(notebook)}: ${r.seconds.toFixed(1)} s ${verdict}${r.error ? ` (${r.error})` : ''}\n`);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}

const width = Math.max(8, ...results.map((r) => basename(r.notebook).length));
const lines = [
  `${'notebook'.padEnd(width)}  ${'total (s)'.padStart(9)}  ${'cells (s)'.padStart(9)}  ${'slowest cell'.padEnd(16)}  ${'load'.padStart(5)}  result`,
  ...results.map((r) =>
    [
      basename(r.notebook).padEnd(width),
      r.seconds.toFixed(1).padStart(9),
      r.cellSeconds.toFixed(1).padStart(9),
      (r.slowest ? `cell ${r.slowest.cell}: ${r.slowest.seconds.toFixed(1)} s` : '-').padEnd(16),
      r.load.toFixed(1).padStart(5),
      r.verdict === 'OVER' ? `OVER the ${budget} s budget` : r.verdict,
    ].join('  '),
  ),
];
process.stdout.write(`\n${lines.join('\n')}\n`);

mkdirSync(join(repo, 'test-results'), { recursive: true });
writeFileSync(
  join(repo, 'test-results', 'notebook-budget.json'),
  `${JSON.stringify({ at: new Date().toISOString(), budgetSeconds: budget, cores: availableParallelism(), notebooks: results.map(({ notebook, seconds, cellSeconds, slowest, load, verdict, error }) => ({ notebook, seconds: Number(seconds.toFixed(2)), cellSeconds: Number(cellSeconds.toFixed(2)), slowest, loadAverage: Number(load.toFixed(2)), verdict, ...(error && { error }) })) }, null, 2)}\n`,
);

const failed = results.filter((r) => r.verdict !== 'ok');
if (failed.length > 0) {
  process.stdout.write(`\nnotebook budget: ${failed.map((r) => `${basename(r.notebook)} ${r.verdict === 'OVER' ? `took ${r.seconds.toFixed(1)} s` : `failed: ${r.error}`}`).join('; ')}\n`);
  const busy = failed.filter((r) => r.verdict === 'OVER' && r.load > availableParallelism());
  if (busy.length > 0) {
    process.stdout.write(`(the load average was above the ${availableParallelism()} cores when ${busy.map((r) => basename(r.notebook)).join(', ')} ran: other work shared the machine, so these wall-clock times overstate the notebook's own)\n`);
  }
  process.exit(1);
}
process.stdout.write(`\nnotebook budget: every notebook within ${budget} s\n`);
