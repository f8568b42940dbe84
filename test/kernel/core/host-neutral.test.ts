/**
 * The core, the display helpers and the browser worker are host-neutral: nothing they import
 * (transitively, through their own files) is a Node built-in, and they use neither `process`
 * nor `Buffer`; the browser worker entry bundles for a Web Worker (webpack, target webworker,
 * which fails on any Node built-in) with only the engine and TypeScript left out of the bundle.
 */
import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { KERNEL_DIST, REPO } from '../helpers.js';

const ENTRIES = ['browser/worker.js', 'browser/start.js', 'core/protocol.js'];
const SRC = join(REPO, 'kernel', 'src');

function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|(?:^|\n)\s*import\s*['"]([^'"]+)['"]/g)].map((m) => (m[1] ?? m[2] ?? m[3])!);
}

/** The kernel's own files reachable from the entries, and the packages they import. */
function graph(): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const todo = ENTRIES.map((e) => join(KERNEL_DIST, e));
  while (todo.length > 0) {
    const f = todo.pop()!;
    if (files.has(f)) continue;
    files.add(f);
    for (const spec of importsOf(f)) {
      if (spec.startsWith('.')) todo.push(resolve(dirname(f), spec));
      else packages.add(spec);
    }
  }
  return { files, packages };
}

describe('host-neutral core', () => {
  it('imports no Node built-in, directly or through kernel files', () => {
    const { files, packages } = graph();
    expect(files.size).toBeGreaterThan(10);
    const builtins = [...packages].filter((p) => p.startsWith('node:') || isBuiltin(p));
    expect(builtins).toEqual([]);
    const reached = [...files].map((f) => f.slice(KERNEL_DIST.length + 1)).sort();
    // Node's host (executor/, session/, language/) is never reached.
    expect(reached.filter((f) => !/^(core|display|browser|comm)\//.test(f))).toEqual([]);
  });

  it('uses neither process nor Buffer', () => {
    const { files } = graph();
    for (const f of files) {
      const src = join(SRC, f.slice(KERNEL_DIST.length + 1).replace(/\.js$/, '.ts'));
      if (!existsSync(src)) continue;
      const code = readFileSync(src, 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '').replace(/(['"`])(?:\\.|(?!\1)[^\\])*\1/g, '""');
      expect(code, src).not.toMatch(/\bprocess\.|\bBuffer\b/);
    }
  });

  it('the browser worker entry bundles for a Web Worker', async () => {
    const webpack = (await import('webpack')).default;
    const stats = await new Promise<import('webpack').Stats>((res, rej) =>
      webpack(
        {
          mode: 'production',
          target: ['webworker', 'es2022'],
          entry: join(KERNEL_DIST, 'browser', 'start.js'),
          output: { path: join(REPO, 'node_modules', '.cache', 'seqlab-browser-worker-test'), filename: 'worker.js' },
          // The site bundles these its own way (the engine's browser build; TypeScript as a lazy chunk).
          externals: { '@seqlab/engine': 'module @seqlab/engine', typescript: 'module typescript' },
          externalsType: 'module',
          experiments: { outputModule: true },
          optimization: { minimize: false, concatenateModules: false },
          performance: { hints: false },
        },
        (err, s) => (err ? rej(err) : res(s!)),
      ),
    );
    const info = stats.toJson({ all: false, errors: true, modules: true });
    expect(info.errors?.map((e) => e.message) ?? []).toEqual([]);
    const names = (info.modules ?? []).map((m) => String(m.name));
    expect(names.some((n) => n.includes('acorn'))).toBe(true);
    expect(names.filter((n) => /^(node:|external "(?!@seqlab\/engine|typescript))/.test(n))).toEqual([]);
  });
});
