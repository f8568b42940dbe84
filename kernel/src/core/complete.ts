/**
 * Completion from the live realm: names in scope and members of simple dotted chains
 * (`model.enc`, `Math.fl`, `xs.ma`), found by looking at the values themselves. It answers at
 * once, with no type checker: the browser kernel's completion, and the Node kernel's while
 * the TypeScript language service is still starting. Getters are never invoked (a chain
 * through an accessor completes nothing), so completing has no side effects. Host-neutral.
 */

/** complete_reply data, in UTF-16 offsets of the code. */
export interface Completion {
  matches: string[];
  cursorStart: number;
  cursorEnd: number;
  types: { text: string; type: string; signature?: string }[];
}

const KEYWORDS = [
  'async', 'await', 'break', 'case', 'catch', 'class', 'const', 'continue', 'debugger', 'default', 'delete', 'do', 'else', 'enum',
  'export', 'extends', 'false', 'finally', 'for', 'function', 'if', 'import', 'in', 'instanceof', 'interface', 'let', 'namespace',
  'new', 'null', 'of', 'return', 'static', 'super', 'switch', 'this', 'throw', 'true', 'try', 'type', 'typeof', 'undefined', 'var',
  'void', 'while', 'yield',
];

const IDENT = '[A-Za-z_$][\\w$]*';
/** `a.b?.c.pre` before the cursor: the chain (`a.b?.c`) and the prefix (`pre`). */
const CHAIN = new RegExp(`(?:(${IDENT}(?:\\s*\\??\\.\\s*${IDENT})*)\\s*\\??\\.\\s*)?(${IDENT}|)$`);
const DECLARED = new RegExp(`(?:\\b(?:const|let|var|class|function\\*?|enum|namespace|interface|type)\\s+)(${IDENT})`, 'g');
const HIDDEN = /^__seqlab/;

type Kind = 'function' | 'class' | 'instance' | 'keyword' | 'property' | 'module';

function kindOfDescriptor(d: PropertyDescriptor | undefined): Kind {
  if (!d) return 'instance';
  if (d.get || d.set) return 'property';
  const v: unknown = d.value;
  if (typeof v === 'function') {
    try {
      return /^class\b/.test(Function.prototype.toString.call(v)) ? 'class' : 'function';
    } catch {
      return 'function';
    }
  }
  return 'instance';
}

/** The own descriptor of `key` on `obj` or its prototypes (never a getter call). */
function findDescriptor(obj: object, key: string): PropertyDescriptor | undefined {
  let o: object | null = obj;
  for (let depth = 0; o && depth < 64; depth++) {
    const d = Object.getOwnPropertyDescriptor(o, key);
    if (d) return d;
    o = Object.getPrototypeOf(o) as object | null;
  }
  return undefined;
}

/** Every string key of `obj` and its prototypes, with the descriptor that wins. */
function members(obj: object, stopAt?: object): Map<string, PropertyDescriptor> {
  const out = new Map<string, PropertyDescriptor>();
  let o: object | null = obj;
  for (let depth = 0; o && o !== stopAt && depth < 64; depth++) {
    for (const k of Object.getOwnPropertyNames(o)) if (!out.has(k)) out.set(k, Object.getOwnPropertyDescriptor(o, k)!);
    o = Object.getPrototypeOf(o) as object | null;
  }
  return out;
}

const WRAPPERS: Record<string, object> = {
  string: String.prototype,
  number: Number.prototype,
  bigint: BigInt.prototype,
  boolean: Boolean.prototype,
  symbol: Symbol.prototype,
};

/** The value a chain names, or `undefined` when a link is missing or an accessor. */
function resolveChain(scope: object, chain: string): { value: unknown } | undefined {
  let value: unknown = scope;
  for (const part of chain.split(/\s*\??\.\s*/)) {
    const holder = value !== null && (typeof value === 'object' || typeof value === 'function') ? (value as object) : WRAPPERS[typeof value];
    if (!holder) return undefined;
    const d = findDescriptor(holder, part);
    if (!d || d.get || d.set) return undefined;
    value = d.value;
  }
  return { value };
}

/**
 * Completions at UTF-16 offset `cursor` of `code`, from the values in `scope` (the realm's
 * `globalThis`).
 *
 * @example completeInRealm('Math.fl', 7).matches // ['floor']
 */
export function completeInRealm(code: string, cursor: number, scope: object = globalThis): Completion {
  const before = code.slice(0, cursor);
  const m = CHAIN.exec(before)!;
  const chain = m[1];
  const prefix = m[2] ?? '';
  const start = cursor - prefix.length;
  const none: Completion = { matches: [], cursorStart: start, cursorEnd: cursor, types: [] };
  // Inside a string or comment, or right after a number: nothing to complete.
  if (!chain && /\d$/.test(before.slice(0, start))) return none;
  const found = new Map<string, Kind>();
  try {
    if (chain) {
      const r = resolveChain(scope, chain);
      if (!r) return none;
      const v = r.value;
      const holder = v !== null && (typeof v === 'object' || typeof v === 'function') ? (v as object) : WRAPPERS[typeof v];
      if (!holder) return none;
      for (const [k, d] of members(holder)) if (k.startsWith(prefix) && /^[A-Za-z_$][\w$]*$/.test(k)) found.set(k, kindOfDescriptor(d));
    } else {
      for (const [k, d] of members(scope, Object.prototype)) if (k.startsWith(prefix) && !HIDDEN.test(k) && /^[A-Za-z_$][\w$]*$/.test(k)) found.set(k, kindOfDescriptor(d));
      for (const dm of code.matchAll(DECLARED)) {
        const name = dm[1]!;
        if (name.startsWith(prefix) && !found.has(name) && name !== prefix) found.set(name, 'instance');
      }
      for (const k of KEYWORDS) if (k.startsWith(prefix) && !found.has(k)) found.set(k, 'keyword');
    }
  } catch {
    // A hostile object (a Proxy whose traps throw): complete nothing rather than fail.
    return none;
  }
  if (prefix === '') for (const k of [...found.keys()]) if (k.startsWith('_')) found.delete(k);
  const matches = [...found.keys()].sort((a, b) => {
    const ua = a.startsWith('_') ? 1 : 0;
    const ub = b.startsWith('_') ? 1 : 0;
    return ua - ub || a.localeCompare(b);
  });
  const limited = matches.slice(0, 1000);
  return { matches: limited, cursorStart: start, cursorEnd: cursor, types: limited.map((k) => ({ text: k, type: found.get(k)! })) };
}
