// Resident memory of a kernel process, as the benchmarks measure it.
import { readFileSync } from 'node:fs';

/**
 * RSS in MiB of a process and the child processes it started (a kernel's worker threads share
 * its RSS; a kernel that forks helpers has them counted too). Linux /proc only.
 */
export function rssMiB(pid) {
  const pids = [pid];
  for (let i = 0; i < pids.length; i++) {
    try {
      const children = readFileSync(`/proc/${pids[i]}/task/${pids[i]}/children`, 'utf8').trim();
      if (children) pids.push(...children.split(/\s+/).map(Number));
    } catch {}
  }
  let kb = 0;
  for (const p of pids) {
    try {
      kb += Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${p}/status`, 'utf8'))[1]);
    } catch {}
  }
  return kb / 1024;
}
