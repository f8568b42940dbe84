// build-labextension's --core-path wants a folder whose package.json is JupyterLab's core
// package.json; @jupyterlab/core-meta ships it as core.package.json (no Python jupyterlab
// needed). Usage: node scripts/core-path.mjs <dir>
import { copyFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const dir = process.argv[2];
if (!dir) {
  console.error('usage: node scripts/core-path.mjs <dir>');
  process.exit(2);
}
const source = createRequire(import.meta.url).resolve('@jupyterlab/core-meta/core.package.json');
mkdirSync(dir, { recursive: true });
copyFileSync(source, join(dir, 'package.json'));
