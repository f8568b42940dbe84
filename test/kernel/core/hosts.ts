/**
 * The two execution workers as the tests drive them: the Node execution worker
 * (kernel/dist/executor/worker.js, as the session thread starts it) and the browser execution
 * worker (kernel/dist/browser/start.js) inside a stand-in for a Web Worker's global scope
 * (postMessage, addEventListener('message'), location, error events) on a Node worker thread.
 * Both are spoken to with the same execution worker protocol (core/protocol.ts).
 */
import { Worker } from 'node:worker_threads';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { KERNEL_DIST, tempDir } from '../helpers.js';
import type { FromWorker, ToWorker } from '../../../kernel/dist/core/protocol.js';
import { CONTROL_SLOTS, INTERRUPT_COUNT, INTERRUPT_FLAG, STDIN_LENGTH, STDIN_STATE } from '../../../kernel/dist/core/interrupt.js';

/** Output of one request: the IOPub messages in order, and the reply. */
export interface Exchange {
  iopub: { msgType: string; content: Record<string, any> }[];
  reply: any;
}

const FAKE_SCOPE = (startUrl: string) => `
const { parentPort } = require('node:worker_threads');
const listeners = {};
const dispatch = (type, event) => (listeners[type] || []).forEach((l) => l(event));
globalThis.postMessage = (m) => parentPort.postMessage(m);
// As in a browser, messages wait until the worker's script has added its listener.
const early = [];
globalThis.addEventListener = (type, l) => {
  (listeners[type] = listeners[type] || []).push(l);
  if (type === 'message') early.splice(0).forEach((data) => l({ data }));
};
globalThis.location = { href: 'http://127.0.0.1:8000/lite/kernel/worker.js' };
parentPort.on('message', (data) => (listeners.message ? dispatch('message', { data }) : early.push(data)));
process.on('uncaughtException', (error) => dispatch('error', { error, preventDefault() {} }));
process.on('unhandledRejection', (reason) => dispatch('unhandledrejection', { reason, preventDefault() {} }));
import(${JSON.stringify(startUrl)});
`;

/** An execution worker under test. */
export class HostUnderTest {
  readonly control = new Int32Array(new SharedArrayBuffer(CONTROL_SLOTS * 4));
  readonly stdin = new Uint8Array(new SharedArrayBuffer(1 << 16));
  private readonly worker: Worker;
  private nextId = 1;
  private current: Exchange | undefined;
  private readonly waiting = new Map<number, (reply: any) => void>();
  private startedResolve!: () => void;
  readonly started = new Promise<void>((r) => (this.startedResolve = r));
  /** Answers `input()`; undefined refuses. */
  onInput: ((prompt: string) => string) | undefined;

  constructor(readonly kind: 'node' | 'browser') {
    if (kind === 'node') {
      this.worker = new Worker(new URL(pathToFileURL(join(KERNEL_DIST, 'executor', 'worker.js')).href), {
        workerData: { control: this.control.buffer, stdin: this.stdin.buffer, notebookDir: tempDir('seqlab-host-'), preloadEngine: true },
      });
    } else {
      this.worker = new Worker(FAKE_SCOPE(pathToFileURL(join(KERNEL_DIST, 'browser', 'start.js')).href), { eval: true });
      this.worker.postMessage({ type: 'init', control: this.control.buffer, stdin: this.stdin.buffer, versions: { seqlab: 'test' } });
    }
    this.worker.on('message', (m: FromWorker) => this.receive(m));
  }

  private receive(m: FromWorker): void {
    if (m.type === 'started') this.startedResolve();
    else if (m.type === 'iopub') this.current?.iopub.push({ msgType: m.msgType, content: m.content });
    else if (m.type === 'input_request') this.answer(m.prompt);
    else if ('id' in m) this.waiting.get(m.id)?.(m);
  }

  private answer(prompt: string): void {
    const text = this.onInput?.(prompt);
    const bytes = new TextEncoder().encode(text ?? 'no stdin in this test');
    this.stdin.set(bytes);
    Atomics.store(this.control, STDIN_LENGTH, bytes.length);
    Atomics.store(this.control, STDIN_STATE, text === undefined ? 4 : 2);
    Atomics.notify(this.control, STDIN_STATE);
  }

  /** Sends a request and resolves with its reply and the IOPub messages published meanwhile. */
  async request(m: Omit<Extract<ToWorker, { id: number }>, 'id'>): Promise<Exchange> {
    await this.started;
    const id = this.nextId++;
    const exchange: Exchange = { iopub: [], reply: undefined };
    this.current = exchange;
    exchange.reply = await new Promise((resolve) => {
      this.waiting.set(id, resolve);
      this.worker.postMessage({ ...m, id });
    });
    this.waiting.delete(id);
    return exchange;
  }

  private count = 0;
  /** Runs a cell. */
  execute(code: string): Promise<Exchange> {
    return this.request({ type: 'execute', args: { code, executionCount: ++this.count } } as never);
  }

  /** What the session side does on an interrupt. */
  interrupt(): void {
    Atomics.add(this.control, INTERRUPT_COUNT, 1);
    Atomics.store(this.control, INTERRUPT_FLAG, 1);
    this.worker.postMessage({ type: 'interrupt' });
  }

  stop(): Promise<number> {
    return this.worker.terminate();
  }
}
