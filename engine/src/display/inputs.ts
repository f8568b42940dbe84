/**
 * Checks of the plain-data inputs of the view builders. Every error names the builder,
 * the argument (with the index of the offending entry) and the shapes involved.
 */

/** Rows of numbers: nested arrays, or arrays of typed-array rows. */
export type Matrix = ReadonlyArray<ArrayLike<number>>;

function isArrayLikeRow(v: unknown): v is ArrayLike<unknown> {
  return Array.isArray(v) || (ArrayBuffer.isView(v) && !(v instanceof DataView));
}

/** A short description of what a value is, for error messages: "a string", "[2][3] numbers". */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (!isArrayLikeRow(value)) return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
  const dims: number[] = [];
  let cur: unknown = value;
  while (isArrayLikeRow(cur)) {
    dims.push(cur.length);
    if (cur.length === 0) break;
    cur = cur[0];
  }
  const leaf = dims[dims.length - 1] === 0 ? 'empty' : cur === null ? 'nulls' : `${typeof cur}s`;
  return `an array of shape ${dims.map((d) => `[${d}]`).join('')} (${leaf})`;
}

/**
 * Checks that `value` is a rectangular array of finite numbers with `depth` dimensions
 * and returns its shape.
 *
 * @example checkArray('heatmap', 'z', [[1, 2], [3, 4]], 2)  // [2, 2]
 */
export function checkArray(fn: string, name: string, value: unknown, depth: number): number[] {
  const dims: number[] = [];
  let cur: unknown = value;
  for (let d = 0; d < depth; d++) {
    if (!isArrayLikeRow(cur) || cur.length === 0) {
      throw new TypeError(
        `${fn}: ${name} must be a non-empty ${depth}-D array of numbers, got ${describe(value)}`,
      );
    }
    dims.push(cur.length);
    cur = cur[0];
  }
  walk(fn, name, value, dims, 0);
  return dims;
}

function walk(fn: string, path: string, value: unknown, dims: readonly number[], d: number): void {
  if (!isArrayLikeRow(value)) {
    throw new TypeError(
      `${fn}: ${path} must be an array of ${dims[d]} entries, got ${describe(value)} ` +
        `(expected shape ${dims.map((n) => `[${n}]`).join('')})`,
    );
  }
  if (value.length !== dims[d]) {
    throw new RangeError(
      `${fn}: ${path} has ${value.length} entries, expected ${dims[d]}; every row must have the same ` +
        `length (expected shape ${dims.map((n) => `[${n}]`).join('')})`,
    );
  }
  if (d === dims.length - 1) {
    for (let i = 0; i < value.length; i++) {
      const v = value[i];
      if (typeof v !== 'number' || !Number.isFinite(v)) {
        throw new RangeError(`${fn}: ${path}[${i}] is ${typeof v === 'number' ? String(v) : describe(v)}; expected a finite number`);
      }
    }
    return;
  }
  for (let i = 0; i < value.length; i++) walk(fn, `${path}[${i}]`, value[i], dims, d + 1);
}

/** Number of nested array levels of `value`, following first entries. */
export function nestingDepth(value: unknown): number {
  let depth = 0;
  let cur: unknown = value;
  while (isArrayLikeRow(cur)) {
    depth++;
    if (cur.length === 0) break;
    cur = cur[0];
  }
  return depth;
}

/**
 * Checks a token list: an array of strings (numbers are accepted and turned into strings,
 * since token ids are a common label).
 */
export function checkTokens(fn: string, name: string, value: unknown): string[] {
  if (!Array.isArray(value) || value.length === 0) {
    throw new TypeError(`${fn}: ${name} must be a non-empty array of strings, got ${describe(value)}`);
  }
  return value.map((t, i) => {
    if (typeof t === 'string') return t;
    if (typeof t === 'number' && Number.isFinite(t)) return String(t);
    throw new TypeError(`${fn}: ${name}[${i}] must be a string, got ${describe(t)}`);
  });
}

/** Checks an optional list of names (layer names, head names) against the number of entries. */
export function checkNames(fn: string, name: string, value: unknown, count: number, what: string): string[] | undefined {
  if (value === undefined) return undefined;
  const names = checkTokens(fn, name, value);
  if (names.length !== count) {
    throw new RangeError(`${fn}: ${name} has ${names.length} names but there are ${count} ${what}`);
  }
  return names;
}

/** Checks an optional string option (a title, an axis title). */
export function checkString(fn: string, name: string, value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new TypeError(`${fn}: ${name} must be a string, got ${describe(value)}`);
  return value;
}

/** Checks an optional positive integer option (caps, precision) within [min, max]. */
export function checkInteger(fn: string, name: string, value: unknown, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`${fn}: ${name} must be an integer from ${min} to ${max}, got ${typeof value === 'number' ? value : describe(value)}`);
  }
  return value;
}

/** Checks that a matrix has one row per token: `rows` (the matrix's row count) equals `tokens`. */
export function checkRowsMatchTokens(fn: string, name: string, rows: number, tokensName: string, tokens: number): void {
  if (rows !== tokens) {
    throw new RangeError(
      `${fn}: ${name} has ${rows} rows but ${tokensName} has ${tokens} tokens; expected one row per token`,
    );
  }
}
