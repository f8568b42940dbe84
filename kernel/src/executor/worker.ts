/**
 * Entry of the Node execution worker thread: owns the {@link Executor} and talks to the
 * session thread with the execution worker protocol (core/protocol.ts). User code runs here,
 * so the session thread stays free to answer heartbeats, control messages and interrupts
 * while a cell runs.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { Executor } from './executor.js';
import { storeTypeScriptCache } from './compile.js';
import { originalTimers } from '../core/interrupt.js';
import { sharedMemoryInput } from '../core/stdin.js';
import { serveRuntime } from '../core/serve.js';
import type { FromWorker, ToWorker, WorkerInit } from '../core/protocol.js';
import { MemoryKeeper } from './memory.js';

const init = workerData as WorkerInit;
const port = parentPort!;
const control = new Int32Array(init.control);
const post = (m: FromWorker): void => port.postMessage(m);

const executor = new Executor(
  {
    publish: (msgType, content, metadata, buffers) => post({ type: 'iopub', msgType, content, metadata, buffers }),
    requestInput: sharedMemoryInput(control, new Uint8Array(init.stdin), (prompt, password) => post({ type: 'input_request', prompt, password })),
    control,
  },
  { notebookDir: init.notebookDir, preloadEngine: init.preloadEngine },
);

process.on('uncaughtException', (err) => executor.backgroundError(err, 'uncaught exception'));
process.on('unhandledRejection', (err) => executor.backgroundError(err, 'unhandled rejection'));

const memory = new MemoryKeeper();
const serve = serveRuntime(executor, post, {
  afterExecute: () => {
    memory.afterWork();
    // Keep TypeScript's code for the next kernel start once it has compiled a cell. (It is
    // loaded by the first cell with TypeScript syntax, not before: loading it blocks this
    // thread for 0.15-0.3 s, which would hold up a completion or a plain cell meanwhile.)
    originalTimers.setImmediate?.(storeTypeScriptCache);
  },
});
port.on('message', (m: ToWorker) => {
  if (m.type === 'execute') memory.cancel();
  serve(m);
});

try {
  executor.install();
  post({ type: 'started' });
  await executor.whenEngineLoaded();
  post({ type: 'ready', engineGlobals: executor.engineGlobals, engineShadowed: executor.engineShadowed });
} catch (e) {
  post({ type: 'init_failed', error: (e as Error).stack ?? String(e) });
}
