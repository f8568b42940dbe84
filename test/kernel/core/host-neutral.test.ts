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
import { bundleBrowserWorker } from './hosts.js';

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
    const { modules } = await bundleBrowserWorker(join(KERNEL_DIST, 'browser', 'start.js'), join(REPO, 'node_modules', '.cache', 'seqlab-browser-worker-test'));
    expect(modules.some((n) => n.includes('acorn'))).toBe(true);
    expect(modules.filter((n) => /^(node:|external "(?!@seqlab\/engine|typescript))/.test(n))).toEqual([]);
  });
});
