/**
 * Issue 13, through the real kernel process: thrown values that break formatting still get an
 * error reply (and idle) with state kept; is_complete calls `x = )` invalid; an execution worker
 * that runs out of heap is replaced and says so, while the kernel process lives on.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchKernel, type LaunchedKernel } from '../../../kernel/dist/client/launch.js';
import { tempDir } from '../helpers.js';

let k: LaunchedKernel;
const value = (r: { outputs: { header: { msg_type: string }; content: Record<string, unknown> }[] }) =>
  (r.outputs.find((m) => m.header.msg_type === 'execute_result')?.content['data'] as Record<string, string> | undefined)?.['text/plain'];

beforeAll(async () => {
  // A small heap for the execution worker, so that running out of it is quick.
  k = await launchKernel({ cwd: tempDir('seqlab-nb-'), env: { ...process.env, SEQLAB_DATA_DIR: tempDir(), SEQLAB_EXECUTION_HEAP_MB: '192' } });
});

afterAll(async () => {
  await k?.shutdown();
});

describe('thrown values that break formatting', { timeout: 120_000 }, () => {
  const cases: [string, string][] = [
    ['a throwing message getter', 'class E extends Error { get message(): string { throw 1 } }; throw new E()'],
    ['a throwing stack getter', 'class S extends Error { get stack(): string { throw 2 } }; throw new S("s")'],
    ['a throwing name getter', 'class N extends Error { get name(): string { throw 3 } }; throw new N("n")'],
    ['a Proxy whose traps throw', 'throw new Proxy({}, { get() { throw 4 }, getPrototypeOf() { throw 5 }, has() { throw 6 }, ownKeys() { throw 7 } })'],
    ['an object whose toString and Symbol.toPrimitive throw', 'throw { toString() { throw 8 }, [Symbol.toPrimitive]() { throw 9 } }'],
    ['a revoked Proxy', 'const { proxy, revoke } = Proxy.revocable({}, {}); revoke(); throw proxy'],
    ['a revoked Proxy as the result', 'const r2 = Proxy.revocable({}, {}); r2.revoke(); r2.proxy'],
  ];
  it.each(cases)('%s: an error reply, idle, and state kept', async (_what, code) => {
    await k.client.execute('const keptAcross = "kept"');
    const { reply } = await k.client.execute(code, { timeout: 20_000 });
    expect(['error', 'ok']).toContain(reply.content['status']);
    if (reply.content['status'] === 'error') expect(typeof reply.content['evalue']).toBe('string');
    expect(value(await k.client.execute('keptAcross'))).toBe("'kept'");
  });

  it('the message getter that throws is named in the evalue', async () => {
    const { reply } = await k.client.execute('class E2 extends Error { get message(): string { throw new Error("no message") } }; throw new E2()');
    expect(reply.content).toMatchObject({ status: 'error', ename: 'Error' });
    expect(String(reply.content['evalue'])).toContain('no message');
  });
});

describe('is_complete', { timeout: 120_000 }, () => {
  it('`x = )` is invalid', async () => {
    const { reply } = await k.client.request('shell', 'is_complete_request', { code: 'x = )' });
    expect(reply.content).toEqual({ status: 'invalid' });
  });
});

describe('out of memory', { timeout: 180_000 }, () => {
  it('says so, restarts the execution worker, and the kernel lives on', async () => {
    await k.client.execute('const definedBefore = 1');
    const { reply } = await k.client.execute('const hoard: number[][] = []; for (;;) hoard.push(new Array(1e5).fill(Math.random()))', { timeout: 120_000 });
    expect(reply.content).toMatchObject({ status: 'error', ename: 'OutOfMemoryError' });
    expect(String(reply.content['evalue'])).toContain('out of memory');
    expect(String(reply.content['evalue'])).toContain('earlier definitions are gone');
    expect(await k.client.heartbeat()).toBe(true);
    expect(value(await k.client.execute('typeof (globalThis as any).definedBefore'))).toBe("'undefined'");
    expect(value(await k.client.execute('6 * 7'))).toBe('42');
  });
});
