import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isSubvolumeRoot, listSubvolumes } from '../btrfs/index.js';
import { useBtrfsLoopback } from '../btrfs/test-support/btrfs-loopback.js';
import { SnapshotEngine, type SnapshotSettings } from '../engine/engine.js';
import { SnapshotError } from '../errors.js';
import { fingerprint, tempDir, writeTree } from '../test-support/workspace.js';

const btrfsDir = useBtrfsLoopback();

const settings: SnapshotSettings = {
  backend: 'btrfs',
  exclude: { ignore_gitignore: false, additional: [] },
  limits: { max_files: 100_000, max_total_bytes: 2 ** 30, max_file_bytes: 2 ** 30 },
  retention: { max_count: 10, delete_initial: false },
};

const IGNORED = ['.git', 'node_modules', '.env'];

/** A workspace subvolume on the loopback filesystem, with ignored files, and its store beside it. */
function layout(root: string, subvolume = true) {
  const workspace = join(root, 'ws');
  mkdirSync(root, { recursive: true });
  if (subvolume) execFileSync('btrfs', ['subvolume', 'create', workspace], { stdio: 'ignore' });
  writeTree(workspace, {
    'README.md': '# project\n',
    'src/index.ts': 'export const answer = 42;\n',
    '.gitignore': 'node_modules/\n.env\n',
    'node_modules/dep/index.js': 'module.exports = 1;\n',
    '.env': 'SECRET=1\n',
    '.git/HEAD': 'ref: refs/heads/main\n',
  });
  mkdirSync(join(workspace, 'empty-dir'));
  symlinkSync('src/index.ts', join(workspace, 'link'));
  return { workspace, snapshotsDir: join(root, 'run'), storeDir: join(root, 'store') };
}

describe('the btrfs backend', () => {
  it('keeps each snapshot as a read-only subvolume in the store, counting covered entries only', async (context) => {
    const options = layout(btrfsDir(context));
    const engine = await SnapshotEngine.open({ ...options, settings });
    const record = await engine.create('manual');
    expect(record).toMatchObject({ backend: 'btrfs', files: 3, dirs: 2, symlinks: 1 });
    const snapshot = join(options.storeDir, 'btrfs', record.id);
    expect(await isSubvolumeRoot(snapshot)).toBe(true);
    expect(() => writeFileSync(join(snapshot, 'README.md'), 'x')).toThrow(
      expect.objectContaining({ code: 'EROFS' }),
    );
    // It holds the ignored files too; what reads it applies the workspace's coverage.
    expect(readFileSync(join(snapshot, '.env'), 'utf8')).toBe('SECRET=1\n');
    expect(await engine.diff(record.id)).toEqual({ added: [], modified: [], deleted: [] });
  });

  it('restores edits, deletions and additions exactly, leaving node_modules and .env alone', async (context) => {
    const options = layout(btrfsDir(context));
    const engine = await SnapshotEngine.open({ ...options, settings });
    const { workspace } = options;
    const snapshot = await engine.create('manual');
    const before = fingerprint(workspace, IGNORED);
    writeFileSync(join(workspace, 'README.md'), 'edited\n');
    rmSync(join(workspace, 'src'), { recursive: true });
    rmSync(join(workspace, 'empty-dir'), { recursive: true });
    writeTree(workspace, { 'added/new.txt': 'new\n', 'node_modules/dep/added.js': 'kept\n' });
    writeFileSync(join(workspace, '.env'), 'SECRET=2\n');
    const nodeModules = fingerprint(join(workspace, 'node_modules'));

    const { changes } = await engine.restore(snapshot.id);
    expect(fingerprint(workspace, IGNORED)).toEqual(before);
    expect(fingerprint(join(workspace, 'node_modules'))).toEqual(nodeModules);
    expect(readFileSync(join(workspace, '.env'), 'utf8')).toBe('SECRET=2\n');
    expect(changes.deleted.map((e) => e.path)).toEqual(['added', 'added/new.txt']);
  });

  it('copies a large file from the snapshot as a reflink', async (context) => {
    const options = layout(btrfsDir(context));
    const engine = await SnapshotEngine.open({ ...options, settings });
    const big = randomBytes(9 * 2 ** 20); // over the size restore streams instead of batching
    writeFileSync(join(options.workspace, 'big.bin'), big);
    const snapshot = await engine.create('manual');
    rmSync(join(options.workspace, 'big.bin'));
    await engine.restore(snapshot.id);
    const restored = join(options.workspace, 'big.bin');
    expect(readFileSync(restored).equals(big)).toBe(true);
    expect(execFileSync('filefrag', ['-v', restored], { encoding: 'utf8' })).toMatch(/shared/);
  });

  it('deletes snapshot subvolumes, sweeps those of no snapshot, and verify names missing ones', async (context) => {
    const root = btrfsDir(context);
    const options = layout(root);
    const engine = await SnapshotEngine.open({ ...options, settings });
    const first = await engine.create('manual');
    writeFileSync(join(options.workspace, 'README.md'), 'second\n');
    const second = await engine.create('manual');
    const snapshots = join(options.storeDir, 'btrfs');
    // A crash between the snapshot and its ref leaves a subvolume no snapshot names.
    execFileSync(
      'btrfs',
      ['subvolume', 'snapshot', '-r', options.workspace, join(snapshots, 'snap_0123456789ab')],
      {
        stdio: 'ignore',
      },
    );
    await engine.delete(first.id);
    expect(await listSubvolumes(snapshots)).toEqual([second.id]);

    execFileSync('btrfs', ['property', 'set', '-ts', join(snapshots, second.id), 'ro', 'false']);
    execFileSync('btrfs', ['subvolume', 'delete', join(snapshots, second.id)], { stdio: 'ignore' });
    expect((await engine.verify()).problems).toEqual([
      { hash: '', kind: 'missing', message: expect.stringMatching(/is missing$/), snapshots: [second.id] },
    ]);
  });

  it('is what auto picks on a subvolume whose filesystem holds the store, else the store', async (context) => {
    const root = btrfsDir(context);
    const auto = { ...settings, backend: 'auto' as const };
    const onSubvolume = await SnapshotEngine.open({ ...layout(join(root, 'a')), settings: auto });
    expect(onSubvolume.backend).toBe('btrfs');
    expect((await onSubvolume.create('manual')).backend).toBe('btrfs');
    const plain = layout(join(root, 'b'), false);
    expect((await SnapshotEngine.open({ ...plain, settings: auto })).backend).toBe('store');
    const storeElsewhere = { ...layout(join(root, 'c')), storeDir: join(tempDir(), 'store') };
    expect((await SnapshotEngine.open({ ...storeElsewhere, settings: auto })).backend).toBe('store');
  });

  it('refuses an explicit btrfs that cannot work, in one line that says what to do', async (context) => {
    const root = btrfsDir(context);
    const plain = layout(join(root, 'plain'), false);
    const error = await SnapshotEngine.open({ ...plain, settings }).catch((e: unknown) => e);
    expect(SnapshotError.isInstance(error) && error.code).toBe('unsupported');
    expect((error as Error).message).toBe(
      `cannot use btrfs snapshots: ${plain.workspace} is on btrfs but is not a subvolume; make it one with \`btrfs subvolume create\` and move the files in, or set snapshots.backend: store in moat.yaml`,
    );
    const storeElsewhere = { ...layout(join(root, 'sub')), storeDir: join(tempDir(), 'store') };
    await expect(SnapshotEngine.open({ ...storeElsewhere, settings })).rejects.toThrow(
      /^cannot use btrfs snapshots: .* is not on the btrfs filesystem of .*; set MOAT_HOME to a directory on that filesystem, or set snapshots.backend: store in moat.yaml$/,
    );
  });
});
