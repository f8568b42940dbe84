/**
 * The handlers of the dispatch table: one function per request type. They talk to the
 * execution side, the language service, history and comms through {@link KernelServices},
 * so they can be tested without ZeroMQ and without workers.
 */
import type { Content, Message } from '../wire/message.js';
import type { Handler, HandlerContext } from './dispatcher.js';
import type { ExecuteArgs, ExecuteOutcome } from '../executor/executor.js';
import type { IsCompleteResult } from '../core/is-complete.js';
import type { Completion } from '../core/complete.js';
import type { HistoryLog, HistoryQuery } from '../history/log.js';
import type { CommRegistry } from '../comm/registry.js';
import type { ExecuteHooks } from '../session/execution.js';
import { codePointsToUtf16, utf16ToCodePoints } from './positions.js';

/** How type errors found before running a cell are treated (see kernel/README.md). */
export type TypecheckMode = 'off' | 'warn' | 'error';

/** A type error in a cell, 1-based. */
export interface TypeDiagnostic {
  line: number;
  column: number;
  code: number;
  message: string;
  category: 'error' | 'warning' | 'suggestion' | 'message';
}

export type { Completion };

/** inspect_reply data. */
export interface Inspection {
  found: boolean;
  data: Record<string, string>;
}

/** The language side: completion, inspection, type checking against earlier cells. */
export interface LanguageBackend {
  complete(code: string, cursor: number): Promise<Completion>;
  inspect(code: string, cursor: number, detailLevel: number): Promise<Inspection>;
  check(code: string): Promise<TypeDiagnostic[]>;
  /** Tells the language side that a cell ran, so later cells see its declarations. */
  cellExecuted(code: string): void;
  /** Forgets the executed cells (the execution context was reset). */
  reset(): void;
  /**
   * False while the language service is not built yet (completion is then answered from the
   * live realm, {@link ExecutionBackend.complete}, and the service is warmed). Absent: always ready.
   */
  readonly ready?: boolean;
  /** Starts building the language service in the background. */
  warm?(): void;
}

/** The execution side as the handlers use it. */
export interface ExecutionBackend {
  execute(args: ExecuteArgs, hooks: ExecuteHooks): Promise<ExecuteOutcome>;
  isComplete(code: string): Promise<IsCompleteResult>;
  /** Completion from the live realm (names in scope, members of dotted chains). */
  complete?(code: string, cursor: number): Promise<Completion>;
  /** Resolves when cells can run (kernel_info waits for it, so a frontend's first cell does not). */
  whenStarted?(): Promise<void>;
  comm(action: 'open' | 'msg' | 'close', content: Record<string, unknown>, metadata: Record<string, unknown>, buffers: Buffer[]): Promise<void>;
  interrupt(): void;
}

/** Everything the handlers need. */
export interface KernelServices {
  execution: ExecutionBackend;
  language: LanguageBackend;
  history: HistoryLog;
  comms: CommRegistry;
  /** Sends input_request on stdin to the frontend that sent `request`, resolves with its value. */
  stdin(request: Message, prompt: string, password: boolean): Promise<string>;
  /** Stops the kernel process after the reply is sent. */
  shutdown(restart: boolean): void;
  kernelInfo(): Content;
  typecheck: TypecheckMode;
}

const RED = '\u001b[0;31m';
const YELLOW = '\u001b[0;33m';
const RESET = '\u001b[0m';

function formatDiagnostic(cell: string, d: TypeDiagnostic, source: string): string[] {
  const line = source.split('\n')[d.line - 1] ?? '';
  const color = d.category === 'error' ? RED : YELLOW;
  return [`${color}${cell}:${d.line}:${d.column} - ${d.category} TS${d.code}${RESET}: ${d.message}`, `    ${line}`, `    ${' '.repeat(Math.max(0, d.column - 1))}${color}^${RESET}`];
}

/** Longest wait of a kernel_info_request for the execution worker to start. */
const KERNEL_INFO_WAIT_MS = 10_000;

const PAGER = /^\s*\?\s*([\w$.[\]'"]+)\s*$|^\s*([\w$.[\]'"]+)\s*\?\s*$/;

/** Builds the dispatch table. */
export function createHandlers(services: KernelServices): Record<string, Handler> {
  let executionCount = 0;

  const execute: Handler = async (req, ctx: HandlerContext) => {
    const c = req.content;
    const code = typeof c['code'] === 'string' ? c['code'] : '';
    const silent = c['silent'] === true;
    const storeHistory = silent ? false : c['store_history'] !== false;
    const allowStdin = c['allow_stdin'] !== false;
    const stopOnError = c['stop_on_error'] !== false;
    const userExpressions = (c['user_expressions'] ?? {}) as Record<string, string>;
    if (storeHistory) executionCount++;
    const n = executionCount;
    if (!silent) ctx.io.publish('execute_input', { code, execution_count: n }, req.header);

    const pager = PAGER.exec(code);
    if (pager && !code.includes('\n')) {
      const expr = (pager[1] ?? pager[2])!;
      const info = await services.language.inspect(expr, expr.length, 1);
      if (storeHistory) services.history.add(n, code, null);
      if (!info.found) {
        if (!silent) ctx.io.publish('stream', { name: 'stdout', text: `Object \`${expr}\` not found.\n` }, req.header);
        return { status: 'ok', execution_count: n, payload: [], user_expressions: {} };
      }
      return { status: 'ok', execution_count: n, payload: [{ source: 'page', data: info.data, start: 0 }], user_expressions: {} };
    }

    const cellName = `In[${n}]`;
    if (services.typecheck !== 'off' && code.trim() !== '') {
      let diags: TypeDiagnostic[] = [];
      try {
        diags = (await services.language.check(code)).filter((d) => d.category === 'error');
      } catch (e) {
        // A failing checker must not keep a cell from running.
        ctx.io.log(`type check failed: ${(e as Error).message}`);
        if (!silent) ctx.io.publish('stream', { name: 'stderr', text: `(type check skipped: ${(e as Error).message.split('\n')[0]})\n` }, req.header);
      }
      if (diags.length > 0) {
        const lines = diags.flatMap((d) => formatDiagnostic(cellName, d, code));
        if (services.typecheck === 'error') {
          const first = diags[0]!;
          const content = { ename: 'TypeCheckError', evalue: `${first.message} (${cellName}:${first.line}:${first.column})${diags.length > 1 ? ` and ${diags.length - 1} more` : ''}`, traceback: lines };
          if (!silent) ctx.io.publish('error', content, req.header);
          if (storeHistory) services.history.add(n, code, null);
          if (stopOnError) ctx.abortQueued();
          return { status: 'error', execution_count: n, ...content, user_expressions: {} };
        }
        if (!silent) ctx.io.publish('stream', { name: 'stderr', text: `${lines.join('\n')}\n` }, req.header);
      }
    }

    const hooks: ExecuteHooks = {
      requestInput: (prompt, password) => {
        if (!allowStdin) return Promise.reject(new Error('input() is not available: this frontend does not support stdin (allow_stdin is false)'));
        return services.stdin(req, prompt, password);
      },
    };
    const outcome = await services.execution.execute({ code, executionCount: n, silent, userExpressions }, hooks);
    services.language.cellExecuted(code);
    if (storeHistory) services.history.add(n, code, null);
    if (outcome.status === 'error') {
      if (stopOnError) ctx.abortQueued();
      return { status: 'error', execution_count: n, ename: outcome.ename, evalue: outcome.evalue, traceback: outcome.traceback, user_expressions: outcome.userExpressions };
    }
    return { status: 'ok', execution_count: n, payload: [], user_expressions: outcome.userExpressions };
  };

  const complete: Handler = async (req) => {
    const code = String(req.content['code'] ?? '');
    const cp = typeof req.content['cursor_pos'] === 'number' ? (req.content['cursor_pos'] as number) : [...code].length;
    const cursor = codePointsToUtf16(code, cp);
    // The first completion must not wait for the type checker to be built (seconds): the live
    // realm answers until the language service is ready.
    let r: Completion;
    if (services.language.ready === false && services.execution.complete) {
      services.language.warm?.();
      r = await services.execution.complete(code, cursor);
    } else r = await services.language.complete(code, cursor);
    const start = utf16ToCodePoints(code, r.cursorStart);
    const end = utf16ToCodePoints(code, r.cursorEnd);
    return {
      status: 'ok',
      matches: r.matches,
      cursor_start: start,
      cursor_end: end,
      metadata: { _jupyter_types_experimental: r.types.map((t) => ({ start, end, text: t.text, type: t.type, ...(t.signature ? { signature: t.signature } : {}) })) },
    };
  };

  const inspect: Handler = async (req) => {
    const code = String(req.content['code'] ?? '');
    const cp = typeof req.content['cursor_pos'] === 'number' ? (req.content['cursor_pos'] as number) : [...code].length;
    const detail = req.content['detail_level'] === 1 ? 1 : 0;
    const r = await services.language.inspect(code, codePointsToUtf16(code, cp), detail);
    return { status: 'ok', found: r.found, data: r.found ? r.data : {}, metadata: {} };
  };

  const isComplete: Handler = async (req) => {
    const code = String(req.content['code'] ?? '');
    if (PAGER.test(code) && !code.includes('\n')) return { status: 'complete' };
    const r = await services.execution.isComplete(code);
    return r.status === 'incomplete' ? { status: r.status, indent: r.indent ?? '' } : { status: r.status };
  };

  const history: Handler = (req) => {
    const q = req.content as unknown as HistoryQuery;
    if (q.hist_access_type !== 'tail' && q.hist_access_type !== 'range' && q.hist_access_type !== 'search') {
      throw new Error(`history_request: hist_access_type must be tail, range or search, got ${JSON.stringify(q.hist_access_type)}`);
    }
    return { status: 'ok', history: services.history.query(q) };
  };

  const commInfo: Handler = (req) => {
    const target = typeof req.content['target_name'] === 'string' ? (req.content['target_name'] as string) : undefined;
    return { status: 'ok', comms: services.comms.info(target) };
  };

  const comm =
    (action: 'open' | 'msg' | 'close'): Handler =>
    async (req) => {
      const id = String(req.content['comm_id'] ?? '');
      if (action === 'open') services.comms.opened(id, String(req.content['target_name'] ?? ''));
      if (action === 'close') services.comms.closed(id);
      await services.execution.comm(action, req.content, req.metadata, req.buffers);
      return undefined;
    };

  const shutdown: Handler = (req) => {
    const restart = req.content['restart'] === true;
    services.shutdown(restart);
    return { status: 'ok', restart };
  };

  const interrupt: Handler = () => {
    services.execution.interrupt();
    return { status: 'ok' };
  };

  return {
    kernel_info_request: async () => {
      // A frontend sends its first cell right after the first kernel_info_reply: reply once the
      // execution worker can run it (bounded, so a worker that cannot start still gets a reply).
      if (services.execution.whenStarted) await Promise.race([services.execution.whenStarted(), new Promise((r) => setTimeout(r, KERNEL_INFO_WAIT_MS))]);
      return services.kernelInfo();
    },
    execute_request: execute,
    complete_request: complete,
    inspect_request: inspect,
    is_complete_request: isComplete,
    history_request: history,
    comm_info_request: commInfo,
    comm_open: comm('open'),
    comm_msg: comm('msg'),
    comm_close: comm('close'),
    shutdown_request: shutdown,
    interrupt_request: interrupt,
  };
}
