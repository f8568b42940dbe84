/**
 * MIME bundles: turning any value into the `data` of a display_data / execute_result message.
 */
import { describe, inspect } from '../core/inspect.js';

/** A MIME bundle: MIME type -> data (strings; objects for JSON MIME types). */
export type MimeBundle = Record<string, unknown>;

/** The protocol symbol: an object showing itself returns a MIME bundle from this method. */
export const DISPLAY_SYMBOL: unique symbol = Symbol.for('Jupyter.display') as never;

const MIME_RE = /^[\w\-+.]+\/[\w\-+.]+$/;

/** Whether values of `mime` are JSON objects rather than strings (`application/json`, `...+json`). */
export function isJsonMime(mime: string): boolean {
  return mime === 'application/json' || mime.endsWith('+json');
}

/**
 * The text/plain rendering of any value, like Node's REPL (util.inspect, depth 2, no colors).
 * Never throws: a value that breaks inspection (a revoked Proxy, throwing getters) is
 * described more simply.
 */
export function plainText(value: unknown): string {
  try {
    if (typeof value === 'string') return inspect(value);
    return inspect(value, { depth: 2, colors: false, breakLength: 100, maxArrayLength: 100, maxStringLength: 10_000 });
  } catch {
    return describe(value);
  }
}

/** Thrown when an object's display method returns something that is not a MIME bundle. */
export class DisplayError extends Error {
  override name = 'DisplayError';
}

/**
 * Checks a bundle: a plain object whose keys are MIME types, whose values are strings, or
 * JSON-compatible objects for JSON MIME types.
 *
 * @throws DisplayError naming the offending key.
 */
export function validateBundle(bundle: unknown, where: string): MimeBundle {
  if (bundle === null || typeof bundle !== 'object' || Array.isArray(bundle)) {
    throw new DisplayError(`${where} returned ${bundle === null ? 'null' : Array.isArray(bundle) ? 'an array' : typeof bundle}; expected a MIME bundle (an object from MIME type to data)`);
  }
  const out: MimeBundle = {};
  for (const [mime, data] of Object.entries(bundle)) {
    if (!MIME_RE.test(mime)) throw new DisplayError(`${where} returned the key "${mime}", which is not a MIME type like "text/html"`);
    if (isJsonMime(mime)) {
      if (typeof data === 'string') {
        throw new DisplayError(`${where} returned ${mime} as a string; values of JSON MIME types must be objects (parse it first)`);
      }
    } else if (typeof data !== 'string') {
      throw new DisplayError(`${where} returned ${mime} as ${data === null ? 'null' : typeof data}; expected a string (base64 for binary images)`);
    }
    if (data !== undefined) out[mime] = data;
  }
  return out;
}

/**
 * The MIME bundle of a value: its `[Symbol.for("Jupyter.display")]()` bundle when it has one
 * (with `text/plain` added if missing), else a `text/plain` rendering.
 *
 * @example toBundle(42) // { 'text/plain': '42' }
 */
export function toBundle(value: unknown): MimeBundle {
  if (value !== null && (typeof value === 'object' || typeof value === 'function')) {
    const method = (value as Record<symbol, unknown>)[DISPLAY_SYMBOL];
    if (typeof method === 'function') {
      const name = (value as object).constructor?.name ?? 'object';
      const bundle = validateBundle(method.call(value), `[Symbol.for("Jupyter.display")]() of ${name}`);
      if (!('text/plain' in bundle)) bundle['text/plain'] = plainText(value);
      return bundle;
    }
  }
  return { 'text/plain': plainText(value) };
}
