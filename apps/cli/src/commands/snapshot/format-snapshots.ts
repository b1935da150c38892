import type { DiffEntry, SnapshotDiff, SnapshotRecord, VerifyResult } from '@moat/snapshot';
import { formatBytes } from '@moat/snapshot';
import { plural } from '../../format/plural.js';
import { formatAge } from '../../format/relative-time.js';
import { formatTable } from '../../format/table.js';
import { type Style, styled, visible } from '../../format/terminal-text.js';

/** `moat snapshot list`: a table, newest first, with a footer naming the backend. */
export function formatSnapshotList(records: readonly SnapshotRecord[], now: Date): string {
  if (records.length === 0) return 'No snapshots for this run yet.\n';
  const rows = records.map((r) => [
    r.id,
    r.type,
    r.label ?? '-',
    formatAge(r.created_at, now),
    String(r.files),
    formatBytes(r.bytes),
    `+${formatBytes(r.bytes_added)}`,
  ]);
  const table = formatTable(['ID', 'TYPE', 'LABEL', 'CREATED', 'FILES', 'SIZE', 'ADDED'], rows);
  const backend = records[0]?.backend ?? 'store';
  return `${table}\n\n${plural(records.length, 'snapshot')} (backend: ${backend})\n`;
}

/** `moat snapshot`'s output: the id, with the label when there is one. */
export function formatCreated(record: SnapshotRecord): string {
  return record.label ? `${record.id} (${record.label})\n` : `${record.id}\n`;
}

/** The snapshot a restore goes back to by default: the newest that is not a restore's own safety net. */
export function defaultRestoreTarget(newestFirst: readonly SnapshotRecord[]): SnapshotRecord | undefined {
  return newestFirst.find((r) => r.type !== 'safety');
}

type Mark = 'A' | 'M' | 'D';
const STYLES: Record<Mark, Style> = { A: 'green', M: 'yellow', D: 'red' };

/** One line per path, sorted by path: `A path (size)`, `M path (old → new)`, `D path`. */
export function formatDiffLines(
  diff: SnapshotDiff,
  options: { color?: boolean; limit?: number } = {},
): string {
  const entries: [Mark, DiffEntry][] = [
    ...diff.added.map((e): [Mark, DiffEntry] => ['A', e]),
    ...diff.modified.map((e): [Mark, DiffEntry] => ['M', e]),
    ...diff.deleted.map((e): [Mark, DiffEntry] => ['D', e]),
  ].sort(([, a], [, b]) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const shown = options.limit === undefined ? entries : entries.slice(0, options.limit);
  const lines = shown.map(([mark, entry]) => {
    const text = `${mark} ${describeEntry(mark, entry)}`;
    return styled(text, STYLES[mark], options.color ?? false);
  });
  if (shown.length < entries.length) lines.push(`… and ${entries.length - shown.length} more`);
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}

function describeEntry(mark: Mark, entry: DiffEntry): string {
  const path = visible(entry.type === 'dir' ? `${entry.path}/` : entry.path);
  if (mark === 'D') return path;
  if (mark === 'A')
    return entry.type === 'file' ? `${path} (${formatBytes(entry.size)})` : `${path} (${entry.type})`;
  switch (entry.change) {
    case 'type':
      return `${path} (now a ${entry.type})`;
    case 'target':
      return `${path} (link target changed)`;
    case 'mode':
      return `${path} (mode changed)`;
    default:
      return `${path} (${formatBytes(entry.previous_size ?? entry.size)} → ${formatBytes(entry.size)})`;
  }
}

/** "2 added, 1 modified, 0 deleted", or "No changes." */
export function formatDiffSummary(diff: SnapshotDiff): string {
  if (diff.added.length + diff.modified.length + diff.deleted.length === 0) return 'No changes.\n';
  return `${diff.added.length} added, ${diff.modified.length} modified, ${diff.deleted.length} deleted\n`;
}

/** `moat snapshot diff`: the paths, a blank line and the summary. */
export function formatDiff(diff: SnapshotDiff, options: { color?: boolean } = {}): string {
  const lines = formatDiffLines(diff, options);
  return lines === '' ? formatDiffSummary(diff) : `${lines}\n${formatDiffSummary(diff)}`;
}

interface DiffEntryJson {
  path: string;
  type: DiffEntry['type'];
  size: number;
  change: DiffEntry['change'] | null;
  previous_size: number | null;
}

/** `moat snapshot diff --json`: every field always present, so scripts can rely on the shape. */
export function diffToJson(
  diff: SnapshotDiff,
  from: string,
  to: string | null,
): {
  from: string;
  to: string | null;
  added: DiffEntryJson[];
  modified: DiffEntryJson[];
  deleted: DiffEntryJson[];
} {
  const entry = (e: DiffEntry): DiffEntryJson => ({
    path: e.path,
    type: e.type,
    size: e.size,
    change: e.change ?? null,
    previous_size: e.previous_size ?? null,
  });
  return {
    from,
    to,
    added: diff.added.map(entry),
    modified: diff.modified.map(entry),
    deleted: diff.deleted.map(entry),
  };
}

/**
 * What restoring a snapshot changes in the workspace, from engine.diff(snapshot) (which goes from
 * the snapshot to the workspace): the other way round.
 */
export function invertDiff(diff: SnapshotDiff): SnapshotDiff {
  return {
    added: diff.deleted,
    deleted: diff.added,
    modified: diff.modified.map((e) =>
      e.previous_size === undefined ? e : { ...e, size: e.previous_size, previous_size: e.size },
    ),
  };
}

/** The preview before an in-place restore (and all that --dry-run prints). */
export function formatRestorePreview(
  target: SnapshotRecord,
  workspace: string,
  changes: SnapshotDiff,
  now: Date,
  options: { color?: boolean } = {},
): string {
  const what = `${target.id} (${target.type}${target.label ? `, ${target.label}` : ''}, ${formatAge(target.created_at, now)})`;
  if (changes.added.length + changes.modified.length + changes.deleted.length === 0) {
    return `${workspace} already matches ${what}; nothing to restore.\n`;
  }
  return (
    `Restoring ${what} will change ${workspace}:\n` +
    `  ${formatDiffSummary(changes)}` +
    indent(formatDiffLines(changes, { ...options, limit: 20 }))
  );
}

function indent(text: string): string {
  return text.replace(/^(?=.)/gm, '  ');
}

/** `moat snapshot prune`: the snapshots it deletes, as the seed listed them. */
export function formatPruneList(doomed: readonly SnapshotRecord[], now: Date): string {
  const rows = doomed.map((r) => [r.id, r.type, r.label ?? '-', formatAge(r.created_at, now)]);
  const table = formatTable(['', '', '', ''], rows).split('\n').slice(1);
  return `Snapshots to delete (${doomed.length}):\n${table.map((line) => `  ${line}`).join('\n')}\n`;
}

/** "Nothing to prune (…)" when prune would delete nothing. */
export function formatNothingToPrune(records: readonly SnapshotRecord[], keep: number): string {
  if (records.length === 0) return 'No snapshots to prune.\n';
  const preRuns = records.filter((r) => r.type === 'pre-run').length;
  return `Nothing to prune (have ${plural(records.length, 'snapshot')}, keeping the ${keep} newest + ${preRuns} pre-run + the newest safety snapshot)\n`;
}

/** `moat snapshot verify`: one line per problem naming the snapshots it breaks. */
export function formatVerify(result: VerifyResult): string {
  if (result.problems.length === 0) return `Verified ${plural(result.snapshots, 'snapshot')}: no problems.\n`;
  const lines = result.problems.map((p) => {
    const breaks = p.snapshots.length > 0 ? `; breaks ${p.snapshots.join(', ')}` : '; no snapshot uses it';
    // A payload (an archive, a btrfs snapshot) has no hash: its message names it.
    const what = p.hash === '' ? p.kind : `${p.kind} ${p.hash.slice(0, 12)}`;
    return `${what}: ${p.message}${breaks}`;
  });
  return `${lines.join('\n')}\n`;
}

/** The snapshots verify found broken, for the final error line. */
export function brokenSnapshots(result: VerifyResult): string[] {
  return [...new Set(result.problems.flatMap((p) => p.snapshots))].sort();
}
