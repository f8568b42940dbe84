/**
 * Runs workloads on seqlab or on TensorFlow.js's wasm backend for the orchestrator
 * (../run.ts), speaking ../protocol.ts over stdin/stdout.
 *
 *   node bench/dist/runners/node-runner.js seqlab   (SEQLAB_THREADS etc. from the environment)
 *   node bench/dist/runners/node-runner.js tfjs
 */
import { createRequire, register } from 'node:module';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { calibrate, timeRun } from '../harness.js';
import type { Request, Response } from '../protocol.js';
import { loadWorkloads } from '../workloads/index.js';
import { isSkip, type SeqlabLib, type Step, type TfLib, type Workload } from '../workloads/types.js';

interface Impl {
  name: string;
  details: Record<string, unknown>;
  build(w: Workload): Step | string;
}

const NOT_WRITTEN = 'not written for this implementation';

async function seqlab(): Promise<Impl> {
  const sl: SeqlabLib = await import('@seqlab/engine');
  await sl.backend.startWorkers();
  const info = sl.backend.info();
  return {
    name: `seqlab ${info.name}`,
    details: { backend: info.name, threads: info.threads, features: info.features, workersReady: info.workersReady },
    build: (w) => (w.seqlab === undefined ? NOT_WRITTEN : isSkip(w.seqlab) ? w.seqlab.skip : w.seqlab(sl)),
  };
}

async function tfjs(): Promise<Impl> {
  const tf: TfLib = await import('@tensorflow/tfjs-core');
  // tfjs-core's Node bundle registers no gradients (the tfjs union package imports them
  // from its ESM files, which need the resolution hook to load in Node).
  register(new URL('./tfjs-esm-hooks.js', import.meta.url));
  await import('@tensorflow/tfjs-core/dist/register_all_gradients.js');
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  // The .wasm binaries ship inside the npm package: load them from node_modules.
  const require = createRequire(import.meta.url);
  const dir = join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist') + '/';
  wasm.setWasmPaths(dir);
  // One thread with SIMD, as in performance.md.
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  if (!(await tf.setBackend('wasm'))) throw new Error('TensorFlow.js: the wasm backend did not initialise');
  await tf.ready();
  const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
  return {
    name: `tfjs-wasm ${tf.version_core}`,
    details: { version: tf.version_core, backend: tf.getBackend(), simd, threads: 1 },
    build: (w) => (w.tfjs === undefined ? NOT_WRITTEN : isSkip(w.tfjs) ? w.tfjs.skip : w.tfjs(tf)),
  };
}

function send(r: Response): void {
  process.stdout.write(`${JSON.stringify(r)}\n`);
}

async function main(): Promise<void> {
  const which = process.argv[2];
  if (which !== 'seqlab' && which !== 'tfjs') throw new Error(`node-runner: expected 'seqlab' or 'tfjs', got '${which}'`);
  const impl = which === 'seqlab' ? await seqlab() : await tfjs();
  const workloads = new Map((await loadWorkloads()).map((w) => [w.id, w]));
  const steps = new Map<string, { step: Step; reps: number }>();
  const lines = createInterface({ input: process.stdin });
  for await (const line of lines) {
    const req = JSON.parse(line) as Request;
    try {
      if (req.cmd === 'exit') break;
      if (req.cmd === 'hello') {
        send({ ok: true, name: impl.name, details: impl.details });
      } else if (req.cmd === 'setup') {
        const w = workloads.get(req.id);
        if (w === undefined) throw new Error(`unknown workload '${req.id}'`);
        const step = impl.build(w);
        if (typeof step === 'string') {
          send({ ok: true, id: req.id, reps: 0, skipped: step });
        } else {
          const reps = calibrate(step, req);
          steps.set(req.id, { step, reps });
          send({ ok: true, id: req.id, reps });
        }
      } else if (req.cmd === 'run') {
        const s = steps.get(req.id);
        if (s === undefined) throw new Error(`workload '${req.id}' is not set up`);
        send({ ok: true, id: req.id, seconds: timeRun(s.step, s.reps), reps: s.reps });
      }
    } catch (e) {
      send({ ok: false, error: e instanceof Error ? (e.stack ?? e.message) : String(e) });
    }
  }
  for (const s of steps.values()) s.step.dispose?.();
  if (which === 'seqlab') await (await import('@seqlab/engine')).backend.stopWorkers();
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    send({ ok: false, error: e instanceof Error ? (e.stack ?? e.message) : String(e) });
    process.exit(1);
  },
);
