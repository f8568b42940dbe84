/**
 * `seqlab lite`: writes a static site that runs notebooks in the browser — JupyterLab with
 * JupyterLite's in-browser services, the seqlab kernel in a Web Worker (engine and wasm
 * kernels included), the seqlab JupyterLab extension, the notebooks and the files they read.
 * No server code, no network: any static host serves it (`seqlab serve` adds the headers that
 * let Stop interrupt a running loop; elsewhere the site's service worker adds them).
 *
 * Layout of a site:
 * ```
 * index.html                 -> lab/index.html
 * lab/index.html             the page (page config relative to the site root)
 * build/                     app bundles, settings schemas, themes, kernel/ (worker, wasm, logos)
 * extensions/@seqlab/jupyterlab/   the prebuilt extension, loaded as a federated extension
 * files/                     the notebooks and their data (what the file browser shows)
 * api/contents/…/all.json    listings of files/ (JupyterLite's contents service reads them)
 * api/translations/          the (English-only) language pack index
 * seqlab-isolation.js, seqlab-isolation-sw.js   the service worker adding COOP/COEP headers
 * ```
 */
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository (or installed package) root, two levels above kernel/dist/lite/. */
const kernelRoot = dirname(dirname(dirname(fileURLToPath(import.meta.url))));
const repoRoot = dirname(kernelRoot);

/** Where the built app and the extension come from. */
export interface SiteSources {
  /** The built app skeleton (lite/build/site). */
  appDir: string;
  /** The prebuilt JupyterLab extension (extension/labextension). */
  labextensionDir: string;
  /** The service worker files (kernel/lite-static). */
  staticDir: string;
}

/** Default sources: the checkout's builds. */
export function defaultSources(): SiteSources {
  return {
    appDir: join(repoRoot, 'lite', 'build', 'site'),
    labextensionDir: join(repoRoot, 'extension', 'labextension'),
    staticDir: join(kernelRoot, 'lite-static'),
  };
}

/** Options of {@link writeSite}. */
export interface SiteOptions {
  /** Notebooks (.ipynb) to put in the site. */
  notebooks: string[];
  /** The site folder (created; an earlier seqlab site there is replaced). */
  outDir: string;
  /** More files or folders to ship, relative to the notebooks' common folder. */
  include?: string[];
  /** Title of the app (default "seqlab"). */
  title?: string;
  sources?: SiteSources;
  log?: (line: string) => void;
}

/** What {@link writeSite} wrote. */
export interface SiteReport {
  outDir: string;
  /** Paths under files/, sorted. */
  files: string[];
  /** Total bytes of the site. */
  bytes: number;
}

/** Marker file: the folder is a seqlab site, so it may be replaced. */
const MARKER = '.seqlab-lite.json';

/** The common folder of `paths` (absolute). */
function commonDir(paths: string[]): string {
  let dir = dirname(paths[0]!);
  for (const p of paths.slice(1)) {
    while (!(dirname(p) + sep).startsWith(dir.endsWith(sep) ? dir : dir + sep)) {
      const up = dirname(dir);
      if (up === dir) break;
      dir = up;
    }
  }
  return dir;
}

/** String literals in code that look like relative file paths (`'data/timemachine.txt'`). */
const PATH_LITERAL = /(['"`])((?:\.\/)?[\w][\w .-]*(?:\/[\w][\w .-]*)*\.[A-Za-z0-9]{1,12})\1/g;

/**
 * Files a notebook reads: string literals in its code cells that name an existing file
 * relative to the notebook's folder (and inside `root`).
 */
export function referencedFiles(notebookPath: string, root: string): string[] {
  const nb = JSON.parse(readFileSync(notebookPath, 'utf8')) as { cells?: Array<{ cell_type?: string; source?: string | string[] }> };
  const found = new Set<string>();
  for (const cell of nb.cells ?? []) {
    if (cell.cell_type !== 'code') continue;
    const source = Array.isArray(cell.source) ? cell.source.join('') : String(cell.source ?? '');
    for (const m of source.matchAll(PATH_LITERAL)) {
      const file = resolve(dirname(notebookPath), m[2]!);
      const rel = relative(root, file);
      if (rel.startsWith('..') || isAbsolute(rel)) continue;
      if (existsSync(file) && statSync(file).isFile()) found.add(file);
    }
  }
  return [...found].sort();
}

function sizeOf(dir: string): number {
  let total = 0;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    const st = statSync(p);
    total += st.isDirectory() ? sizeOf(p) : st.size;
  }
  return total;
}

/** A contents model without content, as JupyterLite's contents service lists server files. */
function contentsModel(filesDir: string, rel: string): Record<string, unknown> {
  const full = join(filesDir, rel);
  const st = statSync(full);
  const name = basename(rel);
  const isDir = st.isDirectory();
  const type = isDir ? 'directory' : name.endsWith('.ipynb') ? 'notebook' : 'file';
  const mimetype = isDir ? null : name.endsWith('.ipynb') ? 'application/x-ipynb+json' : /\.(txt|md|csv|ts|js|json|py)$/.test(name) ? 'text/plain' : 'application/octet-stream';
  return {
    name,
    path: rel.split(sep).join('/'),
    type,
    created: st.birthtime.toISOString(),
    last_modified: st.mtime.toISOString(),
    format: null,
    mimetype,
    size: isDir ? null : st.size,
    writable: true,
    content: null,
  };
}

/** Writes `api/contents/<dir>/all.json` for files/ and every folder under it. */
function writeListings(siteDir: string, filesDir: string, rel = ''): void {
  const dir = join(filesDir, rel);
  const content = readdirSync(dir)
    .sort()
    .map((name) => contentsModel(filesDir, rel ? join(rel, name) : name));
  const listing = { ...contentsModel(filesDir, rel || '.'), name: rel ? basename(rel) : '', path: rel.split(sep).join('/'), content };
  const out = join(siteDir, 'api', 'contents', rel);
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'all.json'), JSON.stringify(listing));
  for (const name of readdirSync(dir)) if (statSync(join(dir, name)).isDirectory()) writeListings(siteDir, filesDir, rel ? join(rel, name) : name);
}

/** The page config in lab/index.html, updated by `update`. */
function updatePageConfig(pagePath: string, update: (config: Record<string, unknown>) => void): void {
  const html = readFileSync(pagePath, 'utf8');
  const re = /(<script id="jupyter-config-data" type="application\/json"[^>]*>)([\s\S]*?)(<\/script>)/;
  const m = re.exec(html);
  if (!m) throw new Error(`seqlab lite: ${pagePath} has no jupyter-config-data script`);
  const config = JSON.parse(m[2]!) as Record<string, unknown>;
  update(config);
  // `</` inside a script element would end it.
  const json = JSON.stringify(config).replace(/</g, '\\u003c');
  writeFileSync(pagePath, html.replace(re, `$1${json}$3`));
}

/** The federated extension entry of a prebuilt labextension (as jupyterlab_server lists it). */
function federatedEntry(labextensionDir: string): Record<string, unknown> {
  const pkg = JSON.parse(readFileSync(join(labextensionDir, 'package.json'), 'utf8')) as {
    name: string;
    jupyterlab?: { _build?: Record<string, string> };
  };
  const build = pkg.jupyterlab?._build;
  if (!build?.['load']) throw new Error(`seqlab lite: ${labextensionDir} is not a built labextension (no jupyterlab._build in package.json)`);
  return { name: pkg.name, ...build };
}

/**
 * Writes the site. The app must be built (lite/build/site; `seqlab lite` builds it first in a
 * checkout).
 *
 * @example writeSite({ notebooks: ['notebooks/01-recurrent-neural-networks.ipynb'], outDir: 'site' })
 */
export function writeSite(options: SiteOptions): SiteReport {
  const log = options.log ?? (() => undefined);
  const sources = options.sources ?? defaultSources();
  if (options.notebooks.length === 0) throw new Error('seqlab lite: give at least one notebook (.ipynb)');
  const notebooks = options.notebooks.map((p) => resolve(p));
  for (const nb of notebooks) {
    if (!nb.endsWith('.ipynb')) throw new Error(`seqlab lite: ${nb} is not a notebook (.ipynb)`);
    if (!existsSync(nb)) throw new Error(`seqlab lite: ${nb} does not exist`);
  }
  if (!existsSync(join(sources.appDir, 'lab', 'index.html'))) {
    throw new Error(`seqlab lite: the site app is not built (${sources.appDir}); run \`npm run lite\` in the seqlab checkout`);
  }
  if (!existsSync(join(sources.labextensionDir, 'package.json'))) {
    throw new Error(`seqlab lite: the JupyterLab extension is not built (${sources.labextensionDir}); run \`npm run build\``);
  }
  const outDir = resolve(options.outDir);
  if (existsSync(outDir) && readdirSync(outDir).length > 0) {
    if (!existsSync(join(outDir, MARKER))) {
      throw new Error(`seqlab lite: ${outDir} exists and is not a seqlab site; choose an empty or new folder`);
    }
    rmSync(outDir, { recursive: true, force: true });
  }
  mkdirSync(outDir, { recursive: true });

  cpSync(sources.appDir, outDir, { recursive: true });
  // The extension, as a federated extension.
  const fed = federatedEntry(sources.labextensionDir);
  const extDir = join(outDir, 'extensions', String(fed['name']));
  cpSync(sources.labextensionDir, extDir, { recursive: true });
  // Settings schemas of federated extensions (none today; JupyterLite reads the file when present).
  const fedSchemas: object[] = [];
  const schemasDir = join(sources.labextensionDir, 'schemas', String(fed['name']));
  if (existsSync(schemasDir)) {
    for (const file of readdirSync(schemasDir).filter((f) => f.endsWith('.json') && f !== 'package.json.orig')) {
      fedSchemas.push({ id: `${String(fed['name'])}:${file.slice(0, -5)}`, raw: '{}', schema: JSON.parse(readFileSync(join(schemasDir, file), 'utf8')), settings: {}, version: '' });
    }
  }
  writeFileSync(join(outDir, 'build', 'schemas', 'all_federated.json'), JSON.stringify(fedSchemas));

  // The notebooks and what they read, under files/, keeping their layout.
  const root = commonDir(notebooks);
  const filesDir = join(outDir, 'files');
  const shipped = new Set<string>(notebooks);
  for (const nb of notebooks) for (const f of referencedFiles(nb, root)) shipped.add(f);
  for (const inc of options.include ?? []) {
    const full = resolve(root, inc);
    if (!existsSync(full)) throw new Error(`seqlab lite: --include ${inc}: ${full} does not exist`);
    shipped.add(full);
  }
  for (const file of shipped) {
    const rel = relative(root, file);
    if (rel.startsWith('..') || isAbsolute(rel)) throw new Error(`seqlab lite: ${file} is outside the notebooks' folder ${root}`);
    mkdirSync(dirname(join(filesDir, rel)), { recursive: true });
    cpSync(file, join(filesDir, rel), { recursive: true });
  }
  writeListings(outDir, filesDir);

  // English only: JupyterLite's translation service asks for these.
  const translations = join(outDir, 'api', 'translations');
  mkdirSync(translations, { recursive: true });
  writeFileSync(join(translations, 'all.json'), JSON.stringify({ data: { en: { displayName: 'English', nativeName: 'English' } }, message: '' }));
  writeFileSync(join(translations, 'en.json'), JSON.stringify({ data: {}, message: '' }));

  updatePageConfig(join(outDir, 'lab', 'index.html'), (config) => {
    config['federated_extensions'] = [fed];
    if (options.title) config['appName'] = options.title;
  });
  const first = relative(root, notebooks[0]!).split(sep).join('/');
  writeFileSync(
    join(outDir, 'index.html'),
    `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>${escapeHtml(options.title ?? 'seqlab')}</title>
  <meta http-equiv="refresh" content="0; url=lab/index.html?path=${encodeURIComponent(first)}">
</head>
<body><p><a href="lab/index.html?path=${encodeURIComponent(first)}">Open the notebooks</a></p></body>
</html>
`,
  );
  for (const name of ['seqlab-isolation.js', 'seqlab-isolation-sw.js']) cpSync(join(sources.staticDir, name), join(outDir, name));
  // GitHub Pages: serve every file as is.
  writeFileSync(join(outDir, '.nojekyll'), '');
  const files = [...shipped].map((f) => relative(root, f).split(sep).join('/')).sort();
  writeFileSync(join(outDir, MARKER), `${JSON.stringify({ generator: 'seqlab lite', files }, null, 1)}\n`);
  const bytes = sizeOf(outDir);
  log(`seqlab lite: wrote ${outDir} (${files.length} files, ${(bytes / 1048576).toFixed(1)} MiB)`);
  return { outDir, files, bytes };
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
