/**
 * End-to-end harness: the JupyterLab host in headless Chromium.
 *
 * `prepareHost()` builds what the host needs (once per run, across vitest workers);
 * `startLab()` starts the server on 127.0.0.1 with a fresh root, Jupyter state and browser
 * profile; a `Lab` opens notebooks, waits for a connected idle kernel, runs cells, collects
 * console errors and screenshots; `lab.close()` deletes sessions, closes the browser and stops
 * the server (and its kernels), also after a failure.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { chromium, type BrowserContext, type ConsoleMessage, type Page } from 'playwright-core';

import { buildProject, installIntoPrefix, type PrefixInstall, type StepReport } from '../../extension/host/src/project-build.js';
import { checkServerDependencies, processesMentioning, startHostServer, type HostServer } from '../../extension/host/src/server.js';

export const repoRoot = dirname(dirname(dirname(fileURLToPath(import.meta.url))));

/** Screenshots and timings land here (ignored by git). */
export const resultsDir = join(repoRoot, 'test-results', 'e2e');

export const chromiumPath = '/usr/bin/chromium';

/** The flags headless Chromium needs on these machines (a closed network, root, no GPU). */
export const chromiumArgs = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * Console errors JupyterLab itself logs in a healthy session, with the reason each is expected.
 * Anything else a test sees is unexpected.
 */
export const expectedConsoleErrors: ReadonlyArray<{ type: string; pattern: RegExp; reason: string }> = [
  {
    type: 'pageerror',
    pattern: /^Error: No active debugger session$/,
    reason:
      'JupyterLab 4.6 refreshes the debugger\'s kernel sources after every execute_reply ' +
      '(debugger-extension: handler.executionDone -> displayModules, jupyterlab/jupyterlab#18081) and the ' +
      'promise rejects, uncaught, for kernels without debugger support such as seqlab\'s; a real ' +
      '`jupyter lab` 4.6 logs it too. The debugger stays enabled for ipykernel.',
  },
];

/**
 * Checks the Debian packages, then builds the labextension and the host frontend where they
 * are not up to date (TypeScript is compiled by `npm test`'s pretest).
 *
 * @throws naming the missing packages and `bash scripts/system-deps.sh`
 */
export async function prepareHost(): Promise<StepReport[]> {
  if (!existsSync(chromiumPath)) {
    throw new Error(`e2e: ${chromiumPath} is missing: install the Debian package chromium with: sudo bash scripts/system-deps.sh`);
  }
  checkServerDependencies();
  // buildProject takes a machine-wide lock: one worker builds, the others then find it current.
  return buildProject({ log: line => console.log(line), skipTypeScript: true });
}

/**
 * jupyterlab-plotly, the plotly renderer a JupyterLab user installs next to seqlab, pinned:
 * its npm package, and the plotly.js release it depends on (`^2.35.2`) as the prebuilt
 * `plotly.js-dist-min` of that release.
 */
export const JUPYTERLAB_PLOTLY = { version: '5.24.1', plotlyJs: '2.35.3' } as const;

/**
 * A Jupyter data folder holding jupyterlab-plotly as a prebuilt labextension
 * (`labextensions/jupyterlab-plotly/`), for {@link LabOptions.jupyterPath}. Built once into
 * `.cache/e2e/` (ignored by git) and reused.
 *
 * The npm package ships the TypeScript output, not the prebuilt labextension that plotly's
 * Python package installs (PyPI is out of reach here), so it is built here the same way
 * seqlab's is: `build-labextension` against `@jupyterlab/core-meta`. Built as published
 * except for two things. Its mime renderer, the part that draws
 * `application/vnd.plotly.v1+json`, is built; its FigureWidget plugin is left out, because
 * it needs ipywidgets (`@jupyter-widgets/base`), which the host does not have (a JupyterLab
 * without ipywidgets cannot load it either). And `plotly.js/dist/plotly`, which the renderer
 * imports, is plotly.js-dist-min of the same plotly.js release (the same bundle, minified),
 * so the whole plotly.js source tree is not installed to build it.
 */
export function prepareJupyterlabPlotly(log: (line: string) => void = line => console.log(line)): string {
  const { version, plotlyJs } = JUPYTERLAB_PLOTLY;
  const dataDir = join(repoRoot, '.cache', 'e2e', `jupyterlab-plotly-${version}-plotly.js-${plotlyJs}`);
  const installed = join(dataDir, 'labextensions', 'jupyterlab-plotly');
  if (existsSync(join(installed, 'package.json'))) {
    return dataDir;
  }
  const run = (command: string, args: string[], cwd: string, what: string): void => {
    log(`e2e: ${what}: ${command} ${args.join(' ')}`);
    const result = spawnSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024 });
    if (result.status !== 0) {
      throw new Error(`e2e: ${what} failed (${result.error?.message ?? `exit ${result.status}`}):\n${result.stdout}\n${result.stderr}`.trim());
    }
  };
  // Under the repository, so that webpack finds the host's shared packages (@lumino/widgets)
  // and the loaders in the root node_modules.
  const work = join(repoRoot, '.cache', 'e2e', `jupyterlab-plotly-build-${process.pid}`);
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  try {
    run('npm', ['pack', `jupyterlab-plotly@${version}`, `plotly.js-dist-min@${plotlyJs}`, '--silent', '--pack-destination', work], work, 'downloading jupyterlab-plotly');
    const pkg = join(work, 'jupyterlab-plotly');
    const plotly = join(work, 'plotly-dist');
    mkdirSync(pkg);
    mkdirSync(plotly);
    run('tar', ['-xzf', join(work, `jupyterlab-plotly-${version}.tgz`), '-C', pkg, '--strip-components=1'], work, 'unpacking jupyterlab-plotly');
    run('tar', ['-xzf', join(work, `plotly.js-dist-min-${plotlyJs}.tgz`), '-C', plotly, '--strip-components=1'], work, 'unpacking plotly.js-dist-min');
    // plotly.js/dist/plotly, as the renderer imports it.
    const shim = join(pkg, 'node_modules', 'plotly.js');
    mkdirSync(join(shim, 'dist'), { recursive: true });
    writeFileSync(join(shim, 'package.json'), JSON.stringify({ name: 'plotly.js', version: plotlyJs, main: 'dist/plotly.js' }));
    cpSync(join(plotly, 'plotly.min.js'), join(shim, 'dist', 'plotly.js'));
    const manifest = JSON.parse(readFileSync(join(pkg, 'package.json'), 'utf8')) as Record<string, any>;
    if (manifest['version'] !== version || manifest['jupyterlab']?.['mimeExtension'] !== 'lib/plotly-renderer') {
      throw new Error(`e2e: jupyterlab-plotly@${version} is not laid out as expected (jupyterlab.mimeExtension "lib/plotly-renderer")`);
    }
    manifest['jupyterlab'] = {
      mimeExtension: 'lib/plotly-renderer',
      outputDir: 'labextension',
      webpackConfig: 'webpack.extra.cjs',
    };
    // The package's entry (exposed as ./index) re-exports the FigureWidget too: the renderer instead.
    manifest['main'] = 'lib/plotly-renderer.js';
    manifest['dependencies'] = { '@lumino/widgets': manifest['dependencies']['@lumino/widgets'], 'plotly.js': plotlyJs };
    delete manifest['devDependencies'];
    delete manifest['scripts'];
    writeFileSync(join(pkg, 'package.json'), JSON.stringify(manifest, null, 2));
    // plotly.js is minified already: not parsed for imports, not minified again (as seqlab's own build).
    writeFileSync(
      join(pkg, 'webpack.extra.cjs'),
      "const TerserPlugin = require('terser-webpack-plugin');\n" +
        "module.exports = { module: { noParse: /plotly\\.js[\\\\/]dist[\\\\/]plotly\\.js$/ }, optimization: { minimizer: [new TerserPlugin({ exclude: /plotly/ })] } };\n"
    );
    const corePath = join(repoRoot, 'extension', 'lib', 'core-meta');
    if (!existsSync(join(corePath, 'package.json'))) {
      throw new Error('e2e: extension/lib/core-meta is missing: build the extension first (npm run build -w extension)');
    }
    run(join(repoRoot, 'node_modules', '.bin', 'build-labextension'), ['--core-path', corePath, pkg], repoRoot, 'building the jupyterlab-plotly labextension');
    const built = join(pkg, 'labextension');
    if (!existsSync(join(built, 'package.json'))) {
      throw new Error(`e2e: build-labextension wrote no ${join(built, 'package.json')}`);
    }
    const staging = `${dataDir}.partial-${process.pid}`;
    rmSync(staging, { recursive: true, force: true });
    cpSync(built, join(staging, 'labextensions', 'jupyterlab-plotly'), { recursive: true });
    rmSync(dataDir, { recursive: true, force: true });
    renameSync(staging, dataDir);
    log(`e2e: jupyterlab-plotly ${version} labextension in ${installed}`);
    return dataDir;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** A console message or page error seen in the browser. */
export interface ConsoleEntry {
  type: string;
  text: string;
  url?: string;
}

/** A notebook cell's state, read from JupyterLab's model. */
export interface CellState {
  type: string;
  executionCount: number | null;
  outputs: Array<Record<string, unknown>>;
}

/** Options of {@link startLab}. */
export interface LabOptions {
  /** Notebooks to put in the root: name -> nbformat JSON, or a path to copy. */
  notebooks?: Record<string, object | string>;
  /** Extra Jupyter data folders (`JUPYTER_PATH`). */
  jupyterPath?: string[];
  /** Run `seqlab install --prefix` into the temporary folder and serve its kernel and extension. */
  seqlab?: boolean;
}

/** Timings of one lab session, in seconds. */
export interface LabTimings {
  serverStart: number;
  browserLaunch: number;
  [step: string]: number;
}

/** A running host with a browser page on it. */
export interface Lab {
  readonly server: HostServer;
  readonly page: Page;
  readonly rootDir: string;
  readonly timings: LabTimings;
  /** What `seqlab install` put where (when {@link LabOptions.seqlab}). */
  readonly seqlab: PrefixInstall | null;
  /** Every console message and page error so far. */
  readonly console: ConsoleEntry[];
  /** Every HTTP response the page received: URL and status. */
  readonly responses: Array<{ url: string; status: number }>;
  /** Console errors, page errors and failed requests not listed in {@link expectedConsoleErrors}. */
  unexpectedErrors(): ConsoleEntry[];
  /** Opens `/lab` and waits until the shell is restored. */
  openLab(): Promise<void>;
  /** Opens `/lab/tree/NAME?reset` and waits for the notebook panel (not for a kernel). */
  openNotebook(name: string): Promise<void>;
  /** Waits until the current notebook's kernel is ready, connected and idle. */
  waitForKernel(timeoutMs?: number): Promise<void>;
  /** Fires `notebook:run-all-cells` (not awaited in the page) and waits until every code cell ran. */
  runAllCells(timeoutMs?: number): Promise<CellState[]>;
  /** The current notebook's cells. */
  cells(): Promise<CellState[]>;
  /** Writes `test-results/e2e/NAME.png` and returns its path. */
  screenshot(name: string): Promise<string>;
  /** Deletes sessions, closes the browser, stops the server and kernels, removes temp folders; fails when a kernel process outlived the server. */
  close(): Promise<void>;
}

/**
 * Starts the host server and a browser.
 *
 * @example
 * const lab = await startLab({ notebooks: { 'a.ipynb': notebook(['print(1)']) } });
 * try { await lab.openNotebook('a.ipynb'); await lab.waitForKernel(); } finally { await lab.close(); }
 */
export async function startLab(options: LabOptions = {}): Promise<Lab> {
  const tempDir = mkdtempSync(join(tmpdir(), 'seqlab-e2e-'));
  const rootDir = join(tempDir, 'root');
  mkdirSync(rootDir);
  for (const [name, content] of Object.entries(options.notebooks ?? {})) {
    const target = join(rootDir, name);
    mkdirSync(dirname(target), { recursive: true });
    if (typeof content === 'string') {
      cpSync(content, target);
    } else {
      writeFileSync(target, JSON.stringify(content, null, 1));
    }
  }
  mkdirSync(resultsDir, { recursive: true });
  const timings: LabTimings = { serverStart: 0, browserLaunch: 0 };
  const consoleEntries: ConsoleEntry[] = [];
  const responses: Array<{ url: string; status: number }> = [];
  let server: HostServer | null = null;
  let context: BrowserContext | null = null;

  const close = async (): Promise<void> => {
    const problems: unknown[] = [];
    if (server) {
      try {
        const response = await server.api('api/sessions');
        if (response.ok) {
          for (const session of (await response.json()) as Array<{ id: string }>) {
            await server.api(`api/sessions/${session.id}`, { method: 'DELETE' });
          }
        }
      } catch (error) {
        problems.push(error);
      }
    }
    if (context) {
      await context.close().catch((error: unknown) => problems.push(error));
      context = null;
    }
    if (server) {
      const runtimeDir = server.runtimeDir;
      await server.stop().catch((error: unknown) => problems.push(error));
      server = null;
      // Kernels get their connection file under the server's runtime folder: none may outlive it.
      const left = processesMentioning(runtimeDir);
      if (left.length > 0) problems.push(`kernel processes outlived the server: ${left.join(', ')}`);
    }
    rmSync(tempDir, { recursive: true, force: true });
    if (problems.length > 0) {
      throw new Error(`e2e: clean-up problems: ${problems.map(String).join('; ')}`);
    }
  };

  try {
    const seqlab = options.seqlab ? installIntoPrefix(join(tempDir, 'prefix'), line => console.log(line)) : null;
    let started = Date.now();
    server = await startHostServer({
      rootDir,
      stateDir: join(tempDir, 'jupyter'),
      jupyterPath: [...(seqlab ? [seqlab.jupyterPath] : []), ...(options.jupyterPath ?? [])],
      exposeAppInBrowser: true,
      logFile: join(tempDir, 'server.log'),
    });
    timings.serverStart = (Date.now() - started) / 1000;

    started = Date.now();
    context = await chromium.launchPersistentContext(join(tempDir, 'chromium-profile'), {
      executablePath: chromiumPath,
      args: chromiumArgs,
      viewport: { width: 1280, height: 800 },
    });
    timings.browserLaunch = (Date.now() - started) / 1000;
    const page = context.pages()[0] ?? (await context.newPage());
    page.on('console', (message: ConsoleMessage) => {
      const location = message.location();
      consoleEntries.push({ type: message.type(), text: message.text(), url: location.url });
    });
    page.on('pageerror', error => consoleEntries.push({ type: 'pageerror', text: `${error.name}: ${error.message}` }));
    page.on('response', response => responses.push({ url: response.url(), status: response.status() }));
    page.on('requestfailed', request => {
      // Aborted requests are the browser's own business (navigation, cancelled fetches).
      if (request.failure()?.errorText !== 'net::ERR_ABORTED') {
        consoleEntries.push({ type: 'requestfailed', text: `${request.method()} ${request.url()}: ${request.failure()?.errorText}` });
      }
    });
    const liveServer = server;

    const waitForApp = async (): Promise<void> => {
      await page.waitForFunction(() => (window as unknown as { jupyterapp?: unknown }).jupyterapp !== undefined, null, {
        timeout: 60_000,
      });
      await page.evaluate(() => (window as unknown as { jupyterapp: { restored: Promise<void> } }).jupyterapp.restored);
    };

    const cells = (): Promise<CellState[]> =>
      page.evaluate(() => {
        // Runs in the page: reads the current notebook's model.
        const app = (window as unknown as { jupyterapp: any }).jupyterapp;
        const panel = app.shell.currentWidget;
        const model = panel?.content?.model;
        if (!model) {
          return [];
        }
        const out: Array<{ type: string; executionCount: number | null; outputs: Array<Record<string, unknown>> }> = [];
        for (let i = 0; i < model.cells.length; i++) {
          const cell = model.cells.get(i);
          out.push({
            type: cell.type,
            executionCount: cell.type === 'code' ? (cell.executionCount ?? null) : null,
            outputs: cell.type === 'code' ? cell.outputs.toJSON() : [],
          });
        }
        return out;
      });

    const lab: Lab = {
      server: liveServer,
      page,
      rootDir,
      timings,
      seqlab,
      console: consoleEntries,
      responses,
      unexpectedErrors() {
        return consoleEntries.filter(
          entry =>
            (entry.type === 'error' || entry.type === 'pageerror' || entry.type === 'requestfailed') &&
            !expectedConsoleErrors.some(expected => expected.type === entry.type && expected.pattern.test(entry.text))
        );
      },
      async openLab() {
        const started = Date.now();
        await page.goto(liveServer.url('lab'));
        await waitForApp();
        timings['labOpen'] = (Date.now() - started) / 1000;
      },
      async openNotebook(name) {
        const started = Date.now();
        const url = new URL(liveServer.url(`lab/tree/${name}`));
        // ?reset: start from a clean layout, not the workspace a previous page saved.
        url.searchParams.set('reset', '');
        await page.goto(url.toString());
        await waitForApp();
        await page.waitForFunction(
          (path: string) => {
            const panel = (window as unknown as { jupyterapp: any }).jupyterapp.shell.currentWidget;
            return panel?.context?.path === path && panel.context.isReady && panel.content?.widgets?.length > 0;
          },
          name,
          { timeout: 60_000, polling: 100 }
        );
        timings['notebookOpen'] = (Date.now() - started) / 1000;
      },
      async waitForKernel(timeoutMs = 90_000) {
        const started = Date.now();
        // `[data-status="idle"]` shows before the kernel's websocket exists; cells run then
        // are lost. Wait for the session to be ready and the kernel connected and idle.
        await page.waitForFunction(
          () => {
            const panel = (window as unknown as { jupyterapp: any }).jupyterapp.shell.currentWidget;
            const sessionContext = panel?.sessionContext;
            const kernel = sessionContext?.session?.kernel;
            return Boolean(
              sessionContext?.isReady && kernel && kernel.connectionStatus === 'connected' && kernel.status === 'idle'
            );
          },
          null,
          { timeout: timeoutMs, polling: 100 }
        );
        timings['kernelReady'] = (Date.now() - started) / 1000;
      },
      async runAllCells(timeoutMs = 120_000) {
        const started = Date.now();
        await page.evaluate(() => {
          // Not awaited: the command resolves only when every cell ran, and awaiting it inside
          // page.evaluate ties the evaluation to the whole run.
          void (window as unknown as { jupyterapp: any }).jupyterapp.commands.execute('notebook:run-all-cells');
        });
        await page.waitForFunction(
          () => {
            const panel = (window as unknown as { jupyterapp: any }).jupyterapp.shell.currentWidget;
            const model = panel?.content?.model;
            const kernel = panel?.sessionContext?.session?.kernel;
            if (!model || !kernel || kernel.status !== 'idle') {
              return false;
            }
            for (let i = 0; i < model.cells.length; i++) {
              const cell = model.cells.get(i);
              if (cell.type === 'code' && cell.sharedModel.getSource().trim() !== '' && !cell.executionCount) {
                return false;
              }
            }
            return true;
          },
          null,
          { timeout: timeoutMs, polling: 100 }
        );
        timings['runAllCells'] = (Date.now() - started) / 1000;
        return cells();
      },
      cells,
      async screenshot(name) {
        const path = join(resultsDir, `${basename(name, '.png')}.png`);
        await page.screenshot({ path });
        return path;
      },
      close,
    };
    return lab;
  } catch (error) {
    await close().catch(() => undefined);
    throw error;
  }
}

/** Builds a minimal nbformat 4.5 notebook with the given code cells. */
export function notebook(
  sources: string[],
  kernel: { name: string; display_name: string; language: string } = {
    name: 'python3',
    display_name: 'Python 3 (ipykernel)',
    language: 'python',
  }
): object {
  return {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: { kernelspec: kernel, language_info: { name: kernel.language } },
    cells: sources.map((source, i) => ({
      id: `cell-${i}`,
      cell_type: 'code',
      execution_count: null,
      metadata: {},
      outputs: [],
      source,
    })),
  };
}

/** Text of every output of a cell (stream text, text/plain, error names). */
export function outputText(cell: CellState): string {
  return cell.outputs
    .map(output => {
      if (output['output_type'] === 'stream') {
        const text = output['text'];
        return Array.isArray(text) ? text.join('') : String(text);
      }
      if (output['output_type'] === 'error') {
        return `${String(output['ename'])}: ${String(output['evalue'])}`;
      }
      const data = output['data'] as Record<string, unknown> | undefined;
      const plain = data?.['text/plain'];
      return Array.isArray(plain) ? plain.join('') : plain === undefined ? '' : String(plain);
    })
    .join('');
}

/** Appends timings to test-results/e2e/timings.jsonl, one JSON object per test. */
export function recordTimings(test: string, timings: Record<string, number>): void {
  mkdirSync(resultsDir, { recursive: true });
  const line = JSON.stringify({ test, at: new Date().toISOString(), ...timings });
  writeFileSync(join(resultsDir, 'timings.jsonl'), `${line}\n`, { flag: 'a' });
}

/** A plotly figure as rendered in the page: its traces (from the element's `data`/`_fullData`) and layout. */
export interface RenderedFigure {
  /** The figure's index among the `.js-plotly-plot` elements in scope, in document order. */
  index: number;
  title: string | null;
  /** Height in CSS pixels that plotly laid the figure out at. */
  height: number;
  /** `yaxis.type` as plotly resolved it ('linear', 'log', ...). */
  yaxisType: string | null;
  /** The x axis tick labels as drawn (SVG text), e.g. tokens. */
  xTickLabels: string[];
  /** The y axis tick labels as drawn (SVG text). */
  yTickLabels: string[];
  traces: Array<{ type: string; name: string | null; x: unknown[] | null; y: unknown[] | null; z: unknown[] | null }>;
}

/**
 * Reads every plotly figure drawn in the page (`.js-plotly-plot` elements), optionally only
 * those inside `scope` (a CSS selector).
 */
export function renderedFigures(page: Page, scope = 'body'): Promise<RenderedFigure[]> {
  return page.evaluate((selector: string) => {
    const plots = [...document.querySelectorAll(`${selector} .js-plotly-plot`)] as Array<HTMLElement & Record<string, any>>;
    const list = (value: unknown): unknown[] | null =>
      Array.isArray(value) || ArrayBuffer.isView(value) ? Array.from(value as ArrayLike<unknown>) : null;
    const ticks = (plot: HTMLElement, axis: 'x' | 'y'): string[] =>
      [...plot.querySelectorAll(`.${axis}tick text`)].map(t => t.textContent ?? '');
    return plots.map((plot, index) => {
      const full = (plot['_fullData'] ?? plot['data'] ?? []) as Array<Record<string, unknown>>;
      const layout = plot['_fullLayout'] ?? plot['layout'] ?? {};
      const title = layout.title;
      return {
        index,
        title: typeof title === 'string' ? title : (title?.text ?? null),
        height: Number(layout.height ?? 0),
        yaxisType: layout.yaxis?.type ?? null,
        xTickLabels: ticks(plot, 'x'),
        yTickLabels: ticks(plot, 'y'),
        traces: full.map(trace => ({
          type: String(trace['type']),
          name: (trace['name'] as string | undefined) ?? null,
          x: list(trace['x']),
          y: list(trace['y']),
          z: list(trace['z']),
        })),
      };
    });
  }, scope);
}
