/**
 * Content fingerprints that decide whether an install or build is up to date.
 *
 * Timestamps lie after a fresh clone or a `git checkout`; hashing the inputs does not, and for
 * the few hundred kilobytes involved it costs milliseconds.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

/** Lists the files under `dir`, recursively, sorted; skips `node_modules`. */
export function listFiles(dir: string): string[] {
  if (!existsSync(dir)) {
    return [];
  }
  const out: string[] = [];
  const walk = (current: string): void => {
    for (const name of readdirSync(current).sort()) {
      if (name === 'node_modules') {
        continue;
      }
      const path = join(current, name);
      if (statSync(path).isDirectory()) {
        walk(path);
      } else {
        out.push(path);
      }
    }
  };
  walk(dir);
  return out;
}

/**
 * Hashes the contents (and paths relative to `base`) of the given files and folders, plus any
 * extra strings (versions, options). Missing paths hash as missing, so creating one changes it.
 *
 * @example
 * fingerprint(hostDir, ['package-lock.json', 'app'], [process.platform]) // 'sha256 hex'
 */
export function fingerprint(base: string, paths: readonly string[], extra: readonly string[] = []): string {
  const hash = createHash('sha256');
  for (const item of extra) {
    hash.update(`extra:${item}\0`);
  }
  for (const p of paths) {
    const full = join(base, p);
    if (!existsSync(full)) {
      hash.update(`missing:${p}\0`);
      continue;
    }
    const files = statSync(full).isDirectory() ? listFiles(full) : [full];
    for (const file of files) {
      hash.update(`file:${relative(base, file)}\0`);
      hash.update(readFileSync(file));
      hash.update('\0');
    }
  }
  return hash.digest('hex');
}

/** Reads a stamp file written by {@link writeStamp}; `null` when absent or unreadable. */
export function readStamp(path: string): string | null {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return null;
  }
}

/** Records a fingerprint once the step it guards has succeeded. */
export function writeStamp(path: string, value: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${value}\n`);
}
