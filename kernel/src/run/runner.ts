/**
 * Executes a notebook through a kernel over the real protocol, cell by cell, recording outputs
 * as nbformat 4.5, as nbclient does for `jupyter nbconvert --execute`:
 *
 * - a cell that fails stops the notebook, unless errors are allowed (`allowErrors`, or the
 *   cell's `raises-exception` tag); an allowed error is kept as the cell's output and the
 *   execute request says `stop_on_error: false`;
 * - a cell over the timeout is interrupted, then fails with `CellTimeoutError`;
 * - a kernel that dies under a cell (its process exits, or it stops answering heartbeats) fails
 *   the cell at once with `DeadKernelError`, instead of waiting for the timeout.
 */
import { basename, dirname, resolve } from 'node:path';
import { launchKernel, type LaunchedKernel } from '../client/launch.js';
import { TimeoutError } from '../client/client.js';
import { OutputRecorder } from './outputs.js';
import { cellSource, readNotebook, writeNotebook, type Notebook, type NotebookCell } from './notebook.js';

/** Progress events of {@link runNotebook}. */
export type RunEvent =
  | { kind: 'start'; notebook: string; codeCells: number; kernel: string }
  | {
      kind: 'cell';
      notebook: string;
      /** 1-based position among all cells. */
      index: number;
      /** 1-based position among code cells. */
      codeIndex: number;
      codeCells: number;
      seconds: number;
      /** `ok`, `error`, `timeout`, `dead`, or `empty` (no source, not sent). */
      status: string;
      /** Why an error did not stop the notebook: `--allow-errors` or the `raises-exception` tag. */
      allowed?: 'allow-errors' | 'raises-exception';
    }
  | { kind: 'done'; notebook: string; seconds: number; output: string };

/** The kernel a notebook runs with. */
export interface KernelChoice {
  /** argv with `{connection_file}` (default: this seqlab kernel). */
  argv?: string[];
  /** The kernel's whole environment (default: this process's). */
  env?: NodeJS.ProcessEnv;
  /** How a timed-out cell is interrupted (default `message`, what seqlab's kernelspec says). */
  interruptMode?: 'signal' | 'message';
  /** Written into the notebook's metadata (default: seqlab's, unless the notebook names one). */
  kernelspec?: { name: string; display_name: string; language: string };
}

/** How a lost kernel is noticed besides its process exiting. */
export interface HeartbeatOptions {
  /** Milliseconds between pings, and each ping's time to answer (default 5000). */
  intervalMs: number;
  /** Unanswered pings in a row that mean the kernel is gone (default 6: about a minute). */
  misses: number;
}

/** Options of {@link runNotebook}. */
export interface RunOptions {
  /** Seconds a cell may run before it is interrupted (default 600). */
  timeout?: number;
  /** Where to write: a file path (default `<stem>.executed.ipynb` next to the input). */
  output?: string;
  kernel?: KernelChoice;
  /** Record errors as outputs and go on, as nbclient's `allow_errors` (timeouts and a dead kernel still stop). */
  allowErrors?: boolean;
  heartbeat?: HeartbeatOptions;
  onEvent?: (e: RunEvent) => void;
}

/** A failed cell. */
export class CellError extends Error {
  constructor(
    readonly notebook: string,
    /** 1-based position of the cell among all cells of the notebook. */
    readonly cellNumber: number,
    readonly ename: string,
    readonly evalue: string,
    readonly traceback: string[],
  ) {
    super(`${notebook}: cell ${cellNumber} failed: ${ename}: ${evalue}`);
  }
}

/** What {@link runNotebook} produced. */
export interface RunResult {
  notebook: Notebook;
  output: string;
  seconds: number;
  /** The error that stopped the notebook. */
  error?: CellError;
  /** Cells (1-based among all cells) whose errors were allowed and recorded. */
  allowedErrors: number[];
}

const SEQLAB_KERNELSPEC = { name: 'seqlab', display_name: 'TypeScript (seqlab)', language: 'typescript' };
const DEFAULT_HEARTBEAT: HeartbeatOptions = { intervalMs: 5000, misses: 6 };

/** Why a kernel is gone. */
class KernelLost extends Error {}

/**
 * Watches a kernel: rejects with {@link KernelLost} as soon as its process exits, or when it
 * has not answered `misses` heartbeats in a row (then the process is killed).
 */
function watchKernel(kernel: LaunchedKernel, hb: HeartbeatOptions): { lost: Promise<never>; stop(): void } {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const lost = new Promise<never>((_, reject) => {
    void kernel.exited().then(({ code, signal }) => {
      if (!stopped) reject(new KernelLost(signal ? `killed by signal ${signal}` : `exited with code ${code}`));
    });
    let misses = 0;
    const ping = async (): Promise<void> => {
      if (stopped) return;
      const alive = await kernel.client.heartbeat(hb.intervalMs);
      if (stopped) return;
      misses = alive ? 0 : misses + 1;
      if (misses >= hb.misses) {
        reject(new KernelLost(`it answered no heartbeat for ${((hb.misses * hb.intervalMs) / 1000).toFixed(0)} s and was killed`));
        return;
      }
      timer = setTimeout(() => void ping(), alive ? hb.intervalMs : 0);
      timer.unref();
    };
    timer = setTimeout(() => void ping(), hb.intervalMs);
    timer.unref();
  });
  lost.catch(() => undefined);
  return {
    lost,
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}

/** The last lines of the kernel's stderr, for the error that says it died. */
function stderrTail(kernel: LaunchedKernel, lines = 20): string[] {
  const all = kernel.stderr().trimEnd().split('\n').filter((l) => l.trim() !== '');
  return all.length > 0 ? ['the kernel\'s last messages:', ...all.slice(-lines).map((l) => `  ${l}`)] : [];
}

function cellTags(cell: NotebookCell): string[] {
  const t = cell.metadata['tags'];
  return Array.isArray(t) ? t.map(String) : [];
}

/**
 * Runs every code cell of `path` in a fresh kernel started in the notebook's directory and
 * writes the executed notebook (also when a cell fails: the outputs so far, then the error).
 *
 * @throws Error when the notebook cannot be read or the kernel does not start (nothing is written then)
 */
export async function runNotebook(path: string, options: RunOptions = {}): Promise<RunResult> {
  const file = resolve(path);
  const nb = readNotebook(file);
  const output = options.output ?? file.replace(/(\.ipynb)?$/, '.executed.ipynb');
  const timeoutMs = (options.timeout ?? 600) * 1000;
  const codeCells = nb.cells.filter((c) => c.cell_type === 'code');
  const started = performance.now();
  const choice = options.kernel ?? {};
  options.onEvent?.({ kind: 'start', notebook: file, codeCells: codeCells.length, kernel: choice.kernelspec?.name ?? 'seqlab' });
  for (const c of codeCells) {
    c.outputs = [];
    c.execution_count = null;
  }
  const kernel = await launchKernel({
    cwd: dirname(file),
    ...(choice.argv ? { argv: choice.argv } : {}),
    ...(choice.env ? { env: choice.env } : {}),
    interruptMode: choice.interruptMode ?? 'message',
  });
  const watch = watchKernel(kernel, options.heartbeat ?? DEFAULT_HEARTBEAT);
  let error: CellError | undefined;
  let dead = false;
  const allowedErrors: number[] = [];
  try {
    const info = await Promise.race([kernel.client.request('shell', 'kernel_info_request', {}), watch.lost]);
    nb.metadata['language_info'] = info.reply.content['language_info'];
    if (choice.kernelspec) nb.metadata['kernelspec'] = choice.kernelspec;
    else nb.metadata['kernelspec'] ??= SEQLAB_KERNELSPEC;
    let codeIndex = 0;
    for (const [i, cell] of nb.cells.entries()) {
      if (cell.cell_type !== 'code') continue;
      codeIndex++;
      const source = cellSource(cell);
      const recorder = new OutputRecorder();
      const t0 = performance.now();
      const event = (status: string, allowed?: 'allow-errors' | 'raises-exception'): void =>
        options.onEvent?.({ kind: 'cell', notebook: file, index: i + 1, codeIndex, codeCells: codeCells.length, seconds: (performance.now() - t0) / 1000, status, ...(allowed ? { allowed } : {}) });
      if (source.trim() === '') {
        event('empty');
        continue;
      }
      // As nbclient: a cell may fail when the run allows errors or the cell says it raises.
      const allowed = options.allowErrors ? 'allow-errors' : cellTags(cell).includes('raises-exception') ? 'raises-exception' : undefined;
      const fail = (ename: string, evalue: string, traceback: string[], status: string): void => {
        recorder.add({ header: { msg_type: 'error' }, content: { ename, evalue, traceback: [`${ename}: ${evalue}`, ...traceback] } } as never);
        cell.outputs = recorder.outputs;
        error = new CellError(file, i + 1, ename, evalue, traceback);
        event(status);
      };
      const run = kernel.client.execute(source, { allowStdin: false, stopOnError: allowed === undefined, onOutput: (m) => recorder.add(m) });
      let timer: NodeJS.Timeout | undefined;
      let result;
      try {
        result = await Promise.race([run, watch.lost, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new TimeoutError('cell timeout')), timeoutMs).unref()))]);
      } catch (e) {
        if (e instanceof KernelLost) {
          dead = true;
          fail('DeadKernelError', `the kernel died while this cell ran (${e.message})`, stderrTail(kernel), 'dead');
          break;
        }
        if (!(e instanceof TimeoutError)) throw e;
        await kernel.interrupt().catch(() => undefined);
        const late = await Promise.race([run, watch.lost, new Promise<undefined>((r) => setTimeout(() => r(undefined), 15_000).unref())]).catch(() => undefined);
        cell.execution_count = (late?.reply.content['execution_count'] as number | undefined) ?? null;
        fail('CellTimeoutError', `the cell did not finish within ${options.timeout ?? 600} s and was interrupted`, [], 'timeout');
        break;
      } finally {
        clearTimeout(timer);
      }
      const reply = result.reply.content;
      cell.execution_count = (reply['execution_count'] as number | null) ?? null;
      cell.outputs = recorder.outputs;
      const status = String(reply['status']);
      if (status === 'error' && allowed) {
        allowedErrors.push(i + 1);
        event(status, allowed);
        continue;
      }
      event(status);
      if (status === 'error') {
        error = new CellError(file, i + 1, String(reply['ename']), String(reply['evalue']), (reply['traceback'] as string[]) ?? []);
        break;
      }
      if (status !== 'ok') {
        error = new CellError(file, i + 1, 'ExecuteError', `the kernel answered the cell with status "${status}"`, []);
        break;
      }
    }
  } catch (e) {
    if (!(e instanceof KernelLost)) throw e;
    dead = true;
    error = new CellError(file, 0, 'DeadKernelError', `the kernel died before the first cell (${e.message})`, stderrTail(kernel));
  } finally {
    watch.stop();
    if (dead) await kernel.kill();
    else await kernel.shutdown();
  }
  writeNotebook(output, nb);
  const seconds = (performance.now() - started) / 1000;
  options.onEvent?.({ kind: 'done', notebook: file, seconds, output });
  return { notebook: nb, output, seconds, allowedErrors, ...(error ? { error } : {}) };
}

/** The output path for `input` under `--out DIR`. */
export function outputPathIn(dir: string, input: string): string {
  return resolve(dir, basename(input));
}
