// The default thread count follows the CPU quota of the process's cgroups (v2 cpu.max,
// v1 cpu.cfs_quota_us / cpu.cfs_period_us, the smallest from its cgroup up to the mount),
// read from fixture trees under test/fixtures/cgroup/ laid out like / on Linux.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  cgroupCpuQuota, defaultThreadCount, parseCfsQuota, parseCpuMax,
} from '../../../../engine/src/backend/host/cpu-quota.js';
import { WasmBackend } from '../../../../engine/src/backend/wasm/backend.js';
import { detectFeatures } from '../../../../engine/src/backend/wasm/features.js';

const fixtures = fileURLToPath(new URL('../../../fixtures/cgroup/', import.meta.url));

/** Reads absolute paths from a fixture tree instead of the machine's /. */
function fixtureFs(name: string): (path: string) => string | null {
  return (path) => {
    try {
      return readFileSync(join(fixtures, name, path), 'utf8');
    } catch {
      return null;
    }
  };
}

describe('cgroup CPU quota', () => {
  it('parses cpu.max and the v1 quota files', () => {
    expect(parseCpuMax('150000 100000\n')).toBe(1.5);
    expect(parseCpuMax('max 100000\n')).toBeNull();
    expect(parseCpuMax('50000\n')).toBe(0.5);
    expect(parseCfsQuota('200000\n', '100000\n')).toBe(2);
    expect(parseCfsQuota('-1\n', '100000\n')).toBeNull();
    expect(parseCfsQuota('garbage', '100000')).toBeNull();
  });

  it('cgroup v2 in a container: the root cgroup\'s cpu.max', () => {
    expect(cgroupCpuQuota(fixtureFs('v2-container'))).toBe(1.5);
  });

  it('cgroup v2, nested: the smallest limit from the process\'s cgroup up to the root', () => {
    expect(cgroupCpuQuota(fixtureFs('v2-nested'))).toBe(2);
  });

  it('cgroup v2 without a limit', () => {
    expect(cgroupCpuQuota(fixtureFs('v2-unlimited'))).toBeNull();
  });

  it('cgroup v1 with the hierarchy mounted at the container\'s cgroup (mount root /docker/...)', () => {
    expect(cgroupCpuQuota(fixtureFs('v1-docker'))).toBe(0.5);
  });

  it('a hybrid v1 + v2 machine without a quota (this project\'s CI machines)', () => {
    expect(cgroupCpuQuota(fixtureFs('v1-hybrid-unlimited'))).toBeNull();
  });

  it('no cgroup files (not Linux): no quota', () => {
    expect(cgroupCpuQuota(() => null)).toBeNull();
  });
});

describe('default thread count', () => {
  it('one per core, no more than the quota allows (rounded down), at least one', () => {
    expect(defaultThreadCount(4, null)).toBe(4);
    expect(defaultThreadCount(4, 1.5)).toBe(1);
    expect(defaultThreadCount(4, 2.5)).toBe(2);
    expect(defaultThreadCount(2, 8)).toBe(2);
    expect(defaultThreadCount(4, 0.5)).toBe(1);
  });

  it('the wasm backend starts with it; an explicit thread count (SEQLAB_THREADS) overrides it up to the cores', () => {
    const features = { ...detectFeatures(), threads: true, cores: 4 };
    expect(new WasmBackend({ features: { ...features, cpuQuota: 2 } }).threads).toBe(2);
    expect(new WasmBackend({ features: { ...features, cpuQuota: null } }).threads).toBe(4);
    expect(new WasmBackend({ features: { ...features, cpuQuota: 0.5 } }).name).toMatch(/ x1$/);
    expect(new WasmBackend({ features: { ...features, cpuQuota: 1 }, threads: 3 }).threads).toBe(3);
    expect(new WasmBackend({ features: { ...features, cpuQuota: 1 }, threads: 8 }).threads).toBe(4);
  });
});
