import { createHash } from 'node:crypto';
import { constants, copyFileSync, readFileSync } from 'node:fs';
import type { PlannedEntry } from '../restore/plan.js';
import { SnapshotStoreError } from '../store/errors.js';
import type { BlobHash } from '../store/types.js';

/**
 * A restore's file content read from a directory that holds the snapshot (a btrfs snapshot, an APFS
 * clone, an extracted archive): each blob from the path of a planned file that has it.
 */
export class DirectorySource {
  readonly #dir: string;
  readonly #paths = new Map<BlobHash, string>();

  constructor(dir: string, files: readonly PlannedEntry[]) {
    this.#dir = dir;
    for (const { path, entry } of files) if (!this.#paths.has(entry.ref)) this.#paths.set(entry.ref, path);
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

  #file(hash: BlobHash): string {
    return `${this.#dir}/${this.#paths.get(hash)}`;
  }
}
