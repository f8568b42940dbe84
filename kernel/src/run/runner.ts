/**
 * Executes a notebook through a kernel over the real protocol, cell by cell, with a per-cell
 * timeout (interrupt, then a clear error), recording outputs as nbformat 4.5.
 */
import { basename, dirname, resolve } from 'node:path';
import { launchKernel, type LaunchOptions } from '../client/launch.js';
import { TimeoutError } from '../client/client.js';
import { OutputRecorder } from './outputs.js';
import { cellSource, readNotebook, writeNotebook, type Notebook } from './notebook.js';

/** Progress events of {@link runNotebook}. */
export type RunEvent =
  | { kind: 'start'; notebook: string; codeCells: number }
  | { kind: 'cell'; notebook: string; index: number; codeIndex: number; codeCells: number; seconds: number; status: string }
  | { kind: 'done'; notebook: string; seconds: number; output: string };

/** Options of {@link runNotebook}. */
export interface RunOptions {
  /** Seconds a cell may run before it is interrupted (default 600). */
  timeout?: number;
  /** Where to write: a file path (default `<stem>.executed.ipynb` next to the input). */
  output?: string;
  /** Kernel to use (default: seqlab). */
  kernel?: Pick<LaunchOptions, 'argv' | 'env'>;
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
  error?: CellError;
}

/**
 * Runs every code cell of `path` in a fresh kernel started in the notebook's directory and
 * writes the executed notebook (also when a cell fails: the outputs so far, then the error).
 */
export async function runNotebook(path: string, options: RunOptions = {}): Promise<RunResult> {
  const file = resolve(path);
  const nb = readNotebook(file);
  const output = options.output ?? file.replace(/(\.ipynb)?$/, '.executed.ipynb');
  const timeoutMs = (options.timeout ?? 600) * 1000;
  const codeCells = nb.cells.filter((c) => c.cell_type === 'code');
  const started = performance.now();
  options.onEvent?.({ kind: 'start', notebook: file, codeCells: codeCells.length });
  for (const c of codeCells) {
    c.outputs = [];
    c.execution_count = null;
  }
  const kernel = await launchKernel({ cwd: dirname(file), ...(options.kernel?.argv ? { argv: options.kernel.argv } : {}), ...(options.kernel?.env ? { env: options.kernel.env } : {}) });
  let error: CellError | undefined;
  try {
    const info = await kernel.client.request('shell', 'kernel_info_request', {});
    const languageInfo = info.reply.content['language_info'];
    nb.metadata['language_info'] = languageInfo;
    nb.metadata['kernelspec'] ??= { name: 'seqlab', display_name: 'TypeScript (seqlab)', language: 'typescript' };
    let codeIndex = 0;
    for (const [i, cell] of nb.cells.entries()) {
      if (cell.cell_type !== 'code') continue;
      codeIndex++;
      const source = cellSource(cell);
      const recorder = new OutputRecorder();
      const t0 = performance.now();
      let status = 'ok';
      if (source.trim() !== '') {
        const run = kernel.client.execute(source, { allowStdin: false, onOutput: (m) => recorder.add(m) });
        let result;
        try {
          result = await Promise.race([run, new Promise<never>((_, reject) => setTimeout(() => reject(new TimeoutError('cell timeout')), timeoutMs).unref())]);
        } catch (e) {
          if (!(e instanceof TimeoutError)) throw e;
          await kernel.interrupt('message').catch(() => undefined);
          result = await Promise.race([run, new Promise<undefined>((r) => setTimeout(() => r(undefined), 15_000).unref())]);
          const evalue = `the cell did not finish within ${options.timeout ?? 600} s and was interrupted`;
          recorder.add({ header: { msg_type: 'error' }, content: { ename: 'CellTimeoutError', evalue, traceback: [`CellTimeoutError: ${evalue}`] } } as never);
          cell.outputs = recorder.outputs;
          cell.execution_count = (result?.reply.content['execution_count'] as number | undefined) ?? null;
          error = new CellError(file, i + 1, 'CellTimeoutError', evalue, [evalue]);
          options.onEvent?.({ kind: 'cell', notebook: file, index: i + 1, codeIndex, codeCells: codeCells.length, seconds: (performance.now() - t0) / 1000, status: 'timeout' });
          break;
        }
        const reply = result.reply.content;
        cell.execution_count = (reply['execution_count'] as number | null) ?? null;
        status = String(reply['status']);
        if (status === 'error') {
          error = new CellError(file, i + 1, String(reply['ename']), String(reply['evalue']), (reply['traceback'] as string[]) ?? []);
        }
      }
      cell.outputs = recorder.outputs;
      options.onEvent?.({ kind: 'cell', notebook: file, index: i + 1, codeIndex, codeCells: codeCells.length, seconds: (performance.now() - t0) / 1000, status });
      if (error) break;
    }
  } finally {
    await kernel.shutdown();
  }
  writeNotebook(output, nb);
  const seconds = (performance.now() - started) / 1000;
  options.onEvent?.({ kind: 'done', notebook: file, seconds, output });
  return { notebook: nb, output, seconds, ...(error ? { error } : {}) };
}

/** The output path for `input` under `--out DIR`. */
export function outputPathIn(dir: string, input: string): string {
  return resolve(dir, basename(input));
}
