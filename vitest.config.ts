import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The engine is tested from its source; the kernel's process tests run the build.
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 120_000,
  },
});
