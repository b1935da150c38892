import { defineConfig } from 'vitest/config';

// These tests install, build and pack the real repository: minutes on a loaded 2-core machine.
export default defineConfig({
  test: { testTimeout: 300_000, hookTimeout: 300_000 },
});
