/**
 * The packed kernel installs and runs with no checkout and no network: `npm run pack`'s
 * tarball is installed into a temporary prefix with npm offline, an empty cache and an
 * unreachable registry; then, with only that prefix and Debian's Jupyter on PATH and the
 * current folder outside the repository, `seqlab install --prefix` makes a kernel that
 * `jupyter kernelspec list` shows, `seqlab run` executes a lecture notebook (its data files
 * copied next to it) and `seqlab export` writes the course page with the views bundle.
 */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { cpSync, existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { REPO, requireDebianJupyter, tempDir } from '../kernel/helpers.js';
import { codeCells, errorsIn, readNotebook } from '../notebooks/clients.js';

/** A lecture notebook that reads its corpus from data/ and runs in about 20 s. */
const LECTURE = '02-backpropagation-through-time.ipynb';

function check(result: SpawnSyncReturns<string>, what: string): string {
  expect(result.error, `${what}: ${result.error?.message}`).toBeUndefined();
  expect(result.status, `${what} exited ${result.status}:\n${result.stdout}\n${result.stderr}`).toBe(0);
  return result.stdout;
}

describe('the packed kernel', () => {
  const dir = tempDir('seqlab-pack-test-');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('installs offline from the tarball and installs, lists, runs and exports a lecture without the checkout', () => {
    requireDebianJupyter(['jupyter_client'], ['jupyter-client', 'python3-jupyter-client']);

    // Pack (the build is done: npm test's pretest).
    const packed = JSON.parse(check(spawnSync(process.execPath, [join(REPO, 'scripts', 'pack-kernel.mjs'), '--out', join(dir, 'out'), '--json'], { encoding: 'utf8', timeout: 600_000 }), 'pack-kernel')) as {
      tarball: string;
      size: number;
      bundled: string[];
    };
    console.log(`pack: ${packed.tarball}, ${(packed.size / 1024 / 1024).toFixed(1)} MB, bundled: ${packed.bundled.join(' ')}`);
    const listing = check(spawnSync('tar', ['-tzf', packed.tarball], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 }), 'tar -t').split('\n');
    for (const entry of [
      'package/bin/seqlab.js',
      'package/dist/cli/main.js',
      'package/assets/jupyter-config/kernelspec/kernel.json',
      'package/assets/jupyter-config/kernelspec/logo-64x64.png',
      'package/assets/extension/labextension/package.json',
      'package/assets/extension/standalone/seqlab-views.js',
      'package/assets/licenses/plotly.js-dist-min.txt',
      'package/node_modules/@seqlab/engine/dist/index.js',
      'package/node_modules/@seqlab/engine/dist/wasm/kernels-simd.wasm',
      'package/node_modules/typescript/lib/typescript.js',
      'package/node_modules/@types/node/package.json',
      'package/node_modules/zeromq/lib/index.js',
    ]) {
      expect(listing, entry).toContain(entry);
    }
    expect(listing.some((e) => /^package\/node_modules\/zeromq\/build\/linux\/x64\/.*\.node$/.test(e)), 'zeromq prebuilt binary for linux-x64').toBe(true);
    // tsc -b's bookkeeping is not shipped (third-party packages stay as they were published).
    expect(listing.filter((e) => e.endsWith('.tsbuildinfo') && !/^package\/node_modules\/(?!@seqlab\/)/.test(e))).toEqual([]);

    // Install with no network: npm offline, an empty cache, a registry nobody answers.
    const prefix = join(dir, 'prefix');
    check(
      spawnSync('npm', ['install', '-g', '--prefix', prefix, '--offline', '--registry=http://127.0.0.1:9/', '--cache', join(dir, 'npm-cache'), '--no-audit', '--no-fund', packed.tarball], {
        encoding: 'utf8',
        cwd: dir,
        timeout: 600_000,
      }),
      'npm install -g (offline)',
    );
    const installed = join(prefix, 'lib', 'node_modules', '@seqlab', 'kernel');

    // From here on: nothing of the checkout on PATH, the current folder outside it, a fresh home.
    const home = join(dir, 'home');
    const env: NodeJS.ProcessEnv = {
      PATH: [join(prefix, 'bin'), '/usr/bin', '/bin'].join(':'),
      HOME: home,
      LANG: 'C.UTF-8',
    };
    const outside = (command: string, args: string[], cwd = dir, extra: NodeJS.ProcessEnv = {}): SpawnSyncReturns<string> =>
      spawnSync(command, args, { encoding: 'utf8', cwd, env: { ...env, ...extra }, timeout: 600_000 });

    expect(check(outside('seqlab', ['--version']), 'seqlab --version').trim()).toMatch(/^\d+\.\d+\.\d+/);
    const jupyterPrefix = join(dir, 'jupyter');
    const said = check(outside('seqlab', ['install', '--prefix', jupyterPrefix, '--threads', '1']), 'seqlab install');
    const data = join(jupyterPrefix, 'share', 'jupyter');
    expect(said).toContain(`installed the JupyterLab extension in ${join(data, 'labextensions', '@seqlab', 'jupyterlab')}`);
    const spec = JSON.parse(readFileSync(join(data, 'kernels', 'seqlab', 'kernel.json'), 'utf8')) as { argv: string[]; env: Record<string, string> };
    expect(spec.argv.slice(0, 2)).toEqual([process.execPath, join(installed, 'bin', 'seqlab.js')]);
    expect(spec.env).toEqual({ SEQLAB_THREADS: '1' });
    expect(JSON.stringify(spec)).not.toContain(REPO);
    expect(existsSync(join(data, 'labextensions', '@seqlab', 'jupyterlab', 'static'))).toBe(true);

    const list = JSON.parse(check(outside('jupyter', ['kernelspec', 'list', '--json'], dir, { JUPYTER_PATH: data }), 'jupyter kernelspec list')) as {
      kernelspecs: Record<string, { resource_dir: string; spec: { language: string } }>;
    };
    expect(list.kernelspecs['seqlab']?.resource_dir).toBe(join(data, 'kernels', 'seqlab'));
    expect(list.kernelspecs['seqlab']?.spec.language).toBe('typescript');

    // A lecture notebook with its data files next to it, run through the installed kernel.
    const course = join(dir, 'course');
    cpSync(join(REPO, 'notebooks', LECTURE), join(course, LECTURE));
    cpSync(join(REPO, 'notebooks', 'data'), join(course, 'data'), { recursive: true });
    const run = outside('seqlab', ['run', LECTURE, '--out', join(dir, 'executed')], course, { JUPYTER_PATH: data });
    check(run, 'seqlab run');
    const executed = readNotebook(join(dir, 'executed', LECTURE));
    expect(errorsIn(executed)).toEqual([]);
    expect(codeCells(executed).filter(({ cell }) => typeof cell.execution_count !== 'number')).toEqual([]);

    // The course page, with the views bundle and plotly.js's licence from the package.
    check(outside('seqlab', ['export', join(dir, 'executed', LECTURE), '--out', join(dir, 'site')]), 'seqlab export');
    expect(readdirSync(join(dir, 'site'))).toContain('index.html');
    expect(existsSync(join(dir, 'site', '_static', 'seqlab', 'seqlab-views.js'))).toBe(true);
    expect(existsSync(join(dir, 'site', '_static', 'licenses', 'plotly.js-dist-min.txt'))).toBe(true);
  }, 1_200_000);
});
