/**
 * Bundling code that runs the seqlab engine in a browser Web Worker: the lite site's kernel
 * worker and the benchmark's browser runner use it alike.
 *
 * Writes `fileName` (the entry and everything it imports, engine included, as one minified
 * classic worker script) into `outDir`, and the engine's browser assets into `engineDir`:
 * the four wasm kernel builds and `kernel-worker.js` (the engine's kernel thread, started by
 * the engine's browser host for multi-threaded products on a cross-origin isolated page).
 * A worker then calls `backend.useBrowserHost({ baseUrl: <engineDir's URL> })` before its
 * first product.
 */
import { cpSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

import { runCompilers, type Rspack } from '../../extension/host/dist/frontend-build.js';
import { ensureHostDependencies, hostRequire, type Log } from '../../extension/host/dist/install.js';
import { hostDir, repoRoot } from '../../extension/host/dist/paths.js';

/** The engine's browser kernel thread entry (compiled by tsc -b). */
export const engineKernelWorkerEntry = join(repoRoot, 'engine', 'dist', 'backend', 'host', 'browser-worker.js');

/** Values the bundles see as constants (`__SEQLAB_KERNEL_VERSION__`, `__SEQLAB_TYPESCRIPT_VERSION__`). */
export function versionDefines(): Record<string, string> {
  const kernelRequire = createRequire(join(repoRoot, 'kernel', 'package.json'));
  return {
    __SEQLAB_KERNEL_VERSION__: JSON.stringify((JSON.parse(readFileSync(join(repoRoot, 'kernel', 'package.json'), 'utf8')) as { version: string }).version),
    __SEQLAB_TYPESCRIPT_VERSION__: JSON.stringify((kernelRequire('typescript/package.json') as { version: string }).version),
  };
}

/** Where bundles resolve packages: their own folder's, the host's, the repository's. */
export const bundleModules = ['node_modules', join(hostDir, 'node_modules'), join(repoRoot, 'node_modules')];

/** A webworker bundle of `entry` named `filename` in `outDir` (one file, minified). */
export function workerConfig(rspack: Rspack & { DefinePlugin: new (d: Record<string, string>) => object }, name: string, entry: string, outDir: string, filename: string): object {
  return {
    name,
    mode: 'production',
    devtool: false,
    target: 'webworker',
    context: repoRoot,
    entry: { [name]: entry },
    output: { path: outDir, publicPath: 'auto', filename, chunkFormat: 'array-push', chunkLoading: 'import-scripts' },
    resolve: { modules: bundleModules, extensions: ['.ts', '.js', '.json'], conditionNames: ['browser', 'import', 'module', 'default'] },
    // Entries written in TypeScript (lite/app/worker.ts): types stripped by SWC.
    module: { rules: [{ test: /\.ts$/, exclude: /node_modules/, loader: 'builtin:swc-loader', options: { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' } }, type: 'javascript/auto' }] },
    optimization: { minimize: true, splitChunks: false },
    performance: { hints: false },
    plugins: [new rspack.DefinePlugin(versionDefines())],
  };
}

/** Copies the engine's wasm kernels into `engineDir`. */
export function copyEngineWasm(engineDir: string): void {
  const wasmDir = join(repoRoot, 'engine', 'dist', 'wasm');
  if (!existsSync(wasmDir)) throw new Error('engine/dist/wasm is missing: run `npm run build` first');
  mkdirSync(engineDir, { recursive: true });
  cpSync(wasmDir, engineDir, { recursive: true });
}

/** The rspack of the host's packages (installed on first use). */
export function hostRspack(log: Log): Rspack & { DefinePlugin: new (d: Record<string, string>) => object } {
  ensureHostDependencies(log);
  return hostRequire('@rspack/core') as Rspack & { DefinePlugin: new (d: Record<string, string>) => object };
}

/** Options of {@link bundleForBrowser}. */
export interface BrowserBundleOptions {
  entry: string;
  outDir: string;
  fileName: string;
  engineDir: string;
  log: Log;
}

/** Bundles `entry` for a Web Worker and writes the engine's browser assets (see the module comment). */
export async function bundleForBrowser(options: BrowserBundleOptions): Promise<void> {
  if (!existsSync(engineKernelWorkerEntry)) throw new Error(`${engineKernelWorkerEntry} is missing: run \`npm run build\` first`);
  const rspack = hostRspack(options.log);
  await runCompilers(rspack, [
    workerConfig(rspack, 'main', options.entry, options.outDir, options.fileName),
    workerConfig(rspack, 'engine-kernel-worker', engineKernelWorkerEntry, options.engineDir, 'kernel-worker.js'),
  ]);
  copyEngineWasm(options.engineDir);
}
