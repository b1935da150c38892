import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Real kernel, real processes, a shared 2-core machine: storms take seconds.
    testTimeout: 180_000,
    hookTimeout: 30_000,
    fileParallelism: false,
  },
});
