import { utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scanWorkspace } from '../scan/scan.js';
import { tempDir, writeTree } from '../test-support/workspace.js';
import { buildTree } from './build-tree.js';
import { StatCache } from './stat-cache.js';

const coverage = { ignoreGitignore: false, additional: [] };

/** Builds (hash only) and saves the cache, as a snapshot would. */
async function build(workspace: string, cache: StatCache) {
  const built = await buildTree(workspace, scanWorkspace(workspace, coverage), { sink: null, cache });
  await cache.save();
  return built;
}

describe('buildTree with a stat cache', () => {
  it('reads no file twice when nothing changed, and only what changed afterwards', async () => {
    const root = tempDir();
    const workspace = join(root, 'ws');
    const old = Date.now() / 1000 - 60;
    writeTree(workspace, { 'a.txt': 'a', 'dir/b.txt': 'b', 'dir/c.txt': 'c' });
    for (const file of ['a.txt', 'dir/b.txt', 'dir/c.txt']) utimesSync(join(workspace, file), old, old);
    const cache = await StatCache.load(join(root, 'cache'), 0);

    const first = await build(workspace, cache);
    expect(first.filesRead).toBe(3);
    const second = await build(workspace, cache);
    expect(second.filesRead).toBe(0);
    expect(second.root).toBe(first.root);

    writeFileSync(join(workspace, 'dir/b.txt'), 'B');
    utimesSync(join(workspace, 'dir/b.txt'), old, old); // same size and mtime: the ctime tells
    const third = await build(workspace, cache);
    expect(third.filesRead).toBe(1);
    expect(third.root).not.toBe(first.root);

    // A fresh process reads the saved cache.
    const reloaded = await StatCache.load(join(root, 'cache'), 0);
    expect((await build(workspace, reloaded)).filesRead).toBe(0);
    // A cache written for another store generation (blobs may have been collected) is not trusted.
    expect((await build(workspace, await StatCache.load(join(root, 'cache'), 1))).filesRead).toBe(3);
  });

  it('hashes a racily clean file again (mtime not older than the cache)', async () => {
    const root = tempDir();
    const workspace = join(root, 'ws');
    writeTree(workspace, { 'racy.txt': 'x', 'settled.txt': 'y' });
    const future = Date.now() / 1000 + 3600;
    utimesSync(join(workspace, 'racy.txt'), future, future);
    utimesSync(join(workspace, 'settled.txt'), Date.now() / 1000 - 60, Date.now() / 1000 - 60);
    const cache = await StatCache.load(join(root, 'cache'), 0);
    await build(workspace, cache);
    // Same size, mtime, ctime and inode: only the racy rule makes it read racy.txt again.
    expect((await build(workspace, cache)).filesRead).toBe(1);
  });

  it('keeps only entries of surviving blobs after garbage collection', async () => {
    const root = tempDir();
    const workspace = join(root, 'ws');
    const old = Date.now() / 1000 - 60;
    writeTree(workspace, { 'kept.txt': 'kept', 'dropped.txt': 'dropped' });
    for (const file of ['kept.txt', 'dropped.txt']) utimesSync(join(workspace, file), old, old);
    const cache = await StatCache.load(join(root, 'cache'), 0);
    const built = await build(workspace, cache);
    const keptHash = built.trees.get(built.root)?.find((e) => e.name === 'kept.txt')?.ref as string;
    await cache.retain(new Set([keptHash]), 1);
    expect((await build(workspace, await StatCache.load(join(root, 'cache'), 1))).filesRead).toBe(1);
  });
});
