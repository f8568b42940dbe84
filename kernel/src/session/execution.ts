/**
 * The session thread's handle on the execution worker: starts it, forwards requests, relays
 * its output and stdin requests, and interrupts it.
 *
 * An interrupt increments the shared interrupt counter (seen by compiled loops at once, even
 * while the worker's thread is busy) and posts an `interrupt` message (clears timers and ends
 * a cell that waits on a promise). If a cell still has not finished after the grace period
 * (code the kernel did not compile, e.g. an endless loop inside an npm package), the worker is
 * replaced by a fresh one: the kernel process lives on, the cell gets a clear error, and
 * earlier definitions are lost — the only case where they are. The same happens, said as
 * such, when the worker runs out of memory (its heap limit is `SEQLAB_EXECUTION_HEAP_MB`, default
 * V8's): the kernel process lives on.
 */
import type { ExecuteArgs, ExecuteOutcome } from '../core/runtime.js';
import type { IsCompleteResult } from '../core/is-complete.js';
import type { Completion } from '../core/complete.js';
import { CONTROL_SLOTS, INTERRUPT_COUNT, INTERRUPT_FLAG, STDIN_LENGTH, STDIN_STATE, StdinState } from '../core/interrupt.js';
import type { FromWorker, ToWorker, WorkerInit } from '../core/protocol.js';
import type { OutputType } from '../display/publisher.js';
import { MemoryKeeper } from '../executor/memory.js';

/** Receives the execution side's IOPub output. */
export type OutputSink = (msgType: OutputType, content: Record<string, unknown>, metadata?: Record<string, unknown>, buffers?: ArrayBuffer[]) => void;

/** Per-execution callbacks. */
export interface ExecuteHooks {
  /** Answers an `input()` in the cell; rejects when stdin is not allowed. */
  requestInput(prompt: string, password: boolean): Promise<string>;
}

/** What the proxy hears from a worker. */
export interface ExecutionWorkerEvents {
  message(m: FromWorker): void;
  /** An error the worker could not handle (it may still be alive). */
  error(e: Error): void;
  /**
   * The worker is gone: its exit code, and why when the host knows (Node: out of memory, as
   * `OutOfMemoryError` with the heap limit in words).
   */
  exit(code: number, lost?: { ename: string; reason: string }): void;
}

/** A started execution worker, as the proxy uses it. */
export interface ExecutionWorker {
  post(m: ToWorker): void;
  terminate(): Promise<unknown> | void;
}

/**
 * Starts an execution worker running executor/worker.ts's protocol: a Node worker thread
 * (node-worker.ts) or a Web Worker (the browser kernel).
 */
export type StartExecutionWorker = (init: WorkerInit, events: ExecutionWorkerEvents) => ExecutionWorker;

/** Options of {@link ExecutionProxy}. */
export interface ExecutionOptions {
  notebookDir: string;
  preloadEngine?: boolean;
  /** Starts the worker (the host's kind of thread). */
  startWorker: StartExecutionWorker;
  /**
   * Whether the control and stdin buffers are shared with the worker (default true). Without
   * shared memory (a browser page that is not cross-origin isolated) compiled loops never see
   * an interrupt and `input()` cannot block: only cells waiting on a promise or timer stop.
   */
  sharedMemory?: boolean;
  /** Milliseconds a cell may keep running after an interrupt before the worker is replaced (default 5000; Infinity: never). */
  interruptGrace?: number;
  /** Where output goes (IOPub). */
  output: OutputSink;
  log: (text: string) => void;
}

const STDIN_BYTES = 1 << 20;

interface Pending<T> {
  resolve: (v: T) => void;
  reject: (e: Error) => void;
}

/** See the module comment. */
export class ExecutionProxy {
  private worker!: ExecutionWorker;
  private control!: Int32Array;
  private stdin!: Uint8Array;
  private ready!: Promise<{ engineGlobals: string[]; engineShadowed: string[] }>;
  /** Resolves when cells can run (the engine may still be loading). */
  private started!: Promise<void>;
  private nextId = 1;
  private readonly executions = new Map<number, Pending<ExecuteOutcome> & { hooks: ExecuteHooks }>();
  private readonly completions = new Map<number, Pending<IsCompleteResult>>();
  private readonly realmCompletions = new Map<number, Pending<Completion>>();
  /** This (session) thread's copies of large outputs are given back after the cell. */
  private readonly memory = new MemoryKeeper();
  private readonly commsPending = new Map<number, () => void>();
  private escalation: ReturnType<typeof setTimeout> | undefined;
  private stopping = false;
  /** Called after the worker was replaced (the session clears comm state). */
  onReset: () => void = () => {};

  constructor(private readonly options: ExecutionOptions) {
    this.start();
  }

  /** Resolves when cells can run (the engine may still be loading). */
  whenStarted(): Promise<void> {
    return this.started;
  }

  /** Resolves when the worker has loaded the engine and installed the cell globals. */
  whenReady(): Promise<{ engineGlobals: string[]; engineShadowed: string[] }> {
    return this.ready;
  }

  private start(): void {
    // Plain buffers where shared memory is unavailable: the worker gets a copy (see sharedMemory).
    const Buffers = (this.options.sharedMemory === false ? ArrayBuffer : SharedArrayBuffer) as typeof SharedArrayBuffer;
    const controlBuffer = new Buffers(CONTROL_SLOTS * 4);
    const stdinBuffer = new Buffers(STDIN_BYTES);
    this.control = new Int32Array(controlBuffer);
    this.stdin = new Uint8Array(stdinBuffer);
    const init: WorkerInit = { control: controlBuffer, stdin: stdinBuffer, notebookDir: this.options.notebookDir, preloadEngine: this.options.preloadEngine !== false };
    let worker: ExecutionWorker | undefined;
    let resolveStarted!: () => void;
    this.started = new Promise((res) => (resolveStarted = res));
    let resolveReady!: (v: { engineGlobals: string[]; engineShadowed: string[] }) => void;
    let rejectReady!: (e: Error) => void;
    this.ready = new Promise((res, rej) => {
      resolveReady = res;
      rejectReady = rej;
    });
    this.ready.catch(() => {});
    const onMessage = (m: FromWorker): void => {
      if (worker !== this.worker) return;
      switch (m.type) {
        case 'started':
          resolveStarted();
          break;
        case 'ready':
          resolveStarted();
          resolveReady({ engineGlobals: m.engineGlobals, engineShadowed: m.engineShadowed });
          break;
        case 'init_failed':
          this.options.log(`execution worker failed to start: ${m.error}`);
          rejectReady(new Error(m.error));
          resolveStarted();
          break;
        case 'iopub':
          this.options.output(m.msgType, m.content, m.metadata, m.buffers);
          break;
        case 'execute_reply': {
          const p = this.executions.get(m.id);
          this.executions.delete(m.id);
          this.clearEscalation();
          p?.resolve(m.outcome);
          this.memory.afterWork();
          break;
        }
        case 'is_complete_reply': {
          const p = this.completions.get(m.id);
          this.completions.delete(m.id);
          p?.resolve(m.result);
          break;
        }
        case 'complete_reply': {
          const p = this.realmCompletions.get(m.id);
          this.realmCompletions.delete(m.id);
          p?.resolve(m.result);
          break;
        }
        case 'comm_done':
          this.commsPending.get(m.id)?.();
          this.commsPending.delete(m.id);
          break;
        case 'input_request':
          this.relayInput(m.prompt, m.password);
          break;
        case 'log':
          this.options.log(m.text);
          break;
      }
    };
    worker = this.options.startWorker(init, {
      message: onMessage,
      error: (e) => {
        if (worker !== this.worker) return;
        this.options.log(`execution worker error: ${e.stack ?? e.message}`);
      },
      exit: (code, lost) => {
        if (worker !== this.worker || this.stopping) return;
        this.options.log(`execution worker exited with code ${code}${lost ? ` (${lost.reason})` : ''}; starting a new one`);
        if (lost) this.replace(lost.reason, lost.ename);
        else this.replace('the execution worker exited (process.exit() or a fatal error in the cell)', 'ExecutionContextLost');
      },
    });
    this.worker = worker;
  }

  private relayInput(prompt: string, password: boolean): void {
    const current = [...this.executions.values()].at(-1);
    const answer = (state: number, text: string): void => {
      const bytes = new TextEncoder().encode(text).subarray(0, STDIN_BYTES);
      this.stdin.set(bytes);
      Atomics.store(this.control, STDIN_LENGTH, bytes.length);
      Atomics.store(this.control, STDIN_STATE, state as number);
      Atomics.notify(this.control, STDIN_STATE);
    };
    if (!current) {
      answer(StdinState.REFUSED, 'input() was called outside of a running cell');
      return;
    }
    current.hooks.requestInput(prompt, password).then(
      (value) => answer(StdinState.READY, value),
      (e: Error) => answer(StdinState.REFUSED, e.message),
    );
  }

  private post(m: ToWorker): void {
    this.worker.post(m);
  }

  /** Runs a cell in the worker. */
  async execute(args: ExecuteArgs, hooks: ExecuteHooks): Promise<ExecuteOutcome> {
    await this.started;
    const id = this.nextId++;
    return new Promise<ExecuteOutcome>((resolve, reject) => {
      this.executions.set(id, { resolve, reject, hooks });
      this.post({ type: 'execute', id, args });
    });
  }

  /** is_complete, answered by the worker (acorn, TypeScript when JavaScript cannot decide). */
  async isComplete(code: string): Promise<IsCompleteResult> {
    await this.started;
    const id = this.nextId++;
    return new Promise<IsCompleteResult>((resolve, reject) => {
      this.completions.set(id, { resolve, reject });
      this.post({ type: 'is_complete', id, code });
    });
  }

  /** Completion from the cells' realm (answers while the language service is still building). */
  async complete(code: string, cursor: number): Promise<Completion> {
    await this.started;
    const id = this.nextId++;
    return new Promise<Completion>((resolve, reject) => {
      this.realmCompletions.set(id, { resolve, reject });
      this.post({ type: 'complete', id, code, cursor });
    });
  }

  /**
   * Forwards a frontend's comm_open/comm_msg/comm_close; resolves when the worker has run the
   * handlers (so their output is published before the request's idle).
   */
  async comm(action: 'open' | 'msg' | 'close', content: Record<string, unknown>, metadata: Record<string, unknown>, buffers: ArrayBufferView[]): Promise<void> {
    await this.started;
    const copies = buffers.map((b) => b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer);
    const id = this.nextId++;
    return new Promise<void>((resolve) => {
      this.commsPending.set(id, resolve);
      this.post({ type: 'comm', id, action, content, metadata, buffers: copies });
    });
  }

  /** Whether a cell is running. */
  get busy(): boolean {
    return this.executions.size > 0;
  }

  /** Interrupts whatever runs in the worker (see the module comment). */
  interrupt(): void {
    Atomics.add(this.control, INTERRUPT_COUNT, 1);
    Atomics.store(this.control, INTERRUPT_FLAG, 1);
    if (Atomics.load(this.control, STDIN_STATE) === 1) {
      Atomics.store(this.control, STDIN_STATE, 3);
      Atomics.notify(this.control, STDIN_STATE);
    }
    this.post({ type: 'interrupt' });
    const grace = this.options.interruptGrace ?? 5000;
    if (this.busy && !this.escalation && Number.isFinite(grace)) {
      this.escalation = setTimeout(() => {
        this.escalation = undefined;
        if (this.busy) this.replace(`the cell did not stop within ${grace / 1000} s of the interrupt (probably a loop in code that seqlab does not compile, such as an npm package)`);
      }, grace);
    }
  }

  private clearEscalation(): void {
    if (this.escalation) clearTimeout(this.escalation);
    this.escalation = undefined;
  }

  /** Replaces the worker; running cells end with an error explaining why. */
  private replace(reason: string, ename = 'KeyboardInterrupt'): void {
    this.clearEscalation();
    const old = this.worker;
    const pending = [...this.executions.values()];
    this.executions.clear();
    for (const p of this.completions.values()) p.resolve({ status: 'unknown' as never });
    this.completions.clear();
    for (const p of this.realmCompletions.values()) p.resolve({ matches: [], cursorStart: 0, cursorEnd: 0, types: [] });
    this.realmCompletions.clear();
    for (const done of this.commsPending.values()) done();
    this.commsPending.clear();
    this.start();
    void old.terminate();
    this.onReset();
    const evalue = `${reason}; the execution context was restarted and earlier definitions are gone`;
    const content = { ename, evalue, traceback: [`\u001b[0;31m\u001b[1m${ename}\u001b[0m: ${evalue}`] };
    for (const p of pending) {
      this.options.output('error', content);
      p.resolve({ status: 'error', ...content, userExpressions: {} });
    }
    // Background work (a timer) can exhaust memory too: say so even when no cell runs.
    if (pending.length === 0) this.options.output('stream', { name: 'stderr', text: `${ename}: ${evalue}\n` });
  }

  /** Stops the worker for good. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.clearEscalation();
    await this.worker.terminate();
  }
}
