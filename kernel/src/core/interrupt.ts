/**
 * Cooperative interruption of user code, and the shared memory it uses.
 *
 * The session side (Node's session thread, or the browser page's main thread) owns a small
 * Int32Array over a SharedArrayBuffer, the **control** array:
 *
 * | slot | name | meaning |
 * | --- | --- | --- |
 * | 0 | {@link INTERRUPT_COUNT} | number of interrupts so far (the session increments it) |
 * | 1 | {@link STDIN_STATE} | stdin hand-over: 0 idle, 1 waiting, 2 reply ready, 3 interrupted, 4 refused |
 * | 2 | {@link STDIN_LENGTH} | byte length of the UTF-8 reply (or refusal message) in the stdin buffer |
 * | 3 | {@link INTERRUPT_FLAG} | 1 while an interrupt is pending; cleared when a cell starts |
 *
 * Compiled cells test slot 3 at the top of every loop body and after every `await` (see
 * transform.ts). A cell runs in a context that records the interrupt count at its start;
 * work whose context is older than the current count is cancelled: it throws
 * {@link KeyboardInterrupt}. Pending timers are cleared. Where async contexts are tracked (Node's
 * AsyncLocalStorage), a continuation of an interrupted cell is stopped while a newer cell runs
 * on; elsewhere (browsers) the current cell's generation decides. Host-neutral.
 */

/** Index of the interrupt counter in the shared control array. */
export const INTERRUPT_COUNT = 0;
/** Index of the stdin state: 0 idle, 1 waiting, 2 reply ready, 3 interrupted, 4 refused. */
export const STDIN_STATE = 1;
/** Index of the byte length of the stdin reply in the shared text buffer. */
export const STDIN_LENGTH = 2;
/**
 * Index of the "interrupt pending" flag: set by the session with every interrupt, cleared
 * when a cell starts. Compiled loops test only this slot (one load of a constant global and
 * one element load), so the check stays cheap in hot loops.
 */
export const INTERRUPT_FLAG = 3;
/** Length of the shared control array (Int32 slots). */
export const CONTROL_SLOTS = 4;
/** Values of {@link STDIN_STATE}. */
export const StdinState = { IDLE: 0, WAITING: 1, READY: 2, INTERRUPTED: 3, REFUSED: 4 } as const;

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

/** How a host tracks which cell's context code runs in (Node: AsyncLocalStorage). */
export interface ContextTracker {
  run<T>(ctx: CellContext, fn: () => T): T;
  current(): CellContext | undefined;
}

/** A tracker without async propagation: the context is known during the synchronous run only. */
export class SyncContexts implements ContextTracker {
  private ctx: CellContext | undefined;
  run<T>(ctx: CellContext, fn: () => T): T {
    const prev = this.ctx;
    this.ctx = ctx;
    try {
      return fn();
    } finally {
      this.ctx = prev;
    }
  }
  current(): CellContext | undefined {
    return this.ctx;
  }
}

type TimerKind = 'timeout' | 'interval' | 'immediate';
type AnyFn = (...a: unknown[]) => unknown;
interface TimerFns {
  setTimeout: AnyFn;
  setInterval: AnyFn;
  setImmediate?: AnyFn | undefined;
  clearTimeout: AnyFn;
  clearInterval: AnyFn;
  clearImmediate?: AnyFn | undefined;
}

const g = globalThis as unknown as TimerFns;
/**
 * A timer function bound to the global object: browsers throw "Illegal invocation" when
 * `setTimeout` is called with another `this` (as a property of {@link originalTimers}).
 * Node's `__promisify__` is kept for `util.promisify`.
 */
function bound(f: AnyFn | undefined): AnyFn | undefined {
  if (f === undefined) return undefined;
  const p = (f as { __promisify__?: unknown }).__promisify__;
  const b = f.bind(globalThis) as AnyFn;
  return p === undefined ? b : Object.assign(b, { __promisify__: p });
}
/** The realm's timer functions as they were before {@link Interrupts.installTimers}. */
export const originalTimers: TimerFns = {
  setTimeout: bound(g.setTimeout)!,
  setInterval: bound(g.setInterval)!,
  setImmediate: bound(g.setImmediate),
  clearTimeout: bound(g.clearTimeout)!,
  clearInterval: bound(g.clearInterval)!,
  clearImmediate: bound(g.clearImmediate),
};

/** A timer that does not keep a Node process alive (no-op in browsers). */
export function backgroundTimeout(fn: () => void, ms: number): unknown {
  const h = originalTimers.setTimeout(fn, ms) as { unref?: () => void };
  if (typeof h === 'object' && h && typeof h.unref === 'function') h.unref();
  return h;
}

/**
 * Interrupt bookkeeping for one realm: the checks the compiled code calls, the cell contexts,
 * and the user's pending timers.
 */
export class Interrupts {
  private readonly timers = new Map<unknown, TimerKind>();
  private readonly listeners = new Set<() => void>();
  private seenCount = 0;

  constructor(
    readonly control: Int32Array,
    readonly contexts: ContextTracker = new SyncContexts(),
  ) {}

  /** Current interrupt count. */
  count(): number {
    return this.shared ? Atomics.load(this.control, INTERRUPT_COUNT) : this.control[INTERRUPT_COUNT]!;
  }

  private get shared(): boolean {
    return typeof SharedArrayBuffer !== 'undefined' && this.control.buffer instanceof SharedArrayBuffer;
  }

  /** Marks the start of a cell: returns its context and publishes the count the fast check compares with. */
  begin(executionCount: number): CellContext {
    if (this.shared) Atomics.store(this.control, INTERRUPT_FLAG, 0);
    else this.control[INTERRUPT_FLAG] = 0;
    this.seenCount = this.count();
    return { generation: this.seenCount, executionCount };
  }

  /** Whether the current async context was cancelled by an interrupt. */
  cancelled(): boolean {
    const ctx = this.contexts.current();
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
    if (this.cancelled()) throw new KeyboardInterrupt();
    return value;
  };

  /**
   * Records an interrupt in this realm's own control array (hosts without shared memory:
   * the session cannot write it while a cell runs, so only idle and awaiting cells stop).
   */
  raise(): void {
    this.control[INTERRUPT_COUNT]! += 1;
    this.control[INTERRUPT_FLAG] = 1;
  }

  /** Runs `listener` when {@link interrupted} is called (the running cell's race uses it). */
  onInterrupt(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Handles an interrupt seen by this thread: clears user timers and wakes listeners. */
  interrupted(): void {
    for (const [handle, kind] of this.timers) {
      if (kind === 'immediate') originalTimers.clearImmediate?.(handle);
      else if (kind === 'interval') originalTimers.clearInterval(handle);
      else originalTimers.clearTimeout(handle);
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
    const t = target as unknown as TimerFns;
    const forget = (h: unknown): void => void timers.delete(h);
    const keepPromisify = (fn: AnyFn, original: AnyFn | undefined): AnyFn => {
      const p = (original as { __promisify__?: unknown } | undefined)?.__promisify__;
      return p ? Object.assign(fn, { __promisify__: p }) : fn;
    };
    t.setTimeout = keepPromisify((fn: unknown, ms?: unknown, ...args: unknown[]) => {
      if (typeof fn !== 'function') return originalTimers.setTimeout(fn, ms, ...args);
      const h = originalTimers.setTimeout((...a: unknown[]) => {
        forget(h);
        (fn as AnyFn)(...a);
      }, ms, ...args);
      timers.set(h, 'timeout');
      return h;
    }, originalTimers.setTimeout);
    t.setInterval = (fn: unknown, ms?: unknown, ...args: unknown[]) => {
      const h = originalTimers.setInterval(fn, ms, ...args);
      timers.set(h, 'interval');
      return h;
    };
    if (originalTimers.setImmediate) {
      const setImmediate = originalTimers.setImmediate;
      t.setImmediate = keepPromisify((fn: unknown, ...args: unknown[]) => {
        const h = setImmediate((...a: unknown[]) => {
          forget(h);
          (fn as AnyFn)(...a);
        }, ...args);
        timers.set(h, 'immediate');
        return h;
      }, setImmediate);
    }
    t.clearTimeout = (h: unknown) => {
      forget(h);
      originalTimers.clearTimeout(h);
    };
    t.clearInterval = (h: unknown) => {
      forget(h);
      originalTimers.clearInterval(h);
    };
    if (originalTimers.clearImmediate) {
      const clearImmediate = originalTimers.clearImmediate;
      t.clearImmediate = (h: unknown) => {
        forget(h);
        clearImmediate(h);
      };
    }
  }
}
