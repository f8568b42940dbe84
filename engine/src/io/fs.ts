/**
 * The engine's synchronous file access (reading and writing safetensors by path): Node's
 * `fs`, looked up when first needed, so that importing the engine never requires it and the
 * rest works where there is no file system (a browser bundle). Reading that works in Node and
 * in a browser alike (corpora) is asynchronous: files.ts.
 */
import type * as fsTypes from 'node:fs';

function nodeFs(who: string): typeof fsTypes {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  const fs = typeof proc?.getBuiltinModule === 'function' ? (proc.getBuiltinModule('node:fs') as typeof fsTypes | undefined) : undefined;
  if (fs === undefined) throw new Error(`${who}: reading and writing files needs Node.js (20.16 or later); here, pass bytes (e.g. from await data.readFileBytes(path)) instead of a path`);
  return fs;
}

function checkPath(path: unknown, who: string): string {
  if (typeof path !== 'string' || path === '') throw new TypeError(`${who}: expects a file path (a non-empty string), got ${typeof path === 'string' ? 'an empty string' : typeof path}`);
  return path;
}

/** Rewrites Node's error so it names the operation and the path in words. */
function fileError(err: unknown, who: string, path: string): Error {
  const code = (err as { code?: string }).code;
  const why =
    code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : code === 'EACCES' ? 'permission denied' : (err as Error).message;
  return new Error(`${who}: cannot access ${JSON.stringify(path)}: ${why}`, { cause: err });
}

/** The bytes of a file. */
export function readBytes(path: string, who: string): Uint8Array {
  const fs = nodeFs(who);
  try {
    return fs.readFileSync(checkPath(path, who));
  } catch (err) {
    if (err instanceof TypeError) throw err;
    throw fileError(err, who, path);
  }
}

/** Writes (replaces) a file. */
export function writeBytes(path: string, bytes: Uint8Array, who: string): void {
  const fs = nodeFs(who);
  try {
    fs.writeFileSync(checkPath(path, who), bytes);
  } catch (err) {
    if (err instanceof TypeError) throw err;
    throw fileError(err, who, path);
  }
}
