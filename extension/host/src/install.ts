/**
 * Installs the host's frontend dependencies (JupyterLab's packages, rspack, @jupyter/builder)
 * into `extension/host/node_modules`, only when the lockfile changed since the last install.
 *
 * The host is its own npm project, not a workspace: its ~550 MB of JupyterLab packages are
 * needed only by `npm start` and the end-to-end tests, so the root `npm ci` stays small.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

import { fingerprint, readStamp, writeStamp } from './fingerprint.js';
import { hostDir } from './paths.js';

const stampPath = join(hostDir, 'node_modules', '.seqlab-host-install');

/** A line-oriented progress logger; `npm start` prints, tests collect. */
export type Log = (line: string) => void;

function installFingerprint(): string {
  return fingerprint(hostDir, ['package.json', 'package-lock.json'], [process.platform, process.arch]);
}

/** Whether `node_modules` matches the lockfile (as of the last successful install). */
export function hostDependenciesUpToDate(): boolean {
  return readStamp(stampPath) === installFingerprint();
}

/** Whether rspack's native binding for this platform loads. */
function rspackLoads(): boolean {
  const check = spawnSync(process.execPath, ['-e', 'require("@rspack/core")'], { cwd: hostDir, encoding: 'utf8' });
  return check.status === 0;
}

function runNpm(args: string[], log: Log): void {
  log(`host: npm ${args.join(' ')} (in extension/host)`);
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const result = spawnSync(npm, args, { cwd: hostDir, stdio: ['ignore', 'inherit', 'inherit'] });
  if (result.error) {
    throw new Error(`host: could not run npm: ${result.error.message}`);
  }
  if (result.status !== 0) {
    throw new Error(`host: \`npm ${args.join(' ')}\` failed in extension/host (exit ${result.status})`);
  }
}

/**
 * Makes `extension/host/node_modules` match `extension/host/package-lock.json`.
 *
 * Uses `npm install --no-save` rather than `npm ci`: the lockfile lists rspack's native
 * bindings only for the platforms the registry served when it was written, and `npm ci`
 * refuses such a lockfile ("Missing: @rspack/binding-darwin-arm64"). `npm install` keeps every
 * locked version, fetches this platform's binding if needed, and `--no-save` leaves the
 * committed lockfile alone.
 *
 * @returns whether anything was installed
 */
export function ensureHostDependencies(log: Log, options: { force?: boolean } = {}): boolean {
  if (!options.force && existsSync(join(hostDir, 'node_modules')) && hostDependenciesUpToDate()) {
    return false;
  }
  const started = Date.now();
  runNpm(['install', '--no-save', '--no-audit', '--no-fund', '--loglevel=error'], log);
  if (!rspackLoads()) {
    throw new Error(`host: @rspack/core does not load on ${process.platform}-${process.arch} after npm install`);
  }
  writeStamp(stampPath, installFingerprint());
  log(`host: frontend dependencies installed in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return true;
}

/** `require` rooted at the host project, for its own dependencies (rspack, @jupyter/builder). */
export const hostRequire = createRequire(join(hostDir, 'package.json'));
