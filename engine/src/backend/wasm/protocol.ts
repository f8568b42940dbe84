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
export const PROTOCOL_VERSION = 5;

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
  /** What the job is: KIND_GEMM, or a step of a recurrent layer (KIND_LSTM_*, KIND_GRU_*, KIND_RNN_*). */
  KIND: 25,
} as const;

/**
 * Words of a recurrent-step job (KIND_LSTM_*, KIND_GRU_*, KIND_RNN_*): one time step of a layer, chunk t being
 * the hidden units [t * UNITS, (t + 1) * UNITS). CHUNKS, WS_BASE and WS_BYTES are shared
 * with the product jobs; pointers are byte addresses (see engine/assembly/recurrent.ts).
 */
export const STEP = {
  B: 26, H: 27, UNITS: 28,
  /** Packed recurrent weight of chunk 0; chunk t's is W_STRIDE bytes further. */
  W: 29, W_STRIDE: 30,
  /** Forward: bytes between the gate blocks of one chunk's packed weight. */
  BLOCK: 31,
  PRE: 32, H_PREV: 33, C_PREV: 34, H_NEXT: 35, C_NEXT: 36,
  /** Backward. */
  DPRE_NEXT: 37, GATES: 38, DH_OUT: 39, DH: 40, DC: 41, DPRE: 42,
  /** Elman RNN: 1 for relu, 0 for tanh. */
  RELU: 43,
  /**
   * GRU: AN the step's a_n = h W_hnᵀ + b_hn [B][H]; forward: A the [B][3H] scratch for
   * h W_hhᵀ and BIAS b_hh [3H]; backward: A the step's gradient of a = h W_hhᵀ + b_hh
   * (DPRE_NEXT is the next step's), H_PREV the state before the step, DPRE the gradient of xProj.
   */
  AN: 44, A: 45, BIAS: 46,
} as const;

export const JOB_WORDS = 47;
export const KIND_GEMM = 0;
export const KIND_LSTM_FORWARD = 1;
export const KIND_LSTM_BACKWARD = 2;
export const KIND_RNN_FORWARD = 3;
export const KIND_RNN_BACKWARD = 4;
export const KIND_GRU_FORWARD = 5;
export const KIND_GRU_BACKWARD = 6;
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
  const kind = job[JOB.KIND]!;
  if (kind !== KIND_GEMM) {
    runStepChunk(k, job, index, ws, kind);
    return;
  }
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

/** Chunk `index` (a range of hidden units) of a recurrent-step job. */
function runStepChunk(k: KernelExports, job: ArrayLike<number>, index: number, ws: number, kind: number): void {
  const B = job[STEP.B]!, H = job[STEP.H]!, units = job[STEP.UNITS]!;
  const u0 = Math.min(H, index * units), u1 = Math.min(H, u0 + units);
  const w = (job[STEP.W]! >>> 0) + index * job[STEP.W_STRIDE]!;
  const p = (word: number): number => job[word]! >>> 0;
  if (kind === KIND_LSTM_FORWARD) {
    k.lstmForwardStep(B, H, u0, u1, p(STEP.PRE), w, p(STEP.BLOCK), p(STEP.H_PREV), p(STEP.C_PREV), p(STEP.H_NEXT), p(STEP.C_NEXT), ws);
  } else if (kind === KIND_GRU_FORWARD) {
    k.gruForwardStep(
      B, H, u0, u1, p(STEP.PRE), w, p(STEP.BLOCK), p(STEP.BIAS), p(STEP.H_PREV), p(STEP.H_NEXT), p(STEP.AN), p(STEP.A), ws,
    );
  } else if (kind === KIND_GRU_BACKWARD) {
    k.gruBackwardStep(
      B, H, u0, u1, p(STEP.DPRE_NEXT), w, p(STEP.GATES), p(STEP.AN), p(STEP.H_PREV), p(STEP.DH_OUT), p(STEP.DH), p(STEP.DPRE), p(STEP.A), ws,
    );
  } else if (kind === KIND_RNN_FORWARD) {
    k.rnnForwardStep(B, H, u0, u1, p(STEP.PRE), w, p(STEP.H_PREV), p(STEP.H_NEXT), job[STEP.RELU]!, ws);
  } else if (kind === KIND_RNN_BACKWARD) {
    k.rnnBackwardStep(B, H, u0, u1, p(STEP.DPRE_NEXT), w, p(STEP.GATES), p(STEP.DH_OUT), p(STEP.DH), p(STEP.DPRE), job[STEP.RELU]!, ws);
  } else {
    k.lstmBackwardStep(
      B, H, u0, u1, p(STEP.DPRE_NEXT), w, p(STEP.GATES), p(STEP.C_PREV), p(STEP.C_NEXT), p(STEP.DH_OUT),
      p(STEP.DH), p(STEP.DC), p(STEP.DPRE), ws,
    );
  }
}
