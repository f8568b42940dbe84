/**
 * The cell runtime: what both kernels do with a cell, in the realm the cells share. It
 * compiles a cell (compile.ts: plain JavaScript without TypeScript, TypeScript with it), runs
 * it through its host, keeps state between cells, and reports through a `publish` callback:
 * streams, displays, the execution result, errors at cell line and column. It installs the
 * cell globals (`display`, `clearOutput`, `input`, `prompt`, `progress`, `comms`, the engine's
 * exports, ...) on `globalThis`, so there is one runtime per realm.
 *
 * A host supplies what differs between Node and a browser's Web Worker: how a script is
 * evaluated, how async contexts are tracked, how TypeScript and the engine are loaded, how
 * modules are imported, stdin. Host-neutral: no Node built-ins.
 */
import type * as TS from 'typescript';
import { compileCell, type CompiledCell } from './compile.js';
import { Interrupts, KeyboardInterrupt, type ContextTracker } from './interrupt.js';
import { configureStacks, errorContent, installStackMapping, registerCell, syntaxErrorContent, uniqueCellName, type ErrorContent } from './stack.js';
import { StreamBuffer } from './streams.js';
import { isComplete, isCompleteTypeScript, type IsCompleteResult } from './is-complete.js';
import { completeInRealm, type Completion } from './complete.js';
import { KERNEL_GLOBALS, engineGlobalNames } from './globals.js';
import { createDisplay } from '../display/display.js';
import { createProgress, type LinePlotter } from '../display/progress.js';
import { toBundle } from '../display/bundle.js';
import type { OutputType, Publish } from '../display/publisher.js';
import { CommManager } from '../comm/comms.js';

/** What a runtime needs from its host (Node's execution worker, a browser's Web Worker). */
export interface RuntimeHost {
  /** Sends an IOPub message; the session side adds header and parent. */
  publish: Publish;
  /** The shared control array (interrupt.ts); a plain Int32Array works in-process. */
  control: Int32Array;
  /**
   * Asks the frontend for a line of input and blocks until it answers.
   * @throws KeyboardInterrupt when interrupted while waiting; Error when stdin is not available.
   */
  requestInput(prompt: string, password: boolean): string;
  /**
   * Evaluates a compiled cell as a classic (sloppy-mode) script named `name` in this realm
   * and returns its completion value (the promise of the cell). `lineBase` blank lines go
   * before it where frames are identified by line (see stack.ts).
   */
  evaluate(js: string, name: string, lineBase: number): unknown;
  /** Async context tracking for interrupts (default: the synchronous part only). */
  contexts?: ContextTracker;
  /** Loads TypeScript (called once, on the first cell that needs it or when idle). */
  typescript(): typeof TS | Promise<typeof TS>;
  /** Imports what a cell names that is not built in (`tslab`, `@seqlab/engine`). */
  importModule(specifier: string, options?: ImportCallOptions): Promise<Record<string, unknown>>;
  /** `import.meta` of cells. */
  importMeta: Record<string, unknown>;
  /** Loads `@seqlab/engine` (omitted: cells run without it). */
  loadEngine?(): Promise<Record<string, unknown>>;
  /** Whether a stack frame's file is the kernel's own (hidden in tracebacks). */
  isKernelFrame(file: string): boolean;
  /** Versions shown by `tslab.versions` and the `seqlab` comm (`seqlab`, `node`, ...). */
  versions: Record<string, string>;
  /** More cell globals of this host (Node: `require`). */
  globals?: Record<string, unknown>;
  /** Give each cell its own range of line numbers (browsers that name eval'd code by its caller). */
  lineRanges?: boolean;
}

/** One execute_request, as the runtime needs it. */
export interface ExecuteArgs {
  code: string;
  executionCount: number;
  silent?: boolean;
  userExpressions?: Record<string, string>;
}

/** User expression results, as in execute_reply. */
export type UserExpressionResults = Record<string, { status: 'ok'; data: Record<string, unknown>; metadata: Record<string, unknown> } | ({ status: 'error' } & ErrorContent)>;

/** The result of {@link CellRuntime.execute}. */
export type ExecuteOutcome = ({ status: 'ok' } | ({ status: 'error' } & ErrorContent)) & { userExpressions: UserExpressionResults };

type RunResult = { syntax: ErrorContent } | { value: unknown };

/** Line numbers given to cells in hosts with {@link RuntimeHost.lineRanges} wrap here. */
const LINE_RANGE_WRAP = 100_000;

/** See the module comment. */
export class CellRuntime {
  readonly interrupts: Interrupts;
  readonly comms: CommManager;
  readonly streams: StreamBuffer;
  /** Names of the engine's exports placed in scope, once it is loaded. */
  engineGlobals: string[] = [];
  /** Engine exports not placed in scope because a built-in or kernel global has that name. */
  engineShadowed: string[] = [];
  /** Why the engine is not in scope, if it failed to load (reported once, in the next cell). */
  engineError: string | undefined;
  protected readonly publish: Publish;
  protected readonly builtins = new Map<string, Record<string, unknown>>();
  private muted = false;
  private running = false;
  private silentCounter = 0;
  private ts: typeof TS | undefined;
  private tsLoading: Promise<typeof TS> | undefined;
  private engineLoaded = false;
  private engineReady: Promise<void> = Promise.resolve();
  private nextLine = 0;

  constructor(protected readonly host: RuntimeHost) {
    this.interrupts = new Interrupts(host.control, host.contexts);
    const publish: Publish = (type: OutputType, content, metadata, buffers) => {
      if (this.muted && type !== 'comm_open' && type !== 'comm_msg' && type !== 'comm_close') return;
      if (type !== 'stream') this.streams.flush();
      host.publish(type, content, metadata, buffers);
    };
    this.streams = new StreamBuffer(publish);
    this.comms = new CommManager(publish);
    this.publish = publish;
  }

  /**
   * Installs the cell globals (synchronous: cells can run right after) and starts loading
   * the engine; {@link whenEngineLoaded} resolves when its exports are in scope.
   */
  install(): void {
    const g = globalThis as unknown as Record<string, unknown>;
    configureStacks({ isKernelFrame: (f) => this.host.isKernelFrame(f) });
    installStackMapping();
    this.interrupts.installTimers(globalThis);
    const { display, newDisplay, clearOutput } = createDisplay(this.publish);
    const progress = createProgress(display, undefined, () => this.builtins.get('@seqlab/engine')?.['linePlot'] as LinePlotter | undefined);
    const input = (prompt = '', options?: { password?: boolean }): string => {
      this.streams.flush();
      return this.host.requestInput(String(prompt), options?.password === true);
    };
    const prompt = (message = '', defaultValue?: string): string => {
      const v = input(message);
      return v === '' && defaultValue !== undefined ? defaultValue : v;
    };
    const versions = Object.freeze({ tslab: this.host.versions['seqlab'] ?? 'unknown', typescript: 'not loaded', ...this.host.versions });
    this.builtins.set('tslab', Object.freeze({ display, newDisplay, versions }) as unknown as Record<string, unknown>);
    const runtime = {
      check: this.interrupts.check,
      resume: this.interrupts.resume,
      import: (spec: unknown, opts?: ImportCallOptions) => this.importModule(spec, opts),
      default: defaultExport,
      named: namedExport,
      meta: Object.freeze({ ...this.host.importMeta }),
    };
    const define = (name: string, value: unknown, writable = true): void => {
      Object.defineProperty(g, name, { value, writable, configurable: true, enumerable: false });
    };
    define('__seqlab', Object.freeze(runtime), false);
    define('__seqlab_irq', this.host.control, false);
    const helpers: Record<string, unknown> = { display, clearOutput, input, prompt, progress, comms: this.comms, ...this.host.globals };
    for (const name of KERNEL_GLOBALS) if (name in helpers) define(name, helpers[name]);

    this.comms.registerTarget('seqlab', (comm) => {
      comm.onMsg((m) => {
        const req = (m.data ?? {}) as Record<string, unknown>;
        if (req['request'] === 'info') comm.send({ kernel: this.host.versions['seqlab'], ...this.host.versions, engine: this.engineGlobals });
        else comm.send({ echo: req });
      });
    });
    this.engineReady = this.loadEngine();
  }

  /** {@link install}, then waits for the engine. */
  async init(): Promise<void> {
    this.install();
    await this.engineReady;
  }

  /** Resolves once the engine's exports are in scope (or it failed to load). */
  whenEngineLoaded(): Promise<void> {
    return this.engineReady;
  }

  private async loadEngine(): Promise<void> {
    if (!this.host.loadEngine) {
      this.engineLoaded = true;
      return;
    }
    let engine: Record<string, unknown>;
    try {
      engine = await this.host.loadEngine();
    } catch (e) {
      // Cells still run (plain TypeScript); the next one says why the engine is missing.
      this.engineError = `@seqlab/engine could not be loaded, its exports are not in scope: ${(e as Error).message}`;
      this.engineLoaded = true;
      return;
    }
    const g = globalThis as unknown as Record<string, unknown>;
    this.builtins.set('@seqlab/engine', engine);
    const { installed, shadowed } = engineGlobalNames(Object.keys(engine));
    for (const name of installed) Object.defineProperty(g, name, { value: engine[name], writable: true, configurable: true, enumerable: false });
    if (!('engine' in g)) Object.defineProperty(g, 'engine', { value: engine, writable: true, configurable: true, enumerable: false });
    this.engineGlobals = installed;
    this.engineShadowed = shadowed;
    this.engineLoaded = true;
  }

  private async importModule(spec: unknown, options?: ImportCallOptions): Promise<Record<string, unknown>> {
    if (typeof spec !== 'string') throw new TypeError(`import(): the module specifier must be a string, got ${typeof spec}`);
    if (spec === '@seqlab/engine') await this.engineReady;
    const builtin = this.builtins.get(spec);
    if (builtin) return builtin;
    return this.host.importModule(spec, options);
  }

  /** TypeScript, loaded once (a failed load is tried again next time). */
  typescript(): Promise<typeof TS> {
    if (!this.tsLoading) {
      this.tsLoading = Promise.resolve()
        .then(() => this.host.typescript())
        .then((ts) => {
          this.ts = ts;
          return ts;
        });
      this.tsLoading.catch(() => {
        this.tsLoading = undefined;
      });
    }
    return this.tsLoading;
  }

  /** Whether TypeScript is loaded. */
  get typescriptLoaded(): boolean {
    return this.ts !== undefined;
  }

  /** Handles an interrupt delivered to this thread (timers are cleared, a waiting cell ends). */
  interrupted(): void {
    this.interrupts.interrupted();
  }

  private cellName(n: number, silent: boolean): string {
    return uniqueCellName(silent ? `<silent-${++this.silentCounter}>` : `In[${n}]`);
  }

  private async compile(source: string, name: string): Promise<CompiledCell> {
    const fast = compileCell(source, name, this.ts);
    if (fast) return fast;
    let ts: typeof TS;
    try {
      ts = await this.typescript();
    } catch (e) {
      throw new Error(`this cell needs TypeScript, which could not be loaded: ${(e as Error).message}`);
    }
    return compileCell(source, name, ts)!;
  }

  /** Whether a cell names something this realm lacks (it may be an engine export still loading). */
  private needsEngine(identifiers: Set<string>): boolean {
    if (this.engineLoaded) return false;
    for (const id of identifiers) if (!(id in globalThis)) return true;
    return false;
  }

  /** Compiles and runs `source`: its value, or its syntax error; rejects with what it threw. */
  private async run(source: string, name: string, executionCount: number): Promise<RunResult> {
    const compiled = await this.compile(source, name);
    const syntax = compiled.diagnostics[0];
    if (syntax) return { syntax: syntaxErrorContent(name, source, syntax.message, syntax.line, syntax.column) };
    if (this.needsEngine(compiled.identifiers)) await this.engineReady;
    let lineBase = 0;
    let lineCount = 0;
    if (this.host.lineRanges) {
      lineCount = compiled.js.split('\n').length;
      if (this.nextLine + lineCount > LINE_RANGE_WRAP) this.nextLine = 0;
      lineBase = this.nextLine;
      this.nextLine += lineCount;
    }
    registerCell(name, source, compiled.maps, { keep: compiled.definesFunctions, lineBase, lineCount });
    const ctx = this.interrupts.begin(executionCount);
    let stop = (): void => {};
    const interrupted = new Promise<never>((_, reject) => {
      stop = this.interrupts.onInterrupt(() => reject(new KeyboardInterrupt()));
    });
    try {
      const promise = this.interrupts.contexts.run(ctx, () => this.host.evaluate(compiled.js, name, lineBase));
      return { value: await Promise.race([promise, interrupted]) };
    } finally {
      stop();
    }
  }

  /**
   * Runs one cell: publishes its outputs (streams, displays, execute_result, error) and
   * resolves with the reply's status. Never rejects, whatever the cell throws.
   */
  async execute(args: ExecuteArgs): Promise<ExecuteOutcome> {
    const silent = args.silent === true;
    this.muted = silent;
    this.running = true;
    let outcome: ExecuteOutcome;
    try {
      const name = this.cellName(args.executionCount, silent);
      if (this.engineError && !silent) {
        this.streams.write('stderr', `seqlab: ${this.engineError}\n`);
        this.engineError = undefined;
      }
      const r = await this.run(args.code, name, args.executionCount);
      if ('syntax' in r) {
        this.publish('error', { ...r.syntax });
        outcome = { status: 'error', ...r.syntax, userExpressions: {} };
      } else {
        if (r.value !== undefined && !silent) this.publish('execute_result', { execution_count: args.executionCount, data: toBundle(r.value), metadata: {} });
        outcome = { status: 'ok', userExpressions: {} };
      }
    } catch (err) {
      const content = errorContent(err);
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
          const r = await this.run(String(expr), uniqueCellName(`<user-expression ${key}>`), 0);
          out[key] = 'syntax' in r ? { status: 'error', ...r.syntax } : { status: 'ok', data: toBundle(r.value), metadata: {} };
        } catch (err) {
          out[key] = { status: 'error', ...errorContent(err) };
        }
      }
    } finally {
      this.muted = wasMuted;
    }
    return out;
  }

  /** is_complete for a console (TypeScript is loaded only for code JavaScript cannot decide). */
  async isComplete(code: string): Promise<IsCompleteResult> {
    return isComplete(code, this.ts) ?? isCompleteTypeScript(await this.typescript(), code);
  }

  /** Completion from the live realm (names in scope, members of dotted chains). */
  async complete(code: string, cursor: number): Promise<Completion> {
    await this.engineReady;
    return completeInRealm(code, cursor, globalThis);
  }

  /**
   * Reports an error thrown by background work (a timer, an unhandled rejection) as stderr
   * text; errors from interrupted work are dropped. Never throws.
   */
  backgroundError(err: unknown, kind: 'uncaught exception' | 'unhandled rejection'): void {
    try {
      if (isKeyboardInterrupt(err)) return;
      const content = errorContent(err);
      const where = this.running ? '' : ' (in background code, after its cell finished)';
      this.streams.write('stderr', `${kind}${where}:\n${content.traceback.join('\n')}\n`);
      this.streams.flush();
    } catch {
      // Reporting must not become a second uncaught exception.
    }
  }
}

function isKeyboardInterrupt(err: unknown): boolean {
  try {
    return err instanceof KeyboardInterrupt;
  } catch {
    return false;
  }
}

/**
 * The default export as TypeScript's `esModuleInterop` sees it: a CommonJS module compiled
 * from ES modules (`__esModule`) has its `default` one level down.
 */
export function defaultExport(ns: Record<string, unknown>): unknown {
  const d = ns['default'];
  if (d && typeof d === 'object' && (d as Record<string, unknown>)['__esModule'] && 'default' in (d as object)) {
    return (d as Record<string, unknown>)['default'];
  }
  return 'default' in ns ? d : ns;
}

/** A named export; for CommonJS modules whose names Node could not detect, from `default`. */
export function namedExport(ns: Record<string, unknown>, name: string): unknown {
  if (name in ns) return ns[name];
  const d = ns['default'];
  if (d && (typeof d === 'object' || typeof d === 'function')) return (d as Record<string, unknown>)[name];
  return undefined;
}
