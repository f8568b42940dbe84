/**
 * `seqlab install` / `seqlab uninstall`: the kernelspec (and the prebuilt JupyterLab
 * extension, when it is built) in a Jupyter data dir.
 *
 * Data dirs, as jupyter_core defines them:
 * - `--user` (default): the user's data dir (`$JUPYTER_DATA_DIR`, else `~/.local/share/jupyter`).
 * - `--sys-prefix`: `<sys.prefix>/share/jupyter` of the Python that runs Jupyter — `$SEQLAB_PYTHON`,
 *   else Debian's `/usr/bin/python3` (sys.prefix `/usr`), else `python3` on PATH.
 * - `--prefix DIR`: `DIR/share/jupyter` (add `DIR/share/jupyter` to `JUPYTER_PATH` to use it).
 */
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { execFileSync } from 'node:child_process';
import { assetPath, isPackedPackage, KERNEL_ROOT } from '../assets.js';
import { jupyterUserDataDir } from '../history/paths.js';

/** Where the kernelspec template and logos are (in the package when packed, else jupyter-config/kernelspec). */
export const KERNELSPEC_TEMPLATE_DIR = assetPath('kernelspec');
/** The prebuilt labextension (in the package when packed, else built by the extension workspace). */
export const DEFAULT_LABEXTENSION_DIR = assetPath('labextension');
/** The script kernel.json runs: this package's own bin, wherever it is installed. */
export const SEQLAB_JS = join(KERNEL_ROOT, 'bin', 'seqlab.js');

/** Which data dir to install into. */
export type InstallTarget = { kind: 'user' } | { kind: 'sys-prefix' } | { kind: 'prefix'; dir: string };

/** Options of {@link install}. */
export interface InstallOptions {
  target: InstallTarget;
  name?: string;
  displayName?: string;
  interruptMode?: 'message' | 'signal';
  /** Value of SEQLAB_TYPECHECK in the kernel's environment. */
  typecheck?: 'off' | 'warn' | 'error';
  /**
   * Value of SEQLAB_THREADS in the kernel's environment: the engine's threads per large
   * product. Many kernels on one machine (a class on JupyterHub) each take 1.
   */
  threads?: number;
  /** Where the prebuilt labextension is (default extension/labextension). */
  labextensionDir?: string;
  env?: NodeJS.ProcessEnv;
}

/** The Python whose sys.prefix `--sys-prefix` uses. */
export function jupyterPython(env: NodeJS.ProcessEnv = process.env): string {
  if (env['SEQLAB_PYTHON']) return env['SEQLAB_PYTHON'];
  return existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
}

/** The Jupyter data dir of a target. */
export function dataDir(target: InstallTarget, env: NodeJS.ProcessEnv = process.env): string {
  if (target.kind === 'user') return jupyterUserDataDir(env);
  if (target.kind === 'prefix') return join(resolve(target.dir), 'share', 'jupyter');
  const python = jupyterPython(env);
  let prefix: string;
  try {
    prefix = execFileSync(python, ['-c', 'import sys; print(sys.prefix)'], { encoding: 'utf8' }).trim();
  } catch (e) {
    throw new Error(`--sys-prefix: cannot ask ${python} for sys.prefix (${(e as Error).message}); set SEQLAB_PYTHON or use --prefix DIR`);
  }
  return join(prefix, 'share', 'jupyter');
}

/** kernel.json for this checkout, from the template. */
export function kernelJson(options: Pick<InstallOptions, 'displayName' | 'interruptMode' | 'typecheck' | 'threads'> = {}): Record<string, unknown> {
  const template = JSON.parse(readFileSync(join(KERNELSPEC_TEMPLATE_DIR, 'kernel.json'), 'utf8')) as Record<string, unknown>;
  const argv = (template['argv'] as string[]).map((a) => a.replace('{node}', process.execPath).replace('{seqlab_js}', SEQLAB_JS));
  const env = { ...((template['env'] as Record<string, string> | undefined) ?? {}) };
  if (options.typecheck) env['SEQLAB_TYPECHECK'] = options.typecheck;
  if (options.threads !== undefined) {
    if (!Number.isInteger(options.threads) || options.threads < 1) throw new Error(`--threads ${options.threads}: expected a whole number of threads, 1 or more`);
    env['SEQLAB_THREADS'] = String(options.threads);
  }
  return {
    ...template,
    argv,
    ...(options.displayName ? { display_name: options.displayName } : {}),
    ...(options.interruptMode ? { interrupt_mode: options.interruptMode } : {}),
    env,
  };
}

/** What {@link install} did. */
export interface InstallReport {
  kernelspecDir: string;
  labextension: { installed: true; dir: string } | { installed: false; reason: string };
}

/** Writes the kernelspec (kernel.json + logos) and copies the labextension if it is built. */
export function install(options: InstallOptions): InstallReport {
  const env = options.env ?? process.env;
  const base = dataDir(options.target, env);
  const name = options.name ?? 'seqlab';
  if (!/^[a-zA-Z0-9._-]+$/.test(name)) throw new Error(`--name "${name}": kernel names may only contain letters, digits, '.', '_' and '-'`);
  const dir = join(base, 'kernels', name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'kernel.json'), JSON.stringify(kernelJson(options), null, 2) + '\n');
  for (const logo of ['logo-32x32.png', 'logo-64x64.png', 'logo-svg.svg']) {
    cpSync(join(KERNELSPEC_TEMPLATE_DIR, logo), join(dir, logo));
  }
  const source = options.labextensionDir ?? env['SEQLAB_LABEXTENSION_DIR'] ?? DEFAULT_LABEXTENSION_DIR;
  let labextension: InstallReport['labextension'];
  if (existsSync(join(source, 'package.json'))) {
    const target = join(base, 'labextensions', '@seqlab', 'jupyterlab');
    rmSync(target, { recursive: true, force: true });
    mkdirSync(dirname(target), { recursive: true });
    cpSync(source, target, { recursive: true });
    labextension = { installed: true, dir: target };
  } else {
    const fix = isPackedPackage() ? 'this package was packed without it; pack it again with `npm run pack` after `npm run build`' : 'build the extension workspace (`npm run build`), then run seqlab install again';
    labextension = { installed: false, reason: `the JupyterLab extension is not built (no ${join(source, 'package.json')}); ${fix}` };
  }
  return { kernelspecDir: dir, labextension };
}

/** Removes what {@link install} wrote; returns the paths removed. */
export function uninstall(options: { target: InstallTarget; name?: string; env?: NodeJS.ProcessEnv }): string[] {
  const base = dataDir(options.target, options.env ?? process.env);
  const removed: string[] = [];
  const dir = join(base, 'kernels', options.name ?? 'seqlab');
  if (existsSync(dir)) {
    rmSync(dir, { recursive: true, force: true });
    removed.push(dir);
  }
  const ext = join(base, 'labextensions', '@seqlab', 'jupyterlab');
  if (existsSync(join(ext, 'package.json'))) {
    rmSync(ext, { recursive: true, force: true });
    removed.push(ext);
  }
  return removed;
}
