/**
 * History across sessions through real kernel processes: two kernels on one data dir and a
 * restart make three sessions; search with unique returns each source once, from any of them.
 */
import { describe, expect, it } from 'vitest';
import { launchKernel } from '../../../kernel/dist/client/launch.js';
import { tempDir } from '../helpers.js';

describe('history across sessions', { timeout: 120_000 }, () => {
  it('search with unique returns a source once, however many sessions ran it', async () => {
    const env = { ...process.env, SEQLAB_DATA_DIR: tempDir() };
    const [a, b] = await Promise.all([launchKernel({ env }), launchKernel({ env })]);
    try {
      for (const k of [a, b, a, b]) await k.client.execute('6 * 7');
      await b.client.execute('"only in b"');
      await a.restart();
      await a.client.execute('6 * 7');
      const search = async (pattern: string, extra: Record<string, unknown> = {}) =>
        (await a.client.request('shell', 'history_request', { hist_access_type: 'search', pattern, output: false, raw: true, ...extra })).reply.content['history'] as [number, number, string][];
      const all = await search('6 * 7');
      expect(all).toHaveLength(5);
      expect(new Set(all.map(([session]) => session)).size).toBe(3);
      const unique = await search('*', { unique: true });
      expect(unique.map(([, , source]) => source)).toEqual(['"only in b"', '6 * 7']);
      // The latest run of a source stands for it: the restarted kernel's session.
      expect(unique[1]![0]).toBe(Math.max(...all.map(([session]) => session)));
      expect(await search('6 * 7', { unique: true, n: 10 })).toHaveLength(1);
    } finally {
      await Promise.all([a.shutdown(), b.shutdown()]);
    }
  });
});
