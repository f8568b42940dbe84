/**
 * Line-delimited JSON between the orchestrator (run.ts) and an implementation runner
 * (runners/node-runner.ts, runners/torch_runner.py): one request line on stdin, one
 * response line on stdout. Runners stay alive for the whole benchmark so that rounds can
 * interleave implementations (the machines are noisy; interleaving spreads the noise).
 */

/** Timing parameters (the Python runner uses the same names and logic). */
export interface Timing {
  /** Minimum warm-up time per workload (seconds); at least 3 iterations. */
  warmupSeconds: number;
  /** Aim for timed runs of about this long (seconds); at least 1 iteration. */
  targetSeconds: number;
}

export type Request =
  | { cmd: 'hello' }
  | ({ cmd: 'setup'; id: string; /** Python source, for the PyTorch runner. */ code?: string } & Timing)
  | { cmd: 'run'; id: string }
  | { cmd: 'exit' };

export type Response =
  | { ok: true; name: string; details: Record<string, unknown> }
  | { ok: true; id: string; reps: number; skipped?: string }
  | { ok: true; id: string; seconds: number; reps: number }
  | { ok: false; error: string };
