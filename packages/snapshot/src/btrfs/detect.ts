import { lstat, stat, statfs } from 'node:fs/promises';
import { SnapshotError } from '../errors.js';
import { INSTALL_HINT, runBtrfs } from './btrfs-command.js';
import { filesystemId } from './filesystem-id.js';

const BTRFS_SUPER_MAGIC = 0x9123683e;
/** The inode number of every subvolume's root directory (BTRFS_FIRST_FREE_OBJECTID). */
const SUBVOLUME_ROOT_INODE = 256n;
const OR_STORE = 'or set snapshots.backend: store in moat.yaml';

/** Whether btrfs snapshots can be used, and if not, why (for the log) and what to do (for an error). */
export type BtrfsCheck = { ok: true } | { ok: false; reason: string; fix: string };

/** Whether `dir` is the root of a btrfs subvolume that the btrfs command can snapshot. */
export async function isBtrfsSubvolume(dir: string): Promise<BtrfsCheck> {
  let onBtrfs: boolean;
  let inode: bigint;
  try {
    onBtrfs = (await statfs(dir)).type === BTRFS_SUPER_MAGIC;
    inode = (await stat(dir, { bigint: true })).ino;
  } catch (error) {
    return {
      ok: false,
      reason: `cannot read ${dir}: ${(error as Error).message}`,
      fix: 'check the workspace path',
    };
  }
  if (!onBtrfs) {
    return {
      ok: false,
      reason: `${dir} is not on a btrfs filesystem`,
      fix: 'set snapshots.backend: auto or store in moat.yaml',
    };
  }
  if (inode !== SUBVOLUME_ROOT_INODE) {
    return {
      ok: false,
      reason: `${dir} is on btrfs but is not a subvolume`,
      fix: `make it one with \`btrfs subvolume create\` and move the files in, ${OR_STORE}`,
    };
  }
  const hasCommand = await runBtrfs(['--version'], INSTALL_HINT).then(
    () => true,
    () => false,
  );
  if (!hasCommand)
    return {
      ok: false,
      reason: `${dir} is a btrfs subvolume but there is no btrfs command`,
      fix: INSTALL_HINT,
    };
  return { ok: true };
}

/**
 * Whether snapshots of the subvolume `workspace` can be kept in `snapshotDir` (which need not exist yet):
 * btrfs makes a snapshot only on its subvolume's own filesystem.
 */
export async function checkBtrfsBackend(workspace: string, snapshotDir: string): Promise<BtrfsCheck> {
  const subvolume = await isBtrfsSubvolume(workspace);
  if (!subvolume.ok) return subvolume;
  const [own, other] = await Promise.all([filesystemId(workspace), filesystemId(snapshotDir)]);
  if (own === other) return { ok: true };
  return {
    ok: false,
    reason: `${snapshotDir} is not on the btrfs filesystem of ${workspace}, where its snapshots must be kept`,
    fix: `set MOAT_HOME to a directory on that filesystem, ${OR_STORE}`,
  };
}

/** checkBtrfsBackend for an explicit `backend: btrfs`: throws a one-line error that says what to do. */
export async function requireBtrfsBackend(workspace: string, snapshotDir: string): Promise<void> {
  const check = await checkBtrfsBackend(workspace, snapshotDir);
  if (!check.ok)
    throw new SnapshotError('unsupported', `cannot use btrfs snapshots: ${check.reason}; ${check.fix}`);
}

/** Whether `path` is the root directory of a btrfs subvolume (every snapshot is one). */
export async function isSubvolumeRoot(path: string): Promise<boolean> {
  try {
    const info = await lstat(path, { bigint: true });
    return (
      info.isDirectory() &&
      info.ino === SUBVOLUME_ROOT_INODE &&
      (await statfs(path)).type === BTRFS_SUPER_MAGIC
    );
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}
