/**
 * The working copy of the lecture notebooks: what `npm start` serves, and what the JupyterHub
 * config gives each student, so running the course never writes into the repository's
 * tracked `notebooks/`.
 *
 * The copy is made on first use and kept: a student's outputs and edits stay across starts.
 * When the repository's version of a lecture file changes (a `git pull`), the copy takes it
 * if the student never changed that file; otherwise the student's file is kept and the report
 * says so. A reset takes every lecture file from the repository again and first moves the
 * student's changed files into a backup folder, so nothing is lost. Files the student made
 * are never touched.
 *
 * A manifest in the copy (`.seqlab-working-copy.json`, hidden by Jupyter like every dot file)
 * records the hash of each lecture file as copied.
 *
 * Also a command, for the JupyterHub spawner (run as the student):
 *
 *   node extension/host/dist/working-copy.js --source notebooks --target ~/seqlab-notebooks [--backup DIR] [--reset]
 */
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

/** The manifest's file name, inside the working copy. */
export const MANIFEST = '.seqlab-working-copy.json';

interface Manifest {
  /** The folder the copy was made from. */
  source: string;
  /** Lecture file (relative path) -> sha256 of the repository's version last copied. */
  files: Record<string, string>;
}

/** What {@link prepareWorkingCopy} did. */
export interface WorkingCopyReport {
  /** The working copy. */
  dir: string;
  /** Lecture files copied because the copy lacked them (all of them on first use). */
  created: string[];
  /** Lecture files the repository changed and the student had not: replaced by the new version. */
  updated: string[];
  /** Lecture files both the repository and the student changed: the student's kept. */
  outdated: string[];
  /** Changed lecture files a reset moved into {@link backup} before copying them again. */
  backedUp: string[];
  /** Where the reset put the student's versions (only when something was backed up). */
  backup: string | null;
}

/** Options of {@link prepareWorkingCopy}. */
export interface WorkingCopyOptions {
  /** The lecture notebooks: the repository's `notebooks/`. */
  source: string;
  /** The working copy to create or bring up to date. */
  target: string;
  /** Take every lecture file from the source again (changed ones backed up first). */
  reset?: boolean;
  /** The folder a reset moves changed files into (a time-stamped folder is made inside). */
  backupRoot?: string;
}

/**
 * The exercises' solutions (`notebooks/solutions/`): they stay with the lecturer, so a
 * student's copy has the exercises and their checks, not the answers.
 */
export const SOLUTIONS_DIR = 'solutions';

/**
 * Files that belong to a run, not to the lecture (executed copies, checkpoints, dot files),
 * and the solutions folder.
 */
function isLectureFile(relativePath: string): boolean {
  const parts = relativePath.split(/[\\/]/);
  return parts[0] !== SOLUTIONS_DIR && !parts.some(part => part.startsWith('.')) && !relativePath.endsWith('.executed.ipynb');
}

function lectureFiles(dir: string, base = dir): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    const rel = relative(base, path);
    if (!isLectureFile(rel)) {
      continue;
    }
    if (entry.isDirectory()) {
      files.push(...lectureFiles(path, base));
    } else if (entry.isFile()) {
      files.push(rel);
    }
  }
  return files.sort();
}

function hashOf(path: string): string | null {
  try {
    return createHash('sha256').update(readFileSync(path)).digest('hex');
  } catch {
    return null;
  }
}

function readManifest(target: string): Manifest | null {
  try {
    const parsed = JSON.parse(readFileSync(join(target, MANIFEST), 'utf8')) as Manifest;
    return parsed && typeof parsed.files === 'object' ? parsed : null;
  } catch {
    return null;
  }
}

function copy(from: string, to: string): void {
  mkdirSync(dirname(to), { recursive: true });
  copyFileSync(from, to);
}

/**
 * Creates the working copy or brings it up to date (see the module comment).
 *
 * @example
 * const report = prepareWorkingCopy({ source: 'notebooks', target: '.seqlab/notebooks' });
 * // first time: report.created lists every notebook and data file
 * @throws when the source folder does not exist
 */
export function prepareWorkingCopy(options: WorkingCopyOptions): WorkingCopyReport {
  const source = resolve(options.source);
  const target = resolve(options.target);
  if (!existsSync(source)) {
    throw new Error(`seqlab: the lecture notebooks folder ${source} does not exist`);
  }
  mkdirSync(target, { recursive: true });
  const previous = readManifest(target);
  const manifest: Manifest = { source, files: {} };
  const report: WorkingCopyReport = { dir: target, created: [], updated: [], outdated: [], backedUp: [], backup: null };
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const backupDir = join(resolve(options.backupRoot ?? join(target, '..', 'notebook-backups')), stamp);

  for (const file of lectureFiles(source)) {
    const from = join(source, file);
    const to = join(target, file);
    const sourceHash = hashOf(from)!;
    const copyHash = hashOf(to);
    const copiedHash = previous?.files[file];
    manifest.files[file] = sourceHash;
    if (copyHash === null) {
      copy(from, to);
      report.created.push(file);
    } else if (copyHash === sourceHash) {
      // Already the repository's version.
    } else if (options.reset) {
      // The student's version goes to the backup first: a reset loses nothing.
      mkdirSync(dirname(join(backupDir, file)), { recursive: true });
      renameSync(to, join(backupDir, file));
      copy(from, to);
      report.backedUp.push(file);
      report.backup = backupDir;
    } else if (copiedHash === sourceHash || copiedHash === undefined) {
      // The repository did not change this file since it was copied (or there is no record of
      // what was copied: a folder made by hand): the student's version stays.
    } else if (copyHash === copiedHash) {
      // The repository changed it, the student did not: take the new version.
      copy(from, to);
      report.updated.push(file);
    } else {
      // Both changed: keep the student's file, and keep saying so until a reset.
      manifest.files[file] = copiedHash;
      report.outdated.push(file);
    }
  }
  writeFileSync(join(target, MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
  return report;
}

/**
 * One line per thing worth saying about a {@link WorkingCopyReport}; `howToUpdate` tells a
 * student with an outdated file how to get the new one.
 */
export function describeWorkingCopy(report: WorkingCopyReport, howToUpdate: string): string[] {
  const lines: string[] = [];
  const list = (files: string[]): string => (files.length > 4 ? `${files.slice(0, 4).join(', ')} and ${files.length - 4} more` : files.join(', '));
  if (report.created.length > 0) {
    lines.push(`copied ${report.created.length} lecture file(s) into the working copy ${report.dir}: ${list(report.created)}`);
  }
  if (report.updated.length > 0) {
    lines.push(`updated from the repository (unchanged in the working copy): ${list(report.updated)}`);
  }
  if (report.backedUp.length > 0) {
    lines.push(`reset ${report.backedUp.length} changed file(s); your versions are in ${report.backup}: ${list(report.backedUp)}`);
  }
  if (report.outdated.length > 0) {
    lines.push(`the repository has a newer version of ${list(report.outdated)}; your working copy keeps yours (${howToUpdate})`);
  }
  return lines;
}

function main(argv: string[]): number {
  const { values } = parseArgs({
    args: argv,
    options: {
      source: { type: 'string' },
      target: { type: 'string' },
      reset: { type: 'boolean' },
      backup: { type: 'string' },
    },
    strict: true,
  });
  if (!values.source || !values.target) {
    process.stderr.write('usage: node working-copy.js --source DIR --target DIR [--reset] [--backup DIR]\n');
    return 2;
  }
  const report = prepareWorkingCopy({
    source: values.source,
    target: values.target,
    reset: values.reset ?? false,
    ...(values.backup ? { backupRoot: values.backup } : {}),
  });
  for (const line of describeWorkingCopy(report, 'rename or delete yours to get the new version at the next start')) {
    process.stdout.write(`seqlab: ${line}\n`);
  }
  return 0;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    process.exitCode = main(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  }
}
