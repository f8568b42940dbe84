/**
 * Dispatch: a table from `msg_type` to handler. Every request is wrapped in IOPub
 * `status: busy` / `status: idle` (idle in a `finally`), and a handler that throws produces
 * an error reply for that one message, never a dead kernel.
 *
 * Shell requests are handled one at a time, in order; control requests are handled as soon
 * as they arrive, also while a shell request runs. After an execute fails with
 * `stop_on_error`, the execute requests already queued behind it are answered with
 * `status: "aborted"` without running, as the messaging spec says.
 *
 * The table is a `Map`: a `msg_type` that names a member of `Object.prototype`
 * (`constructor`, `__proto__`, `toString`) is an unknown type like any other. The control
 * channel serves only what the messaging spec puts there ({@link CONTROL_TYPES}); anything
 * else sent on control, `execute_request` included, is treated as unknown there: logged and
 * not answered, as ipykernel treats message types it has no handler for.
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

/**
 * The requests served on the control channel: shutdown and interrupt (the channel exists so
 * that they overtake queued execution), and kernel_info (JEP 80: a reconnecting frontend asks
 * on control, which answers while a cell runs). Execution, completion, history and comms are
 * shell requests.
 */
export const CONTROL_TYPES: ReadonlySet<string> = new Set(['kernel_info_request', 'shutdown_request', 'interrupt_request']);

/** The reply type of a request type: `execute_request` -> `execute_reply`. */
export function replyType(requestType: string): string {
  return requestType.endsWith('_request') ? `${requestType.slice(0, -'_request'.length)}_reply` : `${requestType}_reply`;
}

/** See the module comment. */
export class Dispatcher {
  private readonly queue: Message[] = [];
  private draining = false;
  private idleWaiters: (() => void)[] = [];
  private readonly handlers: ReadonlyMap<string, Handler>;

  /** @param handlers the table: own properties only, copied into a Map. */
  constructor(
    handlers: Readonly<Record<string, Handler>>,
    private readonly io: KernelIO,
  ) {
    this.handlers = new Map(Object.entries(handlers));
  }

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
    const handler = channel === 'control' && !CONTROL_TYPES.has(type) ? undefined : this.handlers.get(type);
    this.io.publish('status', { execution_state: 'busy' }, msg.header);
    try {
      if (!handler) {
        const where = channel === 'control' && this.handlers.has(type) ? ` (served on the shell channel only)` : '';
        this.io.log(`no handler for ${channel} message ${JSON.stringify(type)}${where}; ignored`);
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
      this.io.publish('status', { execution_state: 'idle' }, msg.header);
      if (this.abortRequested) this.abortQueued();
    }
  }
}
