/**
 * Shared helpers of the kernel suites: the built kernel (kernel/dist), a kernel process with
 * its own data dir, and the check for Debian's Jupyter packages.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const REPO = resolve(__dirname, '..', '..');

// Kernels and in-process executors keep history and code caches in the seqlab data dir:
// never the user's own during tests.
if (!process.env['SEQLAB_DATA_DIR']) process.env['SEQLAB_DATA_DIR'] = mkdtempSync(join(tmpdir(), 'seqlab-test-data-'));
export const KERNEL_DIST = join(REPO, 'kernel', 'dist');
export const SEQLAB_BIN = join(REPO, 'kernel', 'bin', 'seqlab.js');

/** A fresh temporary directory. */
export function tempDir(prefix = 'seqlab-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/**
 * Fails (never skips) when Debian's Jupyter packages are missing, naming them and the
 * command that installs them.
 */
export function requireDebianJupyter(modules: string[], packages: string[]): void {
  const missing: string[] = [];
  if (!existsSync('/usr/bin/python3')) missing.push('/usr/bin/python3');
  else {
    for (const m of modules) {
      try {
        execFileSync('/usr/bin/python3', ['-c', `import ${m}`], { stdio: 'ignore' });
      } catch {
        missing.push(`python module ${m}`);
      }
    }
  }
  if (missing.length > 0) {
    throw new Error(`missing ${missing.join(', ')}: install the Debian packages ${packages.join(' ')} with: bash scripts/system-deps.sh`);
  }
}

/** Loads a module of the built kernel (run `npx tsc -b kernel` first). */
export async function kernelModule<T>(path: string): Promise<T> {
  const file = join(KERNEL_DIST, path);
  if (!existsSync(file)) throw new Error(`${file} is missing: build the kernel first (npx tsc -b kernel)`);
  return (await import(file)) as T;
}
