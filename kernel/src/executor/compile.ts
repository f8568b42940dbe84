/**
 * TypeScript -> JavaScript for cells and for local modules, with source maps.
 *
 * TypeScript (upstream, from npm) is loaded on first use, so a kernel that has not run a
 * cell yet has not paid for it (in time or memory); a V8 code cache makes that first load
 * fast (typescript-loader.ts).
 */
import { SourceMap } from 'node:module';
import type * as TS from 'typescript';
import { cellTransformer, instrumentTransformer } from './transform.js';
import { loadTypeScript } from '../typescript-loader.js';

let tsModule: typeof TS | undefined;
let saveCache: (() => void) | undefined;

/** The `typescript` module, loaded on first call (with a V8 code cache, see typescript-loader.ts). */
export function typescript(): typeof TS {
  if (!tsModule) {
    const loaded = loadTypeScript('compile');
    tsModule = loaded.ts;
    saveCache = loaded.saveCache;
  }
  return tsModule;
}

/** Stores TypeScript's code cache once cells have been compiled (no-op after the first call). */
export function storeTypeScriptCache(): void {
  saveCache?.();
  saveCache = undefined;
}

/** A syntax error found while compiling, at 1-based line and column of the source. */
export interface SourceDiagnostic {
  message: string;
  line: number;
  column: number;
  code: number;
}

/** A compiled cell: JavaScript, its source map back to the cell, syntax errors (if any). */
export interface CompiledCell {
  js: string;
  map: SourceMap | undefined;
  diagnostics: SourceDiagnostic[];
}

function compilerOptions(ts: typeof TS): TS.CompilerOptions {
  return {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    sourceMap: true,
    inlineSources: false,
    useDefineForClassFields: true,
    jsx: ts.JsxEmit.React,
  };
}

function diagnosticsOf(ts: typeof TS, diags: readonly TS.Diagnostic[] | undefined): SourceDiagnostic[] {
  return (diags ?? []).map((d) => {
    const pos = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start) : { line: 0, character: 0 };
    return { message: ts.flattenDiagnosticMessageText(d.messageText, '\n'), line: pos.line + 1, column: pos.character + 1, code: d.code };
  });
}

/**
 * Compiles one cell with {@link cellTransformer}.
 *
 * @example compileCell('const x = 1; x + 1', 'In[1]').js  // "(async () => { globalThis.x = 1; return x + 1; })();"
 */
export function compileCell(source: string, fileName: string, instrument = true): CompiledCell {
  const ts = typescript();
  const out = ts.transpileModule(source, {
    fileName: `${fileName}.ts`,
    reportDiagnostics: true,
    // Keep every import: a binding unused in this cell may be used by a later one.
    compilerOptions: { ...compilerOptions(ts), verbatimModuleSyntax: true },
    transformers: { after: [cellTransformer(ts, { instrument })] },
  });
  const diagnostics = diagnosticsOf(ts, out.diagnostics);
  const js = out.outputText.replace(/\n\/\/# sourceMappingURL=.*\s*$/, '\n');
  return { js, map: out.sourceMapText ? new SourceMap(JSON.parse(out.sourceMapText)) : undefined, diagnostics };
}

/**
 * Compiles a local module file (`.ts`, `.mts`, `.tsx`, or `.js` next to the notebook) to an ES
 * module with interrupt checks and an inline source map, for the module loader hooks.
 */
export function compileModule(source: string, url: string): { code: string; diagnostics: SourceDiagnostic[] } {
  const ts = typescript();
  const out = ts.transpileModule(source, {
    fileName: new URL(url).pathname,
    reportDiagnostics: true,
    compilerOptions: { ...compilerOptions(ts), sourceMap: false, inlineSourceMap: true, inlineSources: true, rewriteRelativeImportExtensions: false },
    transformers: { after: [instrumentTransformer(ts)] },
  });
  return { code: out.outputText, diagnostics: diagnosticsOf(ts, out.diagnostics) };
}
