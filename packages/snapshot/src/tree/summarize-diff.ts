import type { EntryType } from '../scan/types.js';
import type { TreeChange } from './diff-trees.js';

/** One path in a diff, as the CLI prints it (`--json` keeps these snake_case names). */
export interface DiffEntry {
  path: string;
  type: EntryType;
  /** File size after the change (before it, for a deletion); 0 for directories and symlinks. */
  size: number;
  /** Modified entries only: what changed. */
  change?: 'content' | 'type' | 'target' | 'mode';
  /** Modified files only: the size before. */
  previous_size?: number;
}

export interface SnapshotDiff {
  added: DiffEntry[];
  modified: DiffEntry[];
  deleted: DiffEntry[];
}

/**
 * What a person wants to know from a list of tree changes: paths added, modified or deleted.
 * A change of modification time alone is not a modification, and a directory is reported only when
 * it appears or disappears (its content is reported path by path).
 */
export function summarizeDiff(changes: Iterable<TreeChange>): SnapshotDiff {
  const diff: SnapshotDiff = { added: [], modified: [], deleted: [] };
  for (const { path, before, after } of changes) {
    if (!before && after) diff.added.push({ path, type: after.type, size: after.size });
    else if (before && !after) diff.deleted.push({ path, type: before.type, size: before.size });
    else if (before && after) {
      const change =
        before.type !== after.type
          ? 'type'
          : after.type === 'dir'
            ? undefined
            : before.ref !== after.ref
              ? after.type === 'symlink'
                ? 'target'
                : 'content'
              : before.mode !== after.mode
                ? 'mode'
                : undefined;
      if (!change) continue;
      const entry: DiffEntry = { path, type: after.type, size: after.size, change };
      if (after.type === 'file' && before.type === 'file') entry.previous_size = before.size;
      diff.modified.push(entry);
    }
  }
  return diff;
}
