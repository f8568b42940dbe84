/**
 * The implementations the benchmark compares and how to start their runners. seqlab runs
 * on 1 or 2 threads, three ways in Node:
 * - `seqlab`: the default, products on the native OpenBLAS backend where it was built
 *   (engine/native), everything else on the wasm SIMD128 kernels;
 * - `seqlab wasm`: everything on the wasm SIMD128 kernels (what Node 20 gives without flags,
 *   and what a browser computes);
 * - `seqlab FMA`: everything on the relaxed-SIMD FMA wasm kernels (Node 20 with
 *   --experimental-wasm-relaxed-simd; the default on Node 22+);
 * and in headless Chromium, whose twin is `seqlab wasm`.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';

export const PYTHON = '/usr/bin/python3';

export interface Impl {
  id: string;
  /** Column heading. */
  label: string;
  /** seqlab implementations are compared with every reference. */
  role: 'seqlab' | 'reference';
  kind: 'seqlab' | 'tfjs' | 'torch';
  command: string;
  args: string[];
  env: Record<string, string>;
  /** Why it cannot run here (not installed, too few cores), if it cannot. */
  unavailable?: string;
  /** For seqlab in the browser: the id of the same configuration in Node, for the browser ÷ Node table. */
  nodeTwin?: string;
}

const nodeRunner = fileURLToPath(new URL('./runners/node-runner.js', import.meta.url));
const browserRunner = fileURLToPath(new URL('./runners/browser-runner.js', import.meta.url));
const CHROMIUM = '/usr/bin/chromium';
const torchRunner = fileURLToPath(new URL('../runners/torch_runner.py', import.meta.url));

function torchThreadsEnv(n: number): Record<string, string> {
  const v = String(n);
  return { OMP_NUM_THREADS: v, OPENBLAS_NUM_THREADS: v, MKL_NUM_THREADS: v, OMP_WAIT_POLICY: 'PASSIVE' };
}

function torchMissing(): string | undefined {
  if (!existsSync(PYTHON)) return `${PYTHON} not found (Debian python3-torch; bash scripts/system-deps.sh)`;
  const r = spawnSync(PYTHON, ['-c', 'import torch'], { encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0) return `PyTorch is not installed for ${PYTHON} (Debian python3-torch; bash scripts/system-deps.sh)`;
  return undefined;
}

function tfjsMissing(): string | undefined {
  const require = createRequire(import.meta.url);
  for (const pkg of ['@tensorflow/tfjs-core', '@tensorflow/tfjs-backend-wasm']) {
    try {
      require.resolve(`${pkg}/package.json`);
    } catch {
      return `${pkg} is not installed (npm install)`;
    }
  }
  return undefined;
}

/** Every implementation, with `unavailable` set where it cannot run. */
export function implementations(): Impl[] {
  const cores = availableParallelism();
  const oneCore = cores < 2 ? `needs 2 cores, this machine has ${cores}` : undefined;
  const torch = torchMissing();
  const tfjs = tfjsMissing();
  const seqlab = (threads: number, kind: 'auto' | 'wasm' | 'fma'): Impl => ({
    id: `seqlab${kind === 'auto' ? '' : `-${kind}`}-${threads}t`,
    label: `seqlab${kind === 'auto' ? '' : kind === 'fma' ? ' FMA' : ' wasm'} ${threads}T`,
    role: 'seqlab',
    kind: 'seqlab',
    command: process.execPath,
    args: [...(kind === 'fma' ? ['--experimental-wasm-relaxed-simd'] : []), nodeRunner, 'seqlab'],
    env: { SEQLAB_BACKEND: kind === 'auto' ? 'auto' : 'wasm', SEQLAB_THREADS: String(threads), SEQLAB_RELAXED_SIMD: kind === 'fma' ? '1' : '0' },
    unavailable: threads > 1 ? oneCore : undefined,
  });
  const torchImpl = (threads: number): Impl => ({
    id: `torch-${threads}t`,
    label: `torch ${threads}T`,
    role: 'reference',
    kind: 'torch',
    command: PYTHON,
    args: [torchRunner, String(threads)],
    env: torchThreadsEnv(threads),
    unavailable: torch ?? (threads > 1 ? oneCore : undefined),
  });
  // seqlab in headless Chromium, in a Web Worker of a cross-origin isolated page, with the
  // SIMD128 kernels (as the browser kernel runs cells); its twin is Node on the same kernels.
  const browser = (threads: number): Impl => ({
    id: `seqlab-browser-${threads}t`,
    label: `browser ${threads}T`,
    role: 'seqlab',
    kind: 'seqlab',
    command: process.execPath,
    args: [browserRunner, String(threads)],
    env: {},
    nodeTwin: `seqlab-wasm-${threads}t`,
    unavailable: existsSync(CHROMIUM) ? (threads > 1 ? oneCore : undefined) : `${CHROMIUM} not found (Debian chromium; bash scripts/system-deps.sh)`,
  });
  return [
    seqlab(1, 'auto'),
    seqlab(2, 'auto'),
    seqlab(1, 'wasm'),
    seqlab(2, 'wasm'),
    seqlab(1, 'fma'),
    seqlab(2, 'fma'),
    browser(1),
    browser(2),
    torchImpl(1),
    torchImpl(2),
    {
      id: 'tfjs-wasm',
      label: 'tfjs-wasm',
      role: 'reference',
      kind: 'tfjs',
      command: process.execPath,
      args: [nodeRunner, 'tfjs'],
      env: {},
      unavailable: tfjs,
    },
  ];
}
