/**
 * How values become text: each host installs its `inspect` and `format` at start: Node's
 * `util` in Node, the same algorithm extracted for browsers (`node-inspect-extracted`) in the
 * browser worker, so that cells print alike in both kernels. Until a host does, a plain
 * `String`/JSON rendering (no module is loaded for it, so Node's workers start faster).
 */

/** Options of {@link inspect} (the subset of Node's `util.inspect` options the kernel uses). */
export interface InspectOptions {
  depth?: number;
  colors?: boolean;
  breakLength?: number;
  maxArrayLength?: number;
  maxStringLength?: number;
}

type InspectFn = (value: unknown, options?: InspectOptions) => string;
type FormatFn = (...args: unknown[]) => string;

function plain(value: unknown): string {
  if (typeof value === 'string') return `'${value}'`;
  try {
    const json = JSON.stringify(value);
    if (json !== undefined) return json;
  } catch {
    // Cyclic or BigInt: String below.
  }
  return String(value);
}

let inspectImpl: InspectFn = plain;
let formatImpl: FormatFn = (...args) => args.map((a) => (typeof a === 'string' ? a : plain(a))).join(' ');

/** Installs the host's own `inspect` and `format` (Node's `util`). */
export function useInspect(inspect: InspectFn, format: FormatFn): void {
  inspectImpl = inspect;
  formatImpl = format;
}

/** `util.inspect` of the host. */
export function inspect(value: unknown, options?: InspectOptions): string {
  return inspectImpl(value, options);
}

/** `util.format` of the host (what `console.log` prints for its arguments). */
export function format(...args: unknown[]): string {
  return formatImpl(...args);
}

/**
 * Text for any value that never throws: `inspect`, else the tag `Object.prototype.toString`
 * gives, else `typeof`. For values built to break printing (throwing getters and traps,
 * revoked proxies).
 */
export function describe(value: unknown, options: InspectOptions = { depth: 2 }): string {
  try {
    return inspect(value, options);
  } catch {
    // inspect can fail on hostile objects; fall through to simpler descriptions.
  }
  try {
    if (typeof value === 'string') return JSON.stringify(value);
    if (value === null || (typeof value !== 'object' && typeof value !== 'function')) return String(value);
  } catch {
    // String(symbol-like) cannot throw, but a primitive wrapper could; keep going.
  }
  try {
    return Object.prototype.toString.call(value);
  } catch {
    return `[${typeof value} that cannot be printed]`;
  }
}
