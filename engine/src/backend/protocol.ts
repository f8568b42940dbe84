/**
 * The contract between the calling thread and the kernel workers: a small Int32Array on
 * a SharedArrayBuffer (the control block) that describes one job — a batched product cut
 * into chunks — and the counters the threads use to claim and finish chunks. The calling
 * thread and the workers run the same `runChunk`, so a chunk means one thing everywhere.
 *
 * Claiming is lock-free: the NEXT word holds (job generation << 12 | next chunk index),
 * and a thread claims a chunk with compare-and-swap only while the generation is the one
 * whose parameters it read. A worker that wakes late therefore never runs a chunk of a
 * job with another job's parameters.
 */
import type { KernelExports } from './kernel-module.js';

/** Bumped whenever the layout below changes: the worker script refuses another version. */
export const PROTOCOL_VERSION = 2;

/** Word indices in the control block. */
export const CTL = {
  /** Generation of the current job; workers sleep on it (Atomics.wait). */
  GEN: 0,
  /** (generation << CHUNK_BITS) | index of the next unclaimed chunk. */
  NEXT: 1,
  /** Chunks finished (by anyone) in the current job; the caller sleeps on it. */
  DONE: 2,
  /** Set to 1 when a worker could not run a chunk; the caller then redoes the job alone. */
  FAILED: 3,
  /** Set to 1 to ask workers to exit. */
  SHUTDOWN: 4,
  /** Number of workers that have instantiated their kernel and are waiting for jobs. */
  READY: 5,
  /** Chunks run by workers since start (diagnostics and tests). */
  WORKER_CHUNKS: 6,
  /** First of the JOB_WORDS words describing the job. */
  JOB: 8,
} as const;

/** Job word offsets (relative to CTL.JOB). */
export const JOB = {
  TRANS_A: 0, TRANS_B: 1, M: 2, N: 3, K: 4,
  PA: 5, LDA: 6, SA: 7, PB: 8, LDB: 9, SB: 10, PC: 11, LDC: 12, SC: 13,
  BATCH: 14, ACCUMULATE: 15,
  /** How the job is cut: SPLIT_BATCH, SPLIT_ROWS or SPLIT_COLS. */
  SPLIT: 16,
  /** Number of chunks. */
  CHUNKS: 17,
  /** Batches, rows or columns per chunk (the last chunk may have fewer). */
  PER_CHUNK: 18,
  /** Byte address of thread 0's workspace; thread t uses WS_BASE + t * WS_BYTES. */
  WS_BASE: 19,
  WS_BYTES: 20,
  /** Two-level batches: BATCH products are OUTER groups of INNER, group o at o * OA/OB/OC further. */
  INNER: 21,
  OA: 22, OB: 23, OC: 24,
} as const;

export const JOB_WORDS = 25;
export const CTL_WORDS = CTL.JOB + JOB_WORDS;
export const SPLIT_BATCH = 0;
export const SPLIT_ROWS = 1;
export const SPLIT_COLS = 2;
export const CHUNK_BITS = 12;
/** At most this many chunks per job (they must fit below the generation bits). */
export const MAX_CHUNKS = (1 << CHUNK_BITS) - 1;
const GEN_MASK = (1 << (31 - CHUNK_BITS)) - 1;

/** The next generation number (kept positive and small enough to shift). */
export function nextGeneration(gen: number): number {
  return (gen + 1) & GEN_MASK;
}

/**
 * Claims the next chunk of generation `gen`, or returns -1 when the job has no chunk left
 * or is no longer the current one.
 */
export function claimChunk(ctl: Int32Array, gen: number, chunks: number): number {
  for (;;) {
    const word = Atomics.load(ctl, CTL.NEXT);
    if (word >>> CHUNK_BITS !== gen) return -1;
    const index = word & MAX_CHUNKS;
    if (index >= chunks) return -1;
    if (Atomics.compareExchange(ctl, CTL.NEXT, word, word + 1) === word) return index;
  }
}

/**
 * Runs chunk `index` of the job in `job` (a copy of the job words) with the workspace of
 * thread `thread`. BATCH counts every product of the (possibly two-level) batch; a batch
 * chunk is a range of them.
 */
export function runChunk(k: KernelExports, job: ArrayLike<number>, index: number, thread: number): void {
  const ws = (job[JOB.WS_BASE]! >>> 0) + thread * job[JOB.WS_BYTES]!;
  const transA = job[JOB.TRANS_A]!, transB = job[JOB.TRANS_B]!;
  let M = job[JOB.M]!, N = job[JOB.N]!;
  let pA = job[JOB.PA]! >>> 0, pB = job[JOB.PB]! >>> 0, pC = job[JOB.PC]! >>> 0;
  const lda = job[JOB.LDA]!, ldb = job[JOB.LDB]!, ldc = job[JOB.LDC]!;
  const sA = job[JOB.SA]!, sB = job[JOB.SB]!, sC = job[JOB.SC]!;
  const inner = Math.max(job[JOB.INNER]!, 1);
  const per = job[JOB.PER_CHUNK]!;
  const start = index * per;
  let first = 0;
  let count = job[JOB.BATCH]!;
  switch (job[JOB.SPLIT]) {
    case SPLIT_BATCH:
      first = start;
      count = Math.min(per, count - start);
      break;
    case SPLIT_ROWS:
      M = Math.min(per, M - start);
      pA += (transA ? start : start * lda) * 4;
      pC += start * ldc * 4;
      break;
    default:
      N = Math.min(per, N - start);
      pB += (transB ? start * ldb : start) * 4;
      pC += start * 4;
      break;
  }
  k.sgemmStrided(
    transA, transB, M, N, job[JOB.K]!, pA, lda, sA, job[JOB.OA]!, pB, ldb, sB, job[JOB.OB]!,
    pC, ldc, sC, job[JOB.OC]!, inner, first, count, job[JOB.ACCUMULATE]!, ws,
  );
}
