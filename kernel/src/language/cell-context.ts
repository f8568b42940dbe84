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

/** A top-level declaration of an earlier cell: its text and the names it declares. */
interface Declaration {
  text: string;
  names: string[];
}

/**
 * Keeps the declarations of earlier cells and builds {@link CellView}s. Only what a view can
 * show is kept: declarations (not whole cells, not syntax trees), and of those only the ones
 * whose every name no later cell declared again, so that memory follows the notebook's
 * distinct names, not the number of cells run.
 */
export class CellContext {
  private decls: Declaration[] = [];

  constructor(private readonly ts: typeof TS) {}

  /** Adds a cell that ran; cells that do not parse are left out. */
  add(code: string): void {
    const ts = this.ts;
    const sf = ts.createSourceFile('cell.ts', code, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
    if ((sf as unknown as { parseDiagnostics?: unknown[] }).parseDiagnostics?.length) return;
    let added = false;
    for (const stmt of sf.statements) {
      const names = declaredNames(ts, stmt);
      if (names && names.length > 0) {
        this.decls.push({ text: stmt.getFullText(sf), names });
        added = true;
      }
    }
    if (added) this.decls = this.visible(new Map());
  }

  clear(): void {
    this.decls = [];
  }

  /** Number of declarations kept. */
  get size(): number {
    return this.decls.length;
  }

  /** The declarations a later cell sees: those whose every name they declare last (`owner` adds the current cell's). */
  private visible(owner: Map<string, number>): Declaration[] {
    const last = new Map<string, number>();
    this.decls.forEach((d, i) => {
      for (const n of d.names) last.set(n, i);
    });
    return this.decls.filter((d, i) => d.names.every((n) => last.get(n) === i && !owner.has(n)));
  }

  /** The view for checking or completing `current`. */
  view(current: string): CellView {
    const ts = this.ts;
    const owner = new Map<string, number>();
    const currentSf = ts.createSourceFile('cell.ts', current, ts.ScriptTarget.ES2022, false, ts.ScriptKind.TS);
    for (const stmt of currentSf.statements) for (const n of declaredNames(ts, stmt) ?? []) owner.set(n, 0);
    const parts = this.visible(owner).map((d) => d.text);
    const prefix = parts.length > 0 ? `${parts.join('\n')}\n` : '';
    const lineOffset = prefix.split('\n').length - 1;
    return { text: `${prefix}${current}\n;export {};\n`, offset: prefix.length, lineOffset };
  }
}
