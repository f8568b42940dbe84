/**
 * Messages between the session thread and the execution worker (over the worker's
 * MessagePort), and the shared memory they use.
 */
import type { ExecuteArgs, ExecuteOutcome } from './executor.js';
import type { IsCompleteResult } from './is-complete.js';
import type { OutputType } from '../display/publisher.js';

/** What the session passes to a new execution worker. */
export interface WorkerInit {
  /** Int32Array slots, see interrupt.ts. */
  control: SharedArrayBuffer;
  /** UTF-8 bytes of a stdin reply. */
  stdin: SharedArrayBuffer;
  notebookDir: string;
  preloadEngine: boolean;
}

/** Session -> worker. */
export type ToWorker =
  | { type: 'execute'; id: number; args: ExecuteArgs }
  | { type: 'is_complete'; id: number; code: string }
  | { type: 'comm'; id: number; action: 'open' | 'msg' | 'close'; content: Record<string, unknown>; metadata: Record<string, unknown>; buffers: ArrayBuffer[] }
  | { type: 'interrupt' };

/** Worker -> session. */
export type FromWorker =
  | { type: 'ready'; engineGlobals: string[]; engineShadowed: string[] }
  | { type: 'init_failed'; error: string }
  | { type: 'iopub'; msgType: OutputType; content: Record<string, unknown>; metadata?: Record<string, unknown> | undefined; buffers?: ArrayBuffer[] | undefined }
  | { type: 'execute_reply'; id: number; outcome: ExecuteOutcome }
  | { type: 'is_complete_reply'; id: number; result: IsCompleteResult }
  | { type: 'comm_done'; id: number }
  | { type: 'input_request'; prompt: string; password: boolean }
  | { type: 'log'; text: string };
