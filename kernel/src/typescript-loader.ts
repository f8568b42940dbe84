/**
 * Loads the `typescript` package (one 9 MB CommonJS file) with a V8 code cache, so a kernel
 * does not parse and compile it from scratch every time it starts.
 *
 * The cache lives in `<seqlab data dir>/cache/`, one file per TypeScript version, Node
 * version, architecture and use (cells compile different parts of TypeScript than the
 * language service). It is written once the caller has used TypeScript (so it holds the
 * functions that matter), atomically (temp file + rename), and ignored when V8 rejects it or
 * the directory is not writable.
 */
import { createRequire } from 'node:module';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Script } from 'node:vm';
import type * as TS from 'typescript';
import { seqlabDataDir } from './history/paths.js';

const require = createRequire(import.meta.url);

/** A loaded TypeScript and a way to store its code cache after use. */
export interface LoadedTypeScript {
  ts: typeof TS;
  /** Whether a code cache was used. */
  cached: boolean;
  /** Writes the code cache if none was used (call after TypeScript did its first work). */
  saveCache(): void;
}

/** Loads TypeScript for `use` (see the module comment). */
export function loadTypeScript(use: 'compile' | 'service'): LoadedTypeScript {
  const file = require.resolve('typescript');
  const version = (require('typescript/package.json') as { version: string }).version;
  const cacheFile = join(seqlabDataDir(), 'cache', `typescript-${version}-node${process.versions.node}-${process.arch}-${use}.v8cache`);
  let cachedData: Buffer | undefined;
  try {
    cachedData = readFileSync(cacheFile);
  } catch {
    cachedData = undefined;
  }
  const source = readFileSync(file, 'utf8');
  const script = new Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, { filename: file, ...(cachedData ? { cachedData } : {}) });
  const fn = script.runInThisContext() as (e: object, r: NodeJS.Require, m: { exports: object }, f: string, d: string) => void;
  const mod = { exports: {} };
  fn(mod.exports, createRequire(file), mod, file, dirname(file));
  const cached = cachedData !== undefined && !script.cachedDataRejected;
  return {
    ts: mod.exports as typeof TS,
    cached,
    saveCache() {
      if (cached) return;
      try {
        mkdirSync(dirname(cacheFile), { recursive: true });
        const tmp = `${cacheFile}.${process.pid}.tmp`;
        writeFileSync(tmp, script.createCachedData());
        renameSync(tmp, cacheFile);
      } catch {
        // A read-only data dir only costs speed.
      }
    },
  };
}
