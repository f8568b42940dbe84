/**
 * A progress bar for training loops that updates one output in place (update_display_data),
 * at most once per `minInterval` milliseconds so that a fast loop does not flood the frontend.
 */
import { uuid } from '../core/util.js';
import type { DisplayFunction } from './display.js';

/** Options of {@link createProgress}'s `progress(...)`. */
export interface ProgressOptions {
  /** Number of steps; taken from the iterable's length/size when it has one. */
  total?: number;
  /** Text before the bar, e.g. `"epoch 3"`. */
  label?: string;
  /** Minimum milliseconds between two updates of the output (default 100). */
  minInterval?: number;
}

/**
 * A running progress bar. Iterate it to wrap an iterable, or call {@link ProgressBar.update}.
 *
 * @example
 * for (const batch of progress(batches, { label: 'epoch 1' })) train(batch);
 * const bar = progress(1000); for (let i = 0; i < 1000; i++) { step(); bar.update(1, { loss }); } bar.close();
 */
export interface ProgressBar<T = number> extends Iterable<T> {
  /** Steps done so far. */
  readonly count: number;
  /** Advances by `n` steps (default 1) and sets the text shown after the bar (e.g. the loss). */
  update(n?: number, postfix?: Record<string, unknown> | string): void;
  /** Shows the final state (always sent, whatever the rate limit). */
  close(): void;
}

function formatTime(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.round(seconds);
  const m = Math.floor(s / 60);
  return `${String(m).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

function formatPostfix(p: Record<string, unknown> | string | undefined): string {
  if (p === undefined) return '';
  if (typeof p === 'string') return p;
  return Object.entries(p)
    .map(([k, v]) => `${k}=${typeof v === 'number' ? (Number.isInteger(v) ? String(v) : v.toPrecision(4)) : String(v)}`)
    .join(', ');
}

/** Builds `progress(...)` bound to a display function and a clock. */
export function createProgress(display: DisplayFunction, now: () => number = () => performance.now()) {
  function progress<T = number>(source?: Iterable<T> | number, options: ProgressOptions = {}): ProgressBar<T> {
    const iterable: Iterable<T> | undefined = typeof source === 'number' || source === undefined ? undefined : source;
    const sized = iterable as { length?: unknown; size?: unknown } | undefined;
    const total =
      typeof source === 'number' ? source : options.total ?? (typeof sized?.length === 'number' ? sized.length : typeof sized?.size === 'number' ? sized.size : undefined);
    const minInterval = options.minInterval ?? 100;
    const label = options.label ?? '';
    const displayId = uuid();
    const started = now();
    let count = 0;
    let postfix = '';
    let lastShown = -Infinity;
    let shown = false;
    let closed = false;

    const render = (): void => {
      const elapsed = (now() - started) / 1000;
      const rate = elapsed > 0 ? count / elapsed : 0;
      const frac = total ? Math.min(1, count / total) : undefined;
      const width = 30;
      const bar = frac === undefined ? '' : `|${'█'.repeat(Math.round(frac * width))}${'░'.repeat(width - Math.round(frac * width))}| `;
      const pct = frac === undefined ? '' : `${String(Math.floor(frac * 100)).padStart(3)}% `;
      const eta = frac !== undefined && rate > 0 && total ? formatTime((total - count) / rate) : '?';
      const counts = total ? `${count}/${total}` : `${count}`;
      const timing = `[${formatTime(elapsed)}<${eta}, ${rate >= 1 || rate === 0 ? rate.toFixed(2) + ' it/s' : (1 / rate).toFixed(2) + ' s/it'}]`;
      const text = `${label ? label + ' ' : ''}${pct}${bar}${counts} ${timing}${postfix ? ' ' + postfix : ''}`;
      const html =
        `<div class="seqlab-progress" style="font-family: monospace">` +
        (label ? `<span>${escapeHtml(label)}</span> ` : '') +
        `<progress value="${count}" max="${total ?? count}" style="width: 20em; vertical-align: middle"></progress> ` +
        `<span>${escapeHtml(`${pct}${counts} ${timing}${postfix ? ' ' + postfix : ''}`)}</span></div>`;
      display.mime({ 'text/plain': text, 'text/html': html }, { displayId, update: shown });
      shown = true;
      lastShown = now();
    };

    const bar: ProgressBar<T> = {
      get count() {
        return count;
      },
      update(n = 1, p) {
        if (closed) return;
        count += n;
        if (p !== undefined) postfix = formatPostfix(p);
        if (now() - lastShown >= minInterval || (total !== undefined && count >= total)) render();
      },
      close() {
        if (closed) return;
        closed = true;
        render();
      },
      *[Symbol.iterator]() {
        if (!iterable) throw new TypeError('progress(n) is not iterable: pass an iterable, e.g. progress(batches), or call update()');
        try {
          for (const item of iterable) {
            yield item;
            bar.update(1);
          }
        } finally {
          bar.close();
        }
      },
    };
    render();
    return bar;
  }
  return progress;
}
