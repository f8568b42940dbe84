/**
 * The entry script of a kernel thread in a browser (a Web Worker started by host/browser.ts):
 * the start data comes as the first message, readiness goes back as the first message.
 */
import { runKernelWorker, type KernelWorkerData } from '../wasm/worker-loop.js';

interface WorkerScope {
  onmessage: ((event: { data: unknown }) => void) | null;
  postMessage(message: unknown): void;
}

const scope = globalThis as unknown as WorkerScope;
scope.onmessage = (event) => {
  scope.onmessage = null;
  runKernelWorker(event.data as KernelWorkerData, () => scope.postMessage('ready'));
};
