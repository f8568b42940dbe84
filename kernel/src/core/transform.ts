/**
 * The cell transform: the one place that decides what a notebook cell means when it runs in
 * one persistent realm, again and again. It works on plain JavaScript (an acorn ESTree AST)
 * and edits the text with magic-string, so it produces a source map back to its input:
 *
 * - top-level `const`/`let`/`var`/`function`/`class` become assignments to `globalThis`, so a
 *   later cell sees them and re-running a cell redefines them (functions are hoisted);
 * - `import` declarations, `import()` and `import.meta` go through the kernel's runtime
 *   (`__seqlab.import`, `__seqlab.meta`), which the host resolves;
 * - the whole cell is wrapped in an async function, so top-level `await` works, and the last
 *   expression statement becomes the cell's value (the `execute_result`);
 * - every loop body starts with a cheap interrupt check (one shared-memory read) and every
 *   `await` is followed by a cancellation check, so an interrupt stops synchronous loops and
 *   loops that run after an `await` (see kernel/README.md, "Interrupt").
 *
 * TypeScript cells reach it as TypeScript's JavaScript output (compile.ts); plain JavaScript
 * cells directly. Host-neutral: no Node built-ins.
 */
import type * as A from 'acorn';
import MagicString from 'magic-string';

/** Name of the global object holding the runtime helpers the transformed code calls. */
export const RUNTIME = '__seqlab';
/** Global `Int32Array` over shared memory; element 3 flags a pending interrupt (interrupt.ts). */
export const IRQ = '__seqlab_irq';
/** Name of the async function a cell's code is wrapped in (stack traces use it). */
export const CELL_FUNCTION = '__seqlab_cell__';

/** The interrupt check put at the top of every loop body (INTERRUPT_FLAG is element 3). */
export const INTERRUPT_CHECK = `if (${IRQ}[3] !== 0) ${RUNTIME}.check();`;

type AnyNode = A.Node & Record<string, unknown>;

const LOOPS = new Set(['ForStatement', 'ForInStatement', 'ForOfStatement', 'WhileStatement', 'DoWhileStatement']);

function isNode(v: unknown): v is AnyNode {
  return typeof v === 'object' && v !== null && typeof (v as { type?: unknown }).type === 'string';
}

/** Calls `visit` on every node below `node`, children before parents (post-order). */
function walkPostOrder(node: AnyNode, visit: (n: AnyNode) => void): void {
  for (const key in node) {
    if (key === 'loc' || key === 'range') continue;
    const v = node[key];
    if (Array.isArray(v)) {
      for (const c of v) if (isNode(c)) walkPostOrder(c, visit);
    } else if (isNode(v)) walkPostOrder(v, visit);
  }
  visit(node);
}

/** Options of {@link instrument}. */
export interface InstrumentOptions {
  /** Insert interrupt checks into loops and after awaits (default true). */
  interrupts?: boolean;
  /** Reroute `import()` and `import.meta` to the runtime (cells; not modules, whose loader is the host's). */
  cell?: boolean;
  /** Collects every identifier name the code mentions (used to tell whether a cell needs the engine). */
  identifiers?: Set<string>;
}

/**
 * Inserts the interrupt checks (and, for cells, reroutes `import()`/`import.meta`) into `s`.
 * Children are edited before their parents, so that nested insertions at the same offset
 * nest correctly (magic-string's prependRight/appendLeft keep inner edits inside outer ones).
 */
export function instrument(s: MagicString, program: A.Program, opts: InstrumentOptions = {}): void {
  const interrupts = opts.interrupts !== false;
  walkPostOrder(program as unknown as AnyNode, (node) => {
    if (node.type === 'Identifier') {
      opts.identifiers?.add(node['name'] as string);
      return;
    }
    if (interrupts && LOOPS.has(node.type)) {
      const body = node['body'] as AnyNode;
      if (body.type === 'BlockStatement') s.appendLeft(body.start + 1, ` ${INTERRUPT_CHECK}`);
      else {
        s.prependRight(body.start, `{ ${INTERRUPT_CHECK} `);
        s.appendLeft(body.end, ' }');
      }
      return;
    }
    if (interrupts && node.type === 'AwaitExpression') {
      s.prependRight(node.start, `${RUNTIME}.resume(`);
      s.appendLeft(node.end, ')');
      return;
    }
    if (opts.cell && node.type === 'ImportExpression') {
      s.overwrite(node.start, node.start + 'import'.length, `${RUNTIME}.import`);
      return;
    }
    if (opts.cell && node.type === 'MetaProperty' && (node['meta'] as A.Identifier).name === 'import') {
      s.overwrite(node.start, node.end, `${RUNTIME}.meta`);
    }
  });
}

/** What {@link transformCell} returns. */
export interface TransformedCell {
  /** The script to run: evaluates to the promise of the cell's value. */
  code: string;
  /** Source map of `code` back to the transform's input. */
  map: SourceMapV3;
  /** Identifier names the cell mentions. */
  identifiers: Set<string>;
  /** Whether the cell creates functions (or classes) that may be on a stack after it finished. */
  definesFunctions: boolean;
}

/** A version 3 source map, as JSON. */
export interface SourceMapV3 {
  version: number;
  sources: string[];
  names: string[];
  mappings: string;
  file?: string;
  sourcesContent?: (string | null)[];
}

const FUNCTIONS = new Set(['FunctionDeclaration', 'FunctionExpression', 'ArrowFunctionExpression', 'ClassDeclaration', 'ClassExpression', 'MethodDefinition']);

/**
 * Rewrites one parsed cell (see the module comment).
 *
 * @param js the cell's JavaScript (TypeScript's output for TypeScript cells)
 * @param program acorn's AST of `js` (ecmaVersion latest, sourceType module)
 * @param name the cell's name in stack traces and source maps, e.g. `In[3]`
 * @example transformCell('const x = 1; x + 1', parse(...), 'In[1]').code
 *   // "(async function __seqlab_cell__() {\nglobalThis.x = 1; return x + 1\n})();"
 */
export function transformCell(js: string, program: A.Program, name: string, opts: { interrupts?: boolean } = {}): TransformedCell {
  const s = new MagicString(js);
  const identifiers = new Set<string>();
  let definesFunctions = false;
  walkPostOrder(program as unknown as AnyNode, (n) => {
    if (FUNCTIONS.has(n.type)) definesFunctions = true;
  });
  instrument(s, program, { interrupts: opts.interrupts !== false, cell: true, identifiers });
  const src = (n: A.Node): string => js.slice(n.start, n.end);
  const global = (id: string): string => `globalThis.${id}`;
  let modules = 0;

  /** Rewrites the binding identifiers of a declaration pattern into globalThis properties. */
  const bindTargets = (p: A.Pattern): void => {
    switch (p.type) {
      case 'Identifier':
        s.overwrite(p.start, p.end, global(p.name));
        return;
      case 'ObjectPattern':
        for (const prop of p.properties) {
          if (prop.type === 'RestElement') bindTargets(prop.argument);
          else if (prop.shorthand) {
            const v = prop.value;
            const id = (v.type === 'AssignmentPattern' ? v.left : v) as A.Identifier;
            s.overwrite(id.start, id.end, `${id.name}: ${global(id.name)}`);
          } else bindTargets(prop.value);
        }
        return;
      case 'ArrayPattern':
        for (const el of p.elements) if (el) bindTargets(el);
        return;
      case 'AssignmentPattern':
        bindTargets(p.left);
        return;
      case 'RestElement':
        bindTargets(p.argument);
        return;
      default:
        return;
    }
  };

  const declareVariables = (decl: A.VariableDeclaration, removeFrom: number): void => {
    const isVar = decl.kind === 'var';
    const ds = decl.declarations;
    s.remove(removeFrom, ds[0]!.start);
    ds.forEach((d, i) => {
      if (i > 0) s.overwrite(ds[i - 1]!.end, d.start, '; ');
      if (d.init) {
        if (d.id.type === 'Identifier') s.overwrite(d.id.start, d.id.end, global(d.id.name));
        else {
          bindTargets(d.id);
          s.prependRight(d.start, '(');
          s.appendLeft(d.end, ')');
        }
      } else if (d.id.type === 'Identifier') {
        const n = d.id.name;
        // `var x;` keeps an existing value (TypeScript emits `var E;` before extending an enum).
        s.overwrite(d.id.start, d.id.end, isVar ? `if (!(${JSON.stringify(n)} in globalThis)) ${global(n)} = void 0` : `${global(n)} = void 0`);
      }
    });
    // A declaration in a `for` head is never top level; a top-level one ends with `;` or ASI.
    if (js[decl.end - 1] !== ';') s.appendLeft(decl.end, ';');
  };

  const importCall = (source: A.Node, attributes: A.ImportAttribute[] | undefined): string => {
    const attrs = attributes && attributes.length > 0 ? `, { with: { ${attributes.map((a) => `${src(a.key)}: ${src(a.value)}`).join(', ')} } }` : '';
    return `await ${RUNTIME}.import(${src(source)}${attrs})`;
  };

  const statements = program.body.filter((st) => st.type !== 'EmptyStatement');
  const last = statements.at(-1);
  const declaration = (st: A.Statement | A.ModuleDeclaration, removeFrom: number): boolean => {
    if (st.type === 'VariableDeclaration') {
      declareVariables(st, removeFrom);
      return true;
    }
    if (st.type === 'FunctionDeclaration' && st.id) {
      s.remove(removeFrom, st.start);
      s.prependRight(st.start, `${global(st.id.name)} = `);
      s.appendLeft(st.end, ';\n');
      // Hoisted, as function declarations are (their order among themselves does not matter).
      if (st.start > 0) s.move(st.start, st.end, 0);
      return true;
    }
    if (st.type === 'ClassDeclaration' && st.id) {
      s.remove(removeFrom, st.start);
      s.prependRight(st.start, `${global(st.id.name)} = `);
      s.appendLeft(st.end, ';');
      return true;
    }
    return false;
  };

  for (const st of statements) {
    switch (st.type) {
      case 'ImportDeclaration': {
        const call = importCall(st.source, st.attributes);
        if (st.specifiers.length === 0) {
          s.overwrite(st.start, st.end, `${call};`);
          break;
        }
        const ns = `__seqlab_module_${++modules}`;
        const parts = [`const ${ns} = ${call};`];
        for (const sp of st.specifiers) {
          if (sp.type === 'ImportDefaultSpecifier') parts.push(`${global(sp.local.name)} = ${RUNTIME}.default(${ns});`);
          else if (sp.type === 'ImportNamespaceSpecifier') parts.push(`${global(sp.local.name)} = ${ns};`);
          else {
            const imported = sp.imported.type === 'Identifier' ? sp.imported.name : String((sp.imported as A.Literal).value);
            parts.push(`${global(sp.local.name)} = ${RUNTIME}.named(${ns}, ${JSON.stringify(imported)});`);
          }
        }
        s.overwrite(st.start, st.end, parts.join(' '));
        break;
      }
      case 'ExportNamedDeclaration':
        if (st.declaration) {
          if (!declaration(st.declaration, st.start)) s.remove(st.start, st.declaration.start);
        } else if (st.source) s.overwrite(st.start, st.end, `${importCall(st.source, st.attributes)};`);
        else s.remove(st.start, st.end);
        break;
      case 'ExportAllDeclaration':
        s.overwrite(st.start, st.end, `${importCall(st.source, st.attributes)};`);
        break;
      case 'ExportDefaultDeclaration': {
        const d = st.declaration;
        if ((d.type === 'FunctionDeclaration' || d.type === 'ClassDeclaration') && d.id) declaration(d, st.start);
        else {
          // An expression (or an anonymous function or class): evaluated, as TypeScript's `export =`.
          s.overwrite(st.start, d.start, '(');
          s.appendLeft(d.end, ');');
          if (js[st.end - 1] === ';') s.remove(st.end - 1, st.end);
        }
        break;
      }
      case 'ExpressionStatement':
        if (st === last && st.expression.type !== 'AssignmentExpression') s.prependRight(st.start, 'return ');
        break;
      default:
        declaration(st, st.start);
    }
  }

  s.prepend(`(async function ${CELL_FUNCTION}() {\n`);
  s.append(`\n})();`);
  const map = s.generateMap({ hires: true, source: name, includeContent: false }) as unknown as SourceMapV3;
  return { code: s.toString(), map: { version: map.version, sources: map.sources, names: map.names, mappings: map.mappings }, identifiers, definesFunctions };
}
