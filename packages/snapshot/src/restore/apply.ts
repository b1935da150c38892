import fs, {
  chmodSync,
  closeSync,
  fchmodSync,
  futimesSync,
  lutimesSync,
  mkdirSync,
  openSync,
  renameSync,
  rmdirSync,
  symlinkSync,
  unlinkSync,
  utimesSync,
  writeSync,
} from 'node:fs';
import { dirname } from 'node:path';
import { SnapshotError } from '../errors.js';
import type { BlobHash } from '../store/types.js';
import { SMALL_FILE_BYTES } from '../tree/read-file.js';
import { PARALLEL_WRITE_MIN_FILES, ParallelWriter } from './parallel-writer.js';
import { type PlannedEntry, planSize, type RestorePlan } from './plan.js';
import { type SmallFileWrite, writeSmallFile } from './small-file.js';

/**
 * Where restored content comes from, by hash: the content store, which streams large blobs, or a
 * directory holding the snapshot (a btrfs snapshot, an extracted archive), which copies large files
 * and may move the files of an extraction made for this restore.
 */
export type BlobSource = {
  readMany(
    hashes: Iterable<BlobHash>,
    onBlob: (hash: BlobHash, data: Buffer) => void | Promise<void>,
    options?: { verify?: boolean },
  ): Promise<void>;
} & (
  | { readStream(hash: BlobHash): AsyncIterable<Buffer> }
  | {
      /** Creates `dest` (which must not exist) with the blob's content, sharing extents where it can. */
      copyFile(hash: BlobHash, dest: string): void;
      /**
       * Renames the finished file planned at `path` (content, mode, mtime) over `dest`; false when it
       * cannot, and the file is then written as any other.
       */
      moveFile?(path: string, hash: BlobHash, dest: string): boolean;
    }
);

export interface ApplyOptions {
  /**
   * Names of temporary files start with this, so an interrupted restore's leftovers can be found.
   * Null when `root` was empty: files are then created in place, since nobody can see them half
   * written in a directory that is being materialised, and a rename per file is not free.
   */
  tempPrefix: string | null;
  onProgress?: (done: number, total: number) => void;
}

/**
 * Carries out a restore plan under `root`. Content is written to a temporary file beside its target,
 * given its mode and mtime, then renamed over the target, so no file is ever seen half-written.
 * Nothing outside the plan is touched: a directory to be removed that still holds entries the
 * snapshot does not cover (ignored files) is left in place.
 */
export async function applyRestore(
  root: string,
  plan: RestorePlan,
  blobs: BlobSource,
  options: ApplyOptions,
): Promise<void> {
  const total = planSize(plan);
  let done = 0;
  const step = (count = 1) => {
    done += count;
    options.onProgress?.(done, total);
  };
  const abs = (path: string) => (path === '' ? root : `${root}/${path}`);
  let tempCount = 0;
  const tempFor = (path: string) =>
    options.tempPrefix === null ? null : `${dirname(abs(path))}/${options.tempPrefix}${tempCount++}`;
  const umask = process.umask();

  for (const path of plan.removeFiles) {
    writable(abs(path), (target) => ignoreMissing(() => unlinkSync(target)));
    step();
  }
  const created = new Set([...plan.makeDirs, ...plan.writeFiles, ...plan.makeLinks].map((s) => s.path));
  for (const path of plan.removeDirs) {
    removeDirIfEmpty(abs(path), path, created.has(path));
    step();
  }
  for (const { path } of plan.makeDirs) {
    writable(abs(path), (target) => mkdirSync(target, { mode: 0o700 }));
    step();
  }

  const small = new Map<BlobHash, PlannedEntry[]>();
  let smallCount = 0;
  const move = 'moveFile' in blobs ? blobs.moveFile?.bind(blobs) : undefined;
  for (const planned of plan.writeFiles) {
    // A rename replaces the target atomically, as the temporary file of a write does.
    if (move && writable(abs(planned.path), (target) => move(planned.path, planned.entry.ref, target))) {
      step();
      continue;
    }
    if (planned.entry.size > SMALL_FILE_BYTES) {
      await writeLargeFile(abs(planned.path), tempFor(planned.path), planned, blobs);
      step();
      continue;
    }
    const paths = small.get(planned.entry.ref) ?? [];
    paths.push(planned);
    small.set(planned.entry.ref, paths);
    smallCount++;
  }
  // Many files: written by threads that each own whole directories (see ParallelWriter). A few:
  // one after another on this thread, like tar, which costs no thread start.
  const writer = smallCount >= PARALLEL_WRITE_MIN_FILES ? ParallelWriter.start(step) : null;
  try {
    // The writer threads check each blob's hash before writing it, off this thread.
    await blobs.readMany(
      small.keys(),
      async (hash, data) => {
        for (const { path, entry } of small.get(hash) ?? []) {
          const temp = tempFor(path);
          const item: SmallFileWrite = {
            target: abs(path),
            temp,
            mode: entry.mode,
            mtimeUs: entry.mtimeUs,
            setMode: temp !== null || (entry.mode & ~umask) !== entry.mode || (entry.mode & 0o7000) !== 0,
          };
          if (writer) {
            await writer.write({ ...item, hash }, data);
          } else {
            writeSmallFile(fs, item, data);
            step();
          }
        }
      },
      { verify: writer === null },
    );
    await writer?.finish();
  } catch (error) {
    await writer?.abort();
    throw error;
  }

  for (const planned of plan.makeLinks) {
    const temp = tempFor(planned.path);
    writable(abs(planned.path), (target) => {
      symlinkSync(planned.entry.ref, temp ?? target);
      lutimesSync(temp ?? target, seconds(planned.entry.mtimeUs), seconds(planned.entry.mtimeUs));
      if (temp) renameSync(temp, target);
    });
    step();
  }
  for (const { path, entry } of plan.fixMeta) {
    if (entry.type === 'file') {
      chmodSync(abs(path), entry.mode);
      utimesSync(abs(path), seconds(entry.mtimeUs), seconds(entry.mtimeUs));
    } else {
      lutimesSync(abs(path), seconds(entry.mtimeUs), seconds(entry.mtimeUs));
    }
    step();
  }
  for (const { path, entry } of plan.fixDirs) {
    chmodSync(abs(path), entry.mode);
    utimesSync(abs(path), seconds(entry.mtimeUs), seconds(entry.mtimeUs));
    step();
  }
}

async function writeLargeFile(
  target: string,
  temp: string | null,
  planned: PlannedEntry,
  blobs: BlobSource,
): Promise<void> {
  if ('copyFile' in blobs) {
    const { entry } = planned;
    writable(target, () => blobs.copyFile(entry.ref, temp ?? target));
    chmodSync(temp ?? target, entry.mode);
    utimesSync(temp ?? target, seconds(entry.mtimeUs), seconds(entry.mtimeUs));
    if (temp) renameSync(temp, target);
    return;
  }
  const fd = writable(target, () => openSync(temp ?? target, 'wx', 0o600));
  try {
    for await (const chunk of blobs.readStream(planned.entry.ref)) {
      for (let offset = 0; offset < chunk.length; ) offset += writeSync(fd, chunk, offset);
    }
    setFileMeta(fd, planned);
  } finally {
    closeSync(fd);
  }
  if (temp) renameSync(temp, target);
}

function setFileMeta(fd: number, { entry }: PlannedEntry): void {
  fchmodSync(fd, entry.mode); // explicit, so the umask has no say
  futimesSync(fd, seconds(entry.mtimeUs), seconds(entry.mtimeUs));
}

function removeDirIfEmpty(target: string, path: string, replaced: boolean): void {
  try {
    writable(target, () => rmdirSync(target));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return;
    if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw error;
    if (replaced) {
      throw new SnapshotError(
        'conflict',
        `cannot restore ${path}: in the snapshot it is not a directory, but here it is one that holds files the snapshot does not cover (ignored files); move them away and run the restore again`,
      );
    }
  }
}

/**
 * Runs `fn` on `target`; if its directory denies writing (a read-only directory the restore will
 * give back its mode at the end), makes the directory writable for its owner and tries again.
 */
function writable<T>(target: string, fn: (target: string) => T): T {
  try {
    return fn(target);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EACCES') throw error;
    const parent = dirname(target);
    chmodSync(parent, 0o700);
    return fn(target);
  }
}

function ignoreMissing(fn: () => void): void {
  try {
    fn();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}

/**
 * The seconds to give utimes for a time in whole microseconds. libuv truncates the double it is
 * given to whole microseconds, and the double nearest to t/1e6 may lie just below it; half a
 * microsecond more lands truncation on t exactly.
 */
export function seconds(mtimeUs: number): number {
  return (mtimeUs + 0.5) / 1e6;
}
