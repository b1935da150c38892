import type { PlannedEntry } from '../restore/plan.js';
import type { BuiltTree } from '../tree/build-tree.js';

/** The backends that keep a snapshot's files outside the content store. */
export type PayloadBackendName = 'archive' | 'btrfs' | 'apfs';
export type BackendName = 'store' | PayloadBackendName;

/** A directory that holds a snapshot's files; call release() when done with it. */
export interface OpenPayload {
  dir: string;
  /**
   * The files are a private copy made for this restore (an extracted archive), their content checked
   * and their mode and mtime set: the restore may move them into place instead of copying them.
   * False for a snapshot itself (btrfs, APFS), which must stay as it is.
   */
  movable: boolean;
  release(): Promise<void>;
}

export interface PayloadProblem {
  kind: 'missing' | 'corrupt';
  message: string;
}

/**
 * A backend that keeps each snapshot's file content in a payload of its own, below the store directory:
 * a tar.gz, a btrfs snapshot or an APFS clone. The snapshot's trees are in the content store as for
 * the store backend, so listing, diffs, createIfChanged and restore plans do not depend on the backend;
 * only where a restore reads file content from does.
 */
export interface PayloadBackend {
  readonly name: PayloadBackendName;
  /**
   * Starts snapshot `id`: returns the directory its tree is built from, a read-only copy of the
   * workspace (btrfs, APFS: ignored files included, so it is scanned with the workspace's coverage) or
   * the workspace itself (archive).
   */
  capture(id: string): Promise<string>;
  /**
   * Finishes snapshot `id` once its tree is built: writes what copies content (the archive checks every
   * file against the tree's hashes as it reads it). Returns the bytes it wrote.
   */
  seal(id: string, tree: BuiltTree): Promise<number>;
  /** A directory that holds (at least) `files` of snapshot `id`, at their paths: what a restore writes. */
  open(id: string, files: readonly PlannedEntry[]): Promise<OpenPayload>;
  /** Deletes snapshot `id`'s payload, if there is one. */
  remove(id: string): Promise<void>;
  /** Reads snapshot `id`'s payload through: null when it is whole. */
  check(id: string): Promise<PayloadProblem | null>;
  /** Deletes every payload whose id is not in `keep`, and leftovers of interrupted work (under the store lock). */
  sweep(keep: ReadonlySet<string>): Promise<void>;
}
