import { describe, expect, it } from 'vitest';
import { selectForPrune, selectForRetention } from './retention.js';
import type { SnapshotRecord, SnapshotType } from './snapshot-record.js';

/** Records from a compact description: one type per snapshot, oldest first. */
function records(...types: SnapshotType[]): SnapshotRecord[] {
  return types.map((type, i) => ({
    id: `snap_${String(i).padStart(12, '0')}`,
    type,
    label: `${type}${i}`,
    created_at: new Date(Date.UTC(2026, 0, 1, 0, i)).toISOString(),
    backend: 'store',
    files: 0,
    dirs: 0,
    symlinks: 0,
    bytes: 0,
    bytes_added: 0,
  }));
}
const labels = (list: SnapshotRecord[]) => list.map((r) => r.label);

describe('selectForRetention', () => {
  it.each([
    // [types oldest first, max_count, delete_initial, deleted labels]
    [['pre-run', 'git', 'git', 'idle'], 10, false, []],
    [['pre-run', 'git', 'git', 'idle'], 0, false, []], // 0 keeps everything
    [['pre-run', 'git', 'git', 'idle'], 3, false, ['git1']],
    [['pre-run', 'git', 'git', 'idle'], 2, false, ['git1', 'git2']],
    [['pre-run', 'git', 'git', 'idle'], 2, true, ['pre-run0', 'git1']],
    [['pre-run', 'git', 'safety', 'git', 'safety', 'idle'], 2, false, ['git1', 'safety2', 'git3']],
    [['pre-run', 'git', 'idle'], 1, false, ['git1']], // the newest is always kept
    [['pre-run', 'pre-run', 'git'], 1, false, []], // nothing deletable
  ] as [SnapshotType[], number, boolean, string[]][])(
    '%j max %i delete_initial %s → %j',
    (types, max, initial, deleted) => {
      expect(
        labels(selectForRetention(records(...types), { max_count: max, delete_initial: initial })),
      ).toEqual(deleted);
    },
  );

  it('does not depend on the order it is given', () => {
    const list = records('pre-run', 'git', 'git', 'idle');
    const settings = { max_count: 2, delete_initial: false };
    expect(selectForRetention([...list].reverse(), settings)).toEqual(selectForRetention(list, settings));
  });
});

describe('selectForPrune', () => {
  it.each([
    [['pre-run', 'git', 'manual', 'idle'], 5, []],
    [['pre-run', 'git', 'manual', 'idle'], 1, ['git1', 'manual2']],
    [['pre-run', 'git', 'manual', 'idle'], 0, ['git1', 'manual2', 'idle3']],
    [['pre-run', 'safety', 'git', 'safety', 'idle'], 0, ['safety1', 'git2', 'idle4']],
  ] as [SnapshotType[], number, string[]][])('%j keep %i → %j', (types, keep, deleted) => {
    expect(labels(selectForPrune(records(...types), keep))).toEqual(deleted);
  });
});
