/**
 * The session: binds the five ZeroMQ sockets of a connection file, answers heartbeats,
 * decodes and verifies incoming messages (a message with a bad or missing signature is logged
 * and dropped, never dispatched), and wires dispatch to the execution and language workers.
 */
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { Publisher, Reply, Router } from 'zeromq';
import { Codec, WireError } from '../wire/codec.js';
import { createMessage, PROTOCOL_VERSION, type Content, type Header, type Message } from '../wire/message.js';
import { endpoint, readConnectionFile, type ConnectionInfo } from './connection.js';
import { SendQueue } from './sockets.js';
import { Dispatcher, type KernelIO } from '../dispatch/dispatcher.js';
import { createHandlers, type TypecheckMode } from '../dispatch/handlers.js';
import { ExecutionProxy } from './execution.js';
import { startNodeExecutionWorker } from './node-worker.js';
import { LanguageProxy } from '../language/proxy.js';
import { HistoryStore } from '../history/history.js';
import { seqlabDataDir } from '../history/paths.js';
import { CommRegistry } from '../comm/registry.js';
import { KERNEL_VERSION } from '../version.js';
import { kernelInfoContent } from '../dispatch/kernel-info.js';

/** Options of {@link startKernel}. */
export interface KernelOptions {
  connectionFile: string;
  /** Directory cells resolve relative imports from (default: the process's cwd). */
  notebookDir?: string;
  /** See kernel/README.md; default from $SEQLAB_TYPECHECK, else "off". */
  typecheck?: TypecheckMode;
  /** Where the history file lives (default `<seqlab data dir>/history.jsonl`). */
  historyFile?: string;
  log?: (text: string) => void;
  /** Interrupt on SIGINT (interrupt_mode "signal"); default true. */
  handleSigint?: boolean;
}

/** A running kernel. */
export interface RunningKernel {
  info: ConnectionInfo;
  /** Resolves when the kernel has shut down (after a shutdown_request). */
  closed: Promise<{ restart: boolean }>;
  /** Shuts down without a request. */
  close(): Promise<void>;
}

/** kernel_info_reply content. */
export function kernelInfo(): Content {
  return kernelInfoContent({
    kernelVersion: KERNEL_VERSION,
    protocolVersion: PROTOCOL_VERSION,
    typescriptVersion,
    runtime: `Node ${process.version}`,
    runtimeHelp: { text: 'Node.js API', url: 'https://nodejs.org/docs/latest-v20.x/api/' },
  });
}

const typescriptVersion: string = (() => {
  try {
    return (createRequire(import.meta.url)('typescript/package.json') as { version: string }).version;
  } catch {
    return 'unknown';
  }
})();

function parseTypecheck(v: string | undefined): TypecheckMode {
  if (v === undefined || v === '') return 'off';
  if (v === 'off' || v === 'warn' || v === 'error') return v;
  throw new Error(`SEQLAB_TYPECHECK must be off, warn or error, got "${v}"`);
}

/**
 * Starts a kernel on the sockets of `options.connectionFile`.
 *
 * @example const k = await startKernel({ connectionFile: '/tmp/kernel-1.json' }); await k.closed;
 */
export async function startKernel(options: KernelOptions): Promise<RunningKernel> {
  const log = options.log ?? ((t: string) => process.stderr.write(`[seqlab] ${t}\n`));
  const info = readConnectionFile(options.connectionFile);
  const codec = new Codec(info.key, info.signature_scheme);
  const session = randomUUID();
  const notebookDir = options.notebookDir ?? process.cwd();
  const typecheck = options.typecheck ?? parseTypecheck(process.env['SEQLAB_TYPECHECK']);

  const shell = new Router();
  const control = new Router();
  const stdin = new Router();
  const iopub = new Publisher();
  const hb = new Reply();
  for (const s of [shell, control, stdin, iopub, hb]) s.linger = 1000;
  await Promise.all([
    shell.bind(endpoint(info, 'shell')),
    control.bind(endpoint(info, 'control')),
    stdin.bind(endpoint(info, 'stdin')),
    iopub.bind(endpoint(info, 'iopub')),
    hb.bind(endpoint(info, 'hb')),
  ]);
  const queues = {
    shell: new SendQueue(shell, 'shell', log),
    control: new SendQueue(control, 'control', log),
    stdin: new SendQueue(stdin, 'stdin', log),
    iopub: new SendQueue(iopub, 'iopub', log),
    hb: new SendQueue(hb, 'hb', log),
  };

  let lastParent: Partial<Header> | undefined;
  const io: KernelIO = {
    reply(channel, request, msgType, content, metadata) {
      const msg = createMessage({ msgType, content, parent: request.header, metadata, identities: request.identities }, session);
      void queues[channel].send(codec.encode(msg));
    },
    publish(msgType, content, parent, metadata, buffers) {
      const msg = createMessage({ msgType, content, parent: parent ?? lastParent, metadata, buffers }, session);
      void queues.iopub.send(codec.encode(msg));
    },
    log,
  };

  const comms = new CommRegistry();
  const execution = new ExecutionProxy({
    notebookDir,
    startWorker: startNodeExecutionWorker,
    log,
    output: (msgType, content, metadata, buffers) => {
      if (msgType === 'comm_open') comms.opened(String(content['comm_id']), String(content['target_name']));
      if (msgType === 'comm_close') comms.closed(String(content['comm_id']));
      io.publish(msgType, content, currentExecute?.header ?? lastParent, metadata, buffers?.map((b) => Buffer.from(b)));
    },
    ...(process.env['SEQLAB_INTERRUPT_GRACE'] ? { interruptGrace: Number(process.env['SEQLAB_INTERRUPT_GRACE']) } : {}),
  });
  const language = new LanguageProxy(notebookDir, log);
  execution.onReset = () => {
    comms.clear();
    language.reset();
  };
  if (typecheck !== 'off') language.start();
  // interrupt_mode "signal": Jupyter sends SIGINT to the kernel process; the session thread
  // is never busy with user code, so it handles the signal at once.
  const onSigint = (): void => execution.interrupt();
  if (options.handleSigint !== false) process.on('SIGINT', onSigint);
  const history = new HistoryStore(options.historyFile ?? join(seqlabDataDir(), 'history.jsonl'));

  // stdin: input_request goes to the frontend that sent the execute_request; the reply comes back on stdin.
  const inputWaiters = new Map<string, { resolve: (v: string) => void; reject: (e: Error) => void }>();
  const requestStdin = (request: Message, prompt: string, password: boolean): Promise<string> => {
    const msg = createMessage({ msgType: 'input_request', content: { prompt, password }, parent: request.header, identities: request.identities }, session);
    return new Promise<string>((resolve, reject) => {
      inputWaiters.set(msg.header.msg_id, { resolve, reject });
      void queues.stdin.send(codec.encode(msg));
    });
  };

  let currentExecute: Message | undefined;
  let warmupScheduled = false;
  let resolveClosed!: (v: { restart: boolean }) => void;
  const closed = new Promise<{ restart: boolean }>((r) => (resolveClosed = r));
  let closing = false;
  const close = async (restart = false): Promise<void> => {
    if (closing) return;
    closing = true;
    for (const w of inputWaiters.values()) w.reject(new Error('kernel shutting down'));
    await Promise.allSettled([queues.shell.drain(), queues.control.drain(), queues.iopub.drain()]);
    await Promise.allSettled([execution.stop(), language.stop()]);
    for (const s of [shell, control, stdin, iopub, hb]) s.close();
    process.off('SIGINT', onSigint);
    resolveClosed({ restart });
  };

  const handlers = createHandlers({
    execution,
    language,
    history,
    comms,
    stdin: requestStdin,
    shutdown: (restart) => {
      // Reply first (dispatch sends it after this returns), then close.
      setTimeout(() => void close(restart), 20);
    },
    kernelInfo,
    typecheck,
  });
  // Output of the execution side belongs to the shell request being handled (an execute, or
  // a comm message whose handler publishes); between requests, to the last execute.
  for (const [type, handler] of Object.entries(handlers)) {
    handlers[type] = async (req, ctx) => {
      if (ctx.channel !== 'shell') return handler(req, ctx);
      currentExecute = req;
      if (type === 'execute_request') lastParent = req.header;
      try {
        return await handler(req, ctx);
      } finally {
        currentExecute = undefined;
        // Someone who runs cells will soon want completions: build the language service
        // in its own thread once the kernel has been idle for a moment.
        if (type === 'execute_request' && !warmupScheduled && process.env['SEQLAB_LANGUAGE_WARMUP'] !== '0') {
          warmupScheduled = true;
          setTimeout(() => language.warm(), 1000).unref();
        }
      }
    };
  }
  const dispatcher = new Dispatcher(handlers, io);

  const decode = (frames: Buffer[], channel: string): Message | undefined => {
    try {
      return codec.decode(frames);
    } catch (e) {
      if (e instanceof WireError) log(`dropped a message on ${channel}: ${e.message}`);
      else log(`dropped a message on ${channel}: ${(e as Error).message}`);
      return undefined;
    }
  };

  void (async () => {
    for await (const frames of shell) {
      const msg = decode(frames, 'shell');
      if (msg) dispatcher.shell(msg);
    }
  })().catch((e: unknown) => !closing && log(`shell loop ended: ${(e as Error).message}`));
  void (async () => {
    for await (const frames of control) {
      const msg = decode(frames, 'control');
      if (msg) void dispatcher.control(msg);
    }
  })().catch((e: unknown) => !closing && log(`control loop ended: ${(e as Error).message}`));
  void (async () => {
    for await (const frames of stdin) {
      const msg = decode(frames, 'stdin');
      if (!msg) continue;
      if (msg.header.msg_type !== 'input_reply') {
        log(`ignored ${msg.header.msg_type} on stdin`);
        continue;
      }
      const id = String(msg.parent_header.msg_id ?? '');
      const waiter = inputWaiters.get(id) ?? [...inputWaiters.values()].at(-1);
      if (!waiter) continue;
      inputWaiters.delete(inputWaiters.has(id) ? id : [...inputWaiters.keys()].at(-1)!);
      waiter.resolve(String(msg.content['value'] ?? ''));
    }
  })().catch((e: unknown) => !closing && log(`stdin loop ended: ${(e as Error).message}`));
  void (async () => {
    for await (const frames of hb) await queues.hb.send(frames);
  })().catch((e: unknown) => !closing && log(`heartbeat loop ended: ${(e as Error).message}`));

  // As ipykernel's parent poller: a kernel whose launcher died (JPY_PARENT_PID, set by
  // jupyter_client and by seqlab's own launcher) shuts down instead of living on as an orphan.
  const parentPid = Number(process.env['JPY_PARENT_PID'] ?? 0);
  if (parentPid > 1) {
    const poll = setInterval(() => {
      try {
        process.kill(parentPid, 0);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ESRCH') {
          log(`parent process ${parentPid} is gone; shutting down`);
          clearInterval(poll);
          void close(false);
        }
      }
    }, 2000);
    poll.unref();
  }

  io.publish('status', { execution_state: 'starting' });
  void execution.whenReady().then(
    ({ engineShadowed }) => {
      if (engineShadowed.length > 0) log(`engine exports not put in scope (a global of that name exists): ${engineShadowed.join(', ')}; use engine.<name>`);
    },
    (e: Error) => log(`the execution worker did not start: ${e.message}`),
  );

  return { info, closed, close: () => close(false) };
}
