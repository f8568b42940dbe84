/**
 * The benchmark's runner inside a browser Web Worker (where the seqlab kernel runs cells in a
 * browser): the same workloads and timing loop as runners/node-runner.ts, answering
 * ../protocol.ts requests posted by the page (page.ts). Bundled with the engine by
 * runners/browser-runner.ts.
 */
import * as engine from '@seqlab/engine';
import { calibrate, timeRun } from '../harness.js';
import type { Request, Response } from '../protocol.js';
import { isSkip, type SeqlabLib, type Step, type Workload } from '../workloads/types.js';

/** What the page sends first: the engine's setup. */
export interface BrowserBenchInit {
  /** Threads per large product (1: no kernel workers). */
  threads: number;
  /** URL of the folder holding the engine's wasm kernels and its kernel worker script. */
  engineUrl: string;
}

interface WorkerScope {
  onmessage: ((e: { data: unknown }) => void) | null;
  postMessage(m: unknown): void;
}

/** Starts answering requests for `workloads` (the generated entry passes every workload module's). */
export function startBenchWorker(workloads: Workload[]): void {
  const scope = globalThis as unknown as WorkerScope;
  const byId = new Map(workloads.map((w) => [w.id, w]));
  const steps = new Map<string, { step: Step; reps: number }>();
  let name = '';
  let details: Record<string, unknown> = {};
  const handle = async (req: Request | { cmd: 'init'; init: BrowserBenchInit }): Promise<Response> => {
    if (req.cmd === 'init') {
      // The kernels the browser site runs (SIMD128, as Node 20's seqlab kernel).
      await engine.backend.useBrowserHost({ baseUrl: req.init.engineUrl, relaxedSimd: false });
      engine.backend.setThreads(req.init.threads);
      await engine.backend.startWorkers();
      const info = engine.backend.info();
      name = `seqlab ${info.name} (browser worker)`;
      details = { backend: info.name, threads: info.threads, features: info.features, workersReady: info.workersReady, crossOriginIsolated: (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true };
      return { ok: true, name, details };
    }
    if (req.cmd === 'hello') return { ok: true, name, details };
    if (req.cmd === 'setup') {
      const w = byId.get(req.id);
      if (w === undefined) throw new Error(`unknown workload '${req.id}'`);
      if (w.seqlab === undefined) return { ok: true, id: req.id, reps: 0, skipped: 'not written for this implementation' };
      if (isSkip(w.seqlab)) return { ok: true, id: req.id, reps: 0, skipped: w.seqlab.skip };
      const step = w.seqlab(engine as unknown as SeqlabLib);
      const reps = calibrate(step, req);
      steps.set(req.id, { step, reps });
      return { ok: true, id: req.id, reps };
    }
    if (req.cmd === 'run') {
      const s = steps.get(req.id);
      if (s === undefined) throw new Error(`workload '${req.id}' is not set up`);
      return { ok: true, id: req.id, seconds: timeRun(s.step, s.reps), reps: s.reps };
    }
    for (const s of steps.values()) s.step.dispose?.();
    steps.clear();
    await engine.backend.stopWorkers();
    return { ok: true, name, details };
  };
  scope.onmessage = (e) => {
    const { id, req } = e.data as { id: number; req: Request };
    handle(req).then(
      (res) => scope.postMessage({ id, res }),
      (err: unknown) => scope.postMessage({ id, res: { ok: false, error: err instanceof Error ? (err.stack ?? err.message) : String(err) } }),
    );
  };
}
