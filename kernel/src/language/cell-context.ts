/**
 * The TypeScript view of a notebook for checking and completing one cell: the declarations
 * of the cells run so far (the latest definition of each name wins, as at run time), followed
 * by the cell itself, as one module.
 */
import type * as TS from 'typescript';

/** The text the language service sees and where the current cell starts in it. */
export interface CellView {
  text: string;
  /** UTF-16 offset of the current cell in `text`. */
  offset: number;
  /** Line (0-based) of the current cell's first line in `text`. */
  lineOffset: number;
}

function bindingNames(ts: typeof TS, name: TS.BindingName, out: string[]): void {
  if (ts.isIdentifier(name)) out.push(name.text);
  else for (const el of name.elements) if (!ts.isOmittedExpression(el)) bindingNames(ts, el.name, out);
}

/** Names a top-level statement declares, or `undefined` if it is not a declaration. */
export function declaredNames(ts: typeof TS, stmt: TS.Statement): string[] | undefined {
  if (ts.isVariableStatement(stmt)) {
    const out: string[] = [];
    for (const d of stmt.declarationList.declarations) bindingNames(ts, d.name, out);
    return out;
  }
  if (ts.isFunctionDeclaration(stmt) || ts.isClassDeclaration(stmt)) return stmt.name ? [stmt.name.text] : undefined;
  if (ts.isInterfaceDeclaration(stmt) || ts.isTypeAliasDeclaration(stmt) || ts.isEnumDeclaration(stmt)) return [stmt.name.text];
  if (ts.isModuleDeclaration(stmt) && ts.isIdentifier(stmt.name)) return [stmt.name.text];
  if (ts.isImportEqualsDeclaration(stmt)) return [stmt.name.text];
  if (ts.isImportDeclaration(stmt)) {
    const clause = stmt.importClause;
    if (!clause) return [];
    const out: string[] = [];
    if (clause.name) out.push(clause.name.text);
    const b = clause.namedBindings;
    if (b && ts.isNamespaceImport(b)) out.push(b.name.text);
    if (b && ts.isNamedImports(b)) for (const el of b.elements) out.push(el.name.text);
    return out;
  }
  return undefined;
}

interface ParsedCell {
  sf: TS.SourceFile;
  decls: { stmt: TS.Statement; names: string[] }[];
}

/** Keeps parsed earlier cells and builds {@link CellView}s. */
export class CellContext {
  private readonly cells: ParsedCell[] = [];

  constructor(private readonly ts: typeof TS) {}

  /** Adds a cell that ran; cells that do not parse are left out. */
  add(code: string): void {
    const ts = this.ts;
    const sf = ts.createSourceFile('cell.ts', code, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
    if ((sf as unknown as { parseDiagnostics?: unknown[] }).parseDiagnostics?.length) return;
    const decls: ParsedCell['decls'] = [];
    for (const stmt of sf.statements) {
      const names = declaredNames(ts, stmt);
      if (names) decls.push({ stmt, names });
    }
    this.cells.push({ sf, decls });
  }

  clear(): void {
    this.cells.length = 0;
  }

  get size(): number {
    return this.cells.length;
  }

  /** The view for checking or completing `current`. */
  view(current: string): CellView {
    const ts = this.ts;
    const owner = new Map<string, number>();
    this.cells.forEach((c, i) => {
      for (const d of c.decls) for (const n of d.names) owner.set(n, i);
    });
    const currentSf = ts.createSourceFile('cell.ts', current, ts.ScriptTarget.ES2022, false, ts.ScriptKind.TS);
    for (const stmt of currentSf.statements) for (const n of declaredNames(ts, stmt) ?? []) owner.set(n, this.cells.length);
    const parts: string[] = [];
    this.cells.forEach((c, i) => {
      for (const d of c.decls) {
        if (d.names.every((n) => owner.get(n) === i)) parts.push(d.stmt.getFullText(c.sf));
      }
    });
    const prefix = parts.length > 0 ? `${parts.join('\n')}\n` : '';
    const lineOffset = prefix.split('\n').length - 1;
    return { text: `${prefix}${current}\n;export {};\n`, offset: prefix.length, lineOffset };
  }
}
