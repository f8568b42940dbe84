/**
 * stdout/stderr of the execution realm as Jupyter `stream` messages.
 *
 * Writes are buffered and sent together: when output of another kind is about to be
 * published (so order is kept), when the cell ends, every 50 ms from a timer, and, because a
 * synchronous loop starves timers, on any write that finds the buffer older than 50 ms. A
 * very large write goes out in pieces of at most 1 MiB of text (frontends join consecutive
 * stream outputs), so that no single message needs several copies of it at once on its way
 * to the frontend. Host-neutral: the hosts route their console or process streams here.
 */
import type { Publish } from '../display/publisher.js';
import { backgroundTimeout, originalTimers } from './interrupt.js';

/** The two streams. */
export type StreamName = 'stdout' | 'stderr';

const FLUSH_MS = 50;
const MAX_BUFFER = 64 * 1024;
/** Largest text of one stream message. */
export const MAX_STREAM_MESSAGE = 1024 * 1024;

/** Buffers stream text and publishes it in batches. */
export class StreamBuffer {
  private name: StreamName | undefined;
  private text = '';
  private since = 0;
  private timer: unknown;

  constructor(private readonly publish: Publish) {}

  write(name: StreamName, text: string): void {
    if (text === '') return;
    if (this.name !== name) this.flush();
    if (this.text === '') this.since = performance.now();
    this.name = name;
    this.text += text;
    if (this.text.length >= MAX_BUFFER || performance.now() - this.since >= FLUSH_MS) {
      this.flush();
    } else if (this.timer === undefined) {
      this.timer = backgroundTimeout(() => this.flush(), FLUSH_MS);
    }
  }

  flush(): void {
    if (this.timer !== undefined) {
      originalTimers.clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (this.text === '' || !this.name) return;
    const name = this.name;
    let text = this.text;
    this.text = '';
    while (text.length > MAX_STREAM_MESSAGE) {
      let cut = MAX_STREAM_MESSAGE;
      // Never split a surrogate pair.
      const c = text.charCodeAt(cut - 1);
      if (c >= 0xd800 && c <= 0xdbff) cut--;
      this.publish('stream', { name, text: text.slice(0, cut) });
      text = text.slice(cut);
    }
    this.publish('stream', { name, text });
  }
}
