// Builds the engine's WebAssembly kernels from the AssemblyScript sources in this folder
// with the `assemblyscript` compiler from devDependencies (no downloaded binaries).
//
//   node assembly/build.mjs            build what is out of date into dist/wasm/
//   node assembly/build.mjs --force    rebuild everything
//   node assembly/build.mjs --wat      also write .wat text next to each .wasm
//
// Four variants of the same source (entry index.ts), chosen at run time by engine/src/backend:
//   kernels-simd.wasm            SIMD128, own (non-shared) memory: one thread
//   kernels-simd-shared.wasm     SIMD128 on a shared memory: worker threads
//   kernels-relaxed.wasm         + relaxed SIMD (fused multiply-add) in the GEMM, one thread
//   kernels-relaxed-shared.wasm  + relaxed SIMD on a shared memory
// The memory is always imported (env.memory): the JavaScript side owns its layout.
import asc from 'assemblyscript/asc';
import { mkdirSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const outDir = join(here, '..', 'dist', 'wasm');
const entry = join(here, 'index.ts');
const force = process.argv.includes('--force');
const wat = process.argv.includes('--wat');

/** Pages of 64 KiB: a shared memory must declare its maximum (here 4 GiB, the wasm32 limit). */
const MAX_PAGES = 65536;

const variants = [
  { name: 'kernels-simd', features: ['simd'], shared: false },
  { name: 'kernels-simd-shared', features: ['simd', 'threads'], shared: true },
  { name: 'kernels-relaxed', features: ['simd', 'relaxed-simd'], shared: false },
  { name: 'kernels-relaxed-shared', features: ['simd', 'relaxed-simd', 'threads'], shared: true },
];

function newestSource() {
  let newest = statSync(fileURLToPath(import.meta.url)).mtimeMs;
  for (const f of readdirSync(here)) {
    if (f.endsWith('.ts')) newest = Math.max(newest, statSync(join(here, f)).mtimeMs);
  }
  return newest;
}

function upToDate(file, sourceTime) {
  try {
    return statSync(file).mtimeMs >= sourceTime;
  } catch {
    return false;
  }
}

mkdirSync(outDir, { recursive: true });
const sourceTime = newestSource();
let built = 0;
for (const v of variants) {
  const out = join(outDir, `${v.name}.wasm`);
  if (!force && upToDate(out, sourceTime)) continue;
  const args = [
    entry,
    '-O3', '--noAssert',
    '--runtime', 'stub',
    '--importMemory', '--initialMemory', '1',
    ...(v.shared ? ['--sharedMemory', '--maximumMemory', String(MAX_PAGES)] : []),
    ...v.features.flatMap((f) => ['--enable', f]),
    '-o', out,
    ...(wat ? ['-t', join(outDir, `${v.name}.wat`)] : []),
  ];
  const { error, stderr } = await asc.main(args);
  if (error) {
    console.error(stderr.toString());
    console.error(`build:wasm: ${v.name} failed: ${error.message}`);
    process.exit(1);
  }
  built++;
}
console.log(
  built === 0
    ? `build:wasm: ${relative(process.cwd(), outDir) || outDir} is up to date`
    : `build:wasm: built ${built} of ${variants.length} variants into ${relative(process.cwd(), outDir) || outDir}`,
);
