/**
 * Dispatch: a table from `msg_type` to handler. Every request is wrapped in IOPub
 * `status: busy` / `status: idle` (idle in a `finally`), and a handler that throws produces
 * an error reply for that one message, never a dead kernel.
 *
 * Shell requests are handled one at a time, in order; control requests are handled as soon
 * as they arrive, also while a shell request runs. After an execute fails with
 * `stop_on_error`, the execute requests already queued behind it are answered with
 * `status: "aborted"` without running, as the messaging spec says.
 */
import type { Content, Header, Message } from '../wire/message.js';

/** Where dispatch sends replies and IOPub messages; the session implements it over ZeroMQ. */
export interface KernelIO {
  reply(channel: 'shell' | 'control', request: Message, msgType: string, content: Content, metadata?: Record<string, unknown>): void;
  publish(msgType: string, content: Content, parent?: Partial<Header>, metadata?: Record<string, unknown>, buffers?: Buffer[]): void;
  log(text: string): void;
}

/** What a handler gets besides the request. */
export interface HandlerContext {
  channel: 'shell' | 'control';
  io: KernelIO;
  /** Aborts execute requests queued behind the current one (after an error with stop_on_error). */
  abortQueued(): void;
}

/** A handler returns the reply content, or `undefined` for messages without a reply. */
export type Handler = (request: Message, ctx: HandlerContext) => Promise<Content | undefined> | Content | undefined;

/** Message types that get no busy/idle (they are not requests of the frontend's user). */
const NO_STATUS = new Set<string>();

/** The reply type of a request type: `execute_request` -> `execute_reply`. */
export function replyType(requestType: string): string {
  return requestType.endsWith('_request') ? `${requestType.slice(0, -'_request'.length)}_reply` : `${requestType}_reply`;
}

/** See the module comment. */
export class Dispatcher {
  private readonly queue: Message[] = [];
  private draining = false;
  private idleWaiters: (() => void)[] = [];

  constructor(
    private readonly handlers: Readonly<Record<string, Handler>>,
    private readonly io: KernelIO,
  ) {}

  /** Queues a shell message; they run one at a time in arrival order. */
  shell(msg: Message): void {
    this.queue.push(msg);
    if (!this.draining) void this.drain();
  }

  /** Handles a control message at once. */
  control(msg: Message): Promise<void> {
    return this.handle(msg, 'control');
  }

  /** Resolves when the shell queue is empty and nothing runs. */
  whenIdle(): Promise<void> {
    if (!this.draining && this.queue.length === 0) return Promise.resolve();
    return new Promise((r) => this.idleWaiters.push(r));
  }

  private async drain(): Promise<void> {
    this.draining = true;
    try {
      while (this.queue.length > 0) {
        const msg = this.queue.shift()!;
        await this.handle(msg, 'shell');
      }
    } finally {
      this.draining = false;
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const w of waiters) w();
    }
  }

  private abortRequested = false;

  /** Called by a handler; the abort happens after that handler's reply, as in ipykernel. */
  private requestAbort = (): void => {
    this.abortRequested = true;
  };

  private abortQueued(): void {
    this.abortRequested = false;
    const keep: Message[] = [];
    for (const msg of this.queue.splice(0)) {
      if (msg.header.msg_type === 'execute_request') this.abort(msg);
      else keep.push(msg);
    }
    this.queue.push(...keep);
  }

  private abort(msg: Message): void {
    this.io.publish('status', { execution_state: 'busy' }, msg.header);
    try {
      this.io.reply('shell', msg, 'execute_reply', { status: 'aborted', execution_count: null, user_expressions: {}, payload: [] });
    } finally {
      this.io.publish('status', { execution_state: 'idle' }, msg.header);
    }
  }

  /** Runs the handler of one message with busy/idle around it and errors caught. */
  async handle(msg: Message, channel: 'shell' | 'control'): Promise<void> {
    const type = msg.header.msg_type;
    const handler = this.handlers[type];
    const status = !NO_STATUS.has(type);
    if (status) this.io.publish('status', { execution_state: 'busy' }, msg.header);
    try {
      if (!handler) {
        this.io.log(`no handler for ${channel} message "${type}"; ignored`);
        return;
      }
      const content = await handler(msg, { channel, io: this.io, abortQueued: this.requestAbort });
      if (content !== undefined) this.io.reply(channel, msg, replyType(type), content);
    } catch (e) {
      const err = e as Error;
      this.io.log(`handler for "${type}" failed: ${err.stack ?? String(e)}`);
      if (type.endsWith('_request')) {
        this.io.reply(channel, msg, replyType(type), {
          status: 'error',
          ename: err.name ?? 'Error',
          evalue: err.message ?? String(e),
          traceback: [`${err.name ?? 'Error'}: ${err.message ?? String(e)}`],
        });
      }
    } finally {
      if (status) this.io.publish('status', { execution_state: 'idle' }, msg.header);
      if (this.abortRequested) this.abortQueued();
    }
  }
}
