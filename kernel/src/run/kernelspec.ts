/**
 * Installed Jupyter kernelspecs, found where jupyter_client looks for them, so `seqlab run
 * --kernel NAME` runs a notebook with any installed kernel (ipykernel's `python3`, another
 * seqlab install) as `jupyter nbconvert --execute --ExecutePreprocessor.kernel_name=NAME` would.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { jupyterUserDataDir } from '../history/paths.js';

/** One installed kernelspec. */
export interface Kernelspec {
  name: string;
  /** The kernelspec's folder (`{resource_dir}`). */
  dir: string;
  argv: string[];
  displayName: string;
  language: string;
  interruptMode: 'signal' | 'message';
  /** Variables kernel.json adds to the kernel's environment (`${VAR}` expanded from ours). */
  env: Record<string, string>;
}

/**
 * The Jupyter data dirs in jupyter_core's order of precedence: `$JUPYTER_PATH`, the user's data
 * dir, then the system dirs (`/usr/local/share/jupyter`, `/usr/share/jupyter`). The data dir of
 * the Python environment that runs Jupyter (`sys.prefix/share/jupyter`) is not asked for (that
 * would start Python); a kernel installed only there is found through `JUPYTER_PATH`.
 */
export function jupyterDataDirs(env: NodeJS.ProcessEnv = process.env): string[] {
  const fromEnv = (env['JUPYTER_PATH'] ?? '').split(':').filter((p) => p !== '');
  const system = process.platform === 'win32' ? [join(env['PROGRAMDATA'] ?? 'C:\\ProgramData', 'jupyter')] : ['/usr/local/share/jupyter', '/usr/share/jupyter'];
  return [...new Set([...fromEnv, jupyterUserDataDir(env), ...system])];
}

/** The names of the installed kernelspecs (first found wins, as in `jupyter kernelspec list`). */
export function listKernelspecs(env: NodeJS.ProcessEnv = process.env): Map<string, string> {
  const found = new Map<string, string>();
  for (const dir of jupyterDataDirs(env)) {
    const kernels = join(dir, 'kernels');
    if (!existsSync(kernels)) continue;
    for (const entry of readdirSync(kernels, { withFileTypes: true })) {
      const name = entry.name.toLowerCase();
      if ((entry.isDirectory() || entry.isSymbolicLink()) && !found.has(name) && existsSync(join(kernels, entry.name, 'kernel.json'))) found.set(name, join(kernels, entry.name));
    }
  }
  return found;
}

/**
 * Reads the kernelspec `name`.
 *
 * @throws Error naming the kernel and the installed ones when it is not installed, or the file
 *   and the field when its kernel.json is malformed.
 * @example findKernelspec('python3').argv // ['/usr/bin/python3', '-m', 'ipykernel_launcher', '-f', '{connection_file}']
 */
export function findKernelspec(name: string, env: NodeJS.ProcessEnv = process.env): Kernelspec {
  const specs = listKernelspecs(env);
  const dir = specs.get(name.toLowerCase());
  if (!dir) {
    const names = [...specs.keys()].sort();
    throw new Error(`no kernel named "${name}" is installed (installed: ${names.length ? names.join(', ') : 'none'}; looked in ${jupyterDataDirs(env).map((d) => join(d, 'kernels')).join(', ')})`);
  }
  const file = join(dir, 'kernel.json');
  let spec: Record<string, unknown>;
  try {
    spec = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch (e) {
    throw new Error(`${file}: not valid JSON (${(e as Error).message})`);
  }
  const argv = spec['argv'];
  if (!Array.isArray(argv) || argv.length === 0 || !argv.every((a) => typeof a === 'string')) throw new Error(`${file}: "argv" must be a non-empty list of strings`);
  const expand = (v: string): string => v.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_, k: string) => env[k] ?? '');
  const kernelEnv: Record<string, string> = {};
  for (const [k, v] of Object.entries((spec['env'] ?? {}) as Record<string, unknown>)) kernelEnv[k] = expand(String(v));
  return {
    name,
    dir,
    argv: (argv as string[]).map((a) => a.replaceAll('{resource_dir}', dir)),
    displayName: typeof spec['display_name'] === 'string' ? spec['display_name'] : name,
    language: typeof spec['language'] === 'string' ? spec['language'] : '',
    interruptMode: spec['interrupt_mode'] === 'message' ? 'message' : 'signal',
    env: kernelEnv,
  };
}
