/**
 * Reading a file by path in Node and in a browser, with one asynchronous API.
 *
 * In Node (where `node:fs` exists) a relative path is read from the process's working
 * directory: in the seqlab kernel that is the notebook's folder. Elsewhere (a browser, a Web
 * Worker) the path is fetched relative to a base URL: the one the host set with
 * {@link setFileBase} (the seqlab browser kernel sets the URL of the notebook's folder in the
 * site), else the page's (or worker's) own location. A SHA-1 check, where asked, uses
 * WebCrypto, which Node 20 and every browser have.
 */
import { describe } from '../shape.js';

let base: string | null = null;

/**
 * Sets the URL relative paths are fetched from where there is no file system (a browser).
 * Meant for hosts such as seqlab's browser kernel, which sets the URL of the notebook's
 * folder in the site; `null` returns to the page's own location. Node ignores it (paths are
 * read with `fs`, relative to the working directory).
 *
 * @example setFileBase('https://example.org/course/files/lectures/');  // data/x.txt -> .../lectures/data/x.txt
 */
export function setFileBase(url: string | URL | null): void {
  if (url === null) {
    base = null;
    return;
  }
  if (typeof url !== 'string' && !(url instanceof URL)) throw new TypeError(`setFileBase: expects a URL (string or URL) or null, got ${describe(url)}`);
  let parsed: URL;
  try {
    parsed = new URL(String(url));
  } catch {
    throw new TypeError(`setFileBase: ${JSON.stringify(String(url))} is not an absolute URL`);
  }
  // A folder URL, so that new URL('data/x.txt', base) stays inside it.
  base = parsed.href.endsWith('/') ? parsed.href : `${parsed.href}/`;
}

/** The base URL set with {@link setFileBase}, or null. */
export function fileBase(): string | null {
  return base;
}

type NodeFsPromises = { readFile(path: string): Promise<Uint8Array> };

function nodeFsPromises(): NodeFsPromises | null {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  if (typeof proc?.getBuiltinModule !== 'function') return null;
  const fs = proc.getBuiltinModule('node:fs') as { promises?: NodeFsPromises } | undefined;
  return fs?.promises ?? null;
}

function checkPath(path: unknown, who: string): string {
  if (typeof path !== 'string' || path === '') throw new TypeError(`${who}: expects a file path (a non-empty string), got ${typeof path === 'string' ? 'an empty string' : describe(path)}`);
  return path;
}

/** The URL a path is fetched from where there is no file system. */
export function fileUrl(path: string, who = 'fileUrl'): URL {
  checkPath(path, who);
  const from = base ?? (globalThis as { location?: { href?: string } }).location?.href;
  if (from === undefined) throw new Error(`${who}: cannot resolve ${JSON.stringify(path)}: there is neither a file system nor a base URL here (see setFileBase)`);
  return new URL(path, from);
}

/**
 * The bytes of a file: read with `fs` in Node (relative to the working directory), fetched
 * in a browser (relative to {@link setFileBase}'s URL).
 *
 * @example const bytes = await readFileBytes('data/timemachine.txt');   // Uint8Array(178979)
 */
export async function readFileBytes(path: string, who = 'readFileBytes'): Promise<Uint8Array> {
  checkPath(path, who);
  const fs = nodeFsPromises();
  if (fs !== null) {
    try {
      return await fs.readFile(path);
    } catch (err) {
      const code = (err as { code?: string }).code;
      const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : code === 'EACCES' ? 'permission denied' : (err as Error).message;
      throw new Error(`${who}: cannot access ${JSON.stringify(path)}: ${why}`, { cause: err });
    }
  }
  const url = fileUrl(path, who);
  let response: Response;
  try {
    response = await fetch(url);
  } catch (err) {
    throw new Error(`${who}: cannot fetch ${JSON.stringify(path)} from ${url.href}: ${(err as Error).message}`, { cause: err });
  }
  if (!response.ok) {
    const why = response.status === 404 ? 'no such file (is it shipped with the site?)' : `HTTP ${response.status} ${response.statusText}`.trim();
    throw new Error(`${who}: cannot access ${JSON.stringify(path)} (${url.href}): ${why}`);
  }
  return new Uint8Array(await response.arrayBuffer());
}

/** SHA-1 of `bytes` as lower-case hex, with WebCrypto (Node 20 and browsers). */
export async function sha1Digest(bytes: Uint8Array, who = 'sha1Digest'): Promise<string> {
  // Typed here: the engine compiles without the DOM library.
  type Subtle = { digest(algorithm: string, data: Uint8Array): Promise<ArrayBuffer> };
  const subtle = (globalThis as { crypto?: { subtle?: Subtle } }).crypto?.subtle;
  if (subtle === undefined) throw new Error(`${who}: checking a SHA-1 needs WebCrypto (crypto.subtle), which this runtime lacks (a page served over plain http from another host than localhost is not a secure context)`);
  const digest = await subtle.digest('SHA-1', bytes);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * The text of a UTF-8 file (see {@link readFileBytes}). With `sha1`, the file must have
 * exactly that SHA-1, so results can be compared with published ones.
 *
 * @example const text = await readText('data/timemachine.txt', { sha1: CORPORA.timemachine.sha1 });
 */
export async function readText(path: string, options: { sha1?: string } = {}): Promise<string> {
  const who = 'readText';
  if (options.sha1 !== undefined && (typeof options.sha1 !== 'string' || !/^[0-9a-fA-F]{40}$/.test(options.sha1))) {
    throw new TypeError(`${who}: sha1 must be 40 hexadecimal digits, got ${describe(options.sha1)}`);
  }
  const bytes = await readFileBytes(path, who);
  if (options.sha1 !== undefined) {
    const got = await sha1Digest(bytes, who);
    if (got !== options.sha1.toLowerCase()) {
      throw new Error(`${who}: ${JSON.stringify(path)} has SHA-1 ${got} (${bytes.length} bytes), expected ${options.sha1}: it is not the expected copy of the file`);
    }
  }
  return new TextDecoder('utf-8').decode(bytes);
}
