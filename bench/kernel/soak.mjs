// Kernel soak: memory over many executes, seqlab next to ipykernel (Debian python3-ipykernel) in one run.
//   npm run bench:soak              (builds nothing: run `npx tsc -b kernel` first)
// Each kernel runs `i = 0` once, then SOAK_EXECUTES (default 10,000) executes of `i += 1`, the
// kernels taking turns in batches of 500 so that load from elsewhere on the shared machine hits
// them alike. The RSS of each kernel process (worker threads included; see rss.mjs) is taken
// after the first cell ("0"), after 1,000 executes (the warm-up: code caches, JIT, the language
// service warmed one second after the first cell) and every 1,000 after, each after 1 s idle.
// Growth after warm-up = RSS at the end / RSS at 1,000 - 1 (the goal is at most 10 %).
// Prints the table and writes bench/results/soak-<date>.json. Not a test: no threshold fails.
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { rssMiB } from './rss.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const dist = join(root, 'kernel', 'dist');
if (!existsSync(join(dist, 'client', 'launch.js'))) {
  console.error('bench:soak: build the kernel first: npx tsc -b kernel');
  process.exit(1);
}
const { launchKernel, seqlabArgv } = await import(join(dist, 'client', 'launch.js'));

const EXECUTES = Number(process.env.SOAK_EXECUTES ?? 10_000);
const BATCH = 500;
const WARMUP = Math.min(1000, EXECUTES);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const dataDir = mkdtempSync(join(tmpdir(), 'soak-data-'));
const kernels = [{ name: 'seqlab', argv: seqlabArgv(), env: { ...process.env, SEQLAB_DATA_DIR: dataDir }, setup: 'let i = 0' }];
if (existsSync('/usr/bin/python3')) {
  kernels.push({ name: 'ipykernel', argv: ['/usr/bin/python3', '-m', 'ipykernel_launcher', '-f', '{connection_file}'], env: { ...process.env, PYDEVD_DISABLE_FILE_VALIDATION: '1' }, setup: 'i = 0' });
} else {
  console.error('bench:soak: /usr/bin/python3 missing: install python3-ipykernel with bash scripts/system-deps.sh to compare');
}

for (const k of kernels) {
  k.kernel = await launchKernel({ argv: k.argv, env: k.env });
  const r = await k.kernel.client.execute(k.setup);
  if (r.reply.content.status !== 'ok') throw new Error(`${k.name}: setup failed: ${JSON.stringify(r.reply.content)}`);
  k.done = 0;
  k.seconds = 0;
  k.samples = [];
}
const sample = async () => {
  await sleep(1000);
  for (const k of kernels) k.samples.push({ executes: k.done, rss_mib: rssMiB(k.kernel.process.pid) });
};
await sample();
while (kernels.some((k) => k.done < EXECUTES)) {
  for (const k of kernels) {
    const n = Math.min(BATCH, EXECUTES - k.done);
    const t0 = performance.now();
    for (let j = 0; j < n; j++) {
      const r = await k.kernel.client.execute('i += 1', { timeout: 60_000 });
      if (r.reply.content.status !== 'ok') throw new Error(`${k.name}: execute ${k.done + j} failed: ${JSON.stringify(r.reply.content)}`);
    }
    k.seconds += (performance.now() - t0) / 1000;
    k.done += n;
  }
  if (kernels[0].done % 1000 === 0 || kernels[0].done === EXECUTES) await sample();
}
// The counter proves every execute ran.
for (const k of kernels) {
  const r = await k.kernel.client.execute('i');
  k.final = String(r.outputs.find((m) => m.header.msg_type === 'execute_result')?.content.data['text/plain']);
  await k.kernel.shutdown();
}
rmSync(dataDir, { recursive: true, force: true });

const at = (k, n) => k.samples.find((s) => s.executes === n)?.rss_mib ?? NaN;
const results = kernels.map((k) => ({
  kernel: k.name,
  executes: EXECUTES,
  final_i: k.final,
  rss_mib: { 0: at(k, 0), [WARMUP]: at(k, WARMUP), [EXECUTES]: at(k, EXECUTES) },
  growth_after_warmup: at(k, EXECUTES) / at(k, WARMUP) - 1,
  kib_per_execute_after_warmup: ((at(k, EXECUTES) - at(k, WARMUP)) * 1024) / Math.max(1, EXECUTES - WARMUP),
  roundtrip_ms: (k.seconds * 1000) / EXECUTES,
  samples: k.samples,
}));

const rows = [['kernel', 'RSS at 0 (MiB)', `at ${WARMUP}`, `at ${EXECUTES}`, 'growth after warm-up', 'KiB per execute', 'round trip (ms)', 'i']];
for (const r of results) {
  rows.push([r.kernel, r.rss_mib[0].toFixed(1), r.rss_mib[WARMUP].toFixed(1), r.rss_mib[EXECUTES].toFixed(1), `${(100 * r.growth_after_warmup).toFixed(1)} %`, r.kib_per_execute_after_warmup.toFixed(2), r.roundtrip_ms.toFixed(2), r.final_i]);
}
const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
const line = (r) => `| ${r.map((v, c) => (c === 0 ? v.padEnd(widths[c]) : v.padStart(widths[c]))).join(' | ')} |`;
console.log(line(rows[0]));
console.log(`|${widths.map((w, c) => (c === 0 ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|')}|`);
for (const r of rows.slice(1)) console.log(line(r));
console.log(`\nRSS every 1,000 executes (MiB):`);
for (const r of results) console.log(`  ${r.kernel}: ${r.samples.map((s) => s.rss_mib.toFixed(0)).join(' ')}`);
mkdirSync(join(root, 'bench', 'results'), { recursive: true });
const out = join(root, 'bench', 'results', `soak-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
writeFileSync(out, JSON.stringify({ date: new Date().toISOString(), node: process.version, executes: EXECUTES, warmup: WARMUP, results }, null, 2));
console.log(`\nwritten ${out}`);
