/**
 * is_complete: whether a console should run the code or wait for more lines.
 *
 * Parsed with TypeScript: no syntax error -> complete; errors only at the end of the text
 * (an unclosed brace, bracket, template or comment, a dangling operator) -> incomplete, with
 * the indent for the next line; an error before the end -> invalid.
 */
import type * as TS from 'typescript';
import { typescript } from './compile.js';

/** The content of an is_complete_reply. */
export interface IsCompleteResult {
  status: 'complete' | 'incomplete' | 'invalid';
  indent?: string;
}

function syntaxErrors(ts: typeof TS, code: string): TS.Diagnostic[] {
  const out = ts.transpileModule(code, { fileName: 'cell.ts', reportDiagnostics: true, compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext, noEmit: true } });
  return out.diagnostics ?? [];
}

/** Decides is_complete for `code` (see the module comment). */
export function isComplete(code: string): IsCompleteResult {
  if (code.trim() === '') return { status: 'complete' };
  const ts = typescript();
  const errors = syntaxErrors(ts, code);
  if (errors.length === 0) {
    // A trailing backslash continues the line, as in a shell.
    if (/\\\s*$/.test(code)) return { status: 'incomplete', indent: '' };
    return { status: 'complete' };
  }
  const end = code.trimEnd().length;
  const atEnd = errors.every((d) => (d.start ?? 0) + (d.length ?? 0) >= end);
  if (!atEnd) return { status: 'invalid' };
  const lines = code.split('\n');
  let last = '';
  for (let i = lines.length - 1; i >= 0; i--) {
    if (lines[i]!.trim() !== '') {
      last = lines[i]!;
      break;
    }
  }
  const base = /^\s*/.exec(last)![0];
  const opens = /[{([]\s*$|=>\s*$/.test(last);
  return { status: 'incomplete', indent: opens ? `${base}  ` : base };
}
