/**
 * Brings up to date what the JupyterLab host serves, skipping what is current:
 * the TypeScript projects (engine, kernel, host tooling), the engine's WebAssembly kernels,
 * the prebuilt `@seqlab/jupyterlab` labextension, and the host frontend; then installs the
 * seqlab kernel and the extension into a Jupyter prefix with `seqlab install --prefix`.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { fingerprint, readStamp, writeStamp } from './fingerprint.js';
import { buildFrontend } from './frontend-build.js';
import type { Log } from './install.js';
import { withLock } from './lock.js';
import { labextensionDir, repoRoot } from './paths.js';

/** Stamps of the steps whose outputs belong to other parts of the house. */
const cacheDir = join(repoRoot, '.cache', 'seqlab-host');

/** The seqlab command (`kernel/bin/seqlab.js`), which runs the compiled kernel/dist. */
export const seqlabCommand = join(repoRoot, 'kernel', 'bin', 'seqlab.js');

/** What one step did: built, found its outputs up to date, or was skipped (with the reason logged). */
export type StepStatus = 'built' | 'up to date' | 'skipped';

/** What one step did, and how long it took. */
export interface StepReport {
  step: string;
  status: StepStatus;
  seconds: number;
}

function run(command: string, args: string[], log: Log, what: string): void {
  log(`seqlab: ${what}: ${[command, ...args].join(' ')}`);
  const result = spawnSync(command, args, { cwd: repoRoot, stdio: ['ignore', 'inherit', 'inherit'] });
  if (result.error) {
    throw new Error(`seqlab: ${what} could not run ${command}: ${result.error.message}`);
  }
  if (result.status !== 0) {
    throw new Error(`seqlab: ${what} failed (\`${[command, ...args].join(' ')}\` exited with ${result.status})`);
  }
}

async function timed(step: string, fn: () => StepStatus | Promise<StepStatus>): Promise<StepReport> {
  const started = Date.now();
  const status = await fn();
  return { step, status, seconds: (Date.now() - started) / 1000 };
}

/** Compiles every TypeScript project of the root `tsconfig.json` (incremental: fast when current). */
export function buildTypeScript(log: Log): StepStatus {
  const tsc = join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc');
  if (!existsSync(tsc)) {
    throw new Error('seqlab: TypeScript is not installed; run `npm ci` in the repository root first');
  }
  run(process.execPath, [tsc, '-b'], log, 'compiling TypeScript');
  // tsc -b is incremental: it rebuilt only what changed, which may be nothing.
  return 'built';
}

/**
 * Builds the engine's WebAssembly kernels (`engine/assembly/build.mjs`, the root build's
 * `build:wasm` step), which compares source and output times itself. Without them the engine
 * runs its reference kernels: right, but many times slower.
 */
export function buildWasm(log: Log): StepStatus {
  const script = join(repoRoot, 'engine', 'assembly', 'build.mjs');
  const result = spawnSync(process.execPath, [script], { cwd: join(repoRoot, 'engine'), encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  if (result.error || result.status !== 0) {
    throw new Error(`seqlab: building the engine's WebAssembly kernels failed (${result.error?.message ?? `exit ${result.status}`}):\n${result.stdout ?? ''}`);
  }
  if (/is up to date/.test(result.stdout)) {
    return 'up to date';
  }
  log(`seqlab: ${result.stdout.trim()}`);
  return 'built';
}

/** Folders under extension/ that builds write (or that belong to the host), not build inputs. */
const extensionOutputs = new Set(['node_modules', 'lib', 'labextension', 'standalone', 'dist', 'host']);

/**
 * The extension's build inputs: everything in extension/ but its outputs (sources, styles,
 * build configs and scripts), the engine it imports, and the locked dependency versions.
 */
function extensionFingerprint(): string {
  const own = readdirSync(join(repoRoot, 'extension'))
    .filter(name => !extensionOutputs.has(name) && !name.endsWith('.tsbuildinfo'))
    .sort()
    .map(name => `extension/${name}`);
  return fingerprint(repoRoot, [...own, 'engine/package.json', 'engine/src', 'engine/schemas', 'package-lock.json']);
}

/** Whether `extension/labextension` was built from the current sources. */
export function labextensionUpToDate(): boolean {
  return (
    existsSync(join(labextensionDir, 'package.json')) &&
    readStamp(join(cacheDir, 'labextension.stamp')) === extensionFingerprint()
  );
}

/**
 * Builds the prebuilt labextension (`npm run build -w extension`) unless it is up to date.
 *
 * @throws when the build fails or produces no labextension
 */
export function buildLabextension(log: Log): StepStatus {
  if (labextensionUpToDate()) {
    return 'up to date';
  }
  const pkg = JSON.parse(readFileSync(join(repoRoot, 'extension', 'package.json'), 'utf8')) as {
    scripts?: Record<string, string>;
  };
  if (!pkg.scripts?.['build']) {
    // The renderers are being written; JupyterLab still works, showing seqlab's views as text.
    log('seqlab: warning: the extension workspace has no "build" script yet; skipping the JupyterLab extension');
    return 'skipped';
  }
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  run(npm, ['run', 'build', '-w', 'extension'], log, 'building the JupyterLab extension');
  if (!existsSync(join(labextensionDir, 'package.json'))) {
    throw new Error(`seqlab: \`npm run build -w extension\` did not produce ${join(labextensionDir, 'package.json')}`);
  }
  writeStamp(join(cacheDir, 'labextension.stamp'), extensionFingerprint());
  return 'built';
}

/** Options of {@link buildProject}. */
export interface ProjectBuildOptions {
  log: Log;
  /** Skip `tsc -b` (the caller knows it ran, e.g. `npm test`'s pretest). */
  skipTypeScript?: boolean;
  /** Skip the labextension (a host without seqlab's renderers). */
  skipLabextension?: boolean;
}

/**
 * Builds what the host needs, each step skipped when up to date, one build at a time on
 * this machine.
 *
 * @example
 * const steps = await buildProject({ log: console.log });
 * // [{ step: 'typescript', status: 'built', seconds: 2.1 }, { step: 'labextension', status: 'up to date', ... }, ...]
 */
export function buildProject(options: ProjectBuildOptions): Promise<StepReport[]> {
  const { log } = options;
  return withLock(
    'seqlab-host-build',
    async () => {
      const steps: StepReport[] = [];
      if (!options.skipTypeScript) {
        steps.push(await timed('typescript', () => buildTypeScript(log)));
      }
      steps.push(await timed('wasm', () => buildWasm(log)));
      if (!options.skipLabextension) {
        steps.push(await timed('labextension', () => buildLabextension(log)));
      }
      steps.push(await timed('frontend', async () => ((await buildFrontend({ log })).built ? 'built' : 'up to date')));
      return steps;
    },
    { onWait: () => log('seqlab: waiting for another build (npm start or a test run) to finish') }
  );
}

/** What {@link installIntoPrefix} put where. */
export interface PrefixInstall {
  /** The folder to add to `JUPYTER_PATH`: `PREFIX/share/jupyter`. */
  jupyterPath: string;
  kernelspecDir: string;
  /** The installed labextension, or null (with the reason in the log) when it is not built. */
  labextensionDir: string | null;
}

/**
 * Runs `seqlab install --prefix PREFIX`: the seqlab kernelspec, and the labextension when built.
 *
 * @throws when the kernel is not compiled or the install fails
 */
export function installIntoPrefix(prefix: string, log: Log): PrefixInstall {
  if (!existsSync(join(repoRoot, 'kernel', 'dist', 'cli', 'main.js'))) {
    throw new Error('seqlab: the kernel is not compiled (kernel/dist/cli/main.js is missing); run `npm run build`');
  }
  run(process.execPath, [seqlabCommand, 'install', '--prefix', prefix], log, 'installing the seqlab kernel and extension');
  const jupyterPath = join(prefix, 'share', 'jupyter');
  const kernelspecDir = join(jupyterPath, 'kernels', 'seqlab');
  if (!existsSync(join(kernelspecDir, 'kernel.json'))) {
    throw new Error(`seqlab: \`seqlab install --prefix ${prefix}\` wrote no ${join(kernelspecDir, 'kernel.json')}`);
  }
  const installedExtension = join(jupyterPath, 'labextensions', '@seqlab', 'jupyterlab');
  return {
    jupyterPath,
    kernelspecDir,
    labextensionDir: existsSync(join(installedExtension, 'package.json')) ? installedExtension : null,
  };
}
