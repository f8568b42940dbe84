/**
 * The CPU quota of a Linux process from its cgroups, so that the default number of kernel
 * threads follows what the process may actually use (a container limited to one CPU on a
 * 64-core host must not start 64 threads that the scheduler then throttles).
 *
 * cgroup v2 says it in `cpu.max` ("max 100000" or "150000 100000": quota and period in
 * µs), cgroup v1 in `cpu.cfs_quota_us` (-1: no limit) and `cpu.cfs_period_us`. Every
 * cgroup from the process's own up to the root of the mounted hierarchy can set one; the
 * smallest applies. Where the hierarchies are mounted comes from /proc/self/mountinfo,
 * the process's cgroup in each from /proc/self/cgroup.
 *
 * Everything here takes the file texts through `read`, so it is tested on fixture files.
 */

/** Reads a file's text, or null when it does not exist or cannot be read. */
export type ReadFile = (path: string) => string | null;

interface Mount {
  /** The path inside the hierarchy that is mounted (mountinfo field 4). */
  root: string;
  /** Where it is mounted. */
  point: string;
}

/** mountinfo escapes spaces and a few other characters as \ooo. */
function unescapeMount(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
}

/** The cgroup v2 mount and the v1 mount of the `cpu` controller, from /proc/self/mountinfo. */
function cgroupMounts(mountinfo: string): { v2: Mount | null; v1cpu: Mount | null } {
  let v2: Mount | null = null;
  let v1cpu: Mount | null = null;
  for (const line of mountinfo.split('\n')) {
    const [left, right] = line.split(' - ');
    if (left === undefined || right === undefined) continue;
    const f = left.split(' ');
    const [fstype, , superOptions = ''] = right.split(' ');
    if (f.length < 5) continue;
    const mount = { root: unescapeMount(f[3]!), point: unescapeMount(f[4]!) };
    if (fstype === 'cgroup2') v2 ??= mount;
    else if (fstype === 'cgroup' && superOptions.split(',').includes('cpu')) v1cpu ??= mount;
  }
  return { v2, v1cpu };
}

/** The process's cgroup paths from /proc/self/cgroup: the unified (v2) one and the v1 `cpu` one. */
function processCgroups(cgroup: string): { v2: string | null; v1cpu: string | null } {
  let v2: string | null = null;
  let v1cpu: string | null = null;
  for (const line of cgroup.split('\n')) {
    const m = /^(\d+):([^:]*):(.*)$/.exec(line.trim());
    if (m === null) continue;
    const [, id, controllers, path] = m;
    if (id === '0' && controllers === '') v2 = path!;
    else if (controllers!.split(',').includes('cpu')) v1cpu = path!;
  }
  return { v2, v1cpu };
}

/**
 * The directories to look in, innermost first: the process's cgroup under the mount
 * point, then each parent up to the mount point. A cgroup outside the mounted root (a
 * namespace the mount does not show) is looked for at the mount point only.
 */
function cgroupDirs(mount: Mount, path: string): string[] {
  const root = mount.root.replace(/\/+$/, '');
  let rel = path;
  if (root !== '' && root !== '/') rel = path === root || path.startsWith(`${root}/`) ? path.slice(root.length) : '';
  const parts = rel.split('/').filter((p) => p !== '' && p !== '.' && p !== '..');
  const base = mount.point.replace(/\/+$/, '');
  const dirs: string[] = [];
  for (let n = parts.length; n >= 0; n--) dirs.push([base, ...parts.slice(0, n)].join('/') || '/');
  return dirs;
}

/** Cores allowed by one quota (µs per period), or null when the quota is unlimited or unreadable. */
function cores(quota: number, period: number): number | null {
  return Number.isFinite(quota) && Number.isFinite(period) && quota > 0 && period > 0 ? quota / period : null;
}

/** Parses a cgroup v2 `cpu.max` ("max 100000" or "150000 100000"). */
export function parseCpuMax(text: string): number | null {
  const [quota, period] = text.trim().split(/\s+/);
  if (quota === undefined || quota === 'max') return null;
  return cores(Number(quota), Number(period ?? 100000));
}

/** Parses cgroup v1 `cpu.cfs_quota_us` (-1: no limit) and `cpu.cfs_period_us`. */
export function parseCfsQuota(quotaText: string, periodText: string): number | null {
  return cores(Number(quotaText.trim()), Number(periodText.trim()));
}

function smallest(a: number | null, b: number | null): number | null {
  if (a === null) return b;
  if (b === null) return a;
  return Math.min(a, b);
}

/**
 * The CPU quota of this process in cores (fractional), the smallest along its cgroup v2
 * and v1 `cpu` hierarchies, or null when no cgroup limits it (or this is not Linux).
 */
export function cgroupCpuQuota(read: ReadFile): number | null {
  const mountinfo = read('/proc/self/mountinfo');
  const cgroup = read('/proc/self/cgroup');
  if (mountinfo === null || cgroup === null) return null;
  const mounts = cgroupMounts(mountinfo);
  const paths = processCgroups(cgroup);
  let limit: number | null = null;
  if (mounts.v2 !== null && paths.v2 !== null) {
    for (const dir of cgroupDirs(mounts.v2, paths.v2)) {
      const text = read(`${dir}/cpu.max`);
      if (text !== null) limit = smallest(limit, parseCpuMax(text));
    }
  }
  if (mounts.v1cpu !== null && paths.v1cpu !== null) {
    for (const dir of cgroupDirs(mounts.v1cpu, paths.v1cpu)) {
      const quota = read(`${dir}/cpu.cfs_quota_us`);
      const period = read(`${dir}/cpu.cfs_period_us`);
      if (quota !== null && period !== null) limit = smallest(limit, parseCfsQuota(quota, period));
    }
  }
  return limit;
}

/**
 * Threads to use by default: one per core the process may run on, but no more than its
 * CPU quota allows, rounded down (a thread beyond the quota only gets the whole process
 * throttled), and at least one.
 */
export function defaultThreadCount(cores: number, cpuQuota: number | null | undefined): number {
  const byQuota = cpuQuota == null ? Infinity : Math.floor(cpuQuota);
  return Math.max(1, Math.min(Math.floor(cores), byQuota));
}
