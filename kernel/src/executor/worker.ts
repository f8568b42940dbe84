/**
 * Entry of the execution worker thread: owns the {@link Executor} and talks to the session
 * thread. User code runs here, so the session thread stays free to answer heartbeats,
 * control messages and interrupts while a cell runs.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { Executor } from './executor.js';
import { INTERRUPT_COUNT, KeyboardInterrupt, STDIN_LENGTH, STDIN_STATE, originalTimers } from './interrupt.js';
import { storeTypeScriptCache } from './compile.js';
import type { FromWorker, ToWorker, WorkerInit } from './protocol.js';

const init = workerData as WorkerInit;
const port = parentPort!;
const control = new Int32Array(init.control);
const stdinBytes = new Uint8Array(init.stdin);
const post = (m: FromWorker, transfer?: ArrayBuffer[]): void => port.postMessage(m, transfer ?? []);

/** Stdin states, see interrupt.ts. */
const WAITING = 1;
const READY = 2;
const INTERRUPTED = 3;
const REFUSED = 4;

function requestInput(prompt: string, password: boolean): string {
  const before = Atomics.load(control, INTERRUPT_COUNT);
  Atomics.store(control, STDIN_STATE, WAITING);
  post({ type: 'input_request', prompt, password });
  try {
    for (;;) {
      Atomics.wait(control, STDIN_STATE, WAITING, 250);
      const state = Atomics.load(control, STDIN_STATE);
      if (state === READY) {
        const n = Atomics.load(control, STDIN_LENGTH);
        return Buffer.from(stdinBytes.slice(0, n)).toString('utf8');
      }
      if (state === INTERRUPTED || Atomics.load(control, INTERRUPT_COUNT) !== before) throw new KeyboardInterrupt('interrupted while waiting for input');
      if (state === REFUSED) {
        const n = Atomics.load(control, STDIN_LENGTH);
        throw new Error(Buffer.from(stdinBytes.slice(0, n)).toString('utf8'));
      }
    }
  } finally {
    Atomics.store(control, STDIN_STATE, 0);
  }
}

const executor = new Executor(
  {
    publish: (msgType, content, metadata, buffers) => post({ type: 'iopub', msgType, content, metadata, buffers }),
    requestInput,
    control,
  },
  { notebookDir: init.notebookDir, preloadEngine: init.preloadEngine },
);

process.on('uncaughtException', (err) => executor.backgroundError(err, 'uncaught exception'));
process.on('unhandledRejection', (err) => executor.backgroundError(err, 'unhandled rejection'));

port.on('message', (m: ToWorker) => {
  switch (m.type) {
    case 'execute':
      void executor.execute(m.args).then((outcome) => {
        post({ type: 'execute_reply', id: m.id, outcome });
        // After the first cell TypeScript is warm: keep its code for the next kernel start.
        originalTimers.setImmediate(storeTypeScriptCache);
      });
      break;
    case 'is_complete': {
      let result;
      try {
        result = executor.isComplete(m.code);
      } catch {
        result = { status: 'unknown' as never };
      }
      post({ type: 'is_complete_reply', id: m.id, result });
      break;
    }
    case 'comm': {
      const meta = { metadata: m.metadata, buffers: m.buffers };
      try {
        if (m.action === 'open') {
          if (!executor.comms.handleOpen(m.content, meta)) post({ type: 'log', text: `comm_open for unknown target "${String(m.content['target_name'])}": closed` });
        }
        else if (m.action === 'msg') executor.comms.handleMsg(m.content, meta);
        else executor.comms.handleClose(m.content, meta);
      } catch (e) {
        executor.backgroundError(e, 'uncaught exception');
      }
      executor.streams.flush();
      post({ type: 'comm_done', id: m.id });
      break;
    }
    case 'interrupt':
      executor.interrupted();
      break;
  }
});

try {
  await executor.init();
  // TypeScript is loaded by the first cell, not now: an idle kernel stays small.
  post({ type: 'ready', engineGlobals: executor.engineGlobals, engineShadowed: executor.engineShadowed });
} catch (e) {
  post({ type: 'init_failed', error: (e as Error).stack ?? String(e) });
}
