/**
 * `seqlab serve DIR`: serves a static folder (a `seqlab lite` site) on 127.0.0.1 with the
 * headers that make the page cross-origin isolated (COOP `same-origin`, COEP `require-corp`,
 * CORP `same-origin`), so the browser kernel gets shared memory: Stop interrupts a running
 * loop, `input()` works, the engine may use several threads. Files are served by `sirv`
 * (MIME types from `mrmime`, `application/wasm` included); nothing is cached, so a rebuilt
 * site shows at once.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import sirv from 'sirv';

/** The headers every response gets. */
export const ISOLATION_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
});

/** Content types `mrmime` does not know. */
const EXTRA_TYPES: Readonly<Record<string, string>> = Object.freeze({
  '.ipynb': 'application/x-ipynb+json',
  '.ts': 'text/plain; charset=utf-8',
});

/** Options of {@link serveSite}. */
export interface ServeOptions {
  dir: string;
  /** Port on 127.0.0.1 (default 8000; 0: any free port). */
  port?: number;
  host?: string;
}

/** A running server. */
export interface SiteServer {
  /** `http://127.0.0.1:PORT/` */
  url: string;
  server: Server;
  close(): Promise<void>;
}

/**
 * Serves `dir` until closed.
 *
 * @example const s = await serveSite({ dir: 'site', port: 0 }); console.log(s.url); await s.close();
 */
export async function serveSite(options: ServeOptions): Promise<SiteServer> {
  const dir = resolve(options.dir);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new Error(`seqlab serve: ${dir} is not a folder`);
  const port = options.port ?? 8000;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`seqlab serve: --port must be an integer from 0 to 65535, got ${String(options.port)}`);
  const host = options.host ?? '127.0.0.1';
  const files = sirv(dir, {
    dev: true,
    dotfiles: false,
    setHeaders: (res, pathname) => {
      for (const [k, v] of Object.entries(ISOLATION_HEADERS)) res.setHeader(k, v);
      const ext = /\.[^./]+$/.exec(pathname)?.[0]?.toLowerCase();
      if (ext && EXTRA_TYPES[ext]) res.setHeader('Content-Type', EXTRA_TYPES[ext]);
      res.setHeader('Cache-Control', 'no-cache');
    },
  });
  const server = createServer((req, res) => {
    files(req, res, () => {
      for (const [k, v] of Object.entries(ISOLATION_HEADERS)) res.setHeader(k, v);
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end(`Not found: ${decodeURIComponent((req.url ?? '/').split('?')[0]!)}\n`);
    });
  });
  await new Promise<void>((resolvePromise, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) =>
      reject(e.code === 'EADDRINUSE' ? new Error(`seqlab serve: port ${port} is in use; choose another with --port N (0: any free port)`) : e),
    );
    server.listen(port, host, resolvePromise);
  });
  const address = server.address() as AddressInfo;
  return {
    url: `http://${host}:${address.port}/`,
    server,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
