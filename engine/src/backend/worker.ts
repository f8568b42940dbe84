/**
 * A kernel worker thread: instantiates the GEMM module on the shared memory, then sleeps
 * on the control block until the calling thread publishes a job, and helps finish it
 * chunk by chunk (see protocol.ts). Started by pool.ts; never imported by the engine.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { instantiateKernel } from './kernel-module.js';
import type { WasmMemory, WasmModule } from './wasm-api.js';
import { CTL, JOB_WORDS, JOB, PROTOCOL_VERSION, claimChunk, runChunk } from './protocol.js';

/** What pool.ts passes in `workerData`. */
export interface KernelWorkerData {
  version: number;
  module: WasmModule;
  memory: WasmMemory;
  ctl: Int32Array;
  /** Index of this thread's workspace (the calling thread is 0). */
  thread: number;
}

const init = workerData as KernelWorkerData;
if (init.version !== PROTOCOL_VERSION) {
  throw new Error(
    `seqlab kernel worker: protocol ${PROTOCOL_VERSION} but the engine speaks ${init.version}; rebuild the engine (npm run build)`,
  );
}
const kernel = instantiateKernel(init.module, init.memory);
const ctl = init.ctl;
const job = new Int32Array(JOB_WORDS);

Atomics.add(ctl, CTL.READY, 1);
parentPort?.postMessage('ready');

/**
 * After a job, poll for the next one for this long (milliseconds) before sleeping:
 * products come in bursts (one or more per time step of a recurrent layer), and waking a
 * sleeping thread takes about as long as a small product (tens to hundreds of µs).
 */
const SPIN_MS = 0.25;

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
