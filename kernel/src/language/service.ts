/**
 * The TypeScript language service for cells: completion, inspection (types and docs), and
 * type checking against earlier cells, with the engine's exports and the kernel's helpers in
 * scope as they are at run time.
 *
 * The engine's global declarations are derived from its emitted .d.ts: the checker lists the
 * exports of `@seqlab/engine`, and each one the runtime puts in scope becomes
 * `export import Name = __engine.Name` inside `declare global`, which carries every meaning
 * (value, type, namespace, generics) without the kernel knowing the engine's API.
 */
import { createRequire, isBuiltin } from 'node:module';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type * as TS from 'typescript';
import { CellContext } from './cell-context.js';
import { loadTypeScript } from '../typescript-loader.js';
import { engineGlobalNames } from '../core/globals.js';
import type { Completion, Inspection, TypeDiagnostic } from '../dispatch/handlers.js';

const kernelDist = dirname(dirname(fileURLToPath(import.meta.url)));
const AMBIENT = join(kernelDist, 'language', '__seqlab_globals__.d.ts');
const TSLAB = join(kernelDist, 'language', '__seqlab_tslab__.d.ts');

function kernelHelpersDeclarations(): string {
  const rel = (p: string): string => JSON.stringify(`../${p}`);
  return `import type { DisplayFunction } from ${rel('display/display.js')};
import type { ProgressBar, ProgressOptions } from ${rel('display/progress.js')};
import type { CommApi } from ${rel('comm/comms.js')};
`;
}

const HELPER_GLOBALS = `
  /** Shows a value in the cell's output (its Symbol.for("Jupyter.display") bundle, or text). Also display.html/markdown/svg/png/json/... */
  const display: DisplayFunction;
  /** Clears the cell's output; with wait, when the next output arrives. */
  function clearOutput(wait?: boolean): void;
  /** Asks the user for a line of text through the frontend (blocks until answered). */
  function input(prompt?: string, options?: { password?: boolean }): string;
  /** Like input(), with a default for an empty answer. */
  function prompt(message?: string, defaultValue?: string): string;
  /** A progress bar that updates in place: for (const x of progress(items)) ...; or bar.update(). */
  function progress<T = number>(source?: Iterable<T> | number, options?: ProgressOptions): ProgressBar<T>;
  /** Comms with frontend code: comms.registerTarget(name, handler), comms.open(target, data). */
  const comms: CommApi;
`;

const TSLAB_MODULE = `import type { TslabDisplay, DisplayFunction } from "../display/display.js";
/** Displays rich output (tslab-compatible). */
export declare const display: TslabDisplay & DisplayFunction;
/** A display whose every call replaces its previous output. */
export declare function newDisplay(): TslabDisplay;
/** Versions of the kernel and its runtime. */
export declare const versions: { tslab: string; seqlab: string; typescript: string; node: string };
`;

/** Options of {@link LanguageService}. */
export interface LanguageServiceOptions {
  /** Directory of the notebook: relative imports in cells resolve from here. */
  notebookDir: string;
  /** Whether the engine's exports are declared as globals (default true). */
  engine?: boolean;
}

/**
 * Node's global declarations: what a cell has in scope without imports (console, process,
 * timers, Buffer, events, fetch, web streams). These are @types/node's files with a `global`
 * block, not its whole index: the other modules' declarations (2 MB, most of the parsing of the
 * first build) are added once a cell imports them (see addNodeModules).
 */
const NODE_GLOBAL_TYPES = [
  'compatibility/index.d.ts',
  'globals.typedarray.d.ts',
  'buffer.buffer.d.ts',
  'globals.d.ts',
  'web-globals/abortcontroller.d.ts',
  'web-globals/domexception.d.ts',
  'web-globals/events.d.ts',
  'web-globals/fetch.d.ts',
  'buffer.d.ts',
  'console.d.ts',
  'events.d.ts',
  'process.d.ts',
  'timers.d.ts',
  'stream/web.d.ts',
];

/**
 * Node's declarations parsed once a cell mentions one of `names` (or completes a prefix of
 * one), so that the first build does not parse them: large for what most cells use of them
 * (crypto.d.ts is 200 KB for `crypto`). Without `names`, the globals the files declare
 * (TextEncoder, performance, structuredClone, MessageChannel, URL, require, __dirname, ...).
 */
const NODE_LAZY_TYPES: { files: string[]; names?: string[] }[] = [
  { files: ['crypto.d.ts'] },
  { files: ['util.d.ts'] },
  { files: ['perf_hooks.d.ts'] },
  { files: ['worker_threads.d.ts'] },
  { files: ['url.d.ts'] },
  { files: ['module.d.ts'] },
  // process.stdout/stderr/stdin are tty streams, which are sockets, which are streams.
  { files: ['tty.d.ts', 'net.d.ts', 'stream.d.ts'], names: ['stdout', 'stderr', 'stdin'] },
];

/** Names declared in the `global { ... }` block of one of @types/node's module files. */
function globalNamesOf(text: string): string[] {
  const start = text.indexOf('\n    global {');
  if (start < 0) return [];
  const end = text.indexOf('\n    }', start);
  const block = text.slice(start, end < 0 ? undefined : end);
  return [...block.matchAll(/^ {8}(?:var|function|const|let|class|interface|namespace|type)\s+([A-Za-z_$][\w$]*)/gm)].map((m) => m[1]!);
}

const KIND_TYPES: Record<string, string> = {
  function: 'function',
  method: 'function',
  'local function': 'function',
  class: 'class',
  'local class': 'class',
  interface: 'class',
  type: 'class',
  enum: 'class',
  module: 'module',
  keyword: 'keyword',
  property: 'instance',
  getter: 'instance',
  setter: 'instance',
  var: 'instance',
  let: 'instance',
  const: 'instance',
  'local var': 'instance',
  parameter: 'instance',
};

/** See the module comment. */
export class LanguageService {
  private readonly ts: typeof TS;
  private readonly files = new Map<string, { text: string; version: number }>();
  private readonly ls: TS.LanguageService;
  private readonly cellFile: string;
  private readonly context: CellContext;
  private readonly options: TS.CompilerOptions;
  private engineDone = false;
  /** Engine exports declared by value only (their name is a global type too), with their completion kind. */
  private readonly valueOnly = new Map<string, string>();
  private readonly nodeTypesDir: string | undefined;
  private readonly nodeFiles = new Set<string>();
  /** Groups of NODE_LAZY_TYPES not added yet, with a test for a mention of their names. */
  private readonly lazyGlobals: { files: string[]; names: string[]; mention: RegExp }[] = [];
  private saveCache: (() => void) | undefined;
  private readonly resolutionCache: TS.ModuleResolutionCache;

  constructor(private readonly opts: LanguageServiceOptions) {
    const require = createRequire(import.meta.url);
    const loaded = loadTypeScript('service');
    const ts = loaded.ts;
    this.ts = ts;
    this.saveCache = loaded.saveCache;
    this.context = new CellContext(ts);
    this.cellFile = join(opts.notebookDir, '__seqlab_cell__.ts');
    try {
      this.nodeTypesDir = dirname(require.resolve('@types/node/package.json'));
      for (const f of NODE_GLOBAL_TYPES) if (existsSync(join(this.nodeTypesDir, f))) this.nodeFiles.add(join(this.nodeTypesDir, f));
      for (const lazy of NODE_LAZY_TYPES) {
        const files = lazy.files.map((f) => join(this.nodeTypesDir!, f)).filter((f) => existsSync(f));
        const names = lazy.names ?? files.flatMap((f) => globalNamesOf(readFileSync(f, 'utf8')));
        if (files.length > 0 && names.length > 0) this.lazyGlobals.push({ files, names, mention: new RegExp(`(?<![\\w$])(?:${names.join('|')})(?![\\w$])`) });
      }
    } catch {
      this.nodeTypesDir = undefined;
    }
    this.options = {
      target: ts.ScriptTarget.ES2022,
      lib: ['lib.es2023.d.ts'],
      module: ts.ModuleKind.ESNext,
      moduleResolution: ts.ModuleResolutionKind.Bundler,
      allowImportingTsExtensions: true,
      allowJs: true,
      noEmit: true,
      strict: true,
      noImplicitAny: false,
      esModuleInterop: true,
      skipLibCheck: true,
      resolveJsonModule: true,
      // `import * as tslab from "tslab"` finds the kernel's tslab-compatible module.
      paths: { tslab: [TSLAB] },
      // Node's declarations are 2 MB: the globals are always there, a module's declarations
      // only once a cell imports it (see addNodeModules).
      types: [],
    };
    this.setFile(AMBIENT, `${kernelHelpersDeclarations()}export {};\ndeclare global {${HELPER_GLOBALS}}\n`);
    this.setFile(TSLAB, TSLAB_MODULE);
    this.setFile(this.cellFile, 'export {};\n');
    const moduleHost: TS.ModuleResolutionHost = {
      getCurrentDirectory: () => opts.notebookDir,
      fileExists: (f) => this.files.has(f) || ts.sys.fileExists(f),
      readFile: (f) => this.files.get(f)?.text ?? ts.sys.readFile(f),
      directoryExists: ts.sys.directoryExists,
      getDirectories: ts.sys.getDirectories,
      realpath: ts.sys.realpath,
    };
    this.resolutionCache = ts.createModuleResolutionCache(opts.notebookDir, (f) => f, this.options);
    const host: TS.LanguageServiceHost = {
      getScriptFileNames: () => [...[...this.files.keys()].filter((f) => f !== TSLAB), ...this.nodeFiles],
      getScriptVersion: (f) => String(this.files.get(f)?.version ?? 0),
      getScriptSnapshot: (f) => {
        const v = this.files.get(f);
        if (v) return ts.ScriptSnapshot.fromString(v.text);
        const text = ts.sys.readFile(f);
        return text === undefined ? undefined : ts.ScriptSnapshot.fromString(text);
      },
      getCurrentDirectory: () => opts.notebookDir,
      getCompilationSettings: () => this.options,
      getDefaultLibFileName: (o) => ts.getDefaultLibFilePath(o),
      fileExists: (f) => this.files.has(f) || ts.sys.fileExists(f),
      readFile: (f) => this.files.get(f)?.text ?? ts.sys.readFile(f),
      readDirectory: ts.sys.readDirectory,
      directoryExists: ts.sys.directoryExists,
      getDirectories: ts.sys.getDirectories,
      realpath: ts.sys.realpath,
      // undici-types (the fetch declarations of Node's globals) says `/// <reference types="node" />`,
      // which would pull in all of @types/node; the globals it needs are already there. Other
      // files (an npm package a cell imports) get Node's types as usual.
      resolveTypeReferenceDirectiveReferences: (refs, containingFile, redirected, options) =>
        refs.map((ref) => {
          const name = typeof ref === 'string' ? ref : ref.fileName.toLowerCase();
          if (name === 'node' && /[\\/]undici-types[\\/]/.test(containingFile)) return { resolvedTypeReferenceDirective: undefined };
          return ts.resolveTypeReferenceDirective(name, containingFile, options, moduleHost, redirected);
        }),
      // Packages the notebook's folder lacks resolve from the kernel's own, as at run time.
      resolveModuleNameLiterals: (literals, containingFile, redirected, options) =>
        literals.map((lit) => {
          // Node's modules import each other by name: those are ambient modules (declared in
          // the program or not), never files to look for in node_modules.
          if (isBuiltin(lit.text) && /[\\/](?:@types[\\/]node|undici-types)[\\/]/.test(containingFile)) return { resolvedModule: undefined };
          const first = ts.resolveModuleName(lit.text, containingFile, options, moduleHost, this.resolutionCache, redirected);
          if (first.resolvedModule || containingFile !== this.cellFile) return first;
          const fallback = ts.resolveModuleName(lit.text, join(kernelDist, 'index.ts'), options, moduleHost, undefined, redirected);
          return fallback.resolvedModule ? fallback : first;
        }),
    };
    this.ls = ts.createLanguageService(host, ts.createDocumentRegistry());
  }

  private setFile(name: string, text: string): void {
    const prev = this.files.get(name);
    if (prev?.text === text) return;
    this.files.set(name, { text, version: (prev?.version ?? 0) + 1 });
  }

  /**
   * Declares the engine's exports as globals (once, on first use): asks the checker for the
   * exports of `@seqlab/engine` and writes `export import` aliases for those in scope.
   *
   * The export list comes from the service's own program, built once with the engine imported
   * but not yet aliased: the second build (with the aliases) reuses every parsed and bound
   * file, so the engine's declarations are parsed once, not in a program of their own.
   */
  private ensureEngine(): void {
    if (this.engineDone || this.opts.engine === false) return;
    this.engineDone = true;
    const ts = this.ts;
    try {
      createRequire(import.meta.url).resolve('@seqlab/engine');
    } catch {
      return;
    }
    const head = `${kernelHelpersDeclarations()}import * as __engine from "@seqlab/engine";\nexport {};\ndeclare global {${HELPER_GLOBALS}`;
    this.setFile(AMBIENT, `${head}}\n`);
    const program = this.ls.getProgram();
    const sf = program?.getSourceFile(AMBIENT);
    const spec = sf?.statements.find((s): s is TS.ImportDeclaration => ts.isImportDeclaration(s) && ts.isStringLiteral(s.moduleSpecifier) && s.moduleSpecifier.text === '@seqlab/engine')?.moduleSpecifier;
    if (!program || !spec) return;
    const checker = program.getTypeChecker();
    const moduleSymbol = checker.getSymbolAtLocation(spec);
    if (!moduleSymbol) return;
    const exports = checker.getExportsOfModule(moduleSymbol);
    // Global types of the standard library and Node (e.g. ES2015's `Generator<T>`): an export
    // of the same name would clash with them, and the checker needs lib's meaning (a
    // `function*` returns lib's Generator). Such an export keeps its value meaning only.
    const lib = program.getSourceFile(ts.getDefaultLibFilePath(this.options));
    const globalTypes = new Set(lib ? checker.getSymbolsInScope(lib, ts.SymbolFlags.Type).map((x) => x.name) : []);
    const valueNames: string[] = [];
    const typeOnly: string[] = [];
    const kinds = new Map<string, TS.SymbolFlags>();
    for (const sym of exports) {
      const target = sym.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(sym) : sym;
      kinds.set(sym.name, target.flags);
      if (target.flags & (ts.SymbolFlags.Value | ts.SymbolFlags.Namespace)) valueNames.push(sym.name);
      else typeOnly.push(sym.name);
    }
    const { installed } = engineGlobalNames(valueNames);
    const kernel = new Set(['display', 'clearOutput', 'input', 'prompt', 'progress', 'comms', 'require']);
    const names = [...installed, ...typeOnly.filter((n) => !kernel.has(n) && !globalTypes.has(n))];
    this.valueOnly.clear();
    const aliases = names
      .map((n) => {
        if (!globalTypes.has(n)) return `  export import ${n} = __engine.${n};`;
        this.valueOnly.set(n, kinds.get(n)! & ts.SymbolFlags.Class ? 'class' : kinds.get(n)! & ts.SymbolFlags.Function ? 'function' : 'instance');
        return `  /** The engine's \`${n}\`; as a type, \`${n}\` is the standard library's, and this one's instance type is \`engine.${n}\`. */\n  const ${n}: typeof __engine.${n};`;
      })
      .join('\n');
    // A namespace alias, not a const: \`engine.Generator\`, \`engine.nn.Linear\` also name types.
    const engineNs = 'engine' in globalThis || installed.includes('engine') ? '' : '  /** Everything the engine exports (the module `@seqlab/engine`), as values and as types: `engine.Generator`, `engine.nn.Linear`. */\n  export import engine = __engine;\n';
    this.setFile(AMBIENT, `${head}${engineNs}${aliases}\n}\n`);
  }

  /** Records a cell that ran. */
  cellExecuted(code: string): void {
    this.context.add(code);
  }

  /** Forgets earlier cells. */
  reset(): void {
    this.context.clear();
  }

  /** Adds the declarations of the Node modules `text` imports (and what they import). */
  private addNodeModules(text: string): void {
    const dir = this.nodeTypesDir;
    if (!dir) return;
    const pending = [text];
    while (pending.length > 0) {
      const t = pending.pop()!;
      for (const m of t.matchAll(/(?:from\s*|import\s*\(\s*|require\s*\(\s*|import\s+)["'](?:node:)?([a-z_]+(?:\/[a-z_]+)?)["']/g)) {
        const name = m[1]!;
        if (!isBuiltin(name)) continue;
        const file = join(dir, `${name}.d.ts`);
        if (this.nodeFiles.has(file) || !existsSync(file)) continue;
        this.nodeFiles.add(file);
        // Without its comments: the examples in Node's docs import half of Node.
        pending.push(readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\//g, ''));
      }
    }
  }

  /** Adds the files of NODE_LAZY_TYPES whose names `text` mentions or `prefix` (being completed) starts. */
  private addLazyGlobals(text: string, prefix: string): void {
    const p = prefix.toLowerCase();
    for (let i = this.lazyGlobals.length - 1; i >= 0; i--) {
      const g = this.lazyGlobals[i]!;
      if (!g.mention.test(text) && (p === '' || !g.names.some((n) => n.toLowerCase().startsWith(p)))) continue;
      for (const f of g.files) this.nodeFiles.add(f);
      this.lazyGlobals.splice(i, 1);
    }
  }

  private prepare(code: string, prefix = ''): { offset: number; lineOffset: number } {
    this.ensureEngine();
    const view = this.context.view(code);
    this.addNodeModules(view.text);
    this.addLazyGlobals(view.text, prefix);
    this.setFile(this.cellFile, view.text);
    return view;
  }

  /** Stores TypeScript's code cache after the first request (see typescript-loader.ts). */
  storeCache(): void {
    this.saveCache?.();
    this.saveCache = undefined;
  }

  /** Type errors of `code` (syntax and semantics), 1-based in the cell. */
  check(code: string): TypeDiagnostic[] {
    const ts = this.ts;
    const view = this.prepare(code);
    const end = view.offset + code.length;
    const diags = [...this.ls.getSyntacticDiagnostics(this.cellFile), ...this.ls.getSemanticDiagnostics(this.cellFile)];
    const out: TypeDiagnostic[] = [];
    for (const d of diags) {
      if (d.start === undefined || d.start < view.offset || d.start > end || !d.file) continue;
      const pos = d.file.getLineAndCharacterOfPosition(d.start);
      out.push({
        line: pos.line - view.lineOffset + 1,
        column: pos.character + 1,
        code: d.code,
        message: ts.flattenDiagnosticMessageText(d.messageText, '\n'),
        category: (['warning', 'error', 'suggestion', 'message'] as const)[d.category],
      });
    }
    return out;
  }

  /** Completions at UTF-16 offset `cursor` of `code`. */
  complete(code: string, cursor: number): Completion {
    const prefix = /[\w$]*$/.exec(code.slice(0, cursor))![0];
    const view = this.prepare(code, prefix);
    const start = cursor - prefix.length;
    const info = this.ls.getCompletionsAtPosition(this.cellFile, view.offset + cursor, { includeCompletionsWithInsertText: true, includeExternalModuleExports: false });
    if (!info) return { matches: [], cursorStart: start, cursorEnd: cursor, types: [] };
    const entries = info.entries.filter((e) => !e.name.startsWith('__seqlab'));
    let hits = entries.filter((e) => e.name.startsWith(prefix));
    if (hits.length === 0) hits = entries.filter((e) => e.name.toLowerCase().startsWith(prefix.toLowerCase()));
    hits.sort((a, b) => (a.sortText === b.sortText ? a.name.localeCompare(b.name) : a.sortText < b.sortText ? -1 : 1));
    const seen = new Set<string>();
    const unique = hits.filter((e) => !seen.has(e.name) && (seen.add(e.name), true)).slice(0, 1000);
    // `export import` globals complete as aliases; ask for the real kind of the first few.
    const kindOf = (e: TS.CompletionEntry, i: number): string => {
      const own = this.valueOnly.get(e.name);
      if (own !== undefined) return own;
      if (e.kind !== 'alias' || i >= 25) return KIND_TYPES[e.kind] ?? e.kind ?? '';
      const d = this.ls.getCompletionEntryDetails(this.cellFile, view.offset + cursor, e.name, undefined, e.source, undefined, e.data);
      const real = d?.displayParts.find((p) => KIND_TYPES[p.text] !== undefined)?.text;
      return real ? KIND_TYPES[real]! : 'instance';
    };
    return {
      matches: unique.map((e) => e.name),
      cursorStart: start,
      cursorEnd: cursor,
      types: unique.map((e, i) => ({ text: e.name, type: kindOf(e, i) })),
    };
  }

  /** Type and documentation of the symbol at UTF-16 offset `cursor` of `code`. */
  inspect(code: string, cursor: number, detailLevel: number): Inspection {
    const ts = this.ts;
    const view = this.prepare(code);
    let info: TS.QuickInfo | undefined;
    for (const c of [cursor, cursor - 1]) {
      if (c < 0) continue;
      info = this.ls.getQuickInfoAtPosition(this.cellFile, view.offset + c);
      if (info) break;
    }
    if (!info) return { found: false, data: {} };
    // Engine globals are `export import` aliases: show the declaration, not the alias line.
    const lines = ts.displayPartsToString(info.displayParts).split('\n');
    const declared = lines.filter((l) => !/^import [\w$]+ = [\w$.]+$/.test(l));
    // A namespace alias (`nn`, `engine`) has only its import line: name it as a namespace.
    const signature = (declared.length > 0 ? declared : lines.map((l) => l.replace(/^import ([\w$]+) = .*$/, 'namespace $1'))).join('\n').replace(/^\(alias\) /, '');
    const docs = ts.displayPartsToString(info.documentation);
    const tags = (info.tags ?? []).map((t) => `@${t.name}${t.text ? ' ' + ts.displayPartsToString(t.text) : ''}`);
    let definition = '';
    if (detailLevel > 0) {
      const defs = this.ls.getDefinitionAtPosition(this.cellFile, view.offset + Math.max(0, cursor - 1)) ?? [];
      const d = defs.find((x) => x.fileName !== this.cellFile);
      if (d) definition = `defined in ${d.fileName}`;
    }
    const plain = [signature, docs, tags.join('\n'), definition].filter((s) => s !== '').join('\n\n');
    const markdown = ['```typescript\n' + signature + '\n```', docs, tags.map((t) => `*${t}*`).join('  \n'), definition].filter((s) => s !== '').join('\n\n');
    return { found: true, data: { 'text/plain': plain, 'text/markdown': markdown } };
  }
}
