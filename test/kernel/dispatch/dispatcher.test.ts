/** Dispatch without ZeroMQ: busy/idle around every request, per-message errors, ordering, aborts. */
import { describe, expect, it } from 'vitest';
import { Dispatcher, replyType, type KernelIO } from '../../../kernel/dist/dispatch/dispatcher.js';
import { createMessage } from '../../../kernel/dist/wire/message.js';

function recorder() {
  const events: string[] = [];
  const replies: { type: string; content: Record<string, unknown>; parent: string }[] = [];
  const io: KernelIO = {
    reply: (_channel, req, msgType, content) => {
      events.push(`reply:${msgType}:${String(content['status'])}`);
      replies.push({ type: msgType, content, parent: req.header.msg_id });
    },
    publish: (msgType, content) => events.push(msgType === 'status' ? `status:${String(content['execution_state'])}` : msgType),
    log: (t) => events.push(`log:${t.split('\n')[0]}`),
  };
  return { io, events, replies };
}

const req = (msgType: string, content: Record<string, unknown> = {}) => createMessage({ msgType, content }, 's');

describe('Dispatcher', () => {
  it('wraps a request in busy/idle and replies with the handler content', async () => {
    const { io, events } = recorder();
    const d = new Dispatcher({ kernel_info_request: () => ({ status: 'ok' }) }, io);
    await d.handle(req('kernel_info_request'), 'shell');
    expect(events).toEqual(['status:busy', 'reply:kernel_info_reply:ok', 'status:idle']);
  });

  it('a throwing handler gives an error reply and still idle; the next message runs', async () => {
    const { io, events, replies } = recorder();
    const d = new Dispatcher({ complete_request: () => { throw new TypeError('broken'); }, kernel_info_request: () => ({ status: 'ok' }) }, io);
    d.shell(req('complete_request'));
    d.shell(req('kernel_info_request'));
    await d.whenIdle();
    expect(events.filter((e) => !e.startsWith('log:'))).toEqual(['status:busy', 'reply:complete_reply:error', 'status:idle', 'status:busy', 'reply:kernel_info_reply:ok', 'status:idle']);
    expect(replies[0]!.content).toMatchObject({ ename: 'TypeError', evalue: 'broken' });
  });

  it('handles shell messages one at a time, control messages at once', async () => {
    const { io, events } = recorder();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const d = new Dispatcher({ execute_request: async () => { events.push('exec-start'); await gate; events.push('exec-end'); return { status: 'ok' }; }, interrupt_request: () => ({ status: 'ok' }), kernel_info_request: () => ({ status: 'ok' }) }, io);
    d.shell(req('execute_request'));
    d.shell(req('kernel_info_request'));
    await new Promise((r) => setTimeout(r, 10));
    await d.control(req('interrupt_request'));
    expect(events).toContain('reply:interrupt_reply:ok');
    expect(events).not.toContain('reply:kernel_info_reply:ok');
    release();
    await d.whenIdle();
    expect(events.indexOf('exec-end')).toBeLessThan(events.indexOf('reply:kernel_info_reply:ok'));
  });

  it('abortQueued answers queued execute requests with aborted after the failing reply, and keeps others', async () => {
    const { io, replies } = recorder();
    const d = new Dispatcher({
      execute_request: async (m, ctx) => {
        await new Promise((r) => setTimeout(r, 10));
        if (m.content['code'] === 'fail') {
          ctx.abortQueued();
          return { status: 'error', ename: 'E', evalue: '', traceback: [] };
        }
        return { status: 'ok' };
      },
      kernel_info_request: () => ({ status: 'ok' }),
    }, io);
    d.shell(req('execute_request', { code: 'fail' }));
    d.shell(req('execute_request', { code: 'a' }));
    d.shell(req('kernel_info_request'));
    d.shell(req('execute_request', { code: 'b' }));
    await d.whenIdle();
    expect(replies.map((r) => `${r.type}:${String(r.content['status'])}`)).toEqual(['execute_reply:error', 'execute_reply:aborted', 'execute_reply:aborted', 'kernel_info_reply:ok']);
  });

  it('logs and ignores unknown message types, with busy/idle', async () => {
    const { io, events } = recorder();
    await new Dispatcher({}, io).handle(req('bogus_request'), 'shell');
    expect(events).toEqual(['status:busy', 'log:no handler for shell message "bogus_request"; ignored', 'status:idle']);
  });

  it('treats msg_types named like Object.prototype members as unknown', async () => {
    const { io, events } = recorder();
    const d = new Dispatcher({ kernel_info_request: () => ({ status: 'ok' }) }, io);
    for (const name of ['constructor', '__proto__', 'toString', 'hasOwnProperty']) {
      events.length = 0;
      await d.handle(req(name), 'shell');
      expect(events).toEqual(['status:busy', `log:no handler for shell message "${name}"; ignored`, 'status:idle']);
    }
  });

  it('serves only kernel_info, shutdown and interrupt on control; the rest is unknown there', async () => {
    const { io, events } = recorder();
    const ran: string[] = [];
    const handler = (type: string) => () => (ran.push(type), { status: 'ok' });
    const types = ['execute_request', 'complete_request', 'kernel_info_request', 'shutdown_request', 'interrupt_request'];
    const d = new Dispatcher(Object.fromEntries(types.map((t) => [t, handler(t)])), io);
    for (const t of types) await d.handle(req(t), 'control');
    expect(ran).toEqual(['kernel_info_request', 'shutdown_request', 'interrupt_request']);
    expect(events.filter((e) => e.startsWith('log:'))).toEqual([
      'log:no handler for control message "execute_request" (served on the shell channel only); ignored',
      'log:no handler for control message "complete_request" (served on the shell channel only); ignored',
    ]);
    await d.handle(req('execute_request'), 'shell');
    expect(ran.at(-1)).toBe('execute_request');
  });

  it('names reply types', () => {
    expect(replyType('execute_request')).toBe('execute_reply');
    expect(replyType('comm_info_request')).toBe('comm_info_reply');
  });
});
