import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scanWorkspace } from '../scan/scan.js';
import { tempDir, writeTree } from '../test-support/workspace.js';
import { type BuiltTree, buildTree } from './build-tree.js';
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

  it.runIf(process.platform === 'linux')(
    'records a file mtime to the microsecond, whether read or served by the cache',
    async () => {
      const root = tempDir();
      const workspace = join(root, 'ws');
      writeTree(workspace, { 'dir/a.txt': 'a' });
      const file = join(workspace, 'dir/a.txt');
      // 999 ns short of a whole microsecond, where lstat's float mtimeMs rounds up to the next one.
      spawnSync('touch', ['-d', '@1700000000.123456999', file]);
      expect(statSync(file, { bigint: true }).mtimeNs).toBe(1_700_000_000_123_456_999n);
      const mtimeUs = (built: BuiltTree) => {
        const dir = built.trees.get(built.root)?.find((entry) => entry.name === 'dir');
        return built.trees.get(dir?.ref ?? '')?.find((entry) => entry.name === 'a.txt')?.mtimeUs;
      };
      const read = await build(workspace, await StatCache.load(join(root, 'cache'), 0));
      expect([read.filesRead, mtimeUs(read)]).toEqual([1, 1_700_000_000_123_456]);
      const cached = await build(workspace, await StatCache.load(join(root, 'cache'), 0));
      expect([cached.filesRead, mtimeUs(cached)]).toEqual([0, 1_700_000_000_123_456]);
    },
  );

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

  it('gives a reused directory hash only to a directory whose entries are unchanged', async () => {
    const root = tempDir();
    const workspace = join(root, 'ws');
    const old = Date.now() / 1000 - 60;
    writeTree(workspace, { 'a/x.txt': 'x', 'a/deep/y.txt': 'y', 'b/z.txt': 'z' });
    for (const file of ['a/x.txt', 'a/deep/y.txt', 'b/z.txt']) utimesSync(join(workspace, file), old, old);
    const cache = await StatCache.load(join(root, 'cache'), 0);
    await build(workspace, cache);
    await build(workspace, cache); // the second scan answers every directory from memory

    // Each kind of change must reach the root hash: a new file, a removed file, a new empty directory.
    const roots = new Set<string>();
    const edits = [
      () => writeFileSync(join(workspace, 'a/deep/new.txt'), 'n'),
      () => rmSync(join(workspace, 'b/z.txt')),
      () => mkdirSync(join(workspace, 'a/deep/empty')),
    ];
    for (const edit of edits) {
      edit();
      const built = await build(workspace, cache);
      // What a cache that never saw this tree computes: the memory must not have changed the answer.
      const fresh = await buildTree(workspace, scanWorkspace(workspace, coverage), {
        sink: null,
        cache: await StatCache.load(join(root, 'no-cache'), 0),
      });
      expect(built.root).toBe(fresh.root);
      roots.add(built.root);
    }
    expect(roots.size).toBe(edits.length);
  });

  it('forgets the files a discarded scan hashed', async () => {
    const root = tempDir();
    const workspace = join(root, 'ws');
    const old = Date.now() / 1000 - 60;
    writeTree(workspace, { 'a.txt': 'a', 'b.txt': 'b' });
    for (const file of ['a.txt', 'b.txt']) utimesSync(join(workspace, file), old, old);
    const cache = await StatCache.load(join(root, 'cache'), 0);
    await build(workspace, cache);

    writeFileSync(join(workspace, 'b.txt'), 'B');
    utimesSync(join(workspace, 'b.txt'), old, old); // not racy: only the discarded scan explains a read
    await buildTree(workspace, scanWorkspace(workspace, coverage), { sink: null, cache });
    cache.discardScan(); // e.g. a diff: nothing was stored, so b.txt's new hash must not be trusted
    expect((await build(workspace, cache)).filesRead).toBe(1);
    expect((await build(workspace, cache)).filesRead).toBe(0);
    // A file that is gone leaves the saved cache.
    rmSync(join(workspace, 'a.txt'));
    await build(workspace, cache);
    writeFileSync(join(workspace, 'a.txt'), 'a');
    utimesSync(join(workspace, 'a.txt'), old, old);
    expect((await build(workspace, await StatCache.load(join(root, 'cache'), 0))).filesRead).toBe(1);
  });
});
