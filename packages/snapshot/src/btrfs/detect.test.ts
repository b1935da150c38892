import { execFileSync } from 'node:child_process';
import { mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished, vi } from 'vitest';
import { SnapshotError } from '../errors.js';
import { checkBtrfsBackend, isBtrfsSubvolume, isSubvolumeRoot, requireBtrfsBackend } from './detect.js';
import { mountTmpfs, useBtrfsLoopback } from './test-support/btrfs-loopback.js';

const btrfsDir = useBtrfsLoopback();
const otherBtrfsDir = useBtrfsLoopback();

function subvolume(path: string): string {
  execFileSync('btrfs', ['subvolume', 'create', path], { stdio: 'ignore' });
  return path;
}

describe('isBtrfsSubvolume', () => {
  it('accepts the root of a subvolume', async (context) => {
    const workspace = subvolume(join(btrfsDir(context), 'ws'));
    expect(await isBtrfsSubvolume(workspace)).toEqual({ ok: true });
    expect(await isSubvolumeRoot(workspace)).toBe(true);
  });

  it('refuses a plain directory on btrfs, saying how to make it a subvolume', async (context) => {
    const plain = join(btrfsDir(context), 'plain');
    mkdirSync(plain);
    expect(await isBtrfsSubvolume(plain)).toEqual({
      ok: false,
      reason: `${plain} is on btrfs but is not a subvolume`,
      fix: 'make it one with `btrfs subvolume create` and move the files in, or set snapshots.backend: store in moat.yaml',
    });
    expect(await isSubvolumeRoot(plain)).toBe(false);
  });

  it('refuses a directory inside a subvolume', async (context) => {
    const inner = join(subvolume(join(btrfsDir(context), 'ws')), 'src');
    mkdirSync(inner);
    expect(await isBtrfsSubvolume(inner)).toMatchObject({
      ok: false,
      reason: `${inner} is on btrfs but is not a subvolume`,
    });
  });

  it('refuses a directory on another filesystem, even one with inode 256', async (context) => {
    btrfsDir(context);
    const tmpfs = mountTmpfs();
    const dirs = Array.from({ length: 300 }, (_, i) => join(tmpfs, `d${i}`));
    for (const dir of dirs) mkdirSync(dir);
    // tmpfs numbers inodes per mount (since Linux 5.9), so one of these is 256 like a subvolume root.
    const inode256 = dirs.find((dir) => statSync(dir).ino === 256);
    expect(inode256).toBeDefined();
    for (const dir of [tmpfs, inode256 ?? '']) {
      expect(await isBtrfsSubvolume(dir)).toEqual({
        ok: false,
        reason: `${dir} is not on a btrfs filesystem`,
        fix: 'set snapshots.backend: auto or store in moat.yaml',
      });
      expect(await isSubvolumeRoot(dir)).toBe(false);
    }
  });

  it('names the missing btrfs command', async (context) => {
    const workspace = subvolume(join(btrfsDir(context), 'ws'));
    vi.stubEnv('PATH', '/nonexistent');
    onTestFinished(() => {
      vi.unstubAllEnvs();
    });
    expect(await isBtrfsSubvolume(workspace)).toEqual({
      ok: false,
      reason: `${workspace} is a btrfs subvolume but there is no btrfs command`,
      fix: 'install btrfs-progs (e.g. apt-get install btrfs-progs), or set snapshots.backend: store in moat.yaml',
    });
  });

  it('reports a directory that cannot be read', async () => {
    const check = await isBtrfsSubvolume('/nonexistent/ws');
    expect(check).toMatchObject({
      ok: false,
      reason: expect.stringContaining('cannot read /nonexistent/ws: ENOENT'),
    });
  });
});

describe('checkBtrfsBackend', () => {
  it('accepts a snapshot directory elsewhere on the same filesystem, though its st_dev differs', async (context) => {
    const root = btrfsDir(context);
    const workspace = subvolume(join(root, 'ws'));
    const store = join(root, 'store');
    mkdirSync(store);
    expect(statSync(store).dev).not.toBe(statSync(workspace).dev);
    expect(await checkBtrfsBackend(workspace, store)).toEqual({ ok: true });
    expect(await checkBtrfsBackend(workspace, join(store, 'not', 'made', 'yet'))).toEqual({ ok: true });
  });

  it('accepts the same filesystem reached through another mount', async (context) => {
    const root = btrfsDir(context);
    const workspace = subvolume(join(root, 'ws'));
    const bind = mountTmpfs();
    execFileSync('mount', ['--bind', root, bind]);
    onTestFinished(() => {
      execFileSync('umount', [bind]);
    });
    expect(await checkBtrfsBackend(workspace, join(bind, 'store'))).toEqual({ ok: true });
  });

  it('refuses a snapshot directory on another btrfs filesystem or on tmpfs', async (context) => {
    const workspace = subvolume(join(btrfsDir(context), 'ws'));
    for (const store of [otherBtrfsDir(context), mountTmpfs()]) {
      expect(await checkBtrfsBackend(workspace, store)).toEqual({
        ok: false,
        reason: `${store} is not on the btrfs filesystem of ${workspace}, where its snapshots must be kept`,
        fix: 'set MOAT_HOME to a directory on that filesystem, or set snapshots.backend: store in moat.yaml',
      });
    }
  });

  it('gives the workspace problem first', async (context) => {
    const plain = join(btrfsDir(context), 'plain');
    mkdirSync(plain);
    expect(await checkBtrfsBackend(plain, btrfsDir(context))).toMatchObject({
      ok: false,
      reason: `${plain} is on btrfs but is not a subvolume`,
    });
  });
});

describe('requireBtrfsBackend', () => {
  it('throws one line that says what to do', async (context) => {
    const workspace = join(btrfsDir(context), 'plain');
    mkdirSync(workspace);
    const error = await requireBtrfsBackend(workspace, join(workspace, '..', 'store')).catch(
      (caught: unknown) => caught,
    );
    expect(SnapshotError.isInstance(error) && error.code).toBe('unsupported');
    expect((error as Error).message).toBe(
      `cannot use btrfs snapshots: ${workspace} is on btrfs but is not a subvolume; make it one with ` +
        '`btrfs subvolume create` and move the files in, or set snapshots.backend: store in moat.yaml',
    );
  });

  it('passes for a usable subvolume', async (context) => {
    const root = btrfsDir(context);
    await expect(
      requireBtrfsBackend(subvolume(join(root, 'ws')), join(root, 'store')),
    ).resolves.toBeUndefined();
  });
});
