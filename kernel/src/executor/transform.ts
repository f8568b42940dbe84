/**
 * The TypeScript transform that turns a notebook cell into a script the kernel can run
 * again and again in one persistent realm.
 *
 * It runs after TypeScript has stripped types (an `after` transformer), on plain JavaScript:
 * - top-level `const`/`let`/`var`/`function`/`class` become assignments to `globalThis`, so a
 *   later cell sees them and re-running a cell redefines them;
 * - `import` declarations and `import()` calls go through the kernel's module loader
 *   (`__seqlab.import`), which resolves relative to the notebook's directory;
 * - the whole cell is wrapped in an async arrow function, so top-level `await` works, and the
 *   last expression statement becomes the cell's value (the `execute_result`);
 * - every loop body starts with a cheap interrupt check (one shared-memory read) and every
 *   `await` is followed by a cancellation check, so an interrupt stops synchronous loops and
 *   loops that run after an `await` (see kernel/README.md, "Interrupt").
 */
import type * as TS from 'typescript';

/** Name of the global object holding the runtime helpers the transformed code calls. */
export const RUNTIME = '__seqlab';
/** Global `Int32Array` over shared memory; element 3 flags a pending interrupt (interrupt.ts). */
export const IRQ = '__seqlab_irq';
/** Index of the pending-interrupt flag in {@link IRQ} (INTERRUPT_FLAG in interrupt.ts). */
const IRQ_FLAG = 3;

/** Name of the async function a cell's code is wrapped in. */
export const CELL_FUNCTION = '__seqlab_cell__';

/** Options of {@link cellTransformer} and {@link instrumentTransformer}. */
export interface TransformOptions {
  /** Insert interrupt checks into loops and after awaits (default true). */
  instrument?: boolean;
}

/** Emits `if (__seqlab_irq[3] !== 0) __seqlab.check();`. */
function interruptCheck(f: TS.NodeFactory, ts: typeof TS): TS.Statement {
  return f.createIfStatement(
    f.createBinaryExpression(
      f.createElementAccessExpression(f.createIdentifier(IRQ), IRQ_FLAG),
      ts.SyntaxKind.ExclamationEqualsEqualsToken,
      f.createNumericLiteral(0),
    ),
    f.createExpressionStatement(
      f.createCallExpression(f.createPropertyAccessExpression(f.createIdentifier(RUNTIME), 'check'), undefined, []),
    ),
  );
}

function runtimeCall(f: TS.NodeFactory, name: string, args: TS.Expression[]): TS.CallExpression {
  return f.createCallExpression(f.createPropertyAccessExpression(f.createIdentifier(RUNTIME), name), undefined, args);
}

/**
 * A visitor that instruments loops and awaits and reroutes `import()` and `import.meta`.
 * Shared by cells and by local modules the loader compiles.
 */
function makeInstrumentVisitor(ts: typeof TS, context: TS.TransformationContext, opts: TransformOptions, forCell: boolean) {
  const f = context.factory;
  const instrument = opts.instrument !== false;
  const visit = (node: TS.Node): TS.Node => {
    if (instrument && ts.isIterationStatement(node, false)) {
      const visited = ts.visitEachChild(node, visit, context) as TS.IterationStatement;
      const body = visited.statement;
      const stmts = ts.isBlock(body) ? [interruptCheck(f, ts), ...body.statements] : [interruptCheck(f, ts), body];
      const block = ts.setTextRange(f.createBlock(stmts, true), body);
      if (ts.isForStatement(visited)) return f.updateForStatement(visited, visited.initializer, visited.condition, visited.incrementor, block);
      if (ts.isForOfStatement(visited)) return f.updateForOfStatement(visited, visited.awaitModifier, visited.initializer, visited.expression, block);
      if (ts.isForInStatement(visited)) return f.updateForInStatement(visited, visited.initializer, visited.expression, block);
      if (ts.isWhileStatement(visited)) return f.updateWhileStatement(visited, visited.expression, block);
      if (ts.isDoStatement(visited)) return f.updateDoStatement(visited, block, visited.expression);
      return visited;
    }
    if (instrument && ts.isAwaitExpression(node)) {
      const visited = ts.visitEachChild(node, visit, context);
      return ts.setTextRange(runtimeCall(f, 'resume', [visited]), node);
    }
    if (forCell && ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const args = node.arguments.map((a) => ts.visitNode(a, visit) as TS.Expression);
      return ts.setTextRange(runtimeCall(f, 'import', args), node);
    }
    if (forCell && ts.isMetaProperty(node) && node.keywordToken === ts.SyntaxKind.ImportKeyword) {
      return ts.setTextRange(f.createPropertyAccessExpression(f.createIdentifier(RUNTIME), 'meta'), node);
    }
    return ts.visitEachChild(node, visit, context);
  };
  return visit;
}

/**
 * An `after` transformer for local modules (`.ts`/`.js` files next to the notebook) that only
 * inserts interrupt checks; their module semantics are left to Node.
 */
export function instrumentTransformer(ts: typeof TS, opts: TransformOptions = {}): TS.TransformerFactory<TS.SourceFile> {
  return (context) => (sf) => {
    const visit = makeInstrumentVisitor(ts, context, opts, false);
    return ts.visitEachChild(sf, visit, context);
  };
}

/**
 * The `after` transformer for a cell (see the module comment).
 *
 * @example
 * ts.transpileModule(src, { compilerOptions, transformers: { after: [cellTransformer(ts)] } })
 */
export function cellTransformer(ts: typeof TS, opts: TransformOptions = {}): TS.TransformerFactory<TS.SourceFile> {
  return (context) => (sourceFile) => {
    const f = context.factory;
    const visit = makeInstrumentVisitor(ts, context, opts, true);
    const sf = ts.visitEachChild(sourceFile, visit, context);
    const globalRef = (name: string): TS.Expression => f.createPropertyAccessExpression(f.createIdentifier('globalThis'), name);
    const assign = (target: TS.Expression, value: TS.Expression, range: TS.TextRange): TS.Statement =>
      ts.setTextRange(f.createExpressionStatement(f.createAssignment(target, value)), range);

    // Binding patterns become assignment patterns whose leaves are globalThis properties.
    const target = (name: TS.BindingName): TS.Expression => {
      if (ts.isIdentifier(name)) return globalRef(name.text);
      if (ts.isObjectBindingPattern(name)) {
        return f.createObjectLiteralExpression(
          name.elements.map((el) => {
            if (el.dotDotDotToken) return f.createSpreadAssignment(target(el.name));
            const t = el.initializer ? f.createAssignment(target(el.name), el.initializer) : target(el.name);
            const key = el.propertyName ?? (el.name as TS.Identifier);
            return f.createPropertyAssignment(key as TS.PropertyName, t);
          }),
        );
      }
      return f.createArrayLiteralExpression(
        name.elements.map((el) => {
          if (ts.isOmittedExpression(el)) return f.createOmittedExpression();
          if (el.dotDotDotToken) return f.createSpreadElement(target(el.name));
          return el.initializer ? f.createAssignment(target(el.name), el.initializer) : target(el.name);
        }),
      );
    };

    const hoisted: TS.Statement[] = [];
    const body: TS.Statement[] = [];
    let moduleCounter = 0;
    const statements = sf.statements.filter((s) => !ts.isEmptyStatement(s));
    const lastIndex = statements.length - 1;

    statements.forEach((stmt, index) => {
      if (ts.isImportDeclaration(stmt)) {
        const spec = stmt.moduleSpecifier as TS.Expression;
        const args: TS.Expression[] = [spec];
        if (stmt.attributes) {
          args.push(
            f.createObjectLiteralExpression([
              f.createPropertyAssignment(
                'with',
                f.createObjectLiteralExpression(
                  stmt.attributes.elements.map((a) => f.createPropertyAssignment(a.name, a.value)),
                ),
              ),
            ]),
          );
        }
        const load = f.createAwaitExpression(runtimeCall(f, 'import', args));
        const clause = stmt.importClause;
        if (!clause) {
          body.push(ts.setTextRange(f.createExpressionStatement(load), stmt));
          return;
        }
        const ns = f.createIdentifier(`__seqlab_module_${++moduleCounter}`);
        body.push(
          ts.setTextRange(
            f.createVariableStatement(undefined, f.createVariableDeclarationList([f.createVariableDeclaration(ns, undefined, undefined, load)], ts.NodeFlags.Const)),
            stmt,
          ),
        );
        if (clause.name) body.push(assign(globalRef(clause.name.text), runtimeCall(f, 'default', [ns]), stmt));
        const bindings = clause.namedBindings;
        if (bindings && ts.isNamespaceImport(bindings)) body.push(assign(globalRef(bindings.name.text), ns, stmt));
        if (bindings && ts.isNamedImports(bindings)) {
          for (const el of bindings.elements) {
            if (el.isTypeOnly) continue;
            const imported = el.propertyName ?? el.name;
            const importedName = ts.isIdentifier(imported) ? imported.text : imported.text;
            body.push(assign(globalRef(el.name.text), runtimeCall(f, 'named', [ns, f.createStringLiteral(importedName)]), stmt));
          }
        }
        return;
      }
      if (ts.isExportDeclaration(stmt)) {
        if (stmt.moduleSpecifier) body.push(ts.setTextRange(f.createExpressionStatement(f.createAwaitExpression(runtimeCall(f, 'import', [stmt.moduleSpecifier]))), stmt));
        return;
      }
      if (ts.isExportAssignment(stmt)) {
        body.push(ts.setTextRange(f.createExpressionStatement(stmt.expression), stmt));
        return;
      }
      if (ts.isVariableStatement(stmt)) {
        const isVar = (stmt.declarationList.flags & (ts.NodeFlags.Let | ts.NodeFlags.Const)) === 0;
        for (const decl of stmt.declarationList.declarations) {
          if (decl.initializer) {
            if (ts.isIdentifier(decl.name)) body.push(assign(globalRef(decl.name.text), decl.initializer, decl));
            else body.push(ts.setTextRange(f.createExpressionStatement(f.createParenthesizedExpression(f.createAssignment(target(decl.name), decl.initializer))), decl));
          } else if (ts.isIdentifier(decl.name)) {
            const name = decl.name.text;
            if (isVar) {
              // `var x;` keeps an existing value (TypeScript emits `var E;` before extending an enum).
              body.push(
                ts.setTextRange(
                  f.createIfStatement(
                    f.createLogicalNot(f.createParenthesizedExpression(f.createBinaryExpression(f.createStringLiteral(name), ts.SyntaxKind.InKeyword, f.createIdentifier('globalThis')))),
                    assign(globalRef(name), f.createVoidZero(), decl),
                  ),
                  decl,
                ),
              );
            } else {
              body.push(assign(globalRef(name), f.createVoidZero(), decl));
            }
          }
        }
        return;
      }
      if (ts.isFunctionDeclaration(stmt) && stmt.name && stmt.body) {
        const modifiers = stmt.modifiers?.filter((m) => m.kind === ts.SyntaxKind.AsyncKeyword) as TS.Modifier[] | undefined;
        const fn = f.createFunctionExpression(modifiers, stmt.asteriskToken, stmt.name, stmt.typeParameters, stmt.parameters, stmt.type, stmt.body);
        ts.setTextRange(fn, stmt);
        hoisted.push(assign(globalRef(stmt.name.text), fn, stmt));
        return;
      }
      if (ts.isClassDeclaration(stmt) && stmt.name) {
        const modifiers = stmt.modifiers?.filter((m) => m.kind === ts.SyntaxKind.Decorator) as TS.ModifierLike[] | undefined;
        const cls = f.createClassExpression(modifiers, stmt.name, stmt.typeParameters, stmt.heritageClauses, stmt.members);
        ts.setTextRange(cls, stmt);
        body.push(assign(globalRef(stmt.name.text), cls, stmt));
        return;
      }
      if (index === lastIndex && ts.isExpressionStatement(stmt) && !isAssignment(ts, stmt.expression)) {
        body.push(ts.setTextRange(f.createReturnStatement(stmt.expression), stmt));
        return;
      }
      body.push(stmt);
    });

    // A named function, so stack traces can tell the cell's top level from the kernel below it.
    const wrapper = f.createExpressionStatement(
      f.createCallExpression(
        f.createParenthesizedExpression(
          f.createFunctionExpression([f.createModifier(ts.SyntaxKind.AsyncKeyword)], undefined, CELL_FUNCTION, undefined, [], undefined, f.createBlock([...hoisted, ...body], true)),
        ),
        undefined,
        [],
      ),
    );
    return f.updateSourceFile(sf, [wrapper]);
  };
}

function isAssignment(ts: typeof TS, e: TS.Expression): boolean {
  while (ts.isParenthesizedExpression(e)) e = e.expression;
  return ts.isBinaryExpression(e) && e.operatorToken.kind >= ts.SyntaxKind.FirstAssignment && e.operatorToken.kind <= ts.SyntaxKind.LastAssignment;
}
