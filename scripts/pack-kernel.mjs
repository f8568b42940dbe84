#!/usr/bin/env node
// Packs @seqlab/kernel as a tarball that installs with no checkout and no network:
//
//   npm run pack                     # npm run build, then this script; writes ./seqlab-kernel-<version>.tgz
//   node scripts/pack-kernel.mjs [--out DIR] [--json]
//
//   npm install -g ./seqlab-kernel-0.1.0.tgz     # offline: every dependency is inside
//   seqlab install --user                         # kernelspec + JupyterLab extension
//
// What goes in: the kernel's own files (its package.json "files"), the run-time assets that
// live outside kernel/ in the checkout (kernel/src/assets.ts: PACKAGE_ASSETS, copied under
// assets/ at the same relative paths), and every production dependency bundled
// (bundleDependencies: true): @seqlab/engine with its wasm kernels, typescript, zeromq with
// its prebuilt binaries for every platform it ships, the export's libraries.
//
// Why not plain `npm pack -w kernel`: in a workspace the dependencies are hoisted to the root
// node_modules, and npm pack of a workspace bundles only what is in the workspace's own
// node_modules, i.e. nothing (npm/cli#3466, open). So this script stages the package in a
// temporary folder with a real node_modules, copied from the installed, locked tree (no
// network), and runs `npm pack` there. `npm pack -w kernel` itself is refused with a pointer
// here (the kernel's prepack script runs this file with --refuse).
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, realpathSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const kernelDir = join(root, 'kernel');

function fail(message) {
  process.stderr.write(`pack-kernel: ${message}\n`);
  process.exit(1);
}

function npm(args, options = {}) {
  const result = spawnSync('npm', args, { cwd: root, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, ...options });
  if (result.error) fail(`could not run npm ${args.join(' ')}: ${result.error.message}`);
  return result;
}

/** The files `npm pack` would put in a workspace's tarball (its "files", package.json, README, licence). */
function packedFiles(workspace) {
  const result = npm(['pack', '-w', workspace, '--dry-run', '--json', '--ignore-scripts', '--loglevel=error']);
  if (result.status !== 0) fail(`npm pack -w ${workspace} --dry-run failed:\n${result.stderr}`);
  const [report] = JSON.parse(result.stdout);
  // Build bookkeeping of tsc -b, not something the package runs.
  return report.files.map((f) => f.path).filter((p) => !p.endsWith('.tsbuildinfo'));
}

function copyFiles(fromDir, files, toDir) {
  for (const file of files) {
    mkdirSync(dirname(join(toDir, file)), { recursive: true });
    cpSync(join(fromDir, file), join(toDir, file));
  }
}

/**
 * The installed production dependency tree of the kernel workspace, as npm resolved it from
 * the lockfile: one folder per package (hoisted or nested), from `npm ls --parseable`.
 */
function dependencyFolders() {
  const result = npm(['ls', '-w', 'kernel', '--all', '--omit=dev', '--parseable', '--loglevel=error']);
  if (result.status !== 0) {
    fail(`npm ls -w kernel found problems in node_modules (run \`npm ci\` first):\n${result.stderr || result.stdout}`);
  }
  return result.stdout
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && line !== root && line !== join(root, 'node_modules', '@seqlab', 'kernel'));
}

/**
 * Where a dependency folder goes in the staged package's node_modules: its path below the
 * node_modules folder it was installed in (root's or the kernel's own), nesting kept.
 */
function stagedLocation(folder) {
  for (const base of [join(kernelDir, 'node_modules'), join(root, 'node_modules')]) {
    if (folder.startsWith(base + sep)) return relative(base, folder);
  }
  fail(`unexpected dependency folder outside node_modules: ${folder}`);
}

function refuse() {
  process.stderr.write(
    'seqlab: `npm pack` of the kernel workspace would leave out its dependencies (npm bundles only a\n' +
      "workspace's own node_modules, and they are hoisted to the root: npm/cli#3466).\n" +
      'Make the tarball that installs offline with: npm run pack   (scripts/pack-kernel.mjs)\n',
  );
  process.exit(1);
}

async function main() {
  const { values } = parseArgs({
    options: { out: { type: 'string' }, json: { type: 'boolean' }, refuse: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    strict: true,
  });
  if (values.refuse) refuse();
  if (values.help) {
    process.stdout.write('Usage: node scripts/pack-kernel.mjs [--out DIR] [--json]\n(see the comment at the top of this file)\n');
    return;
  }
  const outDir = resolve(values.out ?? root);
  const say = (line) => (values.json ? process.stderr : process.stdout).write(`pack-kernel: ${line}\n`);

  const assetsModule = join(kernelDir, 'dist', 'assets.js');
  if (!existsSync(join(kernelDir, 'dist', 'cli', 'main.js')) || !existsSync(assetsModule)) fail('the kernel is not compiled; run `npm run build` first');
  const wasm = join(root, 'engine', 'dist', 'wasm');
  if (!existsSync(wasm) || !readdirSync(wasm).some((f) => f.endsWith('.wasm'))) fail('the engine has no wasm kernels in engine/dist/wasm; run `npm run build` first');
  const { PACKAGE_ASSETS } = await import(pathToFileURL(assetsModule).href);
  for (const [name, asset] of Object.entries(PACKAGE_ASSETS)) {
    const from = join(root, asset.path);
    if (asset.required && (!existsSync(from) || readdirSync(from).length === 0)) fail(`asset "${name}" (${asset.path}) is missing; run \`npm run build\` first`);
  }

  const stage = mkdtempSync(join(tmpdir(), 'seqlab-pack-'));
  try {
    // 1. The kernel's own files, and its package.json made for the tarball.
    copyFiles(kernelDir, packedFiles('kernel').filter((f) => f !== 'package.json'), stage);
    const manifest = JSON.parse(readFileSync(join(kernelDir, 'package.json'), 'utf8'));
    delete manifest.scripts; // the prepack guard (and nothing else) lives there
    delete manifest.devDependencies;
    manifest.bundleDependencies = true;
    if (!manifest.files.includes('assets')) fail('kernel/package.json "files" must list "assets"');
    writeFileSync(join(stage, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);

    // 2. The run-time assets, at their checkout paths under assets/.
    for (const asset of Object.values(PACKAGE_ASSETS)) {
      const from = join(root, asset.path);
      if (existsSync(from)) cpSync(from, join(stage, 'assets', asset.path), { recursive: true, filter: (src) => !src.endsWith('.tsbuildinfo') });
    }
    // plotly.js is bundled into the views, not installed beside them: its licence goes along.
    const fromExtension = createRequire(join(root, 'extension', 'package.json'));
    const plotlyDir = dirname(fromExtension.resolve('plotly.js-dist-min/package.json'));
    const plotlyLicense = readdirSync(plotlyDir).find((f) => /^licen[cs]e(\.(md|txt))?$/i.test(f));
    if (!plotlyLicense) fail(`no licence file in ${plotlyDir}`);
    mkdirSync(join(stage, 'assets', 'licenses'), { recursive: true });
    cpSync(join(plotlyDir, plotlyLicense), join(stage, 'assets', 'licenses', 'plotly.js-dist-min.txt'));

    // 3. node_modules: the locked, installed dependency tree; workspaces by their packed files.
    const staged = new Map();
    for (const folder of dependencyFolders()) {
      const real = realpathSync(folder);
      const location = stagedLocation(folder);
      if (staged.has(location)) fail(`two dependency folders map to node_modules/${location}: ${staged.get(location)} and ${folder}`);
      staged.set(location, folder);
      const target = join(stage, 'node_modules', location);
      if (!real.split(sep).includes('node_modules')) {
        // A workspace package (a symlink into the checkout): what its own npm pack would hold.
        copyFiles(real, packedFiles(relative(root, real)), target);
      } else {
        // Nested node_modules are listed by npm ls on their own; .bin links are made at install.
        cpSync(real, target, { recursive: true, filter: (src) => src === real || !relative(real, src).split(sep).includes('node_modules') });
      }
    }

    // 4. npm pack in the stage, where the bundled dependencies are in the package's own node_modules.
    mkdirSync(outDir, { recursive: true });
    const pack = npm(['pack', '--json', '--ignore-scripts', '--pack-destination', outDir, '--loglevel=error'], { cwd: stage });
    if (pack.status !== 0) fail(`npm pack failed in ${stage}:\n${pack.stderr}`);
    const [report] = JSON.parse(pack.stdout);
    const expected = Object.keys(manifest.dependencies ?? {});
    const missing = expected.filter((name) => !report.bundled.includes(name));
    if (missing.length > 0) fail(`npm pack did not bundle ${missing.join(', ')}`);
    const tarball = join(outDir, report.filename);
    const mb = (n) => `${(n / 1024 / 1024).toFixed(1)} MB`;
    say(`${tarball}: ${mb(statSync(tarball).size)} (${mb(report.unpackedSize)} unpacked, ${report.entryCount} files, ${report.bundled.length} bundled packages)`);
    if (values.json) process.stdout.write(`${JSON.stringify({ tarball, size: statSync(tarball).size, unpackedSize: report.unpackedSize, entryCount: report.entryCount, bundled: report.bundled }, null, 2)}\n`);
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
}

await main();
