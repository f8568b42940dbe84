/** The cell transform: what compiled cells look like. */
import { describe, expect, it } from 'vitest';
import '../helpers.js';
import { compileCell as compile, mapThrough } from '../../../kernel/dist/core/compile.js';
import { compileModule, typescript } from '../../../kernel/dist/executor/compile.js';

const compileCell = (source: string, name: string) => compile(source, name, typescript())!;

describe('compileCell', () => {
  it('turns top-level declarations into globalThis assignments and hoists functions', () => {
    const { js } = compileCell('const a: number = 1; let b; function f() { return a } class K {}', 'In[1]');
    expect(js).toContain('globalThis.a = 1');
    expect(js).toContain('globalThis.b = void 0');
    expect(js.indexOf('globalThis.f = function f()')).toBeLessThan(js.indexOf('globalThis.a = 1'));
    expect(js).toContain('globalThis.K = class K');
    expect(js).not.toMatch(/\bconst a\b/);
  });

  it('keeps imports a later cell may use and routes them through the kernel loader', () => {
    const { js } = compileCell('import def, { a as b } from "m"; import * as ns from "n"; import type { T } from "t"', 'In[2]');
    expect(js).toContain('await __seqlab.import("m")');
    expect(js).toContain('globalThis.def = __seqlab.default(');
    expect(js).toContain('globalThis.b = __seqlab.named(__seqlab_module_1, "a")');
    expect(js).toContain('globalThis.ns = __seqlab_module_2');
    expect(js).not.toContain('"t"');
  });

  it('instruments every loop body and every await', () => {
    const { js } = compileCell('for (;;) {} while (x) y(); do {} while (z); for (const q of w) {} const v = await p;', 'In[3]');
    expect(js.match(/if \(__seqlab_irq\[3\] !== 0\)\s+__seqlab\.check\(\)/g)).toHaveLength(4);
    expect(js).toContain('__seqlab.resume(await p)');
  });

  it('returns the last expression, but not an assignment', () => {
    expect(compileCell('const x = 1;\nx + 1', 'In[4]').js).toContain('return x + 1');
    expect(compileCell('y = 2', 'In[5]').js).not.toContain('return');
  });

  it('reports syntax errors with 1-based line and column', () => {
    expect(compileCell('const ok = 1;\nconst = 2', 'In[6]').diagnostics[0]).toMatchObject({ line: 2, column: 7, message: expect.stringContaining('expected') });
  });

  it('maps compiled positions back to the cell, through TypeScript\'s map too', () => {
    for (const source of ['const a = 1;\n\nthrow new Error("x")', 'const a: number = 1;\n\nthrow new Error("x")']) {
      const { js, maps, via } = compileCell(source, 'In[7]');
      const before = js.slice(0, js.indexOf('new Error')).split('\n');
      expect(mapThrough(maps, before.length, before.at(-1)!.length + 1), via).toEqual({ line: 3, column: 7 });
    }
  });

  it('reads plain JavaScript without TypeScript, everything else with it', () => {
    expect(compile('const x = 1; x + 1', 'In[8]')?.via).toBe('javascript');
    expect(compile('const x: number = 1', 'In[8]')).toBeUndefined();
    // Valid JavaScript that TypeScript reads as a generic call goes to TypeScript.
    expect(compile('id<string>("s")', 'In[8]')).toBeUndefined();
    expect(compileCell('id<string>("s")', 'In[8]').js).toContain('return id("s")');
  });

  it('compiles local modules with interrupt checks and an inline source map', () => {
    const { code, diagnostics } = compileModule('export function spin(): void { while (true) {} }', 'file:///tmp/m.ts');
    expect(diagnostics).toEqual([]);
    expect(code).toContain('__seqlab_irq[3] !== 0');
    expect(code).toContain('sourceMappingURL=data:application/json');
  });
});
