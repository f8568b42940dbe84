/**
 * A Jupyter client over ZeroMQ: the one client of the repo, used by `seqlab run`, the
 * benchmark and the kernel's process tests. It speaks the real protocol (signed messages,
 * five channels), so it can drive any kernel (seqlab or ipykernel).
 */
import { randomUUID } from 'node:crypto';
import { Dealer, Request, Subscriber } from 'zeromq';
import { Codec } from '../wire/codec.js';
import { createMessage, type Content, type Message } from '../wire/message.js';
import { endpoint, type ConnectionInfo } from '../session/connection.js';
import { SendQueue } from '../session/sockets.js';

/** Channels a client sends requests on. */
export type RequestChannel = 'shell' | 'control';

/** The result of {@link KernelClient.execute}. */
export interface ExecuteResult {
  reply: Message;
  /** IOPub messages of the request between busy and idle (status messages excluded). */
  outputs: Message[];
}

/** Options of {@link KernelClient.execute}. */
export interface ExecuteOptions {
  silent?: boolean;
  storeHistory?: boolean;
  userExpressions?: Record<string, string>;
  allowStdin?: boolean;
  stopOnError?: boolean;
  /** Answers input_request messages of this execution. */
  onInput?: (prompt: string, password: boolean) => string | Promise<string>;
  /** Sees each IOPub output as it arrives (progress reporting). */
  onOutput?: (msg: Message) => void;
  /** Milliseconds to wait for reply and idle (default: no limit). */
  timeout?: number;
}

/** Thrown when a reply does not come in time. */
export class TimeoutError extends Error {
  override name = 'TimeoutError';
}

/** Messages the kernel answers with IOPub output only, never a reply. */
const NO_REPLY = new Set(['comm_open', 'comm_msg', 'comm_close']);

interface Collector {
  outputs: Message[];
  idle: (status: Message) => void;
  onOutput?: ((msg: Message) => void) | undefined;
}

/** Options of {@link KernelClient}. */
export interface ClientOptions {
  /**
   * The session id, which is also the ZeroMQ identity of the shell, control and stdin sockets
   * (as jupyter_client uses it). Two clients of one jupyter_client KernelManager share it; a
   * frontend reconnecting comes back with it. Default: a fresh UUID.
   */
  session?: string;
}

/** See the module comment. */
export class KernelClient {
  readonly session: string;
  private readonly codec: Codec;
  private readonly shell = new Dealer();
  private readonly control = new Dealer();
  private readonly stdin = new Dealer();
  private readonly iopub = new Subscriber();
  private readonly queues: Record<'shell' | 'control' | 'stdin', SendQueue>;
  private readonly replies = new Map<string, (m: Message) => void>();
  private readonly collectors = new Map<string, Collector>();
  private readonly inputHandlers = new Map<string, (prompt: string, password: boolean) => string | Promise<string>>();
  /** IOPub messages that belong to no pending request (e.g. output of background work). */
  readonly unclaimed: Message[] = [];
  /** Shell and control replies to no pending request (e.g. to a message sent with {@link send}). */
  readonly strayReplies: Message[] = [];
  private closed = false;

  constructor(
    readonly info: ConnectionInfo,
    options: ClientOptions = {},
  ) {
    this.session = options.session ?? randomUUID();
    this.codec = new Codec(info.key, info.signature_scheme);
    for (const s of [this.shell, this.control, this.stdin]) s.routingId = this.session;
    const log = (t: string): void => void (this.closed || process.stderr.write(`[client] ${t}\n`));
    this.queues = { shell: new SendQueue(this.shell, 'shell', log), control: new SendQueue(this.control, 'control', log), stdin: new SendQueue(this.stdin, 'stdin', log) };
    for (const s of [this.shell, this.control, this.stdin, this.iopub]) s.linger = 0;
    this.shell.connect(endpoint(info, 'shell'));
    this.control.connect(endpoint(info, 'control'));
    this.stdin.connect(endpoint(info, 'stdin'));
    this.iopub.connect(endpoint(info, 'iopub'));
    this.iopub.subscribe();
    void this.readReplies(this.shell);
    void this.readReplies(this.control);
    void this.readStdin();
    void this.readIopub();
  }

  private decode(frames: Buffer[]): Message | undefined {
    try {
      return this.codec.decode(frames);
    } catch (e) {
      if (!this.closed) process.stderr.write(`[client] dropped a message: ${(e as Error).message}\n`);
      return undefined;
    }
  }

  private async readReplies(socket: Dealer): Promise<void> {
    try {
      for await (const frames of socket) {
        const msg = this.decode(frames);
        const id = msg?.parent_header.msg_id;
        if (!msg || typeof id !== 'string') continue;
        const r = this.replies.get(id);
        if (r) {
          this.replies.delete(id);
          r(msg);
        } else this.strayReplies.push(msg);
      }
    } catch {
      // socket closed
    }
  }

  private async readStdin(): Promise<void> {
    try {
      for await (const frames of this.stdin) {
        const msg = this.decode(frames);
        if (!msg || msg.header.msg_type !== 'input_request') continue;
        const parentId = String(msg.parent_header.msg_id ?? '');
        const handler = this.inputHandlers.get(parentId);
        const prompt = String(msg.content['prompt'] ?? '');
        const password = msg.content['password'] === true;
        const value = handler ? await handler(prompt, password) : '';
        const reply = createMessage({ msgType: 'input_reply', content: { value }, parent: msg.header }, this.session);
        await this.queues.stdin.send(this.codec.encode(reply));
      }
    } catch {
      // socket closed
    }
  }

  private async readIopub(): Promise<void> {
    try {
      for await (const frames of this.iopub) {
        const msg = this.decode(frames);
        if (!msg) continue;
        const id = msg.parent_header.msg_id;
        const c = typeof id === 'string' ? this.collectors.get(id) : undefined;
        if (!c) {
          this.unclaimed.push(msg);
          continue;
        }
        if (msg.header.msg_type === 'status') {
          if (msg.content['execution_state'] === 'idle') c.idle(msg);
          continue;
        }
        c.outputs.push(msg);
        c.onOutput?.(msg);
      }
    } catch {
      // socket closed
    }
  }

  /** Sends a message without waiting for anything; returns it (its header has the msg_id). */
  send(channel: RequestChannel, msgType: string, content: Content, extra: { metadata?: Record<string, unknown>; buffers?: Buffer[] } = {}): Message {
    const msg = createMessage({ msgType, content, metadata: extra.metadata, buffers: extra.buffers }, this.session);
    void this.queues[channel].send(this.codec.encode(msg));
    return msg;
  }

  /** Sends raw frames on a channel (for tests of the wire layer, e.g. forged signatures). */
  sendFrames(channel: RequestChannel, frames: Buffer[]): Promise<void> {
    return this.queues[channel].send(frames);
  }

  /** The codec this client signs with. */
  get signer(): Codec {
    return this.codec;
  }

  /**
   * Sends a request and resolves with its reply and the IOPub messages it caused (up to idle).
   * For comm_open/comm_msg/comm_close, which have no reply, `reply` is the idle status.
   */
  async request(channel: RequestChannel, msgType: string, content: Content, options: { timeout?: number; onOutput?: (m: Message) => void; onInput?: ExecuteOptions['onInput']; metadata?: Record<string, unknown>; buffers?: Buffer[] } = {}): Promise<ExecuteResult> {
    const msg = createMessage({ msgType, content, metadata: options.metadata, buffers: options.buffers }, this.session);
    const id = msg.header.msg_id;
    const outputs: Message[] = [];
    let idle!: (status: Message) => void;
    const idleSeen = new Promise<Message>((r) => (idle = r));
    this.collectors.set(id, { outputs, idle, onOutput: options.onOutput });
    if (options.onInput) this.inputHandlers.set(id, options.onInput);
    // Comm messages get no reply: their idle status stands in for it.
    const replied = NO_REPLY.has(msgType) ? idleSeen : new Promise<Message>((r) => this.replies.set(id, r));
    await this.queues[channel].send(this.codec.encode(msg));
    const both = Promise.all([replied, idleSeen]);
    let timer: NodeJS.Timeout | undefined;
    try {
      const [reply] = options.timeout
        ? await Promise.race([
            both,
            new Promise<never>((_, reject) => {
              timer = setTimeout(() => reject(new TimeoutError(`no ${msgType.replace('_request', '_reply')} within ${options.timeout} ms`)), options.timeout);
            }),
          ])
        : await both;
      return { reply, outputs };
    } finally {
      if (timer) clearTimeout(timer);
      this.collectors.delete(id);
      this.replies.delete(id);
      this.inputHandlers.delete(id);
    }
  }

  /** Runs code and collects its outputs. */
  execute(code: string, options: ExecuteOptions = {}): Promise<ExecuteResult> {
    return this.request(
      'shell',
      'execute_request',
      {
        code,
        silent: options.silent ?? false,
        store_history: options.storeHistory ?? true,
        user_expressions: options.userExpressions ?? {},
        allow_stdin: options.allowStdin ?? options.onInput !== undefined,
        stop_on_error: options.stopOnError ?? true,
      },
      { ...(options.timeout ? { timeout: options.timeout } : {}), ...(options.onOutput ? { onOutput: options.onOutput } : {}), ...(options.onInput ? { onInput: options.onInput } : {}) },
    );
  }

  /** Sends a request and resolves with its reply alone (no wait for IOPub). */
  async replyTo(channel: RequestChannel, msgType: string, content: Content, timeoutMs = 60_000): Promise<Message> {
    const msg = createMessage({ msgType, content }, this.session);
    const replied = new Promise<Message>((r) => this.replies.set(msg.header.msg_id, r));
    await this.queues[channel].send(this.codec.encode(msg));
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([replied, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new TimeoutError(`no reply to ${msgType} within ${timeoutMs} ms`)), timeoutMs)))]);
    } finally {
      clearTimeout(timer);
      this.replies.delete(msg.header.msg_id);
    }
  }

  /**
   * Waits until the kernel answers kernel_info and its IOPub messages reach this client
   * (ZeroMQ subscribers miss what is published before they are connected).
   */
  async waitReady(timeoutMs = 30_000): Promise<Message> {
    const deadline = Date.now() + timeoutMs;
    // First a reply at all (the kernel may still be starting) ...
    await this.replyTo('shell', 'kernel_info_request', {}, timeoutMs);
    // ... then until IOPub delivers this client the status messages of a request.
    for (;;) {
      try {
        const { reply } = await this.request('shell', 'kernel_info_request', {}, { timeout: 500 });
        return reply;
      } catch (e) {
        if (!(e instanceof TimeoutError) || Date.now() > deadline) throw e;
      }
    }
  }

  /** Heartbeat round trip; resolves with true when the kernel echoed within `timeoutMs`. */
  async heartbeat(timeoutMs = 2000): Promise<boolean> {
    const req = new Request();
    req.linger = 0;
    req.receiveTimeout = timeoutMs;
    req.connect(endpoint(this.info, 'hb'));
    try {
      const ping = Buffer.from(randomUUID());
      await req.send(ping);
      const [pong] = await req.receive();
      return pong !== undefined && pong.equals(ping);
    } catch {
      return false;
    } finally {
      req.close();
    }
  }

  close(): void {
    this.closed = true;
    for (const s of [this.shell, this.control, this.stdin, this.iopub]) s.close();
  }
}
