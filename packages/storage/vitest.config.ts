import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    globalSetup: ['src/test-support/global-setup.ts'],
    // Several tests run real child processes on a shared machine: allow for slow starts.
    testTimeout: 20_000,
    hookTimeout: 20_000,
  },
});
