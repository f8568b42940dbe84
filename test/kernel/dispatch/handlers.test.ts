/** The handlers with fake execution and language backends (no ZeroMQ, no workers). */
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { createHandlers, type KernelServices } from '../../../kernel/dist/dispatch/handlers.js';
import { Dispatcher } from '../../../kernel/dist/dispatch/dispatcher.js';
import { HistoryStore } from '../../../kernel/dist/history/history.js';
import { CommRegistry } from '../../../kernel/dist/comm/registry.js';
import { createMessage } from '../../../kernel/dist/wire/message.js';
import { tempDir } from '../helpers.js';

function setup(overrides: Partial<KernelServices> = {}) {
  const published: [string, Record<string, unknown>][] = [];
  const replies: Record<string, unknown>[] = [];
  const ran: string[] = [];
  const services: KernelServices = {
    execution: {
      execute: async (args) => {
        ran.push(args.code);
        return args.code.includes('throw') ? { status: 'error', ename: 'Error', evalue: 'x', traceback: [], userExpressions: {} } : { status: 'ok', userExpressions: {} };
      },
      isComplete: async () => ({ status: 'complete' }),
      comm: async () => {},
      interrupt: () => {},
    },
    language: {
      complete: async () => ({ matches: [], cursorStart: 0, cursorEnd: 0, types: [] }),
      inspect: async (code) => (code === 'known' ? { found: true, data: { 'text/plain': 'known: number' } } : { found: false, data: {} }),
      check: async (code) => (code.includes('bad') ? [{ line: 1, column: 7, code: 2322, message: "Type 'number' is not assignable to type 'string'.", category: 'error' as const }] : []),
      cellExecuted: () => {},
      reset: () => {},
    },
    history: new HistoryStore(join(tempDir(), 'h.jsonl')),
    comms: new CommRegistry(),
    stdin: async () => '',
    shutdown: () => {},
    kernelInfo: () => ({ status: 'ok' }),
    typecheck: 'off',
    ...overrides,
  };
  const d = new Dispatcher(createHandlers(services), {
    reply: (_c, _r, _t, content) => replies.push(content),
    publish: (t, c) => published.push([t, c]),
    log: () => {},
  });
  const exec = async (code: string, extra: Record<string, unknown> = {}) => {
    await d.handle(createMessage({ msgType: 'execute_request', content: { code, ...extra } }, 's'), 'shell');
    return replies.at(-1)!;
  };
  return { exec, published, replies, ran, services };
}

describe('execute handler', () => {
  it('counts executions, skips the count for silent and store_history false', async () => {
    const { exec, published } = setup();
    expect((await exec('a'))['execution_count']).toBe(1);
    expect((await exec('b', { silent: true }))['execution_count']).toBe(1);
    expect((await exec('c', { store_history: false }))['execution_count']).toBe(1);
    expect((await exec('d'))['execution_count']).toBe(2);
    expect(published.filter(([t]) => t === 'execute_input').map(([, c]) => c['code'])).toEqual(['a', 'c', 'd']);
  });

  it('typecheck "error" blocks a cell with a type error at cell line and column', async () => {
    const { exec, ran, published } = setup({ typecheck: 'error' });
    const r = await exec('const bad: string = 1');
    expect(r).toMatchObject({ status: 'error', ename: 'TypeCheckError', evalue: "Type 'number' is not assignable to type 'string'. (In[1]:1:7)" });
    expect(ran).toEqual([]);
    expect(published.some(([t]) => t === 'error')).toBe(true);
  });

  it('typecheck "warn" prints type errors on stderr and runs the cell', async () => {
    const { exec, ran, published } = setup({ typecheck: 'warn' });
    const r = await exec('const bad: string = 1');
    expect(r['status']).toBe('ok');
    expect(ran).toEqual(['const bad: string = 1']);
    const stderr = published.find(([t, c]) => t === 'stream' && c['name'] === 'stderr')!;
    expect(String(stderr[1]['text'])).toContain('In[1]:1:7 - error TS2322');
  });

  it('typecheck "off" never asks the language service', async () => {
    let asked = 0;
    const { services } = setup();
    const language = { ...services.language, check: async () => ((asked += 1), []) };
    await setup({ typecheck: 'off', language }).exec('const bad: string = 1');
    expect(asked).toBe(0);
    await setup({ typecheck: 'warn', language }).exec('const bad: string = 1');
    expect(asked).toBe(1);
  });

  it('pages ?name and reports unknown names on stdout', async () => {
    const { exec, published } = setup();
    const r = await exec('?known');
    expect(r['payload']).toEqual([{ source: 'page', data: { 'text/plain': 'known: number' }, start: 0 }]);
    const u = await exec('unknown?');
    expect(u['payload']).toEqual([]);
    expect(published.find(([t]) => t === 'stream')![1]['text']).toBe('Object `unknown` not found.\n');
  });

  it('records history and answers history requests', async () => {
    const { exec, services } = setup();
    await exec('first');
    await exec('second');
    expect(services.history.query({ hist_access_type: 'tail', n: 5 }).map((r) => r[2])).toEqual(['first', 'second']);
  });
});
