/**
 * Cooperative interruption of user code in the execution worker.
 *
 * The session thread owns a small shared Int32Array: element 0 counts interrupts
 * ({@link INTERRUPT_COUNT}), element 3 flags a pending interrupt ({@link INTERRUPT_FLAG});
 * elements 1..2 carry the stdin hand-over ({@link STDIN_STATE}, {@link STDIN_LENGTH}). Compiled
 * cells test the flag at the top of every loop body and after every `await` (see transform.ts). Each cell runs in an AsyncLocalStorage context that records
 * the interrupt count at its start; work whose context is older than the current count is
 * cancelled: it throws {@link KeyboardInterrupt}. Pending timers are cleared.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

export { INTERRUPT_COUNT, STDIN_STATE, STDIN_LENGTH, INTERRUPT_FLAG, CONTROL_SLOTS } from './control.js';
import { INTERRUPT_COUNT, INTERRUPT_FLAG } from './control.js';

/** Thrown into user code when the user interrupts the kernel (as Python's KeyboardInterrupt). */
export class KeyboardInterrupt extends Error {
  override name = 'KeyboardInterrupt';
  constructor(message = 'execution interrupted') {
    super(message);
  }
}

/** The async context a cell (and everything it schedules) runs in. */
export interface CellContext {
  /** Interrupt count when the cell started; larger counts cancel it. */
  readonly generation: number;
  /** Execution count of the cell, for outputs of background work. */
  readonly executionCount: number;
}

type TimerKind = 'timeout' | 'interval' | 'immediate';

/**
 * Interrupt bookkeeping for one realm: the checks the compiled code calls, the cell contexts,
 * and the user's pending timers.
 */
export class Interrupts {
  readonly storage = new AsyncLocalStorage<CellContext>();
  private readonly timers = new Map<unknown, TimerKind>();
  private readonly listeners = new Set<() => void>();
  private seenCount = 0;

  constructor(readonly control: Int32Array) {}

  /** Current interrupt count. */
  count(): number {
    return Atomics.load(this.control, INTERRUPT_COUNT);
  }

  /** Marks the start of a cell: returns its context and publishes the count the fast check compares with. */
  begin(executionCount: number): CellContext {
    Atomics.store(this.control, INTERRUPT_FLAG, 0);
    this.seenCount = this.count();
    return { generation: this.seenCount, executionCount };
  }

  /** Whether the current async context was cancelled by an interrupt. */
  cancelled(): boolean {
    const ctx = this.storage.getStore();
    const now = this.count();
    return ctx ? ctx.generation < now : now !== this.seenCount;
  }

  /** Called by compiled loops when the interrupt flag is set: throws if this context is cancelled. */
  check = (): void => {
    if (this.cancelled()) throw new KeyboardInterrupt();
  };

  /** Called by compiled code after every `await`. */
  resume = <T>(value: T): T => {
    if (this.control[INTERRUPT_FLAG] === 0 && this.count() === this.seenCount) return value;
    const ctx = this.storage.getStore();
    if (ctx && ctx.generation < this.count()) throw new KeyboardInterrupt();
    return value;
  };

  /** Runs `listener` when {@link interrupted} is called (the running cell's race uses it). */
  onInterrupt(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Handles an interrupt seen by this thread: clears user timers and wakes listeners. */
  interrupted(): void {
    for (const [handle, kind] of this.timers) {
      if (kind === 'immediate') originalTimers.clearImmediate(handle as NodeJS.Immediate);
      else originalTimers.clearTimeout(handle as NodeJS.Timeout);
    }
    this.timers.clear();
    for (const l of [...this.listeners]) l();
  }

  /** Number of user timers still pending. */
  pendingTimers(): number {
    return this.timers.size;
  }

  /**
   * Replaces the realm's global timer functions with versions that remember pending
   * timers, so an interrupt can clear them.
   */
  installTimers(target: typeof globalThis): void {
    const timers = this.timers;
    const forget = (h: unknown): void => void timers.delete(h);
    target.setTimeout = Object.assign(
      (fn: (...a: unknown[]) => void, ms?: number, ...args: unknown[]) => {
        const h: NodeJS.Timeout = originalTimers.setTimeout((...a: unknown[]) => {
          forget(h);
          fn(...a);
        }, ms, ...args);
        timers.set(h, 'timeout');
        return h;
      },
      { __promisify__: originalTimers.setTimeout.__promisify__ },
    ) as typeof setTimeout;
    target.setInterval = ((fn: (...a: unknown[]) => void, ms?: number, ...args: unknown[]) => {
      const h = originalTimers.setInterval(fn, ms, ...args);
      timers.set(h, 'interval');
      return h;
    }) as typeof setInterval;
    target.setImmediate = Object.assign(
      (fn: (...a: unknown[]) => void, ...args: unknown[]) => {
        const h: NodeJS.Immediate = originalTimers.setImmediate((...a: unknown[]) => {
          forget(h);
          fn(...a);
        }, ...args);
        timers.set(h, 'immediate');
        return h;
      },
      { __promisify__: originalTimers.setImmediate.__promisify__ },
    ) as typeof setImmediate;
    target.clearTimeout = ((h: NodeJS.Timeout | string | number | undefined) => {
      forget(h);
      originalTimers.clearTimeout(h);
    }) as typeof clearTimeout;
    target.clearInterval = ((h: NodeJS.Timeout | string | number | undefined) => {
      forget(h);
      originalTimers.clearInterval(h);
    }) as typeof clearInterval;
    target.clearImmediate = ((h: NodeJS.Immediate | undefined) => {
      forget(h);
      originalTimers.clearImmediate(h);
    }) as typeof clearImmediate;
  }
}

/** The realm's timer functions as they were before {@link Interrupts.installTimers}. */
export const originalTimers = {
  setTimeout: globalThis.setTimeout,
  setInterval: globalThis.setInterval,
  setImmediate: globalThis.setImmediate,
  clearTimeout: globalThis.clearTimeout,
  clearInterval: globalThis.clearInterval,
  clearImmediate: globalThis.clearImmediate,
};
