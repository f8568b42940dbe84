/**
 * The Node kernel's execution worker: a worker thread running executor/worker.ts.
 */
import { Worker } from 'node:worker_threads';
import type { StartExecutionWorker } from './execution.js';

/** Starts executor/worker.js in a worker thread (see {@link StartExecutionWorker}). */
export const startNodeExecutionWorker: StartExecutionWorker = (init, events) => {
  const worker = new Worker(new URL('../executor/worker.js', import.meta.url), { workerData: init });
  worker.on('message', events.message);
  worker.on('error', events.error);
  worker.on('exit', events.exit);
  return {
    post: (m) => worker.postMessage(m),
    terminate: () => worker.terminate(),
  };
};
