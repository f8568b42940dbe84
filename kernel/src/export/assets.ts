/**
 * The static files of an exported site (`_static/`), copied from npm packages and the
 * extension's build at export time, so the site needs no network:
 *
 * ```
 * _static/site.css, site.js          the pages' style and script (this folder)
 * _static/katex/katex.min.css, fonts/ KaTeX's stylesheet and fonts (package katex)
 * _static/highlight/github*.min.css   highlight.js's GitHub themes, light and dark
 * _static/seqlab/                     the standalone views bundle + its plotly.js chunk, once per site
 * _static/licenses/                   the licences of the copied libraries
 * ```
 */
import { cpSync, existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { assetPath, PACKED_LICENSES_DIR } from '../assets.js';
import { STATIC_DIR } from './layout.js';
import { SITE_JS } from './site-script.js';
import { SITE_CSS } from './site-style.js';

const require = createRequire(import.meta.url);

/** The standalone views bundle `npm run build -w extension` writes (in the package when packed). */
export const DEFAULT_VIEWS_DIR = assetPath('views');

/** An export that cannot be done, with what to do about it. */
export class ExportError extends Error {}

/**
 * The standalone views bundle: `dir` (else `$SEQLAB_VIEWS_DIR`, else extension/standalone)
 * when it holds `seqlab-views.js` and its plotly.js chunk.
 *
 * @throws ExportError saying how to build it
 */
export function locateViewsBundle(dir?: string, env: NodeJS.ProcessEnv = process.env): string {
  const viewsDir = resolve(dir ?? env['SEQLAB_VIEWS_DIR'] ?? DEFAULT_VIEWS_DIR);
  const script = join(viewsDir, 'seqlab-views.js');
  if (!existsSync(script)) {
    throw new ExportError(
      `the standalone views bundle is not built (no ${script}); the pages need it to draw seqlab views and plotly figures. ` +
        'Build it with `npm run build -w extension` (or `npm run build`) from the repository root, then export again',
    );
  }
  if (!readdirSync(viewsDir).some((f) => /^seqlab-plotly\..*\.js$/.test(f))) {
    throw new ExportError(`the standalone views bundle in ${viewsDir} has no plotly.js chunk (seqlab-plotly.*.js): rebuild it with \`npm run build -w extension\``);
  }
  return viewsDir;
}

/** The licence file of an installed package, or null. */
function licenseOf(pkg: string, from: NodeJS.Require = require): string | null {
  try {
    const dir = dirname(from.resolve(`${pkg}/package.json`));
    const file = readdirSync(dir).find((f) => /^licen[cs]e(\.(md|txt))?$/i.test(f));
    return file ? join(dir, file) : null;
  } catch {
    return null;
  }
}

/** What {@link copyAssets} wrote. */
export interface CopiedAssets {
  /** Whether the views bundle (and plotly.js) was copied. */
  views: boolean;
}

/**
 * Writes `_static/` into `outDir`. The views bundle is copied only when `viewsDir` is given
 * (some page has a view); an older copy is replaced, so no stale plotly.js chunk stays.
 */
export function copyAssets(outDir: string, viewsDir: string | null): CopiedAssets {
  const stat = join(outDir, STATIC_DIR);
  mkdirSync(stat, { recursive: true });
  writeFileSync(join(stat, 'site.css'), SITE_CSS);
  writeFileSync(join(stat, 'site.js'), SITE_JS);

  const katexDist = dirname(require.resolve('katex'));
  rmSync(join(stat, 'katex'), { recursive: true, force: true });
  mkdirSync(join(stat, 'katex'), { recursive: true });
  cpSync(join(katexDist, 'katex.min.css'), join(stat, 'katex', 'katex.min.css'));
  cpSync(join(katexDist, 'fonts'), join(stat, 'katex', 'fonts'), { recursive: true });

  mkdirSync(join(stat, 'highlight'), { recursive: true });
  for (const theme of ['github.min.css', 'github-dark.min.css']) {
    cpSync(require.resolve(`highlight.js/styles/${theme}`), join(stat, 'highlight', theme));
  }

  const licenses = join(stat, 'licenses');
  rmSync(licenses, { recursive: true, force: true });
  mkdirSync(licenses, { recursive: true });
  const copyLicense = (pkg: string, from?: NodeJS.Require): void => {
    const file = licenseOf(pkg, from);
    if (file) cpSync(file, join(licenses, `${pkg}.txt`));
  };
  copyLicense('katex');
  copyLicense('highlight.js');

  rmSync(join(stat, 'seqlab'), { recursive: true, force: true });
  if (viewsDir) {
    cpSync(viewsDir, join(stat, 'seqlab'), { recursive: true });
    // The bundle carries plotly.js: its licence travels with it (resolved from the extension
    // that bundles it; a packed kernel has no extension beside it, but a copy of the licence).
    const plotly = licenseOf('plotly.js-dist-min', createRequire(join(viewsDir, '..', 'package.json'))) ?? join(PACKED_LICENSES_DIR, 'plotly.js-dist-min.txt');
    if (existsSync(plotly)) cpSync(plotly, join(licenses, 'plotly.js-dist-min.txt'));
  }
  return { views: viewsDir !== null };
}
