/**
 * Comms on the execution side: what user code (and the engine) uses to talk to frontend
 * code, e.g. the JupyterLab extension. The session's {@link CommRegistry} keeps the table the
 * `comm_info` reply is built from; this side holds the handlers.
 */
import { uuid } from '../core/util.js';
import type { Publish } from '../display/publisher.js';

/** One message received on a comm. */
export interface CommMessage {
  data: unknown;
  metadata: Record<string, unknown>;
  buffers: ArrayBuffer[];
}

/**
 * A comm: a two-way channel between kernel code and frontend code.
 *
 * @example
 * comms.registerTarget('my.target', (comm, open) => comm.onMsg((m) => comm.send({ echo: m.data })));
 */
export interface Comm {
  readonly commId: string;
  readonly targetName: string;
  send(data: unknown, metadata?: Record<string, unknown>, buffers?: ArrayBuffer[]): void;
  close(data?: unknown, metadata?: Record<string, unknown>): void;
  onMsg(handler: (msg: CommMessage) => void): void;
  onClose(handler: (msg: CommMessage) => void): void;
  readonly closed: boolean;
}

/** The comm API of a cell (`comms` in scope). */
export interface CommApi {
  /** Handles comms the frontend opens with `targetName`. */
  registerTarget(targetName: string, handler: (comm: Comm, open: CommMessage) => void): void;
  unregisterTarget(targetName: string): void;
  /** Opens a comm to a target registered in the frontend. */
  open(targetName: string, data?: unknown, metadata?: Record<string, unknown>, buffers?: ArrayBuffer[]): Comm;
}

class CommImpl implements Comm {
  closed = false;
  private msgHandlers: ((m: CommMessage) => void)[] = [];
  private closeHandlers: ((m: CommMessage) => void)[] = [];

  constructor(
    readonly commId: string,
    readonly targetName: string,
    private readonly publish: Publish,
    private readonly forget: (id: string) => void,
  ) {}

  send(data: unknown, metadata: Record<string, unknown> = {}, buffers?: ArrayBuffer[]): void {
    if (this.closed) throw new Error(`comm ${this.commId} (${this.targetName}) is closed`);
    this.publish('comm_msg', { comm_id: this.commId, data: data ?? {} }, metadata, buffers);
  }

  close(data: unknown = {}, metadata: Record<string, unknown> = {}): void {
    if (this.closed) return;
    this.closed = true;
    this.forget(this.commId);
    this.publish('comm_close', { comm_id: this.commId, data }, metadata);
  }

  onMsg(handler: (msg: CommMessage) => void): void {
    this.msgHandlers.push(handler);
  }

  onClose(handler: (msg: CommMessage) => void): void {
    this.closeHandlers.push(handler);
  }

  deliver(msg: CommMessage): void {
    for (const h of this.msgHandlers) h(msg);
  }

  closedByPeer(msg: CommMessage): void {
    this.closed = true;
    this.forget(this.commId);
    for (const h of this.closeHandlers) h(msg);
  }
}

/** The execution side's comms: targets, open comms, and routing of frontend messages. */
export class CommManager implements CommApi {
  private readonly targets = new Map<string, (comm: Comm, open: CommMessage) => void>();
  private readonly comms = new Map<string, CommImpl>();

  constructor(private readonly publish: Publish) {}

  registerTarget(targetName: string, handler: (comm: Comm, open: CommMessage) => void): void {
    if (typeof handler !== 'function') throw new TypeError(`comms.registerTarget("${targetName}", handler): handler must be a function`);
    this.targets.set(targetName, handler);
  }

  unregisterTarget(targetName: string): void {
    this.targets.delete(targetName);
  }

  open(targetName: string, data: unknown = {}, metadata: Record<string, unknown> = {}, buffers?: ArrayBuffer[]): Comm {
    const comm = this.create(uuid(), targetName);
    this.publish('comm_open', { comm_id: comm.commId, target_name: targetName, data }, metadata, buffers);
    return comm;
  }

  private create(id: string, target: string): CommImpl {
    const comm = new CommImpl(id, target, this.publish, (cid) => this.comms.delete(cid));
    this.comms.set(id, comm);
    return comm;
  }

  /**
   * A frontend opened a comm. Without a handler for its target the comm is closed again and
   * `false` returned, as ipykernel does (frontends probe targets, e.g. widget managers); a
   * throwing handler closes it too and the error propagates.
   */
  handleOpen(content: Record<string, unknown>, msg: Omit<CommMessage, 'data'>): boolean {
    const id = String(content['comm_id']);
    const target = String(content['target_name']);
    const handler = this.targets.get(target);
    if (!handler) {
      this.publish('comm_close', { comm_id: id, data: { error: `no comm target "${target}" is registered in the kernel` } });
      return false;
    }
    const comm = this.create(id, target);
    try {
      handler(comm, { data: content['data'], ...msg });
    } catch (e) {
      comm.close();
      throw e;
    }
    return true;
  }

  handleMsg(content: Record<string, unknown>, msg: Omit<CommMessage, 'data'>): void {
    const comm = this.comms.get(String(content['comm_id']));
    if (!comm) throw new Error(`comm_msg for unknown comm ${String(content['comm_id'])}`);
    comm.deliver({ data: content['data'], ...msg });
  }

  handleClose(content: Record<string, unknown>, msg: Omit<CommMessage, 'data'>): void {
    const comm = this.comms.get(String(content['comm_id']));
    if (comm) comm.closedByPeer({ data: content['data'], ...msg });
  }
}
