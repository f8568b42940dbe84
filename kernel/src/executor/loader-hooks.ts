/**
 * Node module customization hooks (module.register) for the execution worker.
 *
 * - Specifiers imported by cells (through cell-import.ts) resolve from the notebook's
 *   directory; bare specifiers the notebook cannot resolve fall back to the kernel's own
 *   packages (so `@seqlab/engine` and the kernel's dependencies are always there).
 * - Local `.ts`/`.mts`/`.tsx` files are compiled by the execution worker (which has TypeScript
 *   loaded) over a MessagePort, with interrupt checks inserted; `./x.js` finds `./x.ts` as
 *   TypeScript's resolution does, and an extensionless path tries `.ts`, `.tsx`, `.js`, `/index.ts`.
 * - Local files (outside node_modules) get their modification time as a URL query, so editing
 *   a file next to the notebook and re-running the import cell loads the new version.
 *
 * This file runs on Node's hooks thread: it must not import kernel modules that touch the
 * execution realm.
 */
import { existsSync, statSync, readFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { MessagePort } from 'node:worker_threads';

interface HookData {
  port: MessagePort;
  anchorURL: string;
  notebookURL: string;
  kernelURL: string;
}

let data: HookData | undefined;
let nextId = 0;
const pending = new Map<number, { resolve: (code: string) => void; reject: (e: Error) => void }>();

export function initialize(d: HookData): void {
  data = d;
  d.port.on('message', (m: { id: number; code?: string; error?: string }) => {
    const p = pending.get(m.id);
    if (!p) return;
    pending.delete(m.id);
    if (m.error !== undefined) p.reject(new SyntaxError(m.error));
    else p.resolve(m.code ?? '');
    if (pending.size === 0) d.port.unref();
  });
  d.port.unref();
}

const TS_EXT = /\.(ts|mts|tsx)$/;

function isLocalFile(url: string): boolean {
  return url.startsWith('file:') && !url.includes('/node_modules/');
}

function stripQuery(url: string): string {
  const i = url.search(/[?#]/);
  return i < 0 ? url : url.slice(0, i);
}

/** TypeScript-style candidates for a relative specifier resolved against `parent`. */
function candidates(specifier: string, parent: string): string[] {
  const base = new URL(specifier, parent);
  const path = fileURLToPath(base);
  const out: string[] = [];
  if (/\.(js|mjs|jsx)$/.test(path)) out.push(path.replace(/\.js$/, '.ts').replace(/\.mjs$/, '.mts').replace(/\.jsx$/, '.tsx'));
  if (!/\.[cm]?[jt]sx?$/.test(path)) out.push(`${path}.ts`, `${path}.tsx`, `${path}.js`, `${path}/index.ts`, `${path}/index.js`);
  return out;
}

function withVersion(url: string): string {
  if (!isLocalFile(url)) return url;
  try {
    const mtime = statSync(fileURLToPath(stripQuery(url))).mtimeMs;
    return `${stripQuery(url)}?v=${Math.floor(mtime)}`;
  } catch {
    return url;
  }
}

type Resolve = (specifier: string, context: { parentURL?: string; conditions?: string[]; importAttributes?: Record<string, string> }) => Promise<{ url: string; format?: string | null }>;

export async function resolve(
  specifier: string,
  context: { parentURL?: string; conditions?: string[]; importAttributes?: Record<string, string> },
  nextResolve: Resolve,
): Promise<{ url: string; format?: string | null; shortCircuit?: boolean }> {
  if (!data) return nextResolve(specifier, context);
  const fromCell = context.parentURL === data.anchorURL;
  const parent = fromCell ? data.notebookURL : context.parentURL;
  const relative = specifier.startsWith('./') || specifier.startsWith('../') || specifier.startsWith('/') || specifier.startsWith('file:');
  if (relative && parent && (fromCell || isLocalFile(parent))) {
    const direct = new URL(specifier, parent);
    if (!existsSync(fileURLToPath(stripQuery(direct.href)))) {
      for (const c of candidates(specifier, parent)) {
        if (existsSync(c)) return { url: withVersion(pathToFileURL(c).href), shortCircuit: true, ...(TS_EXT.test(c) ? { format: 'module' } : {}) };
      }
    } else if (TS_EXT.test(direct.pathname)) {
      return { url: withVersion(direct.href), format: 'module', shortCircuit: true };
    }
  }
  if (fromCell) {
    try {
      const r = await nextResolve(specifier, { ...context, parentURL: data.notebookURL });
      return { ...r, url: withVersion(r.url) };
    } catch (e) {
      if (relative) throw e;
      // A package the notebook's folder does not have: try the kernel's own dependencies.
      return nextResolve(specifier, { ...context, parentURL: data.kernelURL });
    }
  }
  const r = await nextResolve(specifier, { ...context, ...(parent ? { parentURL: parent } : {}) });
  return context.parentURL && isLocalFile(context.parentURL) ? { ...r, url: withVersion(r.url) } : r;
}

type Load = (url: string, context: { format?: string | null; importAttributes?: Record<string, string> }) => Promise<{ format: string; source?: string | ArrayBuffer | Uint8Array | null }>;

export async function load(
  url: string,
  context: { format?: string | null; importAttributes?: Record<string, string> },
  nextLoad: Load,
): Promise<{ format: string; source?: string | ArrayBuffer | Uint8Array | null; shortCircuit?: boolean }> {
  if (data && url.startsWith('file:') && TS_EXT.test(stripQuery(url))) {
    const source = readFileSync(fileURLToPath(stripQuery(url)), 'utf8');
    const id = nextId++;
    const port = data.port;
    const code = await new Promise<string>((resolve, reject) => {
      pending.set(id, { resolve, reject });
      port.ref();
      port.postMessage({ id, url: stripQuery(url), source });
    });
    return { format: 'module', source: code, shortCircuit: true };
  }
  return nextLoad(url, context);
}
