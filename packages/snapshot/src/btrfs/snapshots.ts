import { lstat, mkdir, readdir } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { SnapshotError } from '../errors.js';
import { runBtrfs } from './btrfs-command.js';
import { isSubvolumeRoot } from './detect.js';

const CREATE_HINT =
  'the workspace must be a btrfs subvolume you own, and the snapshot must go on its filesystem';
const DELETE_HINT =
  'deleting a btrfs snapshot needs root, or its owner with the filesystem mounted with -o user_subvol_rm_allowed';

/**
 * Takes a read-only snapshot of the subvolume `source` at `target`, creating target's parent directories.
 * Subvolumes nested in `source` are not part of it: they appear as empty directories.
 */
export async function createSnapshot(source: string, target: string): Promise<void> {
  const to = resolve(target);
  // Given an existing directory, btrfs would put the snapshot inside it.
  if (await exists(to)) {
    throw new SnapshotError('conflict', `cannot snapshot to ${to}: it already exists; choose a new path`);
  }
  await mkdir(dirname(to), { recursive: true });
  await runBtrfs(['subvolume', 'snapshot', '-r', '--', resolve(source), to], CREATE_HINT);
}

/**
 * Deletes the read-only snapshot at `path`. A writable subvolume is refused, so that a wrong path can
 * never delete a workspace. Without root, btrfs refuses to delete a read-only subvolume even where
 * user_subvol_rm_allowed permits deleting, so read-only is lifted first (and restored if deleting fails).
 */
export async function deleteSnapshot(path: string): Promise<void> {
  const at = resolve(path);
  if (!(await isSubvolumeRoot(at))) throw new SnapshotError('not_found', `no btrfs snapshot at ${at}`);
  const readOnly = await runBtrfs(['property', 'get', '-ts', '--', at, 'ro'], DELETE_HINT);
  if (readOnly.trim() !== 'ro=true') {
    throw new SnapshotError(
      'invalid',
      `refusing to delete ${at}: it is a writable subvolume, not a snapshot`,
    );
  }
  await runBtrfs(['property', 'set', '-ts', '--', at, 'ro', 'false'], DELETE_HINT);
  try {
    await runBtrfs(['subvolume', 'delete', '--', at], DELETE_HINT);
  } catch (error) {
    // Back to read-only, so it stays a snapshot; the deletion's error is the one that matters.
    await runBtrfs(['property', 'set', '-ts', '--', at, 'ro', 'true'], DELETE_HINT).catch(() => {});
    throw error;
  }
}

/** Names of the subvolumes (snapshots among them) directly in `dir`, sorted; none if it does not exist. */
export async function listSubvolumes(dir: string): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const found = await Promise.all(
    names.map(async (name) => ((await isSubvolumeRoot(join(dir, name))) ? name : [])),
  );
  return found.flat().sort();
}

async function exists(path: string): Promise<boolean> {
  return lstat(path).then(
    () => true,
    (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return false;
      throw error;
    },
  );
}
