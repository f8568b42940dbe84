/**
 * The Node kernel's execution worker: a worker thread running executor/worker.ts, with the
 * heap limit `SEQLAB_EXECUTION_HEAP_MB` (default V8's). A worker that runs out of memory is
 * reported as such (`OutOfMemoryError`), so the cell's error says why the context was lost.
 */
import { Worker } from 'node:worker_threads';
import type { StartExecutionWorker } from './execution.js';

/** Starts executor/worker.js in a worker thread (see {@link StartExecutionWorker}). */
export const startNodeExecutionWorker: StartExecutionWorker = (init, events) => {
  const heapMb = Number(process.env['SEQLAB_EXECUTION_HEAP_MB'] ?? 0);
  const worker = new Worker(new URL('../executor/worker.js', import.meta.url), {
    workerData: init,
    ...(heapMb > 0 ? { resourceLimits: { maxOldGenerationSizeMb: heapMb } } : {}),
  });
  let outOfMemory = false;
  worker.on('message', events.message);
  worker.on('error', (e) => {
    if ((e as NodeJS.ErrnoException).code === 'ERR_WORKER_OUT_OF_MEMORY') outOfMemory = true;
    events.error(e);
  });
  worker.on('exit', (code) => {
    if (!outOfMemory) return events.exit(code);
    const limit = heapMb > 0 ? `its heap limit of ${heapMb} MiB (SEQLAB_EXECUTION_HEAP_MB)` : 'the JavaScript heap limit';
    events.exit(code, { ename: 'OutOfMemoryError', reason: `out of memory: the cells' JavaScript reached ${limit}` });
  });
  return {
    post: (m) => worker.postMessage(m),
    terminate: () => worker.terminate(),
  };
};
