/**
 * The seqlab kernel of the browser site: the session side of the Node kernel, on the page's
 * main thread, with JupyterLite in place of ZeroMQ.
 *
 * What it reuses from the Node kernel, unchanged: the dispatcher (busy/idle around every
 * request, errors caught per message, shell requests one at a time, queued executes aborted
 * after an error), the request handlers (execute with execution count and `?name` pager,
 * is_complete, complete/inspect, history, comm_info and comms, interrupt, shutdown), the
 * kernel_info content, the comm registry, history queries, and the ExecutionProxy that speaks
 * the execution worker's protocol (kernel/src/executor/protocol.ts) — here to a Web Worker
 * running the same cell pipeline and engine.
 *
 * What differs: messages come from JupyterLite's in-page kernel client and go back through
 * its `sendMessage`; the interrupt arrives as a method call ({@link SeqlabKernel.interrupt},
 * from {@link InterruptingKernelClient}); and whether an interrupt can stop a running loop
 * depends on shared memory, i.e. on the page being cross-origin isolated.
 */
import { KernelMessage } from '@jupyterlab/services';
import type { IKernel } from '@jupyterlite/services';
import { PromiseDelegate } from '@lumino/coreutils';
import { Signal, type ISignal } from '@lumino/signaling';

import { Dispatcher, type KernelIO } from '../../kernel/dist/dispatch/dispatcher.js';
import { createHandlers, type Completion, type Inspection, type LanguageBackend, type TypeDiagnostic } from '../../kernel/dist/dispatch/handlers.js';
import { kernelInfoContent } from '../../kernel/dist/dispatch/kernel-info.js';
import { CommRegistry } from '../../kernel/dist/comm/registry.js';
import { HistoryLog } from '../../kernel/dist/history/log.js';
import { ExecutionProxy, type StartExecutionWorker } from '../../kernel/dist/session/execution.js';
import type { Message } from '../../kernel/dist/wire/message.js';
import type { BrowserWorkerInit, FromWorker, ToWorker } from '../../kernel/dist/core/protocol.js';

/** Versions put into the bundle at build time (lite/src/build.ts). */
declare const __SEQLAB_KERNEL_VERSION__: string;
declare const __SEQLAB_TYPESCRIPT_VERSION__: string;

/** The messaging protocol version JupyterLab's kernel client speaks to in-page kernels. */
const PROTOCOL_VERSION = '5.3';

/** How the kernel reaches the rest of the page. */
export interface SeqlabKernelHost {
  /** URL of the execution worker script (in the site's build folder). */
  workerUrl: string;
  /** URL of the notebook's folder in the site's `files/` (relative paths in cells are read from there). */
  filesUrl: string;
  /** URL of the site's `build/engine/` (the engine's wasm kernels and kernel thread script). */
  engineUrl: string;
  /**
   * Called when an interrupt cannot stop the running cell (the page is not cross-origin
   * isolated): the host offers to restart the kernel.
   */
  interruptUnavailable(kernel: SeqlabKernel): void;
}

/** Milliseconds a non-isolated kernel waits for a cell to end after Stop before offering a restart. */
const NON_ISOLATED_GRACE_MS = 1000;

/** See the module comment. */
export class SeqlabKernel implements IKernel {
  readonly id: string;
  readonly name: string;
  readonly location: string;
  private readonly sendMessage: IKernel.SendMessage;
  private readonly readyDelegate = new PromiseDelegate<void>();
  private readonly disposedSignal = new Signal<this, void>(this);
  private readonly execution: ExecutionProxy;
  private readonly dispatcher: Dispatcher;
  private readonly stdinWaiters = new Map<string, { resolve: (v: string) => void; reject: (e: Error) => void }>();
  private currentShell: Message | undefined;
  private lastExecute: Message | undefined;
  private disposedFlag = false;
  /** Whether the worker shares memory with this thread (interrupts reach running loops, input() blocks). */
  readonly isolated: boolean;

  constructor(options: IKernel.IOptions, private readonly host: SeqlabKernelHost) {
    this.id = options.id;
    this.name = options.name;
    this.location = options.location;
    this.sendMessage = options.sendMessage;
    this.isolated = globalThis.crossOriginIsolated === true && typeof SharedArrayBuffer === 'function';

    const comms = new CommRegistry();
    const io: KernelIO = {
      reply: (channel, request, msgType, content, metadata) => this.send(channel, msgType, content, request, metadata),
      publish: (msgType, content, parent, metadata, buffers) => {
        const parentMsg = parent === undefined ? this.currentShell ?? this.lastExecute : undefined;
        this.send('iopub', msgType, content, parentMsg ?? ({ header: parent } as Message), metadata, buffers);
      },
      log: (text) => console.warn(`[seqlab kernel] ${text}`),
    };
    this.execution = new ExecutionProxy({
      notebookDir: this.location,
      startWorker: this.startWorker,
      sharedMemory: this.isolated,
      // Without shared memory a running loop cannot be stopped: the user is asked before the
      // worker (and every definition) is thrown away, instead of the proxy doing it.
      interruptGrace: this.isolated ? 5000 : Infinity,
      log: io.log,
      output: (msgType, content, metadata, buffers) => {
        if (msgType === 'comm_open') comms.opened(String(content['comm_id']), String(content['target_name']));
        if (msgType === 'comm_close') comms.closed(String(content['comm_id']));
        io.publish(msgType, content, undefined, metadata, buffers?.map((b) => new Uint8Array(b)) as never);
      },
    });
    const language = new RealmLanguage();
    this.execution.onReset = () => comms.clear();
    const handlers = createHandlers({
      execution: this.execution,
      language,
      history: new HistoryLog(),
      comms,
      stdin: (request, prompt, password) => this.requestStdin(request, prompt, password),
      shutdown: () => undefined,
      kernelInfo: () =>
        kernelInfoContent({
          kernelVersion: __SEQLAB_KERNEL_VERSION__,
          protocolVersion: PROTOCOL_VERSION,
          typescriptVersion: __SEQLAB_TYPESCRIPT_VERSION__,
          runtime: `a Web Worker${this.isolated ? '' : ' (not cross-origin isolated: Stop cannot end a running loop)'}`,
          runtimeHelp: { text: 'Web APIs in workers', url: 'https://developer.mozilla.org/en-US/docs/Web/API/Web_Workers_API/Functions_and_classes_available_to_workers' },
        }),
      typecheck: 'off',
    });
    // Output of the execution side belongs to the shell request being handled; between
    // requests, to the last execute (as in the Node session).
    for (const [type, handler] of Object.entries(handlers)) {
      handlers[type] = async (req, ctx) => {
        if (ctx.channel !== 'shell') return handler(req, ctx);
        this.currentShell = req;
        if (type === 'execute_request') this.lastExecute = req;
        try {
          return await handler(req, ctx);
        } finally {
          this.currentShell = undefined;
        }
      };
    }
    this.dispatcher = new Dispatcher(handlers, io);
    this.execution.whenReady().then(
      () => this.readyDelegate.resolve(),
      (e: Error) => {
        // Requests still get answers (the proxy reports the failure per cell); the page says why.
        console.error(`seqlab: the kernel's worker did not start: ${e.message}`);
        this.readyDelegate.resolve();
      },
    );
    this.send('iopub', 'status', { execution_state: 'starting' });
  }

  /** Starts the execution worker as a Web Worker. */
  private readonly startWorker: StartExecutionWorker = (init, events) => {
    const worker = new Worker(this.host.workerUrl, { name: `seqlab-kernel-${this.id.slice(0, 8)}` });
    worker.onmessage = (e: MessageEvent<FromWorker>) => events.message(e.data);
    worker.onerror = (e: ErrorEvent) => {
      e.preventDefault();
      events.error(new Error(`${e.message} (${e.filename}:${e.lineno})`));
    };
    worker.onmessageerror = () => events.error(new Error('a message from the execution worker could not be read'));
    // Shared memory only where the page is isolated (the proxy made plain buffers otherwise).
    const message: BrowserWorkerInit & { site: { engineUrl: string; filesUrl: string } } = {
      type: 'init',
      ...(this.isolated ? { control: init.control, stdin: init.stdin } : {}),
      preloadEngine: init.preloadEngine,
      versions: { seqlab: __SEQLAB_KERNEL_VERSION__, typescript: __SEQLAB_TYPESCRIPT_VERSION__ },
      site: { engineUrl: this.host.engineUrl, filesUrl: this.host.filesUrl },
    };
    worker.postMessage(message);
    return {
      post: (m: ToWorker) => worker.postMessage(m),
      terminate: () => worker.terminate(),
    };
  };

  get ready(): Promise<void> {
    return this.readyDelegate.promise;
  }

  get isDisposed(): boolean {
    return this.disposedFlag;
  }

  get disposed(): ISignal<this, void> {
    return this.disposedSignal;
  }

  /**
   * Handles a message from a client. Shell requests are queued by the dispatcher and this
   * resolves at once, so JupyterLite's per-kernel lock never holds a request behind a running
   * cell: control requests, completions and stdin replies get through while a cell runs.
   */
  async handleMessage(msg: KernelMessage.IMessage): Promise<void> {
    const message: Message = {
      identities: [],
      header: msg.header as unknown as Message['header'],
      parent_header: msg.parent_header as Message['parent_header'],
      metadata: (msg.metadata ?? {}) as Record<string, unknown>,
      content: (msg.content ?? {}) as Record<string, unknown>,
      buffers: (msg.buffers ?? []).map((b) => (ArrayBuffer.isView(b) ? b : new Uint8Array(b))) as never,
    };
    if (msg.channel === 'stdin') {
      if (msg.header.msg_type === 'input_reply') this.inputReply(message);
      return;
    }
    if (msg.channel === 'control') {
      await this.dispatcher.control(message);
      return;
    }
    this.dispatcher.shell(message);
  }

  /**
   * Stops the running cell. With shared memory the worker's loop checks see the flag at once
   * and earlier definitions are kept; without it only a cell waiting on a promise or a timer
   * stops, and for one that does not the host offers a restart.
   */
  interrupt(): void {
    this.execution.interrupt();
    if (this.isolated) return;
    setTimeout(() => {
      if (this.execution.busy && !this.disposedFlag) this.host.interruptUnavailable(this);
    }, NON_ISOLATED_GRACE_MS);
  }

  dispose(): void {
    if (this.disposedFlag) return;
    this.disposedFlag = true;
    for (const w of this.stdinWaiters.values()) w.reject(new Error('the kernel was shut down'));
    this.stdinWaiters.clear();
    void this.execution.stop();
    this.disposedSignal.emit();
    Signal.clearData(this);
  }

  private requestStdin(request: Message, prompt: string, password: boolean): Promise<string> {
    if (!this.isolated) {
      return Promise.reject(new Error('input() needs a cross-origin isolated page (serve the site with `seqlab serve`, or let its service worker add the headers)'));
    }
    const msg = this.send('stdin', 'input_request', { prompt, password }, request);
    return new Promise<string>((resolve, reject) => this.stdinWaiters.set(msg.header.msg_id, { resolve, reject }));
  }

  private inputReply(reply: Message): void {
    const id = String(reply.parent_header.msg_id ?? '');
    const key = this.stdinWaiters.has(id) ? id : [...this.stdinWaiters.keys()].at(-1);
    if (key === undefined) return;
    const waiter = this.stdinWaiters.get(key)!;
    this.stdinWaiters.delete(key);
    waiter.resolve(String(reply.content['value'] ?? ''));
  }

  /** Sends a message to the client that made `request` (iopub: to every client). */
  private send(
    channel: 'shell' | 'control' | 'iopub' | 'stdin',
    msgType: string,
    content: Record<string, unknown>,
    request?: Message,
    metadata?: Record<string, unknown>,
    buffers?: ArrayBufferView[],
  ): KernelMessage.IMessage {
    const parent = request?.header;
    const msg = KernelMessage.createMessage({
      channel,
      msgType: msgType as KernelMessage.MessageType,
      // JupyterLite routes a reply by its session (stdin: by the parent's), i.e. to the client that asked.
      session: (parent?.session as string | undefined) ?? this.id,
      parentHeader: parent as KernelMessage.IHeader | undefined,
      content: content as never,
      metadata: metadata ?? {},
      buffers: buffers ?? [],
    } as never) as KernelMessage.IMessage;
    this.sendMessage(msg);
    return msg;
  }
}

/**
 * The language side in the browser: completion comes from the live realm of the execution
 * worker (names in scope, members of dotted chains: `ready` is false, so the handlers ask
 * the execution side, see dispatch/handlers.ts). The Node kernel's TypeScript language
 * service (types in completions, inspection, type checking) runs in a worker thread of its
 * own and is not part of the site: inspection finds nothing and type checking is off, as in
 * the Node kernel by default.
 */
class RealmLanguage implements LanguageBackend {
  readonly ready = false;
  async complete(_code: string, cursor: number): Promise<Completion> {
    return { matches: [], cursorStart: cursor, cursorEnd: cursor, types: [] };
  }
  async inspect(): Promise<Inspection> {
    return { found: false, data: {} };
  }
  async check(): Promise<TypeDiagnostic[]> {
    return [];
  }
  cellExecuted(): void {}
  reset(): void {}
  warm(): void {}
}
