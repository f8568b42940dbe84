/**
 * The timing loop every Node runner uses (runners/torch_runner.py mirrors it): warm up,
 * choose how many iterations make one timed run, and time runs.
 */
import type { Step } from './workloads/types.js';
import type { Timing } from './protocol.js';

/** Warms `step` up and returns the iterations per timed run. */
export function calibrate(step: Step, timing: Timing): number {
  const start = performance.now();
  let n = 0;
  let last = 0;
  while (n < 3 || (performance.now() - start) / 1e3 < timing.warmupSeconds) {
    const t = performance.now();
    step.run();
    last = (performance.now() - t) / 1e3;
    n++;
  }
  return Math.max(1, Math.round(timing.targetSeconds / Math.max(last, 1e-9)));
}

/**
 * One timed run: `reps` timed iterations, after one untimed iteration to warm the caches
 * when iterations are short (reps > 1). Seconds per iteration.
 */
export function timeRun(step: Step, reps: number): number {
  if (reps > 1) step.run();
  const t = performance.now();
  for (let i = 0; i < reps; i++) step.run();
  return (performance.now() - t) / 1e3 / reps;
}
