/**
 * The kernel as a real process with SEQLAB_TYPECHECK=warn: cells are checked by the language
 * worker before they run, with the engine's globals next to the standard library's types.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchKernel, type LaunchedKernel } from '../../../kernel/dist/client/launch.js';
import type { Message } from '../../../kernel/dist/wire/message.js';
import { tempDir } from '../helpers.js';

let k: LaunchedKernel;

const stderr = (msgs: Message[]): string =>
  msgs
    .filter((m) => m.header.msg_type === 'stream' && m.content['name'] === 'stderr')
    .map((m) => String(m.content['text']))
    .join('');
const plain = (msgs: Message[]): string | undefined => {
  const r = msgs.find((m) => m.header.msg_type === 'execute_result');
  return r ? String((r.content['data'] as Record<string, unknown>)['text/plain']) : undefined;
};

beforeAll(async () => {
  k = await launchKernel({ cwd: tempDir('seqlab-nb-'), env: { ...process.env, SEQLAB_DATA_DIR: tempDir(), SEQLAB_TYPECHECK: 'warn' } });
});

afterAll(async () => {
  await k?.shutdown();
});

describe('type checking in warn mode', { timeout: 120_000 }, () => {
  it('the engine\'s Generator (value, engine.Generator as a type) and lib\'s Generator<T> both check', async () => {
    const cell = [
      'const g: engine.Generator = new Generator(); g.manualSeed(1);',
      'function* f(): Generator<number> { yield 1; yield 2 }',
      'const it: Generator<number> = f();',
      '[...f()].length + g.random() * 0',
    ].join('\n');
    const r = await k.client.execute(cell);
    expect(r.reply.content['status']).toBe('ok');
    expect(stderr(r.outputs)).toBe('');
    expect(plain(r.outputs)).toBe('2');
  });

  it('a type error is printed at its cell line and column, and the cell still runs', async () => {
    const r = await k.client.execute('const seeded: number = 1;\nconst h: engine.Generator = seeded;\nseeded + 1');
    expect(r.reply.content['status']).toBe('ok');
    expect(stderr(r.outputs)).toMatch(/In\[\d+\]:2:7 - error TS2322/);
    expect(plain(r.outputs)).toBe('2');
  });
});
