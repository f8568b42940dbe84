/**
 * Times seqlab's side of bench workloads alone and, with `--profile`, writes a V8 CPU
 * profile of them and prints where the time goes (a development tool, not part of
 * `npm run bench`):
 *
 *   node bench/dist/tools/workload-profile.js lstm mha            wall and CPU ms per step
 *   node bench/dist/tools/workload-profile.js --profile charlm    + top functions by self time
 *   node --experimental-wasm-relaxed-simd bench/dist/tools/workload-profile.js --steps=20 encoder
 *
 * CPU time (this process, all threads) is reported next to wall time: on a shared,
 * loaded machine it is the steadier of the two for single-threaded runs.
 */
import { Session } from 'node:inspector';
import { writeFileSync } from 'node:fs';
import * as sl from '@seqlab/engine';
import { loadWorkloads } from '../workloads/index.js';
import { isSkip } from '../workloads/types.js';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount: number;
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const args = process.argv.slice(2);
const opt = (name: string): string | undefined => args.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
const steps = Number(opt('steps') ?? 10);
const top = Number(opt('top') ?? 30);
const profile = args.includes('--profile');
const ids = args.filter((a) => !a.startsWith('--'));

function post<T>(s: Session, method: string, params?: object): Promise<T> {
  return new Promise((resolve, reject) => s.post(method, params ?? {}, (err, res) => (err ? reject(err) : resolve(res as T))));
}

/** Self time by function (name and file:line), in ms, largest first. */
function summarize(p: Profile): [string, number][] {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  for (let i = 0; i < p.samples.length; i++) self.set(p.samples[i]!, (self.get(p.samples[i]!) ?? 0) + (p.timeDeltas[i] ?? 0));
  const byFn = new Map<string, number>();
  for (const [id, us] of self) {
    const f = byId.get(id)!.callFrame;
    const file = f.url.replace(/^.*\/(engine|bench)\/dist\//, '$1/').replace(/^file:\/\//, '');
    const key = `${f.functionName || '(anonymous)'} ${file ? `${file}:${f.lineNumber + 1}` : ''}`;
    byFn.set(key, (byFn.get(key) ?? 0) + us / 1e3);
  }
  return [...byFn.entries()].sort((a, b) => b[1] - a[1]);
}

await sl.backend.startWorkers();
console.log(`backend ${sl.backend.info().name}`);
const all = await loadWorkloads();
for (const w of all.filter((x) => ids.length === 0 || ids.some((id) => x.id === id))) {
  if (w.seqlab === undefined || isSkip(w.seqlab)) continue;
  const step = w.seqlab(sl);
  for (let i = 0; i < 3; i++) step.run();
  const session = profile ? new Session() : null;
  if (session !== null) {
    session.connect();
    await post(session, 'Profiler.enable');
    await post(session, 'Profiler.setSamplingInterval', { interval: 100 });
    await post(session, 'Profiler.start');
  }
  const times: number[] = [];
  const cpu = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < steps; i++) {
    const t = performance.now();
    step.run();
    times.push(performance.now() - t);
  }
  const wall = (performance.now() - t0) / steps;
  const used = process.cpuUsage(cpu);
  times.sort((a, b) => a - b);
  console.log(
    `${w.id.padEnd(16)} median ${times[times.length >> 1]!.toFixed(2)} ms, min ${times[0]!.toFixed(2)}, mean ${wall.toFixed(2)}; ` +
      `cpu ${((used.user + used.system) / 1e3 / steps).toFixed(2)} ms/step (${w.unit === 'µs/op' ? `${((times[times.length >> 1]! * 1e3) / w.ops!).toFixed(3)} µs/op` : ''})`,
  );
  if (session !== null) {
    const { profile: p } = await post<{ profile: Profile }>(session, 'Profiler.stop');
    session.disconnect();
    const file = `/tmp/seqlab-${w.id}.cpuprofile`;
    writeFileSync(file, JSON.stringify(p));
    const rows = summarize(p);
    const total = rows.reduce((s, r) => s + r[1], 0);
    console.log(`  profile (${file}), self time over ${steps} steps, ${total.toFixed(0)} ms sampled:`);
    for (const [name, ms] of rows.slice(0, top)) console.log(`  ${((100 * ms) / total).toFixed(1).padStart(5)}%  ${(ms / steps).toFixed(2).padStart(7)} ms/step  ${name}`);
  }
  step.dispose?.();
}
await sl.backend.stopWorkers();
