import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import type { TestContext } from 'vitest';
import { useBtrfsLoopback } from '../btrfs/test-support/btrfs-loopback.js';
import { tempDir } from './workspace.js';

/** The backends the engine's behavioural tests run against (APFS needs macOS). */
export type TestBackend = 'store' | 'archive' | 'btrfs';
export const TEST_BACKENDS: readonly TestBackend[] = ['store', 'archive', 'btrfs'];

/**
 * For a test file: a function that gives each test a temporary directory where `backend` works (for
 * btrfs, on a loopback btrfs filesystem: skipped when there is none, see useBtrfsLoopback).
 */
export function useBackendRoots(): (backend: TestBackend, context: TestContext) => string {
  const btrfsDir = useBtrfsLoopback();
  return (backend, context) => (backend === 'btrfs' ? btrfsDir(context) : tempDir());
}

/** Makes the workspace directory `path`: a subvolume for btrfs, which snapshots nothing else. */
export function makeWorkspace(backend: TestBackend, path: string): void {
  if (backend === 'btrfs') execFileSync('btrfs', ['subvolume', 'create', path], { stdio: 'ignore' });
  else mkdirSync(path, { recursive: true });
}
