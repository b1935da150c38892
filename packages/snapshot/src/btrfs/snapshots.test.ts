import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  constants,
  copyFileSync,
  mkdirSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { SnapshotError } from '../errors.js';
import { fingerprint, writeTree } from '../test-support/workspace.js';
import { isSubvolumeRoot } from './detect.js';
import { createSnapshot, deleteSnapshot, listSubvolumes } from './snapshots.js';
import { mountTmpfs, useBtrfsLoopback } from './test-support/btrfs-loopback.js';

const btrfsDir = useBtrfsLoopback();

/** A workspace subvolume with a bit of everything a snapshot must keep. */
function workspace(root: string): string {
  const ws = join(root, 'ws');
  execFileSync('btrfs', ['subvolume', 'create', ws], { stdio: 'ignore' });
  writeTree(ws, {
    'README.md': '# project\n',
    'src/index.ts': 'export {};\n',
    '.git/HEAD': 'ref: refs/heads/main\n',
  });
  chmodSync(join(ws, 'README.md'), 0o600);
  mkdirSync(join(ws, 'empty'));
  symlinkSync('src/index.ts', join(ws, 'link'));
  return ws;
}

async function failure(promise: Promise<unknown>): Promise<SnapshotError> {
  const error = await promise.catch((caught: unknown) => caught);
  if (!SnapshotError.isInstance(error)) throw new Error(`expected a SnapshotError, got ${String(error)}`);
  return error;
}

describe('createSnapshot', () => {
  it('makes a read-only copy of the workspace as it is now', async (context) => {
    const root = btrfsDir(context);
    const ws = workspace(root);
    const before = fingerprint(ws);
    const snapshot = join(root, 'store', 'snapshots', 'snap_1');
    await createSnapshot(ws, snapshot);
    writeFileSync(join(ws, 'README.md'), 'changed\n');
    expect(fingerprint(snapshot)).toEqual(before);
    expect(await isSubvolumeRoot(snapshot)).toBe(true);
    expect(() => writeFileSync(join(snapshot, 'README.md'), 'x')).toThrow(
      expect.objectContaining({ code: 'EROFS' }),
    );
    expect(() => writeFileSync(join(snapshot, 'new'), 'x')).toThrow(
      expect.objectContaining({ code: 'EROFS' }),
    );
  });

  it('refuses a target that exists instead of snapshotting into it', async (context) => {
    const root = btrfsDir(context);
    const ws = workspace(root);
    const target = join(root, 'taken');
    mkdirSync(target);
    const error = await failure(createSnapshot(ws, target));
    expect(error.code).toBe('conflict');
    expect(error.message).toBe(`cannot snapshot to ${target}: it already exists; choose a new path`);
    expect(await listSubvolumes(target)).toEqual([]);
  });

  it("folds btrfs's error line into the error", async (context) => {
    const root = btrfsDir(context);
    mkdirSync(join(root, 'plain'));
    const error = await failure(createSnapshot(join(root, 'plain'), join(root, 'snap')));
    expect(error.code).toBe('unsupported');
    expect(error.message).toBe(
      `btrfs subvolume snapshot -r -- ${root}/plain ${root}/snap failed: Not a Btrfs subvolume: Invalid argument; ` +
        'the workspace must be a btrfs subvolume you own, and the snapshot must go on its filesystem',
    );
  });

  it('fails clearly for a target on another filesystem', async (context) => {
    const ws = workspace(btrfsDir(context));
    const error = await failure(createSnapshot(ws, join(mountTmpfs(), 'snap')));
    expect(error.message).toMatch(
      /failed: not a btrfs filesystem: .*; the workspace must be a btrfs subvolume/,
    );
  });

  it('never reads a path as an option', async (context) => {
    const root = btrfsDir(context);
    execFileSync('btrfs', ['subvolume', 'create', join(root, '-ws')], { stdio: 'ignore' });
    const cwd = process.cwd();
    process.chdir(root);
    onTestFinished(() => process.chdir(cwd));
    await createSnapshot('-ws', '--help');
    expect(await listSubvolumes('.')).toEqual(['--help', '-ws']);
    await deleteSnapshot('--help');
    expect(await listSubvolumes('.')).toEqual(['-ws']);
  });
});

describe('deleteSnapshot', () => {
  it('deletes a snapshot', async (context) => {
    const root = btrfsDir(context);
    const ws = workspace(root);
    const store = join(root, 'store');
    await createSnapshot(ws, join(store, 'snap_1'));
    await createSnapshot(ws, join(store, 'snap_2'));
    await deleteSnapshot(join(store, 'snap_1'));
    expect(await listSubvolumes(store)).toEqual(['snap_2']);
    expect(await isSubvolumeRoot(join(store, 'snap_1'))).toBe(false);
  });

  it('refuses a writable subvolume and leaves it alone', async (context) => {
    const ws = workspace(btrfsDir(context));
    const error = await failure(deleteSnapshot(ws));
    expect(error.code).toBe('invalid');
    expect(error.message).toBe(`refusing to delete ${ws}: it is a writable subvolume, not a snapshot`);
    expect(readFileSync(join(ws, 'README.md'), 'utf8')).toBe('# project\n');
  });

  it('refuses what is not a subvolume', async (context) => {
    const root = btrfsDir(context);
    mkdirSync(join(root, 'plain'));
    for (const path of [join(root, 'plain'), join(root, 'missing')]) {
      const error = await failure(deleteSnapshot(path));
      expect(error.code).toBe('not_found');
      expect(error.message).toBe(`no btrfs snapshot at ${path}`);
    }
  });
});

describe('listSubvolumes', () => {
  it('lists the subvolumes directly in a directory, nothing else', async (context) => {
    const root = btrfsDir(context);
    const ws = workspace(root);
    await createSnapshot(ws, join(root, 'store', 'b'));
    await createSnapshot(ws, join(root, 'store', 'a'));
    mkdirSync(join(root, 'store', 'plain'));
    writeFileSync(join(root, 'store', 'file'), '');
    symlinkSync('a', join(root, 'store', 'link'));
    expect(await listSubvolumes(join(root, 'store'))).toEqual(['a', 'b']);
    expect(await listSubvolumes(join(root, 'missing'))).toEqual([]);
  });
});

describe('reflink copies out of a snapshot', () => {
  it('share their extents with the snapshot (COPYFILE_FICLONE_FORCE)', async (context) => {
    const root = btrfsDir(context);
    const ws = workspace(root);
    writeFileSync(join(ws, 'big.bin'), Buffer.alloc(1 << 20, 7));
    await createSnapshot(ws, join(root, 'snap'));
    copyFileSync(join(root, 'snap', 'big.bin'), join(ws, 'restored.bin'), constants.COPYFILE_FICLONE_FORCE);
    expect(readFileSync(join(ws, 'restored.bin')).equals(readFileSync(join(root, 'snap', 'big.bin')))).toBe(
      true,
    );
    execFileSync('sync');
    // Columns: total, exclusive, set shared: a clone owns no extent of its own.
    const usage = execFileSync('btrfs', ['filesystem', 'du', '--raw', join(ws, 'restored.bin')], {
      encoding: 'utf8',
    });
    const [total, exclusive] = (usage.trim().split('\n')[1] ?? '').trim().split(/\s+/).map(Number);
    expect(total).toBe(1 << 20);
    expect(exclusive).toBe(0);
  });
});
