/**
 * The entry script of a kernel worker thread in Node (started by host/node.ts): the start
 * data comes as `workerData`, readiness goes back as the first message.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { runKernelWorker, type KernelWorkerData } from '../wasm/worker-loop.js';

runKernelWorker(workerData as KernelWorkerData, () => parentPort?.postMessage('ready'));
