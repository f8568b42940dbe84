/**
 * ZeroMQ sockets with one writer each: zeromq 6 allows a single pending send per socket, so
 * every send goes through a promise chain.
 */
import type { Writable } from 'zeromq';

/** Serialises sends on one socket; errors are logged, never thrown at the caller. */
export class SendQueue {
  private tail: Promise<void> = Promise.resolve();

  constructor(
    private readonly socket: Writable,
    private readonly name: string,
    private readonly log: (text: string) => void,
  ) {}

  send(frames: Buffer[]): Promise<void> {
    const next = this.tail.then(() => this.socket.send(frames)).catch((e: unknown) => this.log(`send on ${this.name} failed: ${(e as Error).message}`));
    this.tail = next;
    return next;
  }

  /** Resolves when everything queued so far has been handed to ZeroMQ. */
  drain(): Promise<void> {
    return this.tail;
  }
}
