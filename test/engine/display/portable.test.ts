/**
 * The engine's display and trace code must run in a browser Web Worker too (the JupyterLite
 * kernel): nothing in engine/src/display or engine/src/trace may need Node. The modules are
 * type-checked as a worker script sees the world (ES2022 + the WebWorker library, without
 * Node's type declarations), so a `Buffer`, `process`, `require`, `__dirname`, a `node:`
 * import or a DOM global fails to resolve and is reported with its file and line.
 */
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { utf8ToBase64 } from '../../../engine/src/display/view.js';

const engineSrc = fileURLToPath(new URL('../../../engine/src/', import.meta.url));
const PORTABLE = ['display', 'trace'];

function sources(dir: string): string[] {
  return readdirSync(join(engineSrc, dir), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
    .map((f) => join(engineSrc, dir, f));
}

/** Problems a worker-only type check finds in `files` (only those reported inside `files`). */
function workerProblems(files: readonly string[], extra: Record<string, string> = {}): string[] {
  const options: ts.CompilerOptions = {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    lib: ['lib.es2022.d.ts', 'lib.webworker.d.ts'],
    types: [],
    strict: true,
    noEmit: true,
    skipLibCheck: true,
  };
  const host = ts.createCompilerHost(options);
  const read = host.readFile.bind(host);
  host.readFile = (name) => extra[name] ?? read(name);
  const exists = host.fileExists.bind(host);
  host.fileExists = (name) => name in extra || exists(name);
  const roots = [...files, ...Object.keys(extra)];
  const program = ts.createProgram(roots, options, host);
  const wanted = new Set(roots);
  return ts
    .getPreEmitDiagnostics(program)
    .filter((d) => d.file && wanted.has(d.file.fileName))
    .map((d) => {
      const { line } = d.file!.getLineAndCharacterOfPosition(d.start ?? 0);
      return `${relative(engineSrc, d.file!.fileName)}:${line + 1}: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`;
    });
}

describe('engine display and trace in a browser worker', { timeout: 120_000 }, () => {
  it('use nothing of Node (type-checked against the WebWorker library without @types/node)', () => {
    const files = PORTABLE.flatMap(sources);
    expect(files.length).toBeGreaterThan(20);
    expect(workerProblems(files)).toEqual([]);
  });

  it('would catch Node globals and modules (the check itself)', () => {
    const probe = join(engineSrc, 'display', '__portable-probe__.ts');
    const problems = workerProblems([], {
      [probe]: [
        "import { readFileSync } from 'node:fs';",
        "export const a = Buffer.from('x').toString('base64');",
        'export const b = process.env.HOME;',
        "export const c = typeof require === 'function' ? __dirname : readFileSync;",
        'export const d = document.title;',
        "export const ok = btoa('x') + new TextEncoder().encode('x').length;",
      ].join('\n'),
    });
    expect(problems.map((p) => p.replace(/: .*/, ''))).toEqual([
      'display/__portable-probe__.ts:1',
      'display/__portable-probe__.ts:2',
      'display/__portable-probe__.ts:3',
      'display/__portable-probe__.ts:4',
      'display/__portable-probe__.ts:4',
      'display/__portable-probe__.ts:5',
    ]);
  });

  it('encode the HTML fallback\'s base64 with web APIs, byte for byte as Node does', () => {
    const texts = ['', 'a', 'ab', 'abc', '<svg>“it” → cat ␣ ↵ 😀</svg>', '\ud800 lone surrogate', 'é'.repeat(70_000)];
    for (const text of texts) expect(utf8ToBase64(text)).toBe(Buffer.from(text, 'utf8').toString('base64'));
  });
});
