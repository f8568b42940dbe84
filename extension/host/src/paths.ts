/**
 * Where the host's pieces live. Every path is absolute and derived from this file's location,
 * so the same code works from `src/` (vitest) and from `dist/` (the compiled `npm start`).
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** `extension/host/`: the host's npm project (frontend dependencies, app sources, server). */
export const hostDir = dirname(dirname(fileURLToPath(import.meta.url)));

/** The repository root. */
export const repoRoot = dirname(dirname(hostDir));

/** Everything the frontend build writes (ignored by git). */
export const buildDir = join(hostDir, 'build');

/**
 * The folders the Python server reads, all under {@link buildDir}:
 * bundles (`static`), the page template, settings schemas and theme CSS.
 */
export const frontendDirs = {
  static: join(buildDir, 'static'),
  templates: join(buildDir, 'templates'),
  schemas: join(buildDir, 'schemas'),
  themes: join(buildDir, 'themes'),
} as const;

/** The Python launcher run with Debian's `/usr/bin/python3`. */
export const serverScript = join(hostDir, 'server', 'run.py');

/** Installs the Debian packages a group of features needs, idempotently (`start`: what `npm start` serves with). */
export const systemDepsScript = join(repoRoot, 'scripts', 'system-deps.sh');

/** Lab configuration shared by `npm start` and the tests (`page_config.json`: disabled plugins). */
export const labConfigDir = join(repoRoot, 'jupyter-config', 'lab');

/** The prebuilt `@seqlab/jupyterlab` labextension (`npm run build -w extension`). */
export const labextensionDir = join(repoRoot, 'extension', 'labextension');

/**
 * The Python that runs the server: Debian's `/usr/bin/python3`, which has the Jupyter
 * packages (the `python3` first on PATH may not), or `$SEQLAB_PYTHON` (the variable
 * `seqlab install --sys-prefix` also reads).
 */
export function serverPython(env: NodeJS.ProcessEnv = process.env): string {
  return env['SEQLAB_PYTHON'] || debianPython;
}

/** Debian's Python, where the Debian packages of scripts/system-deps.sh install Jupyter. */
export const debianPython = '/usr/bin/python3';
