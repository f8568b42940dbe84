#!/usr/bin/env node
// What one student's seqlab kernel costs, for sizing a class machine (docs/lecturers.md):
// runs each lecture notebook through a fresh kernel, cell by cell, and reads the kernel
// process's memory (RSS; peak VmHWM) and CPU time (user + system, all threads) from /proc.
// Run after `npm run build`, on an otherwise quiet machine:
//
//   node scripts/kernel-footprint.mjs [NOTEBOOK...] [--threads N] [--no-warmup] [--json FILE]
//
// Defaults: every notebooks/*.ipynb, --threads 1 (as the JupyterHub config installs the
// kernel). --no-warmup sets SEQLAB_LANGUAGE_WARMUP=0 (the language service then starts on the
// first completion instead of a second after the first cell).
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { launchKernel } = await import(pathToFileURL(join(root, 'kernel', 'dist', 'client', 'launch.js')).href);

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { threads: { type: 'string', default: '1' }, 'no-warmup': { type: 'boolean' }, json: { type: 'string' } },
});
const notebooks = positionals.length
  ? positionals.map((p) => resolve(p))
  : readdirSync(join(root, 'notebooks'))
      .filter((f) => f.endsWith('.ipynb') && !f.endsWith('.executed.ipynb'))
      .sort()
      .map((f) => join(root, 'notebooks', f));

const clockTicks = 100; // USER_HZ on Linux
const mib = (kib) => Math.round(kib / 1024);

function status(pid) {
  const text = readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (name) => Number(text.match(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm'))?.[1] ?? 0);
  return { rss: field('VmRSS'), peak: field('VmHWM') };
}

function cpuSeconds(pid) {
  // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / clockTicks;
}

const results = [];
for (const file of notebooks) {
  const nb = JSON.parse(readFileSync(file, 'utf8'));
  // Code cells with their number among all cells (1-based, as `seqlab run` counts them).
  const cells = nb.cells
    .map((c, i) => ({ number: i + 1, type: c.cell_type, code: Array.isArray(c.source) ? c.source.join('') : c.source }))
    .filter((c) => c.type === 'code' && c.code.trim());
  const env = { ...process.env, SEQLAB_THREADS: values.threads, ...(values['no-warmup'] ? { SEQLAB_LANGUAGE_WARMUP: '0' } : {}) };
  const kernel = await launchKernel({ cwd: dirname(file), env });
  const pid = kernel.process.pid;
  try {
    // The kernel answered kernel_info: started and idle, nothing run yet.
    const idle = status(pid);
    const cpuAtStart = cpuSeconds(pid);
    const perCell = [];
    for (const { number, code } of cells) {
      const cpu0 = cpuSeconds(pid);
      const t0 = performance.now();
      const { reply } = await kernel.client.execute(code, { timeout: 600_000 });
      if (reply.content.status !== 'ok') throw new Error(`${basename(file)} cell ${number}: ${reply.content.ename}: ${reply.content.evalue}`);
      perCell.push({ cell: number, wall: (performance.now() - t0) / 1000, cpu: cpuSeconds(pid) - cpu0, rss: status(pid).rss });
    }
    // Background work after the cells (the language service warm-up) settles.
    await new Promise((r) => setTimeout(r, 3000));
    const after = status(pid);
    const heaviest = perCell.reduce((a, b) => (b.cpu > a.cpu ? b : a));
    results.push({
      notebook: basename(file),
      idleRssMiB: mib(idle.rss),
      afterRssMiB: mib(after.rss),
      peakRssMiB: mib(after.peak),
      cpuSeconds: Math.round((cpuSeconds(pid) - cpuAtStart) * 10) / 10,
      wallSeconds: Math.round(perCell.reduce((t, c) => t + c.wall, 0) * 10) / 10,
      heaviestCell: { cell: heaviest.cell, cpuSeconds: Math.round(heaviest.cpu * 10) / 10, wallSeconds: Math.round(heaviest.wall * 10) / 10 },
    });
  } finally {
    await kernel.shutdown();
  }
}

const header = `threads ${values.threads}${values['no-warmup'] ? ', no language-service warm-up' : ''}; memory in MiB, times in s`;
console.log(header);
console.log('notebook                                idle RSS  after RSS  peak RSS   CPU   wall   heaviest cell (CPU / wall)');
for (const r of results) {
  console.log(
    `${r.notebook.padEnd(40)}${String(r.idleRssMiB).padStart(8)}${String(r.afterRssMiB).padStart(11)}${String(r.peakRssMiB).padStart(10)}${r.cpuSeconds.toFixed(1).padStart(6)}${r.wallSeconds.toFixed(1).padStart(7)}   cell ${r.heaviestCell.cell}: ${r.heaviestCell.cpuSeconds} / ${r.heaviestCell.wallSeconds}`,
  );
}
if (values.json) writeFileSync(values.json, `${JSON.stringify({ at: new Date().toISOString(), threads: Number(values.threads), warmup: !values['no-warmup'], results }, null, 2)}\n`);
