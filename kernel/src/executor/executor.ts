/**
 * The executor: compiles cells with TypeScript and runs them in this realm, keeping state
 * between cells, and reports through a `publish` callback. It never sees a socket: the
 * execution worker (worker.ts) connects it to the session, and tests drive it directly.
 *
 * One executor per realm: it installs the cell globals (`display`, the engine's exports, ...)
 * on `globalThis`.
 */
import { Script } from 'node:vm';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';
import { compileCell } from './compile.js';
import { Interrupts, KeyboardInterrupt } from './interrupt.js';
import { errorContent, installStackMapping, registerCell, syntaxErrorContent, type ErrorContent } from './stack.js';
import { StreamBuffer } from './streams.js';
import { ModuleLoader, defaultExport, namedExport } from './modules.js';
import { isComplete, type IsCompleteResult } from './is-complete.js';
import { createDisplay } from '../display/display.js';
import { createProgress } from '../display/progress.js';
import { toBundle } from '../display/bundle.js';
import type { OutputType, Publish } from '../display/publisher.js';
import { CommManager } from '../comm/comms.js';
import { KERNEL_GLOBALS, engineGlobalNames } from './globals.js';
import { KERNEL_VERSION } from '../version.js';

/** What the executor needs from its host. */
export interface ExecutorHost {
  /** Sends an IOPub message; the host adds header and parent. */
  publish: Publish;
  /**
   * Asks the frontend for a line of input and blocks until it answers.
   * @throws KeyboardInterrupt when interrupted while waiting; Error when stdin is not allowed.
   */
  requestInput(prompt: string, password: boolean): string;
  /** Shared control array (see interrupt.ts); a plain Int32Array works in-process. */
  control: Int32Array;
}

/** One execute_request, as the executor needs it. */
export interface ExecuteArgs {
  code: string;
  executionCount: number;
  silent?: boolean;
  userExpressions?: Record<string, string>;
}

/** User expression results, as in execute_reply. */
export type UserExpressionResults = Record<string, { status: 'ok'; data: Record<string, unknown>; metadata: Record<string, unknown> } | ({ status: 'error' } & ErrorContent)>;

/** The result of {@link Executor.execute}. */
export type ExecuteOutcome = ({ status: 'ok' } | ({ status: 'error' } & ErrorContent)) & { userExpressions: UserExpressionResults };

/** Options of {@link Executor}. */
export interface ExecutorOptions {
  /** Directory that relative imports and `require` resolve from (the notebook's). */
  notebookDir?: string;
  /** Whether to load `@seqlab/engine` and put its exports in scope (default true). */
  preloadEngine?: boolean;
  /** Whether to route process.stdout/stderr into stream messages (default true). */
  captureStreams?: boolean;
}

/** Runs cells; see the module comment. */
export class Executor {
  readonly interrupts: Interrupts;
  readonly comms: CommManager;
  readonly streams: StreamBuffer;
  private readonly loader: ModuleLoader;
  private readonly notebookDir: string;
  private muted = false;
  private running = false;
  private cellNames = new Set<string>();
  private silentCounter = 0;
  /** Names of the engine's exports placed in scope, after {@link init}. */
  engineGlobals: string[] = [];
  /** Engine exports not placed in scope because a built-in or kernel global has that name. */
  engineShadowed: string[] = [];
  /** Why the engine is not in scope, if it failed to load (reported once, in the first cell). */
  engineError: string | undefined;

  constructor(
    private readonly host: ExecutorHost,
    private readonly options: ExecutorOptions = {},
  ) {
    this.notebookDir = options.notebookDir ?? process.cwd();
    this.interrupts = new Interrupts(host.control);
    const publish: Publish = (type: OutputType, content, metadata, buffers) => {
      if (this.muted && type !== 'comm_open' && type !== 'comm_msg' && type !== 'comm_close') return;
      if (type !== 'stream') this.streams.flush();
      host.publish(type, content, metadata, buffers);
    };
    this.streams = new StreamBuffer(publish);
    this.comms = new CommManager(publish);
    this.publish = publish;
    this.builtins = new Map();
    this.loader = new ModuleLoader(this.notebookDir, this.builtins);
  }

  private readonly publish: Publish;
  private readonly builtins: Map<string, Record<string, unknown>>;

  /** Installs the cell globals and loads the engine. Call once before {@link execute}. */
  async init(): Promise<void> {
    const g = globalThis as unknown as Record<string, unknown>;
    installStackMapping();
    if (this.options.captureStreams !== false) this.streams.capture(process);
    this.interrupts.installTimers(globalThis);
    const { display, newDisplay, clearOutput } = createDisplay(this.publish);
    const progress = createProgress(display);
    const input = (prompt = '', options?: { password?: boolean }): string => {
      this.streams.flush();
      return this.host.requestInput(String(prompt), options?.password === true);
    };
    const prompt = (message = '', defaultValue?: string): string => {
      const v = input(message);
      return v === '' && defaultValue !== undefined ? defaultValue : v;
    };
    const tslab = Object.freeze({
      display,
      newDisplay,
      versions: Object.freeze({ tslab: KERNEL_VERSION, seqlab: KERNEL_VERSION, typescript: typescriptVersion(), node: process.version }),
    });
    this.builtins.set('tslab', tslab as unknown as Record<string, unknown>);
    const runtime = {
      check: this.interrupts.check,
      resume: this.interrupts.resume,
      import: (spec: unknown, opts?: ImportCallOptions) => this.loader.import(spec, opts),
      default: defaultExport,
      named: namedExport,
      meta: Object.freeze({ url: pathToFileURL(join(this.notebookDir, '__cell__.ts')).href, dirname: this.notebookDir, filename: join(this.notebookDir, '__cell__.ts') }),
    };
    const define = (name: string, value: unknown, writable = true): void => {
      Object.defineProperty(g, name, { value, writable, configurable: true, enumerable: false });
    };
    define('__seqlab', Object.freeze(runtime), false);
    define('__seqlab_irq', this.host.control, false);
    const helpers: Record<(typeof KERNEL_GLOBALS)[number], unknown> = {
      display,
      clearOutput,
      input,
      prompt,
      progress,
      comms: this.comms,
      require: createRequire(join(this.notebookDir, '__cell__.js')),
    };
    for (const name of KERNEL_GLOBALS) define(name, helpers[name]);

    this.comms.registerTarget('seqlab', (comm) => {
      comm.onMsg((m) => {
        const req = (m.data ?? {}) as Record<string, unknown>;
        if (req['request'] === 'info') comm.send({ kernel: KERNEL_VERSION, node: process.version, engine: this.engineGlobals });
        else comm.send({ echo: req });
      });
    });

    if (this.options.preloadEngine !== false) {
      let engine: Record<string, unknown>;
      try {
        engine = (await import('@seqlab/engine')) as Record<string, unknown>;
      } catch (e) {
        // Cells still run (plain TypeScript); the first one says why the engine is missing.
        this.engineError = `@seqlab/engine could not be loaded, its exports are not in scope: ${(e as Error).message}`;
        return;
      }
      this.builtins.set('@seqlab/engine', engine);
      const { installed, shadowed } = engineGlobalNames(Object.keys(engine));
      for (const name of installed) define(name, engine[name]);
      if (!('engine' in g)) define('engine', engine);
      this.engineGlobals = installed;
      this.engineShadowed = shadowed;
    }
  }

  /** Handles an interrupt delivered to this thread (timers are cleared, a waiting cell ends). */
  interrupted(): void {
    this.interrupts.interrupted();
  }

  private cellName(n: number, silent: boolean): string {
    let name = silent ? `<silent-${++this.silentCounter}>` : `In[${n}]`;
    for (let k = 2; this.cellNames.has(name); k++) name = `In[${n}]#${k}`;
    this.cellNames.add(name);
    return name;
  }

  /** Compiles and runs `source`; resolves with its value or rejects with what it threw. */
  private async run(source: string, name: string, executionCount: number): Promise<unknown> {
    const compiled = compileCell(source, name);
    const syntax = compiled.diagnostics[0];
    if (syntax) throw new CellSyntaxError(syntaxErrorContent(name, source, syntax.message, syntax.line, syntax.column));
    registerCell(name, source, compiled.map);
    const script = new Script(compiled.js, { filename: name });
    const ctx = this.interrupts.begin(executionCount);
    let stop = (): void => {};
    const interrupted = new Promise<never>((_, reject) => {
      stop = this.interrupts.onInterrupt(() => reject(new KeyboardInterrupt()));
    });
    try {
      const promise = this.interrupts.storage.run(ctx, () => script.runInThisContext({ displayErrors: false }) as Promise<unknown>);
      return await Promise.race([promise, interrupted]);
    } finally {
      stop();
    }
  }

  /**
   * Runs one cell: publishes its outputs (streams, displays, execute_result, error) and
   * resolves with the reply's status. Never rejects for errors of user code.
   */
  async execute(args: ExecuteArgs): Promise<ExecuteOutcome> {
    const silent = args.silent === true;
    const name = this.cellName(args.executionCount, silent);
    this.muted = silent;
    this.running = true;
    if (this.engineError && !silent) {
      this.streams.write('stderr', `seqlab: ${this.engineError}\n`);
      this.engineError = undefined;
    }
    let outcome: ExecuteOutcome;
    try {
      const value = await this.run(args.code, name, args.executionCount);
      if (value !== undefined && !silent) {
        this.publish('execute_result', { execution_count: args.executionCount, data: toBundle(value), metadata: {} });
      }
      outcome = { status: 'ok', userExpressions: {} };
    } catch (err) {
      const content = err instanceof CellSyntaxError ? err.content : errorContent(err);
      this.publish('error', { ...content });
      outcome = { status: 'error', ...content, userExpressions: {} };
    } finally {
      this.streams.flush();
      this.running = false;
    }
    try {
      outcome.userExpressions = await this.userExpressions(args.userExpressions ?? {});
    } finally {
      this.streams.flush();
      this.muted = false;
    }
    return outcome;
  }

  private async userExpressions(exprs: Record<string, string>): Promise<UserExpressionResults> {
    const out: UserExpressionResults = {};
    const wasMuted = this.muted;
    this.muted = true;
    try {
      for (const [key, expr] of Object.entries(exprs)) {
        try {
          const value = await this.run(String(expr), `<user-expression ${key}>`, 0);
          out[key] = { status: 'ok', data: toBundle(value), metadata: {} };
        } catch (err) {
          out[key] = { status: 'error', ...(err instanceof CellSyntaxError ? err.content : errorContent(err)) };
        }
      }
    } finally {
      this.muted = wasMuted;
    }
    return out;
  }

  /** is_complete for a console. */
  isComplete(code: string): IsCompleteResult {
    return isComplete(code);
  }

  /**
   * Reports an error thrown by background work (a timer, an unhandled rejection) as stderr
   * text; errors from interrupted work are dropped.
   */
  backgroundError(err: unknown, kind: 'uncaught exception' | 'unhandled rejection'): void {
    if (err instanceof KeyboardInterrupt) return;
    const content = errorContent(err);
    const where = this.running ? '' : ' (in background code, after its cell finished)';
    this.streams.write('stderr', `${kind}${where}:\n${content.traceback.join('\n')}\n`);
    this.streams.flush();
  }
}

/** A cell that does not parse; carries ready error content. */
class CellSyntaxError extends Error {
  constructor(readonly content: ErrorContent) {
    super(content.evalue);
  }
}

function typescriptVersion(): string {
  try {
    return (createRequire(import.meta.url)('typescript/package.json') as { version: string }).version;
  } catch {
    return 'unknown';
  }
}
