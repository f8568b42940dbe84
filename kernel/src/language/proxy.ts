/**
 * The session's handle on the language worker, started on first use (a completion, an
 * inspection, or a type check), so a kernel that is never asked pays nothing for it.
 */
import { Worker } from 'node:worker_threads';
import type { Completion, Inspection, LanguageBackend, TypeDiagnostic } from '../dispatch/handlers.js';
import type { LanguageRequest, LanguageResponse } from './protocol.js';

/** A cell that may declare a name (a keyword that starts a declaration or an import). */
const DECLARES = /\b(?:const|let|var|function|class|interface|type|enum|namespace|module|import|declare)\b/;

type WithoutId<T> = T extends unknown ? Omit<T, 'id'> : never;

/** See the module comment. */
export class LanguageProxy implements LanguageBackend {
  private worker: Worker | undefined;
  /** Cells that may declare something, in run order (a cell run again moves to the end). */
  private readonly cells = new Set<string>();
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private built = false;

  constructor(
    private readonly notebookDir: string,
    private readonly log: (text: string) => void,
    private readonly engine = true,
  ) {}

  /** Whether the language service has answered a request (its program is built). */
  get ready(): boolean {
    return this.built;
  }

  /** Starts the worker now (e.g. when type checking is on, right after startup). */
  start(): void {
    if (this.worker) return;
    const w = new Worker(new URL('./worker.js', import.meta.url), { workerData: { notebookDir: this.notebookDir, engine: this.engine } });
    this.worker = w;
    w.on('message', (m: LanguageResponse) => {
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      this.built = true;
      if (m.error !== undefined) p.reject(new Error(`language service: ${m.error}`));
      else p.resolve(m.result);
    });
    w.on('error', (e) => this.log(`language worker error: ${e.stack ?? e.message}`));
    w.on('exit', (code) => {
      if (this.worker !== w) return;
      this.worker = undefined;
      this.built = false;
      for (const p of this.pending.values()) p.reject(new Error(`language worker exited with code ${code}`));
      this.pending.clear();
    });
    for (const code of this.cells) w.postMessage({ op: 'cell', code } satisfies LanguageRequest);
  }

  /**
   * Starts the worker and builds the program in the background (the first build parses the
   * standard library, Node's and the engine's declarations: seconds), so that the first
   * completion after it is fast.
   */
  warm(): void {
    if (this.worker || this.warming) return;
    this.warming = true;
    this.start();
    this.complete('', 0)
      .catch(() => undefined)
      .finally(() => (this.warming = false));
  }
  private warming = false;

  private request<T>(m: WithoutId<Extract<LanguageRequest, { id: number }>>): Promise<T> {
    this.start();
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.worker!.postMessage({ ...m, id });
    });
  }

  complete(code: string, cursor: number): Promise<Completion> {
    return this.request({ op: 'complete', code, cursor });
  }

  inspect(code: string, cursor: number, detailLevel: number): Promise<Inspection> {
    return this.request({ op: 'inspect', code, cursor, detailLevel });
  }

  check(code: string): Promise<TypeDiagnostic[]> {
    return this.request({ op: 'check', code });
  }

  cellExecuted(code: string): void {
    // Kept to replay into a restarted language worker; cells that declare nothing (`i += 1`)
    // do not change what it sees, so they are not kept.
    if (DECLARES.test(code)) {
      this.cells.delete(code);
      this.cells.add(code);
    }
    this.worker?.postMessage({ op: 'cell', code } satisfies LanguageRequest);
  }

  reset(): void {
    this.cells.clear();
    this.worker?.postMessage({ op: 'reset' } satisfies LanguageRequest);
  }

  async stop(): Promise<void> {
    const w = this.worker;
    this.worker = undefined;
    if (w) await w.terminate();
  }
}
