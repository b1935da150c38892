import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    // Several tests run real child processes (concurrent writers, a restore killed halfway, git) on a
    // shared 2-core machine, next to other packages' suites: allow for slow starts.
    testTimeout: 60_000,
    hookTimeout: 30_000,
  },
});
