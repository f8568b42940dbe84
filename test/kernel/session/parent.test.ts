/** A kernel whose launcher dies shuts down (JPY_PARENT_PID), instead of living on as an orphan. */
import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { newConnectionInfo, seqlabArgv } from '../../../kernel/dist/client/launch.js';
import { KernelClient } from '../../../kernel/dist/client/client.js';
import { tempDir } from '../helpers.js';

describe('parent poller', { timeout: 120_000 }, () => {
  it('exits when the process named by JPY_PARENT_PID is gone', async () => {
    const parent = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
    const info = await newConnectionInfo();
    const file = join(tempDir(), 'connection.json');
    writeFileSync(file, JSON.stringify(info));
    const argv = seqlabArgv().map((a) => a.replace('{connection_file}', file));
    const kernel = spawn(argv[0]!, argv.slice(1), { env: { ...process.env, JPY_PARENT_PID: String(parent.pid) }, stdio: 'ignore' });
    const client = new KernelClient(info);
    try {
      await client.waitReady();
      const exited = new Promise<number | null>((r) => kernel.once('exit', (code) => r(code)));
      parent.kill('SIGKILL');
      expect(await exited).toBe(0);
    } finally {
      client.close();
      kernel.kill('SIGKILL');
      parent.kill('SIGKILL');
    }
  });
});
