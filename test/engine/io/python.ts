/**
 * Running Debian's Python with PyTorch from a test (the safetensors round trips check
 * seqlab's files on the PyTorch side). Missing packages fail the test with the command
 * that installs them; they are never skipped.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const PYTHON = '/usr/bin/python3';
export const GENERATORS = fileURLToPath(new URL('../../fixtures/generators/', import.meta.url));

let checked = false;

function requireTorch(): void {
  if (checked) return;
  const probe = spawnSync(PYTHON, ['-c', 'import torch, numpy'], { encoding: 'utf8' });
  if (probe.status !== 0) {
    throw new Error(
      `This test runs ${PYTHON} with PyTorch and NumPy (Debian package python3-torch, which brings python3-numpy), which is missing ` +
        `(${(probe.error?.message ?? probe.stderr).trim().split('\n').pop()}). Install them with: bash scripts/system-deps.sh`,
    );
  }
  checked = true;
}

/** Runs a script of test/fixtures/generators with arguments; returns stdout, throws with stderr on failure. */
export function runPython(script: string, args: string[]): string {
  requireTorch();
  const r = spawnSync(PYTHON, [GENERATORS + script, ...args], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`${script} ${args.join(' ')} failed (exit ${r.status}):\n${r.stderr}`);
  return r.stdout;
}
