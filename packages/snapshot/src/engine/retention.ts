import type { SnapshotRecord } from './snapshot-record.js';

export interface RetentionSettings {
  /** Most snapshots to keep; 0 keeps all. */
  max_count: number;
  /** Allow the pre-run snapshot to be deleted like any other. */
  delete_initial: boolean;
}

/**
 * Snapshots automatic retention deletes, oldest first, so that at most `max_count` remain. Never
 * deleted: pre-run snapshots (unless delete_initial), the newest safety snapshot (the undo of the
 * last restore) and the newest snapshot of all. `records` may be in any order.
 */
export function selectForRetention(
  records: readonly SnapshotRecord[],
  settings: RetentionSettings,
): SnapshotRecord[] {
  if (settings.max_count === 0 || records.length <= settings.max_count) return [];
  const oldestFirst = [...records].sort(byAge);
  const protectedIds = new Set<string>();
  const newestSafety = oldestFirst.filter((r) => r.type === 'safety').at(-1);
  if (newestSafety) protectedIds.add(newestSafety.id);
  const newest = oldestFirst.at(-1);
  if (newest) protectedIds.add(newest.id);
  if (!settings.delete_initial) for (const r of oldestFirst) if (r.type === 'pre-run') protectedIds.add(r.id);
  const excess = records.length - settings.max_count;
  return oldestFirst.filter((r) => !protectedIds.has(r.id)).slice(0, excess);
}

/**
 * Snapshots `moat snapshot prune --keep N` deletes: all but the N newest, where pre-run snapshots and
 * the newest safety snapshot are always kept and not counted.
 */
export function selectForPrune(records: readonly SnapshotRecord[], keep: number): SnapshotRecord[] {
  const newestFirst = [...records].sort(byAge).reverse();
  const newestSafety = newestFirst.find((r) => r.type === 'safety');
  const candidates = newestFirst.filter((r) => r.type !== 'pre-run' && r !== newestSafety);
  return candidates.slice(keep).reverse();
}

/** Oldest first; ids break ties so that the order is total. */
export function byAge(a: SnapshotRecord, b: SnapshotRecord): number {
  return a.created_at < b.created_at
    ? -1
    : a.created_at > b.created_at
      ? 1
      : a.id < b.id
        ? -1
        : a.id > b.id
          ? 1
          : 0;
}
