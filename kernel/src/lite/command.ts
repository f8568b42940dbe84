/**
 * `seqlab lite NOTEBOOK... --out DIR [--include PATH]... [--title TEXT]` and
 * `seqlab serve DIR [--port N]`.
 */
import { existsSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseCommand } from '../cli/args.js';
import { defaultSources, writeSite } from './site.js';
import { serveSite } from './serve.js';

const LITE_USAGE = 'usage: seqlab lite NOTEBOOK... --out DIR [--include PATH]... [--title TEXT]';
const SERVE_USAGE = 'usage: seqlab serve DIR [--port N]';

const LITE_HELP = `Usage: seqlab lite NOTEBOOK... --out DIR [--include PATH]... [--title TEXT]

Writes a static site that runs the notebooks in the browser: JupyterLab with JupyterLite's
in-browser services, the seqlab kernel in a Web Worker (engine and wasm kernels included), the
seqlab extension, the notebooks and the files their cells name as string literals. It needs no
server code and no network; serve it with \`seqlab serve DIR\` or any static host.
  --out DIR        the site folder (an earlier seqlab site there is replaced)
  --include PATH   another file or folder to ship, relative to the notebooks' folder (repeatable)
  --title TEXT     the app's title (default "seqlab")
`;

const SERVE_HELP = `Usage: seqlab serve DIR [--port N]

Serves a site written by \`seqlab lite\` on 127.0.0.1 (port 8000 by default) with the
cross-origin isolation headers (COOP/COEP) that let Stop interrupt a running cell.
`;

const shown = (p: string): string => relative(process.cwd(), p) || p;

/**
 * In a checkout, builds the site app (lite/build/site) when its inputs changed, with the
 * builder in lite/dist (compiled by `tsc -b`). An installed package ships the app built.
 */
async function ensureApp(appDir: string): Promise<void> {
  const repoRoot = dirname(dirname(dirname(dirname(fileURLToPath(import.meta.url)))));
  const builder = join(repoRoot, 'lite', 'dist', 'build.js');
  if (!existsSync(builder)) return;
  const { buildLiteApp, liteAppDir } = (await import(pathToFileURL(builder).href)) as {
    buildLiteApp(o: { log: (l: string) => void }): Promise<{ built: boolean }>;
    liteAppDir: string;
  };
  if (liteAppDir !== appDir) return;
  await buildLiteApp({ log: (line) => process.stderr.write(`${line}\n`) });
}

/** Runs `seqlab lite`; resolves with the exit code (0 written, 1 failed, 2 usage). */
export async function liteCommand(argv: string[]): Promise<number> {
  const parsed = parseCommand(argv, {
    command: 'lite',
    options: { out: { type: 'string', short: 'o' }, include: { type: 'string', multiple: true }, title: { type: 'string' } },
    usage: LITE_USAGE,
    help: LITE_HELP,
    positionals: 'notebooks',
    requireOut: true,
  });
  if (typeof parsed === 'number') return parsed;
  const { values, positionals } = parsed;
  try {
    const sources = defaultSources();
    await ensureApp(sources.appDir);
    const report = writeSite({
      notebooks: positionals,
      outDir: values.out!,
      include: values.include ?? [],
      ...(values.title ? { title: values.title } : {}),
      sources,
    });
    process.stdout.write(
      `wrote ${shown(report.outDir)}: ${report.files.length} files (${report.files.join(', ')}), ${(report.bytes / 1048576).toFixed(1)} MiB\n` +
        `serve it with: seqlab serve ${shown(report.outDir)}\n`,
    );
    return 0;
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n`);
    return 1;
  }
}

/** Runs `seqlab serve` until SIGINT/SIGTERM; resolves with the exit code. */
export async function serveCommand(argv: string[]): Promise<number> {
  const parsed = parseCommand(argv, {
    command: 'serve',
    options: { port: { type: 'string', short: 'p' } },
    usage: SERVE_USAGE,
    help: SERVE_HELP,
    positionals: 'folder',
  });
  if (typeof parsed === 'number') return parsed;
  const { values, positionals } = parsed;
  const port = values.port === undefined ? 8000 : Number(values.port);
  try {
    const server = await serveSite({ dir: positionals[0]!, port });
    process.stdout.write(`serving ${shown(positionals[0]!)} at ${server.url} (cross-origin isolated); Ctrl-C stops\n`);
    await new Promise<void>((resolve) => {
      const stop = (): void => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        void server.close().then(resolve);
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
    return 0;
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n`);
    return 1;
  }
}
