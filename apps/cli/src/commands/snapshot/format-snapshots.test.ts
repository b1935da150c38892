import type { SnapshotDiff, SnapshotRecord } from '@moat/snapshot';
import { describe, expect, it } from 'vitest';
import {
  brokenSnapshots,
  defaultRestoreTarget,
  diffToJson,
  formatCreated,
  formatDiff,
  formatNothingToPrune,
  formatPruneList,
  formatRestorePreview,
  formatSnapshotList,
  formatVerify,
  invertDiff,
} from './format-snapshots.js';
import { resolveSnapshotRef } from './resolve-snapshot.js';

const now = new Date('2026-01-02T12:00:00.000Z');

function record(id: string, overrides: Partial<SnapshotRecord> = {}): SnapshotRecord {
  return {
    id,
    type: 'manual',
    label: null,
    created_at: '2026-01-02T11:59:30.000Z',
    backend: 'store',
    files: 3,
    dirs: 1,
    symlinks: 0,
    bytes: 2048,
    bytes_added: 100,
    ...overrides,
  };
}

const diff: SnapshotDiff = {
  added: [
    { path: 'src/new.ts', type: 'file', size: 1536 },
    { path: 'docs', type: 'dir', size: 0 },
  ],
  modified: [
    { path: 'src/index.ts', type: 'file', size: 30, change: 'content', previous_size: 20 },
    { path: 'run.sh', type: 'file', size: 5, change: 'mode', previous_size: 5 },
    { path: 'link', type: 'symlink', size: 0, change: 'target' },
    { path: 'out', type: 'dir', size: 0, change: 'type' },
  ],
  deleted: [{ path: 'old.txt', type: 'file', size: 3 }],
};

describe('snapshot formatting', () => {
  it('lists snapshots with sizes, a dash for no label and a pluralised footer', () => {
    const one = formatSnapshotList([record('snap_000000000001', { label: 'x' })], now);
    expect(one).toBe(
      'ID                 TYPE    LABEL  CREATED   FILES  SIZE     ADDED\n' +
        'snap_000000000001  manual  x      just now  3      2.0 KiB  +100 B\n\n' +
        '1 snapshot (backend: store)\n',
    );
    const two = formatSnapshotList(
      [
        record('snap_000000000002', { type: 'pre-run', created_at: '2026-01-02T09:00:00.000Z' }),
        record('snap_000000000001'),
      ],
      now,
    );
    expect(two).toContain('snap_000000000002  pre-run  -      3h ago');
    expect(two.endsWith('\n2 snapshots (backend: store)\n')).toBe(true);
    expect(formatSnapshotList([], now)).toBe('No snapshots for this run yet.\n');
  });

  it('prints a new snapshot as its id, with the label when there is one', () => {
    expect(formatCreated(record('snap_000000000001'))).toBe('snap_000000000001\n');
    expect(formatCreated(record('snap_000000000001', { label: 'wip' }))).toBe('snap_000000000001 (wip)\n');
  });

  it('formats a diff one path per line, sorted, with a summary', () => {
    expect(formatDiff(diff)).toBe(
      [
        'A docs/ (dir)',
        'M link (link target changed)',
        'D old.txt',
        'M out/ (now a dir)',
        'M run.sh (mode changed)',
        'M src/index.ts (20 B → 30 B)',
        'A src/new.ts (1.5 KiB)',
        '',
        '2 added, 4 modified, 1 deleted',
        '',
      ].join('\n'),
    );
    expect(formatDiff({ added: [], modified: [], deleted: [] })).toBe('No changes.\n');
    expect(formatDiff({ added: diff.added.slice(0, 1), modified: [], deleted: [] }, { color: true })).toBe(
      '\x1b[32mA src/new.ts (1.5 KiB)\x1b[0m\n\n1 added, 0 modified, 0 deleted\n',
    );
  });

  it('gives every diff entry every JSON field', () => {
    const json = diffToJson(diff, 'snap_a', null);
    expect(json.to).toBeNull();
    expect(json.added[0]).toEqual({
      path: 'src/new.ts',
      type: 'file',
      size: 1536,
      change: null,
      previous_size: null,
    });
    expect(json.modified[2]).toEqual({
      path: 'link',
      type: 'symlink',
      size: 0,
      change: 'target',
      previous_size: null,
    });
  });

  it('previews a restore as the changes it makes, the inverse of the diff from the snapshot', () => {
    const changes = invertDiff(diff);
    expect(changes.added).toEqual(diff.deleted);
    expect(changes.deleted).toEqual(diff.added);
    expect(changes.modified[0]).toMatchObject({ path: 'src/index.ts', size: 20, previous_size: 30 });
    const preview = formatRestorePreview(record('snap_000000000001', { label: 'good' }), '/ws', changes, now);
    expect(preview.split('\n').slice(0, 3)).toEqual([
      'Restoring snap_000000000001 (manual, good, just now) will change /ws:',
      '  1 added, 4 modified, 2 deleted',
      '  D docs/',
    ]);
    expect(formatRestorePreview(record('snap_1'), '/ws', { added: [], modified: [], deleted: [] }, now)).toBe(
      '/ws already matches snap_1 (manual, just now); nothing to restore.\n',
    );
    const many: SnapshotDiff = {
      added: Array.from({ length: 25 }, (_, i) => ({
        path: `f${String(i).padStart(2, '0')}`,
        type: 'file',
        size: 1,
      })),
      modified: [],
      deleted: [],
    };
    expect(formatRestorePreview(record('snap_1'), '/ws', many, now)).toMatch(
      / {2}A f19 \(1 B\)\n {2}… and 5 more\n$/,
    );
  });

  it('restores by default to the newest snapshot that is not a safety snapshot', () => {
    const records = [
      record('snap_3', { type: 'safety' }),
      record('snap_2', { type: 'idle' }),
      record('snap_1'),
    ];
    expect(defaultRestoreTarget(records)?.id).toBe('snap_2');
    expect(defaultRestoreTarget([record('snap_3', { type: 'safety' })])).toBeUndefined();
  });

  it('resolves a snapshot by id or unique prefix', () => {
    const records = [record('snap_0a1b2c3d4e5f'), record('snap_0a1b99999999'), record('snap_ffff00000000')];
    expect(resolveSnapshotRef('snap_0a1b2c3d4e5f', records, 'r').id).toBe('snap_0a1b2c3d4e5f');
    expect(resolveSnapshotRef('ffff', records, 'r').id).toBe('snap_ffff00000000');
    expect(resolveSnapshotRef('snap_0a1b2', records, 'r').id).toBe('snap_0a1b2c3d4e5f');
    expect(() => resolveSnapshotRef('0a1b', records, 'r')).toThrow(
      '"0a1b" matches 2 snapshots (snap_0a1b2c3d4e5f, snap_0a1b99999999); type more of the id',
    );
    expect(() => resolveSnapshotRef('abc', records, 'fix')).toThrow(
      `run fix has no snapshot "abc"; run 'moat snapshot list fix' to see its snapshots`,
    );
  });

  it('lists what prune deletes, and says why when nothing', () => {
    expect(formatPruneList([record('snap_000000000001', { type: 'idle' })], now)).toBe(
      'Snapshots to delete (1):\n  snap_000000000001  idle  -  just now\n',
    );
    expect(formatNothingToPrune([], 5)).toBe('No snapshots to prune.\n');
    expect(formatNothingToPrune([record('snap_1', { type: 'pre-run' }), record('snap_2')], 5)).toBe(
      'Nothing to prune (have 2 snapshots, keeping the 5 newest + 1 pre-run + the newest safety snapshot)\n',
    );
  });

  it('reports verify problems with the snapshots they break', () => {
    expect(formatVerify({ snapshots: 2, problems: [] })).toBe('Verified 2 snapshots: no problems.\n');
    const result = {
      snapshots: 3,
      problems: [
        {
          hash: 'ab'.repeat(32),
          kind: 'corrupt' as const,
          message: 'checksum mismatch',
          snapshots: ['snap_2', 'snap_1'],
        },
        { hash: 'cd'.repeat(32), kind: 'missing' as const, message: 'not in any pack', snapshots: [] },
      ],
    };
    expect(formatVerify(result)).toBe(
      'corrupt abababababab: checksum mismatch; breaks snap_2, snap_1\nmissing cdcdcdcdcdcd: not in any pack; no snapshot uses it\n',
    );
    expect(brokenSnapshots(result)).toEqual(['snap_1', 'snap_2']);
    const payload = {
      snapshots: 1,
      problems: [
        {
          hash: '',
          kind: 'missing' as const,
          message: 'archive snap_1.tar.gz is missing',
          snapshots: ['snap_1'],
        },
      ],
    };
    expect(formatVerify(payload)).toBe('missing: archive snap_1.tar.gz is missing; breaks snap_1\n');
  });
});
