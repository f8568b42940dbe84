/**
 * The browser host of the cell runtime: the execution side of the JupyterLite kernel, running
 * in a Web Worker (a module worker). The page's main thread (the JupyterLite kernel class)
 * talks to it with the execution worker protocol (core/protocol.ts), as Node's session thread
 * talks to the Node execution worker.
 *
 * - Cells are evaluated with indirect `eval` as classic scripts named by `//# sourceURL=In[n]`
 *   (their line numbers also identify them, for browsers that name eval'd code by its caller).
 * - `console.log`/`info`/`debug` become stdout, `console.error`/`warn` stderr (formatted as
 *   Node's `util.format` does, with node-inspect-extracted).
 * - Interrupt: on a cross-origin-isolated page the main thread shares the control array
 *   (SharedArrayBuffer) and raises its flag, which the compiled loops test, exactly as in Node.
 *   Without isolation only an `interrupt` message arrives: it stops cells that wait (timers,
 *   promises, code after an `await`), not a running synchronous loop (the page can only
 *   terminate the worker then).
 * - `input()`: blocks in `Atomics.wait` on the shared stdin buffer (isolated pages only).
 * - Imports: `@seqlab/engine` and `tslab` only (everything the engine exports is in scope
 *   anyway). Any other specifier fails with an error that says so: a static site has no npm
 *   packages or notebook-side files to import.
 * - The engine is loaded at start; TypeScript (for cells with TypeScript syntax) right after,
 *   in the background, so that a first plain-JavaScript cell never waits for it.
 *
 * Host-neutral apart from the Web Worker global scope: no Node built-ins.
 */
import { inspect as portableInspect, format as portableFormat } from 'node-inspect-extracted';
import type * as TS from 'typescript';
import { CellRuntime } from '../core/runtime.js';
import { format, useInspect, type InspectOptions } from '../core/inspect.js';
import { serveRuntime } from '../core/serve.js';
import { sharedMemoryInput } from '../core/stdin.js';
import { CONTROL_SLOTS } from '../core/interrupt.js';
import type { StreamName } from '../core/streams.js';
import type { BrowserWorkerInit, FromWorker, ToWorker } from '../core/protocol.js';

/** The parts of a Web Worker's global scope the host uses. */
interface WorkerScope {
  postMessage(message: unknown): void;
  addEventListener(type: string, listener: (event: { data?: unknown; error?: unknown; reason?: unknown; preventDefault?(): void }) => void): void;
  location?: { href: string };
  console: Record<string, (...args: unknown[]) => void>;
}

/** Options of {@link startBrowserWorker}: how to load what the bundle keeps apart. */
export interface BrowserWorkerOptions {
  /** Loads `@seqlab/engine` (default: `import('@seqlab/engine')`). */
  loadEngine?: () => Promise<Record<string, unknown>>;
  /** Loads TypeScript (default: `import('typescript')`, best a chunk of its own). */
  loadTypeScript?: () => Promise<typeof TS>;
  /** The worker's global scope (default `globalThis`; tests pass a stand-in). */
  scope?: WorkerScope;
}

const STDOUT = ['log', 'info', 'debug', 'trace', 'dir', 'table'];
const STDERR = ['error', 'warn', 'assert'];

/** Routes the worker's console into stream messages. */
function captureConsole(scope: WorkerScope, write: (name: StreamName, text: string) => void): void {
  const c = scope.console;
  for (const name of [...STDOUT, ...STDERR]) {
    const stream: StreamName = STDERR.includes(name) ? 'stderr' : 'stdout';
    c[name] = (...args: unknown[]) => {
      if (name === 'assert') {
        if (args[0]) return;
        args = ['Assertion failed', ...args.slice(1)];
      }
      write(stream, `${format(...args)}\n`);
    };
  }
}

/**
 * Starts the execution side in this Web Worker: waits for the `init` message
 * ({@link BrowserWorkerInit}), then serves the protocol.
 *
 * @example
 * // worker entry of the site's bundle
 * import { startBrowserWorker } from '@seqlab/kernel/browser-worker';
 * startBrowserWorker({ loadEngine: () => import('@seqlab/engine') });
 */
export function startBrowserWorker(options: BrowserWorkerOptions = {}): void {
  const scope = options.scope ?? (globalThis as unknown as WorkerScope);
  const post = (m: FromWorker): void => scope.postMessage(m);
  const queued: ToWorker[] = [];
  let handle: ((m: ToWorker) => void) | undefined;

  scope.addEventListener('message', (event) => {
    const m = event.data as ToWorker | BrowserWorkerInit;
    if (m.type === 'init') {
      if (handle) return;
      try {
        handle = start(m, options, scope, post);
      } catch (e) {
        post({ type: 'init_failed', error: (e as Error).stack ?? String(e) });
        return;
      }
      for (const q of queued.splice(0)) handle(q);
    } else if (handle) handle(m);
    else queued.push(m);
  });
}

function start(init: BrowserWorkerInit, options: BrowserWorkerOptions, scope: WorkerScope, post: (m: FromWorker) => void): (m: ToWorker) => void {
  useInspect(portableInspect as (v: unknown, o?: InspectOptions) => string, portableFormat as (...a: unknown[]) => string);
  const shared = init.control !== undefined && typeof SharedArrayBuffer !== 'undefined' && init.control instanceof SharedArrayBuffer;
  const control = shared ? new Int32Array(init.control!) : new Int32Array(CONTROL_SLOTS);
  const requestInput =
    shared && init.stdin
      ? sharedMemoryInput(control, new Uint8Array(init.stdin), (prompt, password) => post({ type: 'input_request', prompt, password }))
      : (): string => {
          throw new Error('input() is not available here: the browser kernel needs a cross-origin-isolated page (SharedArrayBuffer) for stdin; serve the site with `seqlab serve`');
        };
  const base = scope.location?.href.replace(/[^/]*$/, '') ?? '';
  const indirectEval = globalThis.eval;
  const loadEngine = options.loadEngine ?? (async () => (await import('@seqlab/engine')) as Record<string, unknown>);
  const loadTypeScript =
    options.loadTypeScript ??
    (async () => {
      const m = (await import('typescript')) as unknown as { default?: typeof TS } & typeof TS;
      return m.default ?? m;
    });
  const runtime = new CellRuntime({
    publish: (msgType, content, metadata, buffers) => post({ type: 'iopub', msgType, content, metadata, buffers }),
    control,
    requestInput,
    evaluate: (js, name, lineBase) => indirectEval(`${'\n'.repeat(lineBase)}${js}\n//# sourceURL=${name}`),
    typescript: loadTypeScript,
    importModule: (spec) =>
      Promise.reject(
        new Error(`import of "${spec}" is not available in the browser kernel: cells can import "@seqlab/engine" and "tslab" (the engine's exports are in scope anyway); npm packages and files next to the notebook can be imported only in the Node kernel`),
      ),
    importMeta: { url: scope.location?.href ?? '' },
    ...(init.preloadEngine === false ? {} : { loadEngine }),
    isKernelFrame: (file) => base !== '' && file.startsWith(base),
    versions: { seqlab: 'unknown', ...init.versions },
    globals: {
      require: () => {
        throw new Error('require() is not available in the browser kernel: the engine\'s exports are in scope; use import for "@seqlab/engine"');
      },
    },
    lineRanges: true,
  });
  captureConsole(scope, (name, text) => runtime.streams.write(name, text));
  scope.addEventListener('error', (event) => {
    event.preventDefault?.();
    runtime.backgroundError(event.error, 'uncaught exception');
  });
  scope.addEventListener('unhandledrejection', (event) => {
    event.preventDefault?.();
    runtime.backgroundError(event.reason, 'unhandled rejection');
  });
  const serve = serveRuntime(runtime, post);
  runtime.install();
  post({ type: 'started' });
  void runtime.whenEngineLoaded().then(() => {
    post({ type: 'ready', engineGlobals: runtime.engineGlobals, engineShadowed: runtime.engineShadowed });
    if (init.preloadTypeScript !== false) void runtime.typescript().catch(() => undefined);
  });
  return (m) => {
    // Without shared memory the page cannot raise the flag: the worker does, for what waits.
    if (m.type === 'interrupt' && !shared) runtime.interrupts.raise();
    serve(m);
  };
}
