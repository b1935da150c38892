import { StorageError } from '../errors.js';
import type { RunRecord } from './run-record.js';

const MAX_LISTED = 10;
const BARE_HEX = /^[0-9a-f]{4,12}$/;
const ID_PREFIX = /^run_[0-9a-f]{0,12}$/;

/**
 * Finds the run `ref` names, in this order: the exact id; the exact name (several runs with that
 * name are ambiguous); an id prefix (`run_…`, or at least 4 bare lowercase hex digits) matching one
 * run. Throws a StorageError: 'ambiguous' listing the candidates, or 'not_found'.
 */
export function resolveRunRef(ref: string, runs: readonly RunRecord[]): RunRecord {
  const byId = runs.find((run) => run.id === ref);
  if (byId) return byId;

  const byName = runs.filter((run) => run.name === ref);
  if (byName.length === 1) return byName[0] as RunRecord;
  if (byName.length > 1) {
    throw new StorageError(
      'ambiguous',
      `name "${ref}" matches ${byName.length} runs; use a run id instead:\n${listRuns(byName)}`,
    );
  }

  const prefix = runIdPrefix(ref);
  const byPrefix = prefix === undefined ? [] : runs.filter((run) => run.id.startsWith(prefix));
  if (byPrefix.length === 1) return byPrefix[0] as RunRecord;
  if (byPrefix.length > 1) {
    throw new StorageError(
      'ambiguous',
      `"${ref}" matches ${byPrefix.length} run ids; type more characters of the id:\n${listRuns(byPrefix)}`,
    );
  }

  throw new StorageError('not_found', `no run matches "${ref}"; run 'moat runs' to list runs`);
}

/** The run-id prefix `ref` stands for, if it can stand for one. */
export function runIdPrefix(ref: string): string | undefined {
  if (ID_PREFIX.test(ref)) return ref;
  return BARE_HEX.test(ref) ? `run_${ref}` : undefined;
}

function listRuns(runs: readonly RunRecord[]): string {
  const lines = runs
    .slice(0, MAX_LISTED)
    .map((run) => `  ${run.id}  ${run.name ?? '-'}  ${run.state}  ${run.created_at}`);
  if (runs.length > MAX_LISTED) lines.push(`  … and ${runs.length - MAX_LISTED} more`);
  return lines.join('\n');
}
