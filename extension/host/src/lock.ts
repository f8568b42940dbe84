/**
 * A lock shared by processes on this machine: `npm start` and the test workers build the
 * same outputs (extension/labextension, extension/host/build), and two builds at once would
 * write over each other, or delete files a running server is serving.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const delay = (ms: number): Promise<void> => new Promise(r => setTimeout(r, ms));

function holderAlive(lockDir: string): boolean {
  let holder = NaN;
  try {
    holder = Number(readFileSync(join(lockDir, 'pid'), 'utf8'));
  } catch {
    // Being created or removed: treat as held.
    return true;
  }
  if (!Number.isInteger(holder) || holder <= 0) {
    return true;
  }
  try {
    process.kill(holder, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Runs `fn` while holding the lock `name` (a directory in the temp folder, created atomically;
 * a lock left by a dead process is taken over).
 *
 * @example
 * await withLock('seqlab-host-build', () => buildFrontend());
 */
export async function withLock<T>(name: string, fn: () => Promise<T>, options: { timeoutMs?: number; onWait?: () => void } = {}): Promise<T> {
  const lockDir = join(tmpdir(), `${name}.lock`);
  const deadline = Date.now() + (options.timeoutMs ?? 20 * 60_000);
  let told = false;
  for (;;) {
    try {
      mkdirSync(lockDir);
      writeFileSync(join(lockDir, 'pid'), String(process.pid));
      break;
    } catch {
      if (!holderAlive(lockDir)) {
        rmSync(lockDir, { recursive: true, force: true });
        continue;
      }
      if (Date.now() > deadline) {
        throw new Error(`timed out waiting for ${lockDir} (held by another build); remove it if no build is running`);
      }
      if (!told) {
        options.onWait?.();
        told = true;
      }
      await delay(250);
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(lockDir, { recursive: true, force: true });
  }
}
