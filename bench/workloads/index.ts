/**
 * Finds every workload: each module in this folder (other than this one and types)
 * exports `workloads`; helpers shared by several workloads live in shared/. Adding a
 * workload is adding a file.
 */
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Workload } from './types.js';

export async function loadWorkloads(): Promise<Workload[]> {
  const dir = new URL('./', import.meta.url);
  const files = readdirSync(fileURLToPath(dir)).filter(
    (f) => f.endsWith('.js') && f !== 'index.js' && f !== 'types.js',
  );
  const all: Workload[] = [];
  for (const f of files.sort()) {
    const mod = (await import(new URL(f, dir).href)) as { workloads?: Workload[] };
    if (!Array.isArray(mod.workloads)) throw new Error(`bench/workloads/${f} does not export 'workloads'`);
    all.push(...mod.workloads);
  }
  const ids = new Set<string>();
  for (const w of all) {
    if (ids.has(w.id)) throw new Error(`bench: workload '${w.id}' is defined twice`);
    ids.add(w.id);
  }
  return all.sort((a, b) => a.order - b.order);
}
