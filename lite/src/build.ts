/**
 * Builds the seqlab site's app: JupyterLab 4.6 with JupyterLite 0.8's in-browser services and
 * the seqlab kernel, from the npm packages the JupyterLab host already installs
 * (extension/host/node_modules), with the host's rspack build helpers.
 *
 * Output, `lite/build/site/` (what `seqlab lite` copies into every site):
 * - `lab/index.html`: the page, with a page config whose URLs are relative to the site root;
 * - `build/`: the app's bundles, `schemas/all.json` (every core plugin's settings schema, as
 *   JupyterLite's settings service reads them), `themes/`, `kernel/`: the execution worker
 *   bundle (cell pipeline, TypeScript, engine) and the logos, and `engine/`: the engine's wasm
 *   kernels and kernel thread script (engine-assets.ts).
 *
 * The plugin list is JupyterLite's `app/lab` recipe: JupyterLab's core extensions (from
 * `@jupyterlab/core-meta`) without the ones that need a Jupyter server (extension manager,
 * plugin manager, hub, debugger), plus JupyterLite's application, apputils and services
 * extensions and the seqlab kernel plugin. The build is skipped when its inputs did not change.
 */
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

import { fingerprint, readStamp, writeStamp } from '../../extension/host/dist/fingerprint.js';
import {
  coreMeta,
  runCompilers,
  sharedPackages,
  typecheckApp,
  writeCoreExtensionsModule,
} from '../../extension/host/dist/frontend-build.js';
import { hostRequire, type Log } from '../../extension/host/dist/install.js';
import { hostDir, repoRoot } from '../../extension/host/dist/paths.js';
import { bundleModules, copyEngineWasm, engineKernelWorkerEntry, hostRspack, versionDefines, workerConfig } from './engine-assets.js';

/** `lite/`. */
export const liteDir = dirname(dirname(fileURLToPath(import.meta.url)));
/** Everything the build writes (ignored by git). */
export const liteBuildDir = join(liteDir, 'build');
/** The site skeleton `seqlab lite` copies. */
export const liteAppDir = join(liteBuildDir, 'site');

const generatedDir = join(liteBuildDir, 'generated');
const stampPath = join(liteBuildDir, '.seqlab-lite-build');
const appSource = join(liteDir, 'app');

/**
 * The execution worker's entry: the kernel's browser execution worker (kernel/src/browser/,
 * the same cell pipeline as the Node kernel; it speaks kernel/src/core/protocol.ts) with the
 * engine set up for the site (app/worker.ts).
 */
export const workerEntry = join(appSource, 'worker.ts');

/** Core extensions a site without a Jupyter server cannot use. */
const SERVER_ONLY = new Set([
  '@jupyterlab/debugger-extension',
  '@jupyterlab/extensionmanager-extension',
  '@jupyterlab/hub-extension',
  '@jupyterlab/pluginmanager-extension',
]);

/** JupyterLite's extensions in its `app/lab` (0.8): the in-browser services and app integration. */
const LITE_EXTENSIONS = ['@jupyterlite/application-extension', '@jupyterlite/apputils-extension', '@jupyterlite/services-extension'];

/** Singletons JupyterLite adds to JupyterLab's (its `app/lab` `singletonPackages`). */
const LITE_SINGLETONS = [
  '@jupyterlab/outputarea',
  '@jupyterlite/application',
  '@jupyterlite/apputils',
  '@jupyterlite/contents',
  '@jupyterlite/kernel',
  '@jupyterlite/localforage',
  '@jupyterlite/services',
  '@jupyterlite/types',
  'mock-socket',
];

/** The seqlab plugins (lite/app/plugin.ts), registered like a core extension. */
const SEQLAB_PLUGINS = '@seqlab/lite-plugins';

/**
 * Plugins the page config disables: JupyterLite's `app/lab` list (server-backed managers
 * replaced by in-browser ones, the server's routers, downloads) plus JupyterLite's own kernel
 * client (replaced by seqlab's, which passes interrupts on) and service worker (the site has
 * its own, which adds the cross-origin isolation headers).
 */
export const DISABLED_PLUGINS = [
  '@jupyterlab/application-extension:logo',
  '@jupyterlab/application-extension:main',
  '@jupyterlab/application-extension:tree-resolver',
  '@jupyterlab/application-extension:router',
  '@jupyterlab/apputils-extension:licenses-client',
  '@jupyterlab/apputils-extension:licenses-plugin',
  '@jupyterlab/apputils-extension:announcements',
  '@jupyterlab/apputils-extension:resolver',
  '@jupyterlab/docmanager-extension:download',
  '@jupyterlab/filebrowser-extension:download',
  '@jupyterlab/filebrowser-extension:share-file',
  '@jupyterlab/help-extension:about',
  '@jupyterlab/help-extension:licenses',
  '@jupyterlab/lsp-extension:plugin',
  '@jupyterlab/services-extension:config-section-manager',
  '@jupyterlab/services-extension:connection-status',
  '@jupyterlab/services-extension:default-drive',
  '@jupyterlab/services-extension:event-manager',
  '@jupyterlab/services-extension:kernel-manager',
  '@jupyterlab/services-extension:kernel-spec-manager',
  '@jupyterlab/services-extension:nbconvert-manager',
  '@jupyterlab/services-extension:session-manager',
  '@jupyterlab/services-extension:setting-manager',
  '@jupyterlab/services-extension:user-manager',
  '@jupyterlab/services-extension:workspace-manager',
  '@jupyterlab/translation:translator',
  '@jupyterlite/application-extension:licenses-client',
  '@jupyterlite/application-extension:service-worker-manager',
  '@jupyterlite/services-extension:kernel-client',
];

function buildFingerprint(): string {
  return fingerprint(repoRoot, [
    'lite/app',
    'lite/src/build.ts',
    'lite/src/engine-assets.ts',
    'extension/host/app',
    'extension/host/package-lock.json',
    'jupyter-config/kernelspec',
    // What the bundles take from the kernel and the engine (compiled by tsc -b first).
    'kernel/src',
    'kernel/package.json',
    'engine/src',
    'engine/assembly',
    'package-lock.json',
  ]);
}

/** Whether lite/build/site holds an app built from the current inputs. */
export function liteAppUpToDate(): boolean {
  return existsSync(join(liteAppDir, 'lab', 'index.html')) && readStamp(stampPath) === buildFingerprint();
}

/** The files under `dir`, recursively. */
function walk(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...walk(path));
    else out.push(path);
  }
  return out;
}

/**
 * `build/schemas/all.json`: every plugin schema `Build.ensureAssets` copied (`@scope/pkg/plugin.json`)
 * as JupyterLite's settings service wants them: `[{ id, raw, schema, settings, version }]`.
 */
function writeAllSchemas(schemasDir: string, version: string): void {
  const all: object[] = [];
  for (const file of walk(schemasDir).sort()) {
    if (!file.endsWith('.json') || file.endsWith('package.json.orig')) continue;
    const rel = relative(schemasDir, file).split('\\').join('/');
    const pkg = dirname(rel);
    const plugin = rel.slice(pkg.length + 1, -'.json'.length);
    all.push({ id: `${pkg}:${plugin}`, raw: '{}', schema: JSON.parse(readFileSync(file, 'utf8')), settings: {}, version });
  }
  writeFileSync(join(schemasDir, 'all.json'), JSON.stringify(all));
}

/** The page, with a page config relative to the site root (lite/app/site-config.ts resolves it). */
function writePage(scripts: string[], workerFile: string, version: string): void {
  const config = {
    appName: 'seqlab',
    appVersion: version,
    appUrl: './lab',
    baseUrl: './',
    defaultKernelName: 'seqlab',
    federated_extensions: [],
    fullLabextensionsUrl: './extensions',
    fullStaticUrl: './build',
    settingsUrl: './build/schemas',
    themesUrl: 'build/themes',
    seqlabKernelWorkerUrl: `./build/kernel/${workerFile}`,
    seqlabEngineUrl: './build/engine/',
    contentsAllJsonFile: 'all.json',
    disabledExtensions: DISABLED_PLUGINS,
    exposeAppInBrowser: true,
    mode: 'multiple-document',
    collaborative: false,
  };
  const tags = scripts.map((file) => `<script defer src="../build/${file}"></script>`).join('\n  ');
  const html = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>seqlab</title>
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <link rel="icon" type="image/png" href="../build/kernel/logo-32x32.png">
  <script id="jupyter-config-data" type="application/json" data-site-root="..">${JSON.stringify(config)}</script>
  <script src="../seqlab-isolation.js"></script>
  ${tags}
</head>
<body class="jp-ThemedContainer">
  <noscript>This site runs JupyterLab and the seqlab kernel in your browser: it needs JavaScript.</noscript>
</body>
</html>
`;
  mkdirSync(join(liteAppDir, 'lab'), { recursive: true });
  writeFileSync(join(liteAppDir, 'lab', 'index.html'), html);
}

/** Options of {@link buildLiteApp}. */
export interface LiteBuildOptions {
  force?: boolean;
  log?: Log;
}

/**
 * Builds lite/build/site when its inputs changed (installing the host's packages first if
 * needed). Needs `tsc -b` and the engine's wasm build to have run (`npm run build`).
 *
 * @returns whether a build ran, and how long it took in seconds
 */
export async function buildLiteApp(options: LiteBuildOptions = {}): Promise<{ built: boolean; seconds: number }> {
  const log = options.log ?? (() => undefined);
  const started = Date.now();
  const rspack = hostRspack(log);
  if (!options.force && liteAppUpToDate()) return { built: false, seconds: (Date.now() - started) / 1000 };
  if (!existsSync(join(repoRoot, 'kernel', 'dist', 'browser', 'worker.js'))) {
    throw new Error('lite: kernel/dist/browser/worker.js is missing: run `npm run build` (tsc -b) first');
  }
  if (!existsSync(engineKernelWorkerEntry)) throw new Error(`lite: ${relative(repoRoot, engineKernelWorkerEntry)} is missing: run \`npm run build\` first`);
  typecheckApp(log, join(appSource, 'tsconfig.json'));
  log('lite: building the site app (rspack)');

  const { Build } = hostRequire('@jupyter/builder') as {
    Build: { ensureAssets(options: { output: string; packageNames: string[] }): object[] };
  };
  const baseConfig = hostRequire('@jupyter/builder/lib/webpack.config.base') as object;
  const { merge } = hostRequire('webpack-merge') as { merge: (...configs: object[]) => object };

  rmSync(liteBuildDir, { recursive: true, force: true });
  const staticDir = join(liteAppDir, 'build');
  mkdirSync(staticDir, { recursive: true });
  const meta = coreMeta();
  const extensions: Record<string, string> = {};
  for (const [name, entry] of Object.entries(meta.jupyterlab.extensions)) if (!SERVER_ONLY.has(name)) extensions[name] = entry;
  for (const name of LITE_EXTENSIONS) extensions[name] = '';
  extensions[SEQLAB_PLUGINS] = '';
  const mimeExtensions = meta.jupyterlab.mimeExtensions;
  const packageNames = [...new Set([...Object.keys(extensions), ...Object.keys(mimeExtensions)])].filter((n) => n !== SEQLAB_PLUGINS);
  const themeConfigs = Build.ensureAssets({ output: staticDir, packageNames });
  writeAllSchemas(join(staticDir, 'schemas'), meta.version);
  writeCoreExtensionsModule({ extensions, mimeExtensions }, generatedDir);

  const defines = versionDefines();
  const modules = bundleModules;
  const swc = {
    test: /\.ts$/,
    include: [appSource, join(hostDir, 'app')],
    loader: 'builtin:swc-loader',
    options: { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' } },
    type: 'javascript/auto',
  };

  const appConfig = merge(baseConfig, {
    name: 'app',
    mode: 'production',
    devtool: false,
    // The host's folder: rspack finds its module federation runtime from the context.
    context: hostDir,
    entry: { main: join(appSource, 'entry.ts') },
    output: { path: staticDir, publicPath: 'auto', filename: '[name].[contenthash].js', chunkFilename: '[name].[contenthash].js' },
    resolve: {
      modules,
      extensions: ['.ts', '.js', '.json'],
      extensionAlias: { '.js': ['.ts', '.js'] },
      alias: {
        '@seqlab-host/core-extensions$': join(generatedDir, 'core-extensions.js'),
        '@seqlab-host/style$': join(staticDir, 'style.js'),
        [`${SEQLAB_PLUGINS}$`]: join(appSource, 'plugin.ts'),
      },
    },
    module: { rules: [swc] },
    optimization: {
      // Minified: a site is downloaded by every student (unminified ~70 MB, minified see lite/README.md).
      splitChunks: {
        chunks: 'all',
        cacheGroups: { jlab_core: { test: /[\\/]node_modules[\\/]@(jupyterlab|jupyterlite|lumino(?!\/datagrid))[\\/]/, name: 'jlab_core' } },
      },
    },
    externals: ['ws'],
    performance: { hints: false },
    plugins: [
      new rspack.DefinePlugin(defines),
      new rspack.container.ModuleFederationPlugin({
        library: { type: 'var', name: ['_JUPYTERLAB', 'CORE_LIBRARY_FEDERATION'] },
        name: 'CORE_FEDERATION',
        shared: sharedPackages(meta, [...packageNames, ...LITE_SINGLETONS.filter((n) => n.startsWith('@jupyterlite/'))], LITE_SINGLETONS),
      }),
    ],
  });

  // The execution worker (cell pipeline, TypeScript, engine): one minified classic worker
  // script, the largest download of the site; and the engine's kernel thread.
  const workerConfigs = [
    workerConfig(rspack, 'kernel-worker', workerEntry, join(staticDir, 'kernel'), 'worker.[contenthash].js'),
    workerConfig(rspack, 'engine-kernel-worker', engineKernelWorkerEntry, join(staticDir, 'engine'), 'kernel-worker.js'),
  ];

  const stats = await runCompilers(rspack, [appConfig, ...workerConfigs, ...themeConfigs]);
  const children = stats.toJson({ all: false, entrypoints: true }).children ?? [];
  const scripts = children.find((c) => c.name === 'app')?.entrypoints?.['main']?.assets?.map((a) => a.name).filter((n) => n.endsWith('.js')) ?? [];
  const workerFile = children.find((c) => c.name === 'kernel-worker')?.entrypoints?.['kernel-worker']?.assets?.map((a) => a.name).find((n) => n.endsWith('.js'));
  if (scripts.length === 0 || workerFile === undefined) throw new Error('lite: the build produced no entry script or no worker');
  // The engine's wasm kernels (the worker fetches them at start) and the kernel's logos.
  copyEngineWasm(join(staticDir, 'engine'));
  for (const logo of ['logo-32x32.png', 'logo-64x64.png', 'logo-svg.svg']) {
    cpSync(join(repoRoot, 'jupyter-config', 'kernelspec', logo), join(staticDir, 'kernel', logo));
  }
  rmSync(join(staticDir, 'style.js'), { force: true });
  writePage(scripts, workerFile, meta.version);
  writeStamp(stampPath, buildFingerprint());
  const seconds = (Date.now() - started) / 1000;
  log(`lite: site app built in ${seconds.toFixed(1)} s`);
  return { built: true, seconds };
}

// `node lite/dist/build.js [--force]`
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  buildLiteApp({ force: process.argv.includes('--force'), log: (line) => console.log(line) }).catch((e: unknown) => {
    console.error((e as Error).message);
    process.exitCode = 1;
  });
}
