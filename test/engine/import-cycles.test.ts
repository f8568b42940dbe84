/**
 * The engine's modules import one another in one direction only (engine/README.md shows
 * the layers): no file reaches itself through its imports, type-only imports included.
 * Checked with dpdm over every source file, so that a circle cannot come back unnoticed.
 */
import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseCircular, parseDependencyTree, type DependencyTree } from 'dpdm';
import { describe, expect, it } from 'vitest';

const engineDir = fileURLToPath(new URL('../../engine/', import.meta.url));

/**
 * The import graph of every .ts file under `dir`/src, relative to `dir`, resolved as the
 * engine's tsconfig resolves (NodeNext: './x.js' is ./x.ts).
 */
function importGraph(dir: string): Promise<DependencyTree> {
  return parseDependencyTree('src/**/*.ts', {
    cwd: dir,
    context: dir,
    tsconfig: join(engineDir, 'tsconfig.json'),
    transform: false,
    skipDynamicImports: false,
  });
}

/** Relative imports dpdm could not resolve to a file ("issuer -> request"). */
function unresolved(tree: DependencyTree): string[] {
  return Object.values(tree)
    .flatMap((deps) => deps ?? [])
    .filter((d) => d.request.startsWith('.') && d.id === null)
    .map((d) => `${d.issuer} -> ${d.request}`);
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts'))
    .map((f) => join('src', relative(join(engineDir, 'src'), join(dir, f))));
}

describe('the engine imports in one direction', { timeout: 120_000 }, () => {
  it('has no import circle among its source files', async () => {
    const tree = await importGraph(engineDir);
    // Every file was read and every relative import resolved: otherwise a circle could hide.
    expect(Object.keys(tree).filter((f) => f.startsWith('src/')).sort()).toEqual(sourceFiles(join(engineDir, 'src')).sort());
    expect(unresolved(tree)).toEqual([]);
    const circles = parseCircular(tree).map((c) => c.join(' -> '));
    expect(circles, `import circles:\n${circles.join('\n')}`).toEqual([]);
  });

  it('finds a circle closed by a type-only import through .js specifiers', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'seqlab-cycles-'));
    mkdirSync(join(dir, 'src', 'ops'), { recursive: true });
    writeFileSync(join(dir, 'src', 'core.ts'), "import type { add } from './ops/add.js';\nexport type Op = typeof add;\nexport class T {}\n");
    writeFileSync(join(dir, 'src', 'ops', 'add.ts'), "import { T } from '../core.js';\nexport const add = (a: T): T => a;\n");
    const tree = await importGraph(dir);
    expect(unresolved(tree)).toEqual([]);
    expect(parseCircular(tree)).toEqual([['src/core.ts', 'src/ops/add.ts']]);
  });
});
