import type { BackendName } from '../backends/payload-backend.js';

/** Why a snapshot was taken (the seed's words, plus `import`). */
export type SnapshotType = 'pre-run' | 'git' | 'build' | 'idle' | 'manual' | 'safety' | 'import';

export const SNAPSHOT_TYPES: readonly SnapshotType[] = [
  'pre-run',
  'git',
  'build',
  'idle',
  'manual',
  'safety',
  'import',
];

/** One snapshot of a run, as `snapshots.json` and `moat snapshot list --json` show it (snake_case). */
export interface SnapshotRecord {
  /** `snap_` + 12 hex. */
  id: string;
  type: SnapshotType;
  label: string | null;
  /** ISO-8601 UTC with milliseconds. */
  created_at: string;
  /** The backend that made it: `store`, `archive`, `btrfs` or `apfs`. */
  backend: BackendName;
  files: number;
  dirs: number;
  symlinks: number;
  /** Sum of file sizes. */
  bytes: number;
  /** How much the store grew on disk for this snapshot (0 when everything was already stored). */
  bytes_added: number;
}

export function parseSnapshotRecords(value: unknown): SnapshotRecord[] {
  if (!Array.isArray(value)) throw new Error('expected a JSON array of snapshot records');
  return value.map((item, index) => {
    const record = item as SnapshotRecord;
    const valid =
      typeof record === 'object' &&
      record !== null &&
      typeof record.id === 'string' &&
      SNAPSHOT_TYPES.includes(record.type) &&
      typeof record.created_at === 'string' &&
      (record.label === null || typeof record.label === 'string') &&
      [record.files, record.dirs, record.symlinks, record.bytes, record.bytes_added].every(
        Number.isSafeInteger,
      );
    if (!valid) throw new Error(`record ${index} is not a valid snapshot record`);
    return record;
  });
}
