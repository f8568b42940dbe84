/**
 * `npm run bench`: seqlab's workloads (../shared/notes/performance.md) side by side with
 * PyTorch (1 and 2 threads) and TensorFlow.js's wasm backend, in one run.
 *
 *   npm run bench                         every workload, every implementation, 7 runs
 *   npm run bench -- --workloads=sgemm    workloads whose id starts with one of the prefixes
 *   npm run bench -- --impls=seqlab-1t,torch-1t --runs=5 --warmup=0.5 --target=0.3
 *
 * Each implementation runs in its own long-lived process (runners/); after every process
 * has warmed up every workload, the timed runs go round-robin (workload by workload,
 * implementation order rotating each round), so drifting machine load hits everyone
 * alike. Reported: the median of the runs (and min–max) in the workload's unit, seqlab's
 * time ratio to each reference, and a JSON file under bench/results/. Implementations
 * that are not installed are skipped with the reason. Timings are never asserted.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, availableParallelism, loadavg } from 'node:os';
import { createInterface, type Interface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { implementations, type Impl } from './impls.js';
import type { Request, Response, Timing } from './protocol.js';
import { fmtRatio, fmtValue, formatTable } from './table.js';
import { loadWorkloads } from './workloads/index.js';
import { higherIsBetter, isSkip, toUnit, type Workload } from './workloads/types.js';

interface Options extends Timing {
  runs: number;
  workloads: string[] | null;
  impls: string[] | null;
}

function parseArgs(argv: string[]): Options {
  const o: Options = { runs: 7, warmupSeconds: 1, targetSeconds: 0.3, workloads: null, impls: null };
  for (const a of argv) {
    const [k, v] = a.split('=', 2) as [string, string | undefined];
    const num = () => {
      const n = Number(v);
      if (!Number.isFinite(n) || n <= 0) throw new Error(`bench: ${k} needs a positive number, got '${v}'`);
      return n;
    };
    if (k === '--runs') o.runs = Math.max(5, Math.round(num()));
    else if (k === '--warmup') o.warmupSeconds = num();
    else if (k === '--target') o.targetSeconds = num();
    else if (k === '--workloads') o.workloads = (v ?? '').split(',').filter(Boolean);
    else if (k === '--impls') o.impls = (v ?? '').split(',').filter(Boolean);
    else throw new Error(`bench: unknown option '${a}' (see bench/run.ts)`);
  }
  return o;
}

/** A runner process and a FIFO of pending replies. */
class Runner {
  private readonly proc: ChildProcessWithoutNullStreams;
  private readonly lines: Interface;
  private readonly waiting: ((r: Response) => void)[] = [];
  private stderr = '';
  private exited: string | null = null;

  constructor(readonly impl: Impl) {
    this.proc = spawn(impl.command, impl.args, { env: { ...process.env, ...impl.env }, stdio: ['pipe', 'pipe', 'pipe'] });
    this.proc.stderr.on('data', (d: Buffer) => (this.stderr += d.toString()));
    this.lines = createInterface({ input: this.proc.stdout });
    this.lines.on('line', (line) => {
      let r: Response;
      try {
        r = JSON.parse(line) as Response;
      } catch {
        this.stderr += `${line}\n`;
        return;
      }
      this.waiting.shift()?.(r);
    });
    this.proc.on('exit', (code, signal) => {
      this.exited = `exited (${signal ?? code})`;
      for (const w of this.waiting.splice(0)) w({ ok: false, error: `${impl.label} ${this.exited}\n${this.stderr}` });
    });
  }

  request(req: Request): Promise<Response> {
    if (this.exited !== null) return Promise.resolve({ ok: false, error: `${this.impl.label} ${this.exited}\n${this.stderr}` });
    return new Promise((resolve) => {
      this.waiting.push(resolve);
      this.proc.stdin.write(`${JSON.stringify(req)}\n`);
    });
  }

  async close(): Promise<void> {
    if (this.exited !== null) return;
    const done = new Promise<void>((resolve) => this.proc.once('exit', () => resolve()));
    this.proc.stdin.write(`${JSON.stringify({ cmd: 'exit' })}\n`);
    const timer = setTimeout(() => this.proc.kill(), 10_000);
    await done;
    clearTimeout(timer);
  }
}

interface Cell {
  /** Seconds per iteration, one per timed run. */
  seconds: number[];
  reps: number;
  skipped?: string;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

function selected<T extends { id: string }>(all: T[], prefixes: string[] | null, what: string): T[] {
  if (prefixes === null) return all;
  const out = all.filter((x) => prefixes.some((p) => x.id === p || x.id.startsWith(p)));
  if (out.length === 0) throw new Error(`bench: no ${what} matches ${prefixes.join(',')} (have ${all.map((x) => x.id).join(', ')})`);
  return out;
}

function log(msg: string): void {
  process.stderr.write(`${msg}\n`);
}

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  const workloads = selected(await loadWorkloads(), opts.workloads, 'workload');
  const impls = selected(implementations(), opts.impls, 'implementation');
  const started = new Date();
  // Other processes on the machine distort timings; the load average is reported with them.
  const loadStart = loadavg()[0]!;
  log(`seqlab bench: ${workloads.length} workloads x ${impls.length} implementations, ${opts.runs} timed runs each`);

  const runners = new Map<string, Runner>();
  const names = new Map<string, { name: string; details: Record<string, unknown> }>();
  const unavailable = new Map<string, string>();
  for (const impl of impls) {
    if (impl.unavailable !== undefined) {
      unavailable.set(impl.id, impl.unavailable);
      log(`  skip ${impl.label}: ${impl.unavailable}`);
      continue;
    }
    const r = new Runner(impl);
    const hello = await r.request({ cmd: 'hello' });
    if (!hello.ok || !('name' in hello)) {
      const why = hello.ok ? 'unexpected reply' : hello.error.split('\n')[0]!;
      unavailable.set(impl.id, why);
      log(`  skip ${impl.label}: ${hello.ok ? why : hello.error}`);
      await r.close();
      continue;
    }
    runners.set(impl.id, r);
    names.set(impl.id, { name: hello.name, details: hello.details });
    log(`  ${impl.label}: ${hello.name}`);
  }

  const cells = new Map<string, Cell>(); // `${workload}|${impl}`
  const key = (w: Workload, i: Impl) => `${w.id}|${i.id}`;
  for (const w of workloads) {
    for (const impl of impls) {
      const r = runners.get(impl.id);
      if (r === undefined) continue;
      const code = impl.kind === 'torch' ? w.torch : undefined;
      if (impl.kind === 'torch' && (code === undefined || isSkip(code))) {
        cells.set(key(w, impl), { seconds: [], reps: 0, skipped: code === undefined ? 'not written' : code.skip });
        continue;
      }
      const res = await r.request({
        cmd: 'setup', id: w.id, warmupSeconds: opts.warmupSeconds, targetSeconds: opts.targetSeconds,
        ...(typeof code === 'string' ? { code } : {}),
      });
      if (!res.ok) {
        log(`  ${w.id} on ${impl.label} failed to set up:\n${res.error}`);
        cells.set(key(w, impl), { seconds: [], reps: 0, skipped: `setup failed: ${res.error.split('\n')[0]}` });
      } else if ('reps' in res) {
        const skipped = 'skipped' in res ? res.skipped : undefined;
        cells.set(key(w, impl), { seconds: [], reps: res.reps, ...(skipped !== undefined ? { skipped } : {}) });
      }
    }
    log(`  warmed up ${w.id}`);
  }

  for (let round = 0; round < opts.runs; round++) {
    for (const w of workloads) {
      const order = impls.map((_, i) => impls[(i + round) % impls.length]!);
      for (const impl of order) {
        const cell = cells.get(key(w, impl));
        if (cell === undefined || cell.skipped !== undefined) continue;
        const res = await runners.get(impl.id)!.request({ cmd: 'run', id: w.id });
        if (res.ok && 'seconds' in res) cell.seconds.push(res.seconds);
        else {
          cell.skipped = `run failed: ${res.ok ? 'unexpected reply' : res.error.split('\n')[0]}`;
          log(`  ${w.id} on ${impl.label}: ${cell.skipped}`);
        }
      }
    }
    log(`  round ${round + 1}/${opts.runs} done`);
  }
  await Promise.all([...runners.values()].map((r) => r.close()));

  // Results in the workloads' units.
  const value = (w: Workload, impl: Impl): number | null => {
    const c = cells.get(key(w, impl));
    return c !== undefined && c.skipped === undefined && c.seconds.length > 0 ? toUnit(w, median(c.seconds)) : null;
  };
  const cellText = (w: Workload, impl: Impl): string => {
    const v = value(w, impl);
    if (v !== null) return fmtValue(v);
    return unavailable.has(impl.id) ? 'n/a' : '—';
  };
  const shown = impls.filter((i) => !unavailable.has(i.id));
  const medians = [['workload', 'unit', ...shown.map((i) => i.label)]];
  for (const w of workloads) medians.push([w.id, w.unit, ...shown.map((i) => cellText(w, i))]);

  const seqlabs = shown.filter((i) => i.role === 'seqlab');
  const refs = shown.filter((i) => i.role === 'reference');
  /** seqlab's time divided by the reference's time (< 1: seqlab is faster). */
  const ratio = (w: Workload, s: Impl, r: Impl): number | null => {
    const a = value(w, s), b = value(w, r);
    if (a === null || b === null) return null;
    return higherIsBetter(w.unit) ? b / a : a / b;
  };
  const ratios = [['workload', 'seqlab', ...refs.map((r) => `÷ ${r.label}`)]];
  for (const w of workloads) {
    for (const s of seqlabs) ratios.push([w.id, s.label, ...refs.map((r) => fmtRatio(ratio(w, s, r) ?? NaN))]);
  }

  // seqlab in the browser beside the same configuration in Node, in the same run.
  const twins = shown.flatMap((b) => {
    const node = b.nodeTwin === undefined ? undefined : shown.find((i) => i.id === b.nodeTwin);
    return node === undefined ? [] : [{ browser: b, node }];
  });
  const browserRatios = [['workload', ...twins.map((t) => `${t.browser.label} ÷ ${t.node.label}`)]];
  for (const w of workloads) browserRatios.push([w.id, ...twins.map((t) => fmtRatio(ratio(w, t.browser, t.node) ?? NaN))]);

  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  const loadEnd = loadavg()[0]!;
  const header = `seqlab bench ${started.toISOString()} — node ${process.version}, ${cpu}, ${availableParallelism()} cores, ` +
    `load average ${loadStart.toFixed(1)} at start, ${loadEnd.toFixed(1)} at end; ` +
    `median of ${opts.runs} runs (each ≥ ${opts.targetSeconds} s) after ≥ ${opts.warmupSeconds} s warm-up`;
  const notes: string[] = [];
  for (const impl of impls) {
    const n = names.get(impl.id);
    if (n !== undefined) notes.push(`  ${impl.label.padEnd(14)} ${n.name} ${JSON.stringify(n.details)}`);
    else notes.push(`  ${impl.label.padEnd(14)} skipped: ${unavailable.get(impl.id)}`);
  }
  for (const w of workloads) {
    for (const impl of shown) {
      const c = cells.get(key(w, impl));
      if (c?.skipped !== undefined) notes.push(`  ${w.id} on ${impl.label}: ${c.skipped}`);
    }
  }
  console.log(`\n${header}\n`);
  console.log(formatTable(medians, 2));
  console.log(`\nTime ratio, seqlab ÷ reference (below 1x: seqlab is faster)\n`);
  console.log(formatTable(ratios, 2));
  if (twins.length > 0) {
    console.log(`\nTime ratio, seqlab in Chromium (Web Worker) ÷ seqlab in Node (above 1x: the browser is slower)\n`);
    console.log(formatTable(browserRatios, 1));
  }
  console.log(`\nImplementations and notes:\n${notes.join('\n')}`);

  const outDir = fileURLToPath(new URL('../results/', import.meta.url));
  mkdirSync(outDir, { recursive: true });
  const stamp = started.toISOString().replace(/[:.]/g, '-');
  const file = `${outDir}bench-${stamp}.json`;
  const json = {
    date: started.toISOString(),
    node: process.version,
    cpu,
    cores: availableParallelism(),
    loadAverage: { start: loadStart, end: loadEnd },
    options: opts,
    implementations: impls.map((i) => ({
      id: i.id, label: i.label, role: i.role, env: i.env, args: i.args.slice(0, -1),
      ...(names.get(i.id) ?? { skipped: unavailable.get(i.id) }),
    })),
    workloads: workloads.map((w) => ({
      id: w.id, description: w.description, unit: w.unit,
      results: Object.fromEntries(shown.map((i) => {
        const c = cells.get(key(w, i));
        if (c === undefined || c.skipped !== undefined || c.seconds.length === 0) return [i.id, { skipped: c?.skipped ?? 'no result' }];
        const vals = c.seconds.map((s) => toUnit(w, s));
        return [i.id, { median: toUnit(w, median(c.seconds)), min: Math.min(...vals), max: Math.max(...vals), values: vals, secondsPerIteration: c.seconds, iterationsPerRun: c.reps }];
      })),
      ratios: Object.fromEntries(seqlabs.map((s) => [s.id, Object.fromEntries(refs.map((r) => [r.id, ratio(w, s, r)]))])),
      browserOverNode: Object.fromEntries(twins.map((t) => [t.browser.id, ratio(w, t.browser, t.node)])),
    })),
  };
  writeFileSync(file, `${JSON.stringify(json, null, 2)}\n`);
  writeFileSync(`${outDir}latest.json`, `${JSON.stringify(json, null, 2)}\n`);
  console.log(`\nwrote ${file}`);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
