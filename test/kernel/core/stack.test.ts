/**
 * Stack mapping without V8's call sites: the stack texts of Firefox (SpiderMonkey) and Safari
 * (JavaScriptCore), where frames read `fn@file:line:column`, eval'd code is named by its
 * `//# sourceURL` or by the script that called eval, mapped to cell lines and columns.
 */
import { describe, expect, it } from 'vitest';
import '../helpers.js';
import { compileCell } from '../../../kernel/dist/core/compile.js';
import { errorContent, registerCell, configureStacks } from '../../../kernel/dist/core/stack.js';

/** 1-based line and column of `needle` in the compiled JavaScript. */
function at(js: string, needle: string, lineBase = 0): { line: number; column: number } {
  const i = js.indexOf(needle);
  const before = js.slice(0, i).split('\n');
  return { line: before.length + lineBase, column: before.at(-1)!.length + 1 };
}

const SOURCE = 'const boom = () => {\n  null.x;\n};\nboom();';

function compiled(name: string, lineBase = 0) {
  const c = compileCell(SOURCE, name)!;
  registerCell(name, SOURCE, c.maps, { keep: true, lineBase, lineCount: c.js.split('\n').length });
  const inner = at(c.js, '.x;', lineBase);
  const outer = at(c.js, 'boom();', lineBase);
  return { inner, outer };
}

configureStacks({ isKernelFrame: (f) => f.startsWith('http://127.0.0.1:8000/lite/') });

describe('stack texts of other engines', () => {
  it('Safari and Firefox with sourceURL: fn@In[n]:line:column', () => {
    const { inner, outer } = compiled('In[31]');
    const stack = [
      `boom@In[31]:${inner.line}:${inner.column + 1}`,
      `__seqlab_cell__@In[31]:${outer.line}:${outer.column}`,
      'run@http://127.0.0.1:8000/lite/kernel/worker.js:120:17',
    ].join('\n');
    const content = errorContent({ name: 'TypeError', message: "null has no properties", stack });
    expect(content.ename).toBe('TypeError');
    expect(content.traceback.join('\n')).toContain('at boom (In[31]:2:8)');
    expect(content.traceback.join('\n')).toContain('at In[31]:4:1');
    expect(content.traceback.join('\n')).not.toContain('worker.js');
    expect(content.traceback.join('\n')).toContain('-->');
  });

  it('Firefox naming eval code by its caller ("worker.js line 9 > eval"): the line range finds the cell', () => {
    // Two cells with the same shape, at different line bases: frames must find the right one.
    compiled('In[32]', 100);
    const { inner, outer } = compiled('In[33]', 200);
    const file = 'http://127.0.0.1:8000/lite/kernel/worker.js line 9 > eval';
    const stack = [`boom@${file}:${inner.line}:${inner.column + 1}`, `async*__seqlab_cell__@${file}:${outer.line}:${outer.column}`].join('\n');
    const tb = errorContent({ name: 'TypeError', message: 'x', stack }).traceback.join('\n');
    expect(tb).toContain('at boom (In[33]:2:8)');
    expect(tb).toContain('at In[33]:4:1');
  });

  it('a sourceURL resolved against the worker URL', () => {
    const { inner } = compiled('In[34]');
    const tb = errorContent({ name: 'Error', message: 'x', stack: `boom@http://127.0.0.1:8000/lite/kernel/In%5B34%5D:${inner.line}:${inner.column + 1}` }).traceback.join('\n');
    expect(tb).toContain('at boom (In[34]:2:8)');
  });
});
