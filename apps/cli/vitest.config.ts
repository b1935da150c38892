import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'src/**/*.test.tsx'],
    // The CLI tests run the built CLI as a child process on a shared 2-core machine: allow slow starts.
    testTimeout: 30_000,
  },
});
