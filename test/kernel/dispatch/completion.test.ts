/**
 * complete_request before the language service is built is answered from the live realm (and
 * the service is warmed), after it by the service; kernel_info waits for the execution side to
 * be ready to run a cell.
 */
import { describe, expect, it } from 'vitest';
import { createHandlers, type KernelServices } from '../../../kernel/dist/dispatch/handlers.js';
import { Dispatcher } from '../../../kernel/dist/dispatch/dispatcher.js';
import { CommRegistry } from '../../../kernel/dist/comm/registry.js';
import { createMessage } from '../../../kernel/dist/wire/message.js';

function setup(language: { ready: boolean }, ready: Promise<unknown> = Promise.resolve()) {
  const calls: string[] = [];
  const services = {
    execution: {
      execute: async () => ({ status: 'ok', userExpressions: {} }),
      isComplete: async () => ({ status: 'complete' }),
      complete: async () => (calls.push('realm'), { matches: ['floor'], cursorStart: 5, cursorEnd: 7, types: [{ text: 'floor', type: 'function' }] }),
      whenReady: () => ready,
      comm: async () => {},
      interrupt: () => {},
    },
    language: {
      get ready() {
        return language.ready;
      },
      warm: () => calls.push('warm'),
      complete: async () => (calls.push('service'), { matches: ['floor'], cursorStart: 5, cursorEnd: 7, types: [{ text: 'floor', type: 'method' }] }),
      inspect: async () => ({ found: false, data: {} }),
      check: async () => [],
      cellExecuted: () => {},
      reset: () => {},
    },
    history: { add: () => {}, query: () => [] },
    comms: new CommRegistry(),
    stdin: async () => '',
    shutdown: () => {},
    kernelInfo: () => ({ status: 'ok', implementation: 'test' }),
    typecheck: 'off',
  } as unknown as KernelServices;
  const replies: Record<string, unknown>[] = [];
  const d = new Dispatcher(createHandlers(services), { reply: (_c, _r, _t, content) => replies.push(content), publish: () => {}, log: () => {} });
  const request = async (msgType: string, content: Record<string, unknown>) => {
    await d.handle(createMessage({ msgType, content }, 's'), 'shell');
    return replies.at(-1)!;
  };
  return { calls, request };
}

describe('complete before and after the language service is built', () => {
  it('answers from the realm and warms the service while it is not built', async () => {
    const { calls, request } = setup({ ready: false });
    const r = await request('complete_request', { code: 'Math.fl', cursor_pos: 7 });
    expect(r).toMatchObject({ status: 'ok', matches: ['floor'], cursor_start: 5, cursor_end: 7 });
    expect(calls).toEqual(['warm', 'realm']);
  });

  it('uses the language service once it is built', async () => {
    const { calls, request } = setup({ ready: true });
    await request('complete_request', { code: 'Math.fl', cursor_pos: 7 });
    expect(calls).toEqual(['service']);
  });
});

describe('kernel_info', () => {
  it('replies once the execution side is ready to run a cell', async () => {
    let open!: () => void;
    const { request } = setup({ ready: true }, new Promise<void>((r) => (open = r)));
    let replied = false;
    const reply = request('kernel_info_request', {}).then((r) => ((replied = true), r));
    await new Promise((r) => setTimeout(r, 50));
    expect(replied).toBe(false);
    open();
    expect(await reply).toMatchObject({ status: 'ok', implementation: 'test' });
  });

  it('replies also when the execution side failed to start', async () => {
    const { request } = setup({ ready: true }, Promise.reject(new Error('no worker')));
    expect(await request('kernel_info_request', {})).toMatchObject({ status: 'ok' });
  });
});
