// Builds the engine's optional native GEMM backend (seqlab_blas.c) into
// dist/native/seqlab_blas.node with the system C compiler and OpenBLAS:
//
//   node native/build.mjs            build when the source is newer than the addon
//   node native/build.mjs --force    rebuild
//   node native/build.mjs --check    say whether it can be built here, build nothing
//
// It needs `cc` (Debian: gcc) and OpenBLAS's headers and library (Debian: libopenblas-dev,
// which scripts/system-deps.sh installs), and Node-API's headers, which Node ships in
// <prefix>/include/node. Nothing is downloaded and no node-gyp is involved. When any of
// them is missing it says which and exits 0: the engine then runs every product on its
// WebAssembly kernels, as it does in a browser. SEQLAB_NATIVE_BUILD=0 skips the build.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const source = join(here, 'seqlab_blas.c');
const outDir = join(here, '..', 'dist', 'native');
const out = join(outDir, 'seqlab_blas.node');
const force = process.argv.includes('--force');
const checkOnly = process.argv.includes('--check');

function say(message) {
  console.log(`native backend: ${message}`);
}

/** Node-API's headers: next to this Node's binary (<prefix>/bin/node -> <prefix>/include/node). */
function nodeIncludeDir() {
  const candidates = [
    join(dirname(process.execPath), '..', 'include', 'node'),
    process.config?.variables?.node_prefix ? join(process.config.variables.node_prefix, 'include', 'node') : null,
    '/usr/include/node',
  ].filter(Boolean);
  return candidates.find((d) => existsSync(join(d, 'node_api.h'))) ?? null;
}

function compiler() {
  for (const cc of [process.env.CC, 'cc', 'gcc', 'clang'].filter(Boolean)) {
    const r = spawnSync(cc, ['--version'], { encoding: 'utf8' });
    if (r.status === 0) return cc;
  }
  return null;
}

/** Why it cannot be built here, or null. */
function missing(cc, include) {
  if (process.env.SEQLAB_NATIVE_BUILD === '0') return 'SEQLAB_NATIVE_BUILD=0';
  if (process.platform !== 'linux') return `not built on ${process.platform} (the build step knows Linux's OpenBLAS layout only)`;
  if (cc === null) return 'no C compiler (cc, gcc or clang); on Debian: apt-get install gcc';
  if (include === null) return `Node-API headers not found next to ${process.execPath}`;
  // Does OpenBLAS's cblas.h exist and link? One tiny program answers both.
  const probe = spawnSync(cc, ['-x', 'c', '-', '-o', '/dev/null', '-lopenblas'], {
    input: '#include <cblas.h>\nint main(void){ openblas_set_num_threads(1); return 0; }\n',
    encoding: 'utf8',
  });
  if (probe.status !== 0) return 'OpenBLAS headers or library missing; on Debian: apt-get install libopenblas-dev (bash scripts/system-deps.sh)';
  return null;
}

const cc = compiler();
const include = nodeIncludeDir();
const why = missing(cc, include);
if (why !== null) {
  say(`skipped (${why}); products run on the WebAssembly kernels`);
  process.exit(0);
}
if (checkOnly) {
  say(`can be built here with ${cc}`);
  process.exit(0);
}
if (!force && existsSync(out) && statSync(out).mtimeMs >= Math.max(statSync(source).mtimeMs, statSync(fileURLToPath(import.meta.url)).mtimeMs)) {
  process.exit(0);
}
mkdirSync(outDir, { recursive: true });
const tmp = `${out}.${process.pid}.tmp`;
const args = [
  '-O2', '-std=c11', '-Wall', '-Wextra', '-Werror', '-fPIC', '-shared', '-fvisibility=hidden',
  '-DNAPI_VERSION=8', '-DNODE_GYP_MODULE_NAME=seqlab_blas',
  '-I', include, source, '-o', tmp, '-lopenblas',
];
const r = spawnSync(cc, args, { encoding: 'utf8' });
if (r.status !== 0) {
  rmSync(tmp, { force: true });
  // The prerequisites are there, so a failure is a bug in the source: say so loudly.
  console.error(`native backend: ${cc} failed:\n${r.stderr}${r.stdout}`);
  process.exit(1);
}
renameSync(tmp, out);
say(`built ${out}`);
