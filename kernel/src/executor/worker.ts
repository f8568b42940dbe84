/**
 * Entry of the Node execution worker thread: owns the {@link Executor} and talks to the
 * session thread with the execution worker protocol (core/protocol.ts). User code runs here,
 * so the session thread stays free to answer heartbeats, control messages and interrupts
 * while a cell runs.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { Executor } from './executor.js';
import { storeTypeScriptCache } from './compile.js';
import { backgroundTimeout, originalTimers } from '../core/interrupt.js';
import { sharedMemoryInput } from '../core/stdin.js';
import { serveRuntime } from '../core/serve.js';
import type { FromWorker, ToWorker, WorkerInit } from '../core/protocol.js';
import { MemoryKeeper } from './memory.js';
import { compileCell } from '../core/compile.js';

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
let typescriptLoaded = false;

/**
 * TypeScript (9 MB) is loaded by the first cell with TypeScript syntax, or before that once
 * the kernel has been idle for {@link PRELOAD_IDLE_MS}: loading blocks this thread for
 * 0.15-0.3 s, which must not hold up a plain cell or a completion that arrives meanwhile, but
 * should not be paid by the first typed cell a student runs either. Any request postpones it;
 * `SEQLAB_TYPESCRIPT_PRELOAD=0` turns it off (TypeScript then loads on first need only).
 */
const PRELOAD_IDLE_MS = 1000;
const preloadEnabled = process.env['SEQLAB_TYPESCRIPT_PRELOAD'] !== '0';
let inFlight = 0;
let preloadTimer: unknown;
function schedulePreload(): void {
  if (!preloadEnabled || executor.typescriptLoaded || inFlight > 0) return;
  if (preloadTimer !== undefined) originalTimers.clearTimeout(preloadTimer);
  preloadTimer = backgroundTimeout(() => {
    preloadTimer = undefined;
    if (inFlight > 0 || executor.typescriptLoaded) return;
    // Load, then compile one small typed cell so the first real one finds the compiler warm.
    void executor
      .typescript()
      .then((ts) => compileCell('interface P { x: number }\nconst p: P = { x: 1 };\np.x', '<warm-up-ts>', ts))
      .catch(() => undefined);
  }, PRELOAD_IDLE_MS);
}
function cancelPreload(): void {
  if (preloadTimer !== undefined) originalTimers.clearTimeout(preloadTimer);
  preloadTimer = undefined;
}
const REQUESTS = new Set(['execute', 'is_complete', 'complete']);
const REPLIES = new Set(['execute_reply', 'is_complete_reply', 'complete_reply']);
const postTracked = (m: FromWorker): void => {
  post(m);
  if (REPLIES.has(m.type)) {
    inFlight = Math.max(0, inFlight - 1);
    schedulePreload();
  }
};

const serve = serveRuntime(executor, postTracked, {
  afterExecute: () => {
    // TypeScript, once loaded, stays: its memory is not a transient to collect.
    if (executor.typescriptLoaded !== typescriptLoaded) {
      typescriptLoaded = executor.typescriptLoaded;
      memory.rebase();
    } else memory.afterWork();
    // Keep TypeScript's code for the next kernel start once it has compiled a cell.
    originalTimers.setImmediate?.(storeTypeScriptCache);
  },
});
port.on('message', (m: ToWorker) => {
  if (m.type !== 'interrupt') memory.cancel();
  if (REQUESTS.has(m.type)) {
    inFlight++;
    cancelPreload();
  }
  serve(m);
});

try {
  executor.install();
  post({ type: 'started' });
  await executor.whenEngineLoaded();
  memory.rebase();
  post({ type: 'ready', engineGlobals: executor.engineGlobals, engineShadowed: executor.engineShadowed });
  schedulePreload();
} catch (e) {
  post({ type: 'init_failed', error: (e as Error).stack ?? String(e) });
}
