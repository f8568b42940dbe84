/**
 * The Node host of the cell runtime (core/runtime.ts): cells run as `vm.Script`s in this
 * realm, async contexts are tracked with AsyncLocalStorage (so an interrupt also stops the
 * continuations of an interrupted cell), imports go through Node's module loader with the
 * kernel's hooks, `process.stdout`/`stderr` (and so `console`) become stream messages,
 * TypeScript is loaded with a V8 code cache. It never sees a socket: the execution worker
 * (worker.ts) connects it to the session, and tests drive it directly.
 */
import { Script } from 'node:vm';
import { AsyncLocalStorage } from 'node:async_hooks';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';
import { format, inspect } from 'node:util';
import { CellRuntime } from '../core/runtime.js';
import type { CellContext, ContextTracker } from '../core/interrupt.js';
import type { StreamBuffer, StreamName } from '../core/streams.js';
import { useInspect } from '../core/inspect.js';
import type { Publish } from '../display/publisher.js';
import { ModuleLoader } from './modules.js';
import { typescript } from './compile.js';
import { KERNEL_VERSION } from '../version.js';

export type { ExecuteArgs, ExecuteOutcome, UserExpressionResults } from '../core/runtime.js';

// Cells print values as Node's REPL does.
useInspect(inspect, format);

/** What the executor needs from the execution worker (or a test). */
export interface ExecutorHost {
  /** Sends an IOPub message; the host adds header and parent. */
  publish: Publish;
  /**
   * Asks the frontend for a line of input and blocks until it answers.
   * @throws KeyboardInterrupt when interrupted while waiting; Error when stdin is not allowed.
   */
  requestInput(prompt: string, password: boolean): string;
  /** Shared control array (see core/interrupt.ts); a plain Int32Array works in-process. */
  control: Int32Array;
}

/** Options of {@link Executor}. */
export interface ExecutorOptions {
  /** Directory that relative imports and `require` resolve from (the notebook's). */
  notebookDir?: string;
  /** Whether to load `@seqlab/engine` and put its exports in scope (default true). */
  preloadEngine?: boolean;
  /** Whether to route process.stdout/stderr into stream messages (default true). */
  captureStreams?: boolean;
}

/** AsyncLocalStorage as the runtime's context tracker. */
class AsyncContexts implements ContextTracker {
  private readonly storage = new AsyncLocalStorage<CellContext>();
  run<T>(ctx: CellContext, fn: () => T): T {
    return this.storage.run(ctx, fn);
  }
  current(): CellContext | undefined {
    return this.storage.getStore();
  }
}

const kernelDist = dirname(dirname(fileURLToPath(import.meta.url)));

function isKernelFrame(file: string): boolean {
  let path = file;
  try {
    if (file.startsWith('file://')) path = fileURLToPath(file);
  } catch {
    return false;
  }
  return path.startsWith(kernelDist) || file.startsWith('node:internal') || file.startsWith('node:worker_threads');
}

function typescriptVersion(): string {
  try {
    return (createRequire(import.meta.url)('typescript/package.json') as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

/** Routes `process.stdout`/`process.stderr` (and so `console`) of this realm into `streams`. */
export function captureProcessStreams(proc: NodeJS.Process, streams: StreamBuffer): void {
  const hook = (stream: NodeJS.WriteStream, name: StreamName): void => {
    stream.write = ((chunk: unknown, encoding?: unknown, cb?: unknown) => {
      const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString(typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8');
      streams.write(name, text);
      const done = typeof encoding === 'function' ? encoding : cb;
      if (typeof done === 'function') queueMicrotask(() => (done as () => void)());
      return true;
    }) as typeof stream.write;
  };
  hook(proc.stdout, 'stdout');
  hook(proc.stderr, 'stderr');
}

/** Runs cells in this Node realm; see the module comment. */
export class Executor extends CellRuntime {
  constructor(
    host: ExecutorHost,
    private readonly options: ExecutorOptions = {},
  ) {
    const notebookDir = options.notebookDir ?? process.cwd();
    const loader = new ModuleLoader(notebookDir);
    const cellFile = join(notebookDir, '__cell__.ts');
    super({
      publish: host.publish,
      control: host.control,
      requestInput: (prompt, password) => host.requestInput(prompt, password),
      evaluate: (js, name) => new Script(js, { filename: name }).runInThisContext({ displayErrors: false }),
      contexts: new AsyncContexts(),
      typescript,
      importModule: (spec, opts) => loader.import(spec, opts),
      importMeta: { url: pathToFileURL(cellFile).href, dirname: notebookDir, filename: cellFile },
      ...(options.preloadEngine === false ? {} : { loadEngine: async () => (await import('@seqlab/engine')) as Record<string, unknown> }),
      isKernelFrame,
      versions: { seqlab: KERNEL_VERSION, typescript: typescriptVersion(), node: process.version },
      globals: { require: createRequire(join(notebookDir, '__cell__.js')) },
    });
  }

  override install(): void {
    if (this.options.captureStreams !== false) captureProcessStreams(process, this.streams);
    super.install();
  }
}
