/**
 * Cell source -> runnable JavaScript with source maps: the front ends of the one cell
 * transform (transform.ts).
 *
 * - **Plain JavaScript** (most exploratory cells: `x = model.forward(batch)`, `1 + 1`) is parsed
 *   with acorn and transformed directly: no TypeScript needed, so the first cell after a kernel
 *   starts does not wait for a 9 MB compiler to load.
 * - **TypeScript** (anything acorn rejects: annotations, `interface`, `enum`, `namespace`,
 *   decorators, generics, JSX) is compiled by upstream TypeScript's `transpileModule` first
 *   (which also reports the syntax errors), and its output goes through the same transform.
 *   TypeScript is loaded by the host on first need (or in the background when idle).
 *
 * Valid JavaScript that TypeScript reads differently is sent to TypeScript: `f<T>(x)` is a
 * generic call in TypeScript and two comparisons in JavaScript (see {@link mayBeJavaScript}).
 * Host-neutral: no Node built-ins.
 */
import { parse, type Options, type Program } from 'acorn';
import type * as TS from 'typescript';
import { TraceMap, originalPositionFor } from '@jridgewell/trace-mapping';
import { transformCell, type SourceMapV3 } from './transform.js';

/** How cells (and TypeScript's output for them) are parsed: a module, with top-level await. */
export const PARSE_OPTIONS: Options = { ecmaVersion: 2024, sourceType: 'module', allowAwaitOutsideFunction: true, allowReturnOutsideFunction: true };

/** A syntax error found while compiling, at 1-based line and column of the source. */
export interface SourceDiagnostic {
  message: string;
  line: number;
  column: number;
  code: number;
}

/** A compiled cell: JavaScript, its source maps back to the cell, syntax errors (if any). */
export interface CompiledCell {
  /** The script; evaluates to the promise of the cell's value. Empty when there are diagnostics. */
  js: string;
  /** Source maps from `js` back to the cell, applied in order (the transform's, then TypeScript's). */
  maps: SourceMapV3[];
  diagnostics: SourceDiagnostic[];
  /** Identifier names the cell mentions (a cell naming none the realm lacks need not wait for the engine). */
  identifiers: Set<string>;
  /** Whether the cell creates functions or classes (its record must outlive its run, for stack traces). */
  definesFunctions: boolean;
  /** Which front end read the cell. */
  via: 'javascript' | 'typescript';
}

/** `f<T>(x)`, `new Map<string, number>()`, ``tag<T>`x` ``: a generic call in TypeScript, comparisons in JavaScript. */
const GENERIC_CALL = /[\w$)\]]\s*<[\s\w$.,[\]<>|&]*>\s*[(`]/;

/**
 * Whether `source` is plain JavaScript that means the same in TypeScript; returns acorn's
 * AST when it is. An over-approximation on the TypeScript side costs only compile time.
 */
export function mayBeJavaScript(source: string): Program | undefined {
  if (GENERIC_CALL.test(source)) return undefined;
  try {
    return parse(source, PARSE_OPTIONS);
  } catch {
    return undefined;
  }
}

/** TypeScript's compiler options for cells and local modules. */
export function compilerOptions(ts: typeof TS): TS.CompilerOptions {
  return {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    sourceMap: true,
    inlineSources: false,
    useDefineForClassFields: true,
    jsx: ts.JsxEmit.React,
  };
}

/** TypeScript diagnostics as 1-based {@link SourceDiagnostic}s. */
export function diagnosticsOf(ts: typeof TS, diags: readonly TS.Diagnostic[] | undefined): SourceDiagnostic[] {
  return (diags ?? []).map((d) => {
    const pos = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start) : { line: 0, character: 0 };
    return { message: ts.flattenDiagnosticMessageText(d.messageText, '\n'), line: pos.line + 1, column: pos.character + 1, code: d.code };
  });
}

function failed(diagnostics: SourceDiagnostic[], via: CompiledCell['via']): CompiledCell {
  return { js: '', maps: [], diagnostics, identifiers: new Set(), definesFunctions: false, via };
}

/** Transforms a cell that {@link mayBeJavaScript} accepted. */
export function compileJavaScript(source: string, name: string, program: Program, instrument = true): CompiledCell {
  const t = transformCell(source, program, name, { interrupts: instrument });
  return { js: t.code, maps: [t.map], diagnostics: [], identifiers: t.identifiers, definesFunctions: t.definesFunctions, via: 'javascript' };
}

/** Compiles a cell with TypeScript, then transforms TypeScript's output. */
export function compileTypeScript(ts: typeof TS, source: string, name: string, instrument = true): CompiledCell {
  const out = ts.transpileModule(source, {
    fileName: `${name}.ts`,
    reportDiagnostics: true,
    // Keep every import: a binding unused in this cell may be used by a later one.
    compilerOptions: { ...compilerOptions(ts), verbatimModuleSyntax: true },
  });
  const diagnostics = diagnosticsOf(ts, out.diagnostics);
  if (diagnostics.length > 0) return failed(diagnostics, 'typescript');
  const js = out.outputText.replace(/\n\/\/# sourceMappingURL=.*\s*$/, '\n');
  const tsMap = JSON.parse(out.sourceMapText ?? '{"version":3,"sources":[],"names":[],"mappings":""}') as SourceMapV3;
  let program: Program;
  try {
    program = parse(js, PARSE_OPTIONS);
  } catch (e) {
    // TypeScript accepted what JavaScript cannot run (a grammar error it reports only when
    // type checking, e.g. `await` in a function that is not async): report it at the cell's position.
    const err = e as SyntaxError & { loc?: { line: number; column: number } };
    const at = err.loc ? mapThrough([tsMap], err.loc.line, err.loc.column + 1) : undefined;
    return failed([{ message: err.message.replace(/\s*\(\d+:\d+\)$/, ''), line: at?.line ?? 1, column: at?.column ?? 1, code: 0 }], 'typescript');
  }
  const t = transformCell(js, program, name, { interrupts: instrument });
  return { js: t.code, maps: [t.map, tsMap], diagnostics: [], identifiers: t.identifiers, definesFunctions: t.definesFunctions, via: 'typescript' };
}

/**
 * Compiles one cell: plain JavaScript without TypeScript, everything else with `ts`.
 * Returns `undefined` when the cell needs TypeScript and `ts` is not given (load it, call again).
 *
 * @example compileCell('const x = 1; x + 1', 'In[1]')!.js
 *   // "(async function __seqlab_cell__() {\nglobalThis.x = 1; return x + 1\n})();"
 */
export function compileCell(source: string, name: string, ts?: typeof TS, instrument = true): CompiledCell | undefined {
  const program = mayBeJavaScript(source);
  if (program) return compileJavaScript(source, name, program, instrument);
  return ts ? compileTypeScript(ts, source, name, instrument) : undefined;
}


const traceMaps = new WeakMap<SourceMapV3, TraceMap>();

/**
 * Maps a 1-based line and column of generated code back through `maps` (outermost first).
 * Returns `undefined` for positions in code the kernel inserted.
 */
export function mapThrough(maps: readonly SourceMapV3[], line: number, column: number): { line: number; column: number } | undefined {
  let pos = { line, column };
  for (const m of maps) {
    let tm = traceMaps.get(m);
    if (!tm) {
      tm = new TraceMap(m as never);
      traceMaps.set(m, tm);
    }
    const o = originalPositionFor(tm, { line: pos.line, column: Math.max(0, pos.column - 1) });
    if (o.line === null || o.column === null) return undefined;
    pos = { line: o.line, column: o.column + 1 };
  }
  return pos;
}
