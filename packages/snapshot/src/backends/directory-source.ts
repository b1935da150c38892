import { createHash } from 'node:crypto';
import { constants, copyFileSync, readFileSync, renameSync } from 'node:fs';
import type { PlannedEntry } from '../restore/plan.js';
import { SnapshotStoreError } from '../store/errors.js';
import type { BlobHash } from '../store/types.js';

/**
 * A restore's file content read from a directory that holds the snapshot (a btrfs snapshot, an APFS
 * clone, an extracted archive): each blob from the path of a planned file that has it. A movable
 * directory (an archive extracted for this restore) hands its files over with moveFile.
 */
export class DirectorySource {
  readonly #dir: string;
  /** Per blob, the planned paths whose file is still in the directory. */
  readonly #paths = new Map<BlobHash, string[]>();
  #movable: boolean;

  constructor(dir: string, files: readonly PlannedEntry[], { movable }: { movable: boolean }) {
    this.#dir = dir;
    this.#movable = movable;
    for (const { path, entry } of files) {
      const paths = this.#paths.get(entry.ref);
      if (paths) paths.push(path);
      else this.#paths.set(entry.ref, [path]);
    }
  }

  async readMany(
    hashes: Iterable<BlobHash>,
    onBlob: (hash: BlobHash, data: Buffer) => void | Promise<void>,
    { verify = true }: { verify?: boolean } = {},
  ): Promise<void> {
    for (const hash of new Set(hashes)) {
      const data = readFileSync(this.#file(hash));
      if (verify) {
        const actual = createHash('sha256').update(data).digest('hex');
        if (actual !== hash) {
          throw new SnapshotStoreError(
            'corrupt',
            `${this.#file(hash)} does not hold what the snapshot recorded: its content hashes to ${actual}, not ${hash}`,
          );
        }
      }
      await onBlob(hash, data);
    }
  }

  /** A reflink where the filesystem can make one (btrfs, XFS), else an ordinary copy. */
  copyFile(hash: BlobHash, dest: string): void {
    copyFileSync(this.#file(hash), dest, constants.COPYFILE_EXCL | constants.COPYFILE_FICLONE);
  }

  /**
   * Renames the file planned at `path` (content, mode and mtime as the snapshot has them) to `dest`,
   * replacing what is there. False when the directory is not movable or `dest` is on another
   * filesystem: the caller then writes the file from readMany or copyFile.
   */
  moveFile(path: string, hash: BlobHash, dest: string): boolean {
    if (!this.#movable) return false;
    try {
      renameSync(`${this.#dir}/${path}`, dest);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw error;
      this.#movable = false; // one filesystem boundary is enough to stop trying
      return false;
    }
    const paths = this.#paths.get(hash) ?? [];
    const at = paths.indexOf(path);
    if (at >= 0) paths.splice(at, 1);
    return true;
  }

  #file(hash: BlobHash): string {
    return `${this.#dir}/${this.#paths.get(hash)?.[0]}`;
  }
}
