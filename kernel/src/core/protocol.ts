/**
 * The execution worker protocol: the messages between the session side (Node's session
 * thread; in the browser, the JupyterLite kernel on the page's main thread) and an execution
 * worker (kernel/src/executor/worker.ts in Node, kernel/src/browser/worker.ts in a Web Worker),
 * over the worker's message port (`postMessage`). Both workers speak it alike; it only grows
 * additively. kernel/README.md ("Architecture") documents it with the shared memory layout.
 */
import type { ExecuteArgs, ExecuteOutcome } from './runtime.js';
import type { IsCompleteResult } from './is-complete.js';
import type { Completion } from './complete.js';
import type { OutputType } from '../display/publisher.js';

/** What the Node session passes to a new execution worker (as `workerData`). */
export interface WorkerInit {
  /** Int32Array slots, see interrupt.ts. */
  control: SharedArrayBuffer;
  /** UTF-8 bytes of a stdin reply. */
  stdin: SharedArrayBuffer;
  notebookDir: string;
  preloadEngine: boolean;
}

/**
 * The first message a browser execution worker gets (a Web Worker has no `workerData`).
 * `control` and `stdin` exist only on cross-origin-isolated pages (SharedArrayBuffer);
 * without them interrupts reach only cells that wait (timers, promises), not running loops,
 * and `input()` says it is unavailable.
 */
export interface BrowserWorkerInit {
  type: 'init';
  /** `CONTROL_SLOTS` Int32 slots (interrupt.ts), on a SharedArrayBuffer. */
  control?: SharedArrayBuffer;
  /** The stdin reply buffer (any size; 1 MiB in Node), on a SharedArrayBuffer. */
  stdin?: SharedArrayBuffer;
  /** Load `@seqlab/engine` and put its exports in scope (default true). */
  preloadEngine?: boolean;
  /** Start loading TypeScript as soon as the engine is loaded (default true). */
  preloadTypeScript?: boolean;
  /** Version strings for `tslab.versions` and the `seqlab` comm, e.g. `{ seqlab: "0.1.0" }`. */
  versions?: Record<string, string>;
}

/** Session -> worker. */
export type ToWorker =
  | { type: 'execute'; id: number; args: ExecuteArgs }
  | { type: 'is_complete'; id: number; code: string }
  /** Completion from the live realm; `cursor` in UTF-16 code units. */
  | { type: 'complete'; id: number; code: string; cursor: number }
  | { type: 'comm'; id: number; action: 'open' | 'msg' | 'close'; content: Record<string, unknown>; metadata: Record<string, unknown>; buffers: ArrayBuffer[] }
  | { type: 'interrupt' };

/** Worker -> session. */
export type FromWorker =
  /** Cells can run (the engine may still be loading: cells that name it wait for it). */
  | { type: 'started' }
  /** The engine is loaded and its exports are in scope. */
  | { type: 'ready'; engineGlobals: string[]; engineShadowed: string[] }
  | { type: 'init_failed'; error: string }
  | { type: 'iopub'; msgType: OutputType; content: Record<string, unknown>; metadata?: Record<string, unknown> | undefined; buffers?: ArrayBuffer[] | undefined }
  | { type: 'execute_reply'; id: number; outcome: ExecuteOutcome }
  | { type: 'is_complete_reply'; id: number; result: IsCompleteResult }
  | { type: 'complete_reply'; id: number; result: Completion }
  | { type: 'comm_done'; id: number }
  /** A cell called `input()`: answer through the stdin buffer and control slots 1..2. */
  | { type: 'input_request'; prompt: string; password: boolean }
  | { type: 'log'; text: string };

export { CONTROL_SLOTS, INTERRUPT_COUNT, INTERRUPT_FLAG, STDIN_LENGTH, STDIN_STATE, StdinState } from './interrupt.js';
export type { ExecuteArgs, ExecuteOutcome, UserExpressionResults } from './runtime.js';
export type { IsCompleteResult } from './is-complete.js';
export type { Completion } from './complete.js';
export type { ErrorContent } from './stack.js';
