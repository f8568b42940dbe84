/**
 * Giving memory back after large transients (a 50 MB `console.log`, a 200 MB temporary
 * tensor): V8 keeps a grown heap and freed ArrayBuffer memory until a full collection, which an
 * idle thread may not get for a long time, so the kernel's RSS would stay high. After each
 * request, a thread whose heap plus external memory grew by more than {@link GROWTH_BYTES} since
 * the last full collection it asked for gets one, shortly after, while idle. Node only.
 */
import { getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
// Node's own timers: the cells' realm replaces the global ones with interruptible versions.
import { clearTimeout, setTimeout } from 'node:timers';

/** Growth of heap + external memory (bytes) that asks for a full collection. */
export const GROWTH_BYTES = 48 * 1024 * 1024;

let collect: (() => void) | null | undefined;

/** V8's `gc()`, exposed without a command-line flag (as Node's `v8.setFlagsFromString` docs show). */
function gcFunction(): (() => void) | null {
  if (collect !== undefined) return collect;
  try {
    setFlagsFromString('--expose-gc');
    collect = runInNewContext('gc') as () => void;
  } catch {
    collect = null;
  }
  return collect;
}

function footprint(): number {
  const h = getHeapStatistics() as ReturnType<typeof getHeapStatistics> & { external_memory?: number };
  return h.total_heap_size + (h.external_memory ?? 0);
}

/** Watches one thread's memory (see the module comment). */
export class MemoryKeeper {
  private baseline = footprint();
  private timer: NodeJS.Timeout | undefined;

  /** Call when a request is done; schedules a collection if memory grew a lot. */
  afterWork(delayMs = 250): void {
    if (this.timer || footprint() - this.baseline < GROWTH_BYTES) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      gcFunction()?.();
      this.baseline = footprint();
    }, delayMs);
    this.timer.unref();
  }

  /** Stops a pending collection (the next request started). */
  cancel(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
