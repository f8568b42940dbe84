/** is_complete decisions. */
import { describe, expect, it } from 'vitest';
import '../helpers.js';
import { isComplete as decide } from '../../../kernel/dist/core/is-complete.js';
import { typescript } from '../../../kernel/dist/executor/compile.js';

const isComplete = (code: string) => decide(code, typescript())!;

describe('isComplete', () => {
  it.each([
    ['const x = 1', 'complete'],
    ['', 'complete'],
    ['function f() {\n  return 1\n}', 'complete'],
    ['function f() {', 'incomplete'],
    ['const a = [1,', 'incomplete'],
    ['const t = `abc', 'incomplete'],
    ['/* open comment', 'incomplete'],
    ['let = = 1; next()', 'invalid'],
    ['})(', 'invalid'],
    ['x = )', 'invalid'],
    ['const x: number = ', 'incomplete'],
    ['function f(x: number) {', 'incomplete'],
    ['const y: number = 1', 'complete'],
  ])('%j is %s', (code, status) => {
    expect(isComplete(code).status).toBe(status);
  });

  it('indents after an opening brace, keeps the indent otherwise', () => {
    expect(isComplete('if (a) {')).toEqual({ status: 'incomplete', indent: '  ' });
    expect(isComplete('  foo(1,')).toEqual({ status: 'incomplete', indent: '  ' });
  });
});
