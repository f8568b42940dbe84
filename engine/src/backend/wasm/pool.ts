/**
 * Worker threads that share the kernel's WebAssembly memory, so one product can use
 * every core. The calling thread publishes a job in the control block (protocol.ts),
 * runs chunks itself, and waits only for chunks a worker has already claimed; workers
 * that are still starting simply miss the job. Workers are started lazily (the first
 * product large enough to pay) by the kernel host (worker_threads in Node), are unref'd
 * (they never keep a process alive), and are stopped with `terminate()`.
 */
import { kernelHost, type KernelWorkerHandle } from '../host/index.js';
import type { KernelExports } from './kernel-module.js';
import type { WasmMemory, WasmModule } from './wasm-api.js';
import type { KernelWorkerData } from './worker-loop.js';
import {
  CTL,
  CTL_WORDS,
  JOB,
  JOB_WORDS,
  CHUNK_BITS,
  PROTOCOL_VERSION,
  claimChunk,
  nextGeneration,
  runChunk,
} from './protocol.js';

export class KernelWorkerPool {
  /** The control block shared with the workers. */
  readonly ctl = new Int32Array(new SharedArrayBuffer(CTL_WORDS * 4));
  private readonly workers: KernelWorkerHandle[] = [];
  private readonly readyPromises: Promise<void>[] = [];
  private generation = 0;
  private broken: Error | null = null;

  constructor(
    private readonly module: WasmModule,
    private readonly memory: WasmMemory,
  ) {}

  /** Workers started so far (ready or not). */
  get size(): number {
    return this.workers.length;
  }

  /** Workers waiting for jobs. */
  get ready(): number {
    return Atomics.load(this.ctl, CTL.READY);
  }

  /** Chunks run by workers since the pool started. */
  get workerChunks(): number {
    return Atomics.load(this.ctl, CTL.WORKER_CHUNKS);
  }

  /** Why the pool stopped being used, or null. */
  get failure(): Error | null {
    return this.broken;
  }

  /**
   * Starts workers until there are `count` (never fewer than now). Returns false when
   * worker threads cannot be started here.
   */
  grow(count: number): boolean {
    if (this.broken !== null) return false;
    const host = kernelHost();
    if (!host.canStartWorkers) return false;
    while (this.workers.length < count) {
      const data: KernelWorkerData = {
        version: PROTOCOL_VERSION,
        module: this.module,
        memory: this.memory,
        ctl: this.ctl,
        thread: this.workers.length + 1,
      };
      let worker: KernelWorkerHandle;
      try {
        worker = host.startWorker(data, `seqlab-gemm-${data.thread}`);
      } catch (e) {
        this.broken = e instanceof Error ? e : new Error(String(e));
        return false;
      }
      worker.onError((e) => {
        this.broken = e;
      });
      this.workers.push(worker);
      this.readyPromises.push(worker.ready);
    }
    return true;
  }

  /** Resolves when every started worker is ready (keeps the process alive meanwhile). */
  async whenReady(): Promise<void> {
    for (const w of this.workers) w.ref();
    try {
      await Promise.all(this.readyPromises);
    } finally {
      for (const w of this.workers) w.unref();
    }
    if (this.broken !== null) throw this.broken;
  }

  /**
   * Runs every chunk of `job` (JOB_WORDS words) with the calling thread as thread 0 and
   * returns true, or false when a worker failed on a chunk (the caller must then redo the
   * whole job: partial sums may have been added to C). With `callerClaims` false the
   * calling thread only waits (tests use it to make the workers do every chunk).
   */
  run(kernel: KernelExports, job: Int32Array, callerClaims = true): boolean {
    const ctl = this.ctl;
    const chunks = job[JOB.CHUNKS]!;
    for (let i = 0; i < JOB_WORDS; i++) Atomics.store(ctl, CTL.JOB + i, job[i]!);
    Atomics.store(ctl, CTL.DONE, 0);
    Atomics.store(ctl, CTL.FAILED, 0);
    const gen = (this.generation = nextGeneration(this.generation));
    Atomics.store(ctl, CTL.NEXT, gen << CHUNK_BITS);
    Atomics.store(ctl, CTL.GEN, gen);
    Atomics.notify(ctl, CTL.GEN);
    let mine = 0;
    for (let c = callerClaims ? claimChunk(ctl, gen, chunks) : -1; c >= 0; c = claimChunk(ctl, gen, chunks)) {
      runChunk(kernel, job, c, 0);
      mine++;
    }
    if (mine > 0) Atomics.add(ctl, CTL.DONE, mine);
    // Wait for chunks the workers claimed: spin briefly (they are usually nearly done),
    // then sleep on DONE.
    let spins = 0;
    for (let done = Atomics.load(ctl, CTL.DONE); done < chunks; done = Atomics.load(ctl, CTL.DONE)) {
      if (++spins > 2000) Atomics.wait(ctl, CTL.DONE, done, 50);
    }
    return Atomics.load(ctl, CTL.FAILED) === 0;
  }

  /** Stops the workers; the pool cannot be used afterwards. */
  async terminate(): Promise<void> {
    this.broken ??= new Error('kernel worker pool terminated');
    Atomics.store(this.ctl, CTL.SHUTDOWN, 1);
    Atomics.notify(this.ctl, CTL.GEN);
    const workers = this.workers.splice(0);
    await Promise.all(workers.map((w) => w.terminate()));
  }
}
