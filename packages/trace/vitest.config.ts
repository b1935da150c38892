import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    // Tracer tests run real processes on a shared 2-core machine: allow for slow starts.
    testTimeout: 60_000,
    hookTimeout: 20_000,
  },
});
