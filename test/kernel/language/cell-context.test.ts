/** The type view of earlier cells keeps declarations only, and only the latest of each name. */
import { describe, expect, it } from 'vitest';
import '../helpers.js';
import { CellContext } from '../../../kernel/dist/language/cell-context.js';
import { typescript } from '../../../kernel/dist/executor/compile.js';

describe('CellContext', () => {
  it('keeps nothing of cells that declare nothing, one declaration per name however often it is run', () => {
    const ctx = new CellContext(typescript());
    for (let i = 0; i < 1000; i++) ctx.add('i += 1');
    expect(ctx.size).toBe(0);
    for (let i = 0; i < 100; i++) ctx.add(`const rate = ${i}; function f() { return rate }`);
    expect(ctx.size).toBe(2);
    const view = ctx.view('f()');
    expect(view.text).toContain('const rate = 99');
    expect(view.text).not.toContain('const rate = 98');
  });

  it('the current cell replaces earlier declarations of its names; a declaration of several names stays while one is its own', () => {
    const ctx = new CellContext(typescript());
    ctx.add('const a = 1, b = 2;');
    ctx.add('const c = 3;');
    expect(ctx.view('const c = "x"; c').text).not.toContain('const c = 3');
    ctx.add('const a = "again";');
    const text = ctx.view('a').text;
    expect(text).toContain('const a = "again"');
    expect(text).not.toContain('b = 2');
  });
});
