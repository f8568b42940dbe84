// Kernel benchmark: seqlab next to ipykernel (Debian python3-ipykernel), same machine, same run.
//   npm run bench:kernel            (builds nothing: run `npx tsc -b kernel` first)
// Measures, per kernel, medians over several fresh starts:
//   start_s       process spawn -> first kernel_info_reply
//   first_cell_ms the first execute_request right after that reply -> reply and idle (a plain
//                 cell), and first_typed_ms a second fresh kernel's first cell with a type
//                 annotation (seqlab: TypeScript must load for it; ipykernel: `x: int = ...`),
//                 and first_typed_idle_ms the same after 2 s without requests (a student
//                 reading the notebook: seqlab loads TypeScript after 1 s idle)
//   roundtrip_ms  execute_request -> reply and idle, small cell whose source differs each time
//   complete_s    first complete_request after start
//   rss_idle_mib  resident memory of the kernel process (all its threads: the workers are
//                 threads) after start + 1 s idle, and rss_used_mib after the cells above
// Writes bench/results/kernel-<date>.json and prints a table.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const dist = join(root, 'kernel', 'dist');
if (!existsSync(join(dist, 'client', 'launch.js'))) {
  console.error('bench:kernel: build the kernel first: npx tsc -b kernel');
  process.exit(1);
}
const { launchKernel, seqlabArgv, newConnectionInfo } = await import(join(dist, 'client', 'launch.js'));
const { KernelClient } = await import(join(dist, 'client', 'client.js'));
const { rssMiB } = await import('./rss.mjs');

const STARTS = Number(process.env.BENCH_STARTS ?? 5);
const CELLS = Number(process.env.BENCH_CELLS ?? 60);
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Rejects when `promise` has not settled after `ms`, naming `what`. */
function within(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: no answer in ${ms / 1000} s`)), ms)));
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** How many starts were abandoned (no kernel_info or first reply in time) per kernel. */
const abandoned = new Map();

async function startOnce(name, argv, env, firstCell, idleMs) {
  // Measured with our own client so that the clock starts at spawn.
  const info = await newConnectionInfo();
  const dir = mkdtempSync(join(tmpdir(), 'bench-'));
  const file = join(dir, 'c.json');
  writeFileSync(file, JSON.stringify(info));
  const t0 = performance.now();
  const child = spawn(argv[0], argv.slice(1).map((a) => a.replace('{connection_file}', file)), { env, stdio: 'ignore' });
  const exited = new Promise((r) => (child.exitCode !== null ? r() : child.once('exit', r)));
  const client = new KernelClient(info);
  try {
    await client.replyTo('shell', 'kernel_info_request', {}, 60_000);
    const t = (performance.now() - t0) / 1000;
    if (idleMs > 0) await sleep(idleMs);
    const t1 = performance.now();
    const first = await within(client.execute(firstCell), 60_000, `${name}: first cell`);
    const firstMs = performance.now() - t1;
    if (first.reply.content.status !== 'ok') throw new Error(`first cell failed: ${JSON.stringify(first.reply.content)}`);
    await client.replyTo('control', 'shutdown_request', { restart: false }, 5000).catch(() => child.kill('SIGKILL'));
    await within(exited, 10_000, `${name}: exit after shutdown`).catch(() => child.kill('SIGKILL'));
    return { start: t, firstMs };
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
    client.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * One start to its first reply. A start that hangs (seen once with ipykernel on a loaded
 * machine: no reply and no CPU) is killed after 60 s and tried again, up to three times;
 * the note at the end counts them.
 */
async function startToFirstReply(name, argv, env, firstCell, idleMs = 0) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(name, argv, env, firstCell, idleMs);
    } catch (e) {
      abandoned.set(name, (abandoned.get(name) ?? 0) + 1);
      console.error(`bench:kernel: ${e.message} (attempt ${attempt} of 3)`);
      if (attempt === 3) throw e;
    }
  }
}

async function session(k, acc, round) {
  const kernel = await launchKernel({ argv: k.argv, env: k.env });
  await sleep(1000);
  acc.rssIdle.push(rssMiB(kernel.process.pid));
  const t0 = performance.now();
  await kernel.client.request('shell', 'complete_request', { code: k.completion, cursor_pos: k.completion.length });
  acc.completes.push((performance.now() - t0) / 1000);
  for (let i = 0; i < 5; i++) await kernel.client.execute(k.cell(1000 * round + i));
  for (let i = 0; i < CELLS; i++) {
    const t = performance.now();
    const r = await kernel.client.execute(k.cell(100_000 * (round + 1) + i));
    acc.trips.push(performance.now() - t);
    if (r.reply.content.status !== 'ok') throw new Error(`${k.name}: cell failed: ${JSON.stringify(r.reply.content)}`);
  }
  await sleep(1000);
  acc.rssUsed.push(rssMiB(kernel.process.pid));
  await kernel.shutdown();
}

const dataDir = mkdtempSync(join(tmpdir(), 'bench-data-'));
const base = { ...process.env, SEQLAB_DATA_DIR: dataDir };
const kernels = [
  { name: 'seqlab', argv: seqlabArgv(), env: base, cell: (i) => `${i} + 1`, typed: (i) => `const x${i}: number = ${i}; x${i}`, completion: 'Math.fl' },
  { name: 'seqlab (typecheck=warn)', argv: seqlabArgv(), env: { ...base, SEQLAB_TYPECHECK: 'warn' }, cell: (i) => `${i} + 1`, typed: (i) => `const x${i}: number = ${i}; x${i}`, completion: 'Math.fl' },
];
if (existsSync('/usr/bin/python3')) {
  kernels.push({ name: 'ipykernel', argv: ['/usr/bin/python3', '-m', 'ipykernel_launcher', '-f', '{connection_file}'], env: { ...process.env, PYDEVD_DISABLE_FILE_VALIDATION: '1' }, cell: (i) => `${i} + 1`, typed: (i) => `x${i}: int = ${i}; x${i}`, completion: 'str.cap' });
} else {
  console.error('bench:kernel: /usr/bin/python3 missing: install python3-ipykernel with bash scripts/system-deps.sh to compare');
}
const acc = new Map(kernels.map((k) => [k.name, { starts: [], firsts: [], typed: [], typedIdle: [], completes: [], trips: [], rssIdle: [], rssUsed: [] }]));
// Kernels take turns, so that load from elsewhere on this shared machine hits them alike.
for (let r = 0; r < STARTS; r++) {
  for (const k of kernels) {
    const a = acc.get(k.name);
    const plain = await startToFirstReply(k.name, k.argv, k.env, k.cell(7000 + r));
    a.starts.push(plain.start);
    a.firsts.push(plain.firstMs);
    a.typed.push((await startToFirstReply(k.name, k.argv, k.env, k.typed(r))).firstMs);
    a.typedIdle.push((await startToFirstReply(k.name, k.argv, k.env, k.typed(100 + r), 2000)).firstMs);
  }
}
const SESSIONS = Math.max(1, Math.min(STARTS, 3));
for (let s = 0; s < SESSIONS; s++) for (const k of kernels) await session(k, acc.get(k.name), s);
rmSync(dataDir, { recursive: true, force: true });
const results = kernels.map((k) => {
  const a = acc.get(k.name);
  return { kernel: k.name, start_s: median(a.starts), first_cell_ms: median(a.firsts), first_typed_ms: median(a.typed), first_typed_idle_ms: median(a.typedIdle), roundtrip_ms: median(a.trips), complete_s: median(a.completes), rss_idle_mib: median(a.rssIdle), rss_used_mib: median(a.rssUsed), samples: { starts: a.starts, first_cells: a.firsts, first_typed: a.typed, first_typed_idle: a.typedIdle, completes: a.completes, roundtrips: a.trips.length, rss_idle: a.rssIdle } };
});

const rows = [['kernel', 'start (s)', 'first cell (ms)', 'first typed cell (ms)', 'first typed after 2 s idle (ms)', 'round trip (ms)', 'first complete (ms)', 'idle RSS (MiB)', 'RSS after cells (MiB)']];
for (const r of results) rows.push([r.kernel, r.start_s.toFixed(3), r.first_cell_ms.toFixed(1), r.first_typed_ms.toFixed(1), r.first_typed_idle_ms.toFixed(1), r.roundtrip_ms.toFixed(2), (1000 * r.complete_s).toFixed(1), r.rss_idle_mib.toFixed(1), r.rss_used_mib.toFixed(1)]);
const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
const line = (r) => `| ${r.map((v, c) => (c === 0 ? v.padEnd(widths[c]) : v.padStart(widths[c]))).join(' | ')} |`;
console.log(line(rows[0]));
console.log(`|${widths.map((w, c) => (c === 0 ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|')}|`);
for (const r of rows.slice(1)) console.log(line(r));
mkdirSync(join(root, 'bench', 'results'), { recursive: true });
const out = join(root, 'bench', 'results', `kernel-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
const loadavg = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
console.log(`load average at the end: ${loadavg}`);
for (const [name, n] of abandoned) console.log(`${name}: ${n} start(s) hung and were killed and retried (not in the medians)`);
writeFileSync(out, JSON.stringify({ date: new Date().toISOString(), node: process.version, loadavg, starts: STARTS, cells: CELLS, abandoned: Object.fromEntries(abandoned), results }, null, 2));
console.log(`\nwritten ${out}`);
