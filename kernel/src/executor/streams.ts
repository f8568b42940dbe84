/**
 * stdout/stderr of the execution realm as Jupyter `stream` messages.
 *
 * Writes are buffered and sent together: when output of another kind is about to be
 * published (so order is kept), when the cell ends, every 50 ms from a timer, and, because a
 * synchronous loop starves timers, on any write that finds the buffer older than 50 ms.
 */
import type { Publish } from '../display/publisher.js';
import { originalTimers } from './interrupt.js';

type Name = 'stdout' | 'stderr';

const FLUSH_MS = 50;
const MAX_BUFFER = 64 * 1024;

/** Buffers stream text and publishes it in batches. */
export class StreamBuffer {
  private name: Name | undefined;
  private text = '';
  private since = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly publish: Publish) {}

  write(name: Name, text: string): void {
    if (text === '') return;
    if (this.name !== name) this.flush();
    if (this.text === '') this.since = performance.now();
    this.name = name;
    this.text += text;
    if (this.text.length >= MAX_BUFFER || performance.now() - this.since >= FLUSH_MS) {
      this.flush();
    } else if (!this.timer) {
      this.timer = originalTimers.setTimeout(() => this.flush(), FLUSH_MS);
      this.timer.unref();
    }
  }

  flush(): void {
    if (this.timer) {
      originalTimers.clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (this.text === '' || !this.name) return;
    const content = { name: this.name, text: this.text };
    this.text = '';
    this.publish('stream', content);
  }

  /**
   * Routes `process.stdout`/`process.stderr` (and so `console`) of this realm into the buffer.
   */
  capture(proc: NodeJS.Process): void {
    const hook = (stream: NodeJS.WriteStream, name: Name): void => {
      stream.write = ((chunk: unknown, encoding?: unknown, cb?: unknown) => {
        const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString(typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8');
        this.write(name, text);
        const done = typeof encoding === 'function' ? encoding : cb;
        if (typeof done === 'function') queueMicrotask(() => (done as () => void)());
        return true;
      }) as typeof stream.write;
    };
    hook(proc.stdout, 'stdout');
    hook(proc.stderr, 'stderr');
  }
}
