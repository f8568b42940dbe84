/**
 * The body of a kernel worker thread, the same in every host: instantiates the kernel
 * module on the shared memory, then sleeps on the control block until the calling thread
 * publishes a job, and helps finish it chunk by chunk (see protocol.ts). A host's worker
 * entry script (host/node-worker.ts for worker_threads) calls `runKernelWorker` with the
 * start data the pool gave it; the engine itself never imports this on its main thread.
 */
import { instantiateKernel } from './kernel-module.js';
import type { WasmMemory, WasmModule } from './wasm-api.js';
import { CTL, JOB_WORDS, JOB, PROTOCOL_VERSION, claimChunk, runChunk } from './protocol.js';

/** What the pool (pool.ts) sends a worker at start. */
export interface KernelWorkerData {
  version: number;
  module: WasmModule;
  memory: WasmMemory;
  ctl: Int32Array;
  /** Index of this thread's workspace (the calling thread is 0). */
  thread: number;
}

/**
 * After a job, poll for the next one for this long (milliseconds) before sleeping:
 * products come in bursts (one or more per time step of a recurrent layer), and waking a
 * sleeping thread takes about as long as a small product (tens to hundreds of µs).
 */
const SPIN_MS = 0.25;

/**
 * Runs the worker until the control block asks it to shut down. `ready` is called once the
 * kernels are instantiated (the host tells the pool); a start from another engine build
 * (another protocol version) throws instead.
 */
export function runKernelWorker(init: KernelWorkerData, ready: () => void): void {
  if (init.version !== PROTOCOL_VERSION) {
    throw new Error(
      `seqlab kernel worker: protocol ${PROTOCOL_VERSION} but the engine speaks ${init.version}; rebuild the engine (npm run build)`,
    );
  }
  const kernel = instantiateKernel(init.module, init.memory);
  const ctl = init.ctl;
  const job = new Int32Array(JOB_WORDS);

  Atomics.add(ctl, CTL.READY, 1);
  ready();

  let seen = -1;
  let spins = 0;
  let idleSince = 0;
  while (Atomics.load(ctl, CTL.SHUTDOWN) === 0) {
    const gen = Atomics.load(ctl, CTL.GEN);
    if (gen === seen) {
      if (spins++ === 0) idleSince = performance.now();
      else if ((spins & 255) === 0 && performance.now() - idleSince > SPIN_MS) {
        Atomics.wait(ctl, CTL.GEN, gen);
        spins = 0;
      }
      continue;
    }
    spins = 0;
    seen = gen;
    for (let i = 0; i < JOB_WORDS; i++) job[i] = Atomics.load(ctl, CTL.JOB + i);
    const chunks = job[JOB.CHUNKS]!;
    for (let c = claimChunk(ctl, gen, chunks); c >= 0; c = claimChunk(ctl, gen, chunks)) {
      try {
        runChunk(kernel, job, c, init.thread);
      } catch {
        Atomics.store(ctl, CTL.FAILED, 1);
      }
      Atomics.add(ctl, CTL.WORKER_CHUNKS, 1);
      Atomics.add(ctl, CTL.DONE, 1);
      Atomics.notify(ctl, CTL.DONE);
    }
  }
  Atomics.sub(ctl, CTL.READY, 1);
}
