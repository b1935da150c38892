import type { SnapshotRecord } from '@moat/snapshot';
import { CliError } from '../../cli/cli-error.js';

/** What RUN may be, in every snapshot command's help. */
export const RUN_HELP = 'run id, unique id prefix or name';

/**
 * The snapshot `ref` names among a run's records: a full id, or a unique prefix of one (`snap_0a1b`,
 * or at least 4 hex digits). `run` is the run as the user typed it, for the hint.
 */
export function resolveSnapshotRef(
  ref: string,
  records: readonly SnapshotRecord[],
  run: string,
): SnapshotRecord {
  const exact = records.find((r) => r.id === ref);
  if (exact) return exact;
  const prefix = ref.startsWith('snap_') ? ref : /^[0-9a-f]{4,}$/.test(ref) ? `snap_${ref}` : undefined;
  const matches = prefix === undefined ? [] : records.filter((r) => r.id.startsWith(prefix));
  if (matches.length === 1) return matches[0] as SnapshotRecord;
  if (matches.length > 1) {
    throw new CliError(
      `"${ref}" matches ${matches.length} snapshots (${matches.map((r) => r.id).join(', ')}); type more of the id`,
    );
  }
  throw new CliError(
    `run ${run} has no snapshot "${ref}"; run 'moat snapshot list ${run}' to see its snapshots`,
  );
}
