/**
 * What user code cannot do to the kernel process: a loop in code the kernel did not compile
 * survives the interrupt's first stage, so the execution worker is replaced (state lost, said
 * clearly); `process.exit()` in a cell ends only the execution worker.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { launchKernel, type LaunchedKernel } from '../../../kernel/dist/client/launch.js';
import { tempDir } from '../helpers.js';

let k: LaunchedKernel;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const value = (r: { outputs: { header: { msg_type: string }; content: Record<string, unknown> }[] }) =>
  (r.outputs.find((m) => m.header.msg_type === 'execute_result')?.content['data'] as Record<string, string> | undefined)?.['text/plain'];

beforeAll(async () => {
  const dir = tempDir('seqlab-nb-');
  // CommonJS loaded with require() is not compiled by the kernel, so its loop has no checks.
  writeFileSync(join(dir, 'spin.cjs'), 'module.exports = function spin() { for (;;) {} };\n');
  k = await launchKernel({ cwd: dir, env: { ...process.env, SEQLAB_INTERRUPT_GRACE: '1500' } });
});

afterAll(async () => {
  await k?.shutdown();
});

describe('kernel resilience', { timeout: 120_000 }, () => {
  it('replaces the execution worker when a loop outside compiled code ignores the interrupt', async () => {
    await k.client.execute('const before = 1');
    const run = k.client.execute('const spin = require("./spin.cjs"); spin()');
    await sleep(300);
    await k.interrupt('message');
    const { reply } = await run;
    expect(reply.content).toMatchObject({ status: 'error', ename: 'KeyboardInterrupt' });
    expect(String(reply.content['evalue'])).toContain('did not stop within 1.5 s');
    expect(String(reply.content['evalue'])).toContain('earlier definitions are gone');
    expect(await k.client.heartbeat()).toBe(true);
    expect(value(await k.client.execute('typeof (globalThis as any).before'))).toBe("'undefined'");
    expect(value(await k.client.execute('6 * 7'))).toBe('42');
  });

  it('process.exit() in a cell ends the execution worker, not the kernel', async () => {
    const { reply } = await k.client.execute('process.exit(3)');
    expect(reply.content['status']).toBe('error');
    expect(String(reply.content['evalue'])).toContain('exited');
    expect(value(await k.client.execute('"still serving"'))).toBe("'still serving'");
    expect(k.process.exitCode).toBeNull();
  });
});
