import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { findChangedSince } from '../launcher/freshness.mjs';
import { pinnedPnpmVersion, repoRoot, workspacePackageDirs } from '../launcher/workspace.mjs';

describe('workspacePackageDirs', () => {
  it('finds every package of pnpm-workspace.yaml', () => {
    const relative = workspacePackageDirs().map((dir) => dir.slice(repoRoot.length + 1));
    expect(relative).toEqual(
      expect.arrayContaining(['apps/cli', 'packages/config', 'packages/storage', 'tools']),
    );
  });

  it('reads the pinned pnpm version', () => {
    expect(pinnedPnpmVersion()).toMatch(/^\d+\.\d+\.\d+$/);
  });
});

describe('findChangedSince', () => {
  let root: string;
  const past = new Date('2020-01-01T00:00:00Z');
  const since = new Date('2021-01-01T00:00:00Z').getTime();

  /** Creates a file, then ages it and every folder on its path to `past`. */
  function oldFile(relative: string) {
    const path = join(root, relative);
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(path, 'x');
    for (let current = path; current.length >= root.length; current = join(current, '..')) {
      utimesSync(current, past, past);
    }
  }

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'moat-freshness-'));
    oldFile('src/index.ts');
    oldFile('src/feature/thing.ts');
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('returns null when nothing is newer', () => {
    expect(findChangedSince([root], since)).toBeNull();
  });

  it('finds a modified source file', () => {
    writeFileSync(join(root, 'src/feature/thing.ts'), 'y');
    expect(findChangedSince([root], since)).toBe(join(root, 'src/feature/thing.ts'));
  });

  it('sees a deleted file through its folder', () => {
    rmSync(join(root, 'src/feature/thing.ts'));
    expect(findChangedSince([root], since)).toBe(join(root, 'src/feature'));
  });

  it('ignores generated folders, tests and docs', () => {
    mkdirSync(join(root, 'dist')); // changes the root folder's mtime, as every build does
    writeFileSync(join(root, 'dist/index.js'), 'built');
    oldFile('node_modules/x/index.js');
    oldFile('src/index.test.ts');
    oldFile('README.md');
    for (const file of ['node_modules/x/index.js', 'src/index.test.ts', 'README.md']) {
      writeFileSync(join(root, file), 'changed');
    }
    expect(findChangedSince([root], since)).toBeNull();
  });

  it('treats a missing path as unchanged', () => {
    expect(findChangedSince([join(root, 'nope')], since)).toBeNull();
  });
});
