/**
 * The Node host's TypeScript: loaded on first use with a V8 code cache (typescript-loader.ts),
 * so a kernel that has not needed it has not paid for it; and the compilation of local
 * modules (`.ts` files next to the notebook) for the module loader hooks, with the same
 * interrupt checks cells get (core/transform.ts).
 */
import type * as TS from 'typescript';
import { parse } from 'acorn';
import MagicString from 'magic-string';
import { createRequire } from 'node:module';
import { loadTypeScript } from '../typescript-loader.js';
import { PARSE_OPTIONS, compilerOptions, diagnosticsOf, type SourceDiagnostic } from '../core/compile.js';
import { instrument } from '../core/transform.js';

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

/** Stores TypeScript's code cache once it has compiled something (no-op after the first call). */
export function storeTypeScriptCache(): void {
  saveCache?.();
  saveCache = undefined;
}

/**
 * Compiles a local module file (`.ts`, `.mts`, `.tsx` next to the notebook) to an ES module
 * with interrupt checks and an inline source map (TypeScript's map and the transform's,
 * composed), for the module loader hooks.
 */
export function compileModule(source: string, url: string): { code: string; diagnostics: SourceDiagnostic[] } {
  const ts = typescript();
  const file = new URL(url).pathname;
  const out = ts.transpileModule(source, {
    fileName: file,
    reportDiagnostics: true,
    compilerOptions: { ...compilerOptions(ts), sourceMap: true, inlineSources: true, rewriteRelativeImportExtensions: false },
  });
  const diagnostics = diagnosticsOf(ts, out.diagnostics);
  if (diagnostics.length > 0) return { code: '', diagnostics };
  const js = out.outputText.replace(/\n\/\/# sourceMappingURL=.*\s*$/, '\n');
  let program;
  try {
    program = parse(js, { ...PARSE_OPTIONS, allowReturnOutsideFunction: false });
  } catch (e) {
    return { code: '', diagnostics: [{ message: (e as Error).message, line: 1, column: 1, code: 0 }] };
  }
  const s = new MagicString(js);
  instrument(s, program, { interrupts: true, cell: false });
  // Loaded here, not at start: only local modules need composed maps.
  const remapping = createRequire(import.meta.url)('@jridgewell/remapping') as typeof import('@jridgewell/remapping').default;
  const map = remapping([s.generateMap({ hires: true, source: file, includeContent: false }) as never, JSON.parse(out.sourceMapText ?? '{}')], () => null);
  const inline = Buffer.from(map.toString()).toString('base64');
  return { code: `${s.toString()}\n//# sourceMappingURL=data:application/json;base64,${inline}\n`, diagnostics: [] };
}
