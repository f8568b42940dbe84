/**
 * is_complete: whether a console should run the code or wait for more lines.
 *
 * JavaScript is decided with acorn (no TypeScript needed): it parses -> complete; its error is
 * at the end of the text (an unclosed brace, bracket, template or comment, a dangling operator)
 * -> incomplete, with the indent for the next line. An error before the end may be TypeScript
 * syntax, so TypeScript decides those: no error -> complete, errors only at the end ->
 * incomplete, an error before the end (`x = )`, `let = = 1`) -> invalid. Host-neutral.
 */
import { parse } from 'acorn';
import type * as TS from 'typescript';
import { PARSE_OPTIONS } from './compile.js';

/** The content of an is_complete_reply. */
export interface IsCompleteResult {
  status: 'complete' | 'incomplete' | 'invalid' | 'unknown';
  indent?: string;
}

/** TypeScript diagnostics that start inside an unterminated token that runs to the end. */
const UNTERMINATED = new Set([1010 /* '*\/' expected */, 1160 /* Unterminated template literal */]);

function incomplete(code: string): IsCompleteResult {
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

function complete(code: string): IsCompleteResult {
  // A trailing backslash continues the line, as in a shell.
  return /\\\s*$/.test(code) ? { status: 'incomplete', indent: '' } : { status: 'complete' };
}

/**
 * Decides what acorn can decide alone; `undefined` means TypeScript must decide
 * ({@link isCompleteTypeScript}).
 */
export function isCompleteJavaScript(code: string): IsCompleteResult | undefined {
  if (code.trim() === '') return { status: 'complete' };
  try {
    parse(code, PARSE_OPTIONS);
    return complete(code);
  } catch (e) {
    const pos = (e as { pos?: number }).pos ?? 0;
    if (pos >= code.trimEnd().length) return incomplete(code);
    return undefined;
  }
}

/** Decides with TypeScript's parser (see the module comment). */
export function isCompleteTypeScript(ts: typeof TS, code: string): IsCompleteResult {
  if (code.trim() === '') return { status: 'complete' };
  const out = ts.transpileModule(code, { fileName: 'cell.ts', reportDiagnostics: true, compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext, noEmit: true } });
  const errors = out.diagnostics ?? [];
  if (errors.length === 0) return complete(code);
  const end = code.trimEnd().length;
  const atEnd = errors.every((d) => (d.start ?? 0) >= end || (UNTERMINATED.has(d.code) && (d.start ?? 0) + (d.length ?? 0) >= end));
  return atEnd ? incomplete(code) : { status: 'invalid' };
}

/** Decides is_complete for `code`, with TypeScript when given (see the module comment). */
export function isComplete(code: string, ts?: typeof TS): IsCompleteResult | undefined {
  return isCompleteJavaScript(code) ?? (ts ? isCompleteTypeScript(ts, code) : undefined);
}
