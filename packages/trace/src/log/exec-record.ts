import { ARGV_STATUSES, type ArgvStatus, type ExecEvent, type ExecUpdate } from '../event/exec-event.js';

/** Version of the exec.jsonl record format written by this package (docs/formats.md). */
export const EXEC_LOG_FORMAT = 1;

/**
 * One line of exec.jsonl: a whole ExecEvent as it was at that moment, plus the format version `v`
 * and `record` (`start` when the process exec'd, `end` when it ended). Both records of a process
 * share its `seq`; the end record repeats everything, so it stands alone if the start was lost.
 */
export interface ExecRecord extends ExecEvent {
  v: number;
  record: 'start' | 'end';
}

export function toExecRecord(update: ExecUpdate): ExecRecord {
  const e = update.event;
  // Explicit field order: the file is read by people too.
  return {
    v: EXEC_LOG_FORMAT,
    record: update.kind,
    seq: e.seq,
    timestamp: e.timestamp,
    pid: e.pid,
    ppid: e.ppid,
    command: e.command,
    args: e.args,
    argv_status: e.argv_status,
    working_dir: e.working_dir,
    exit_code: e.exit_code,
    signal: e.signal,
    duration_ms: e.duration_ms,
  };
}

/** Checks one parsed line; throws (the reason) for a line that is not an exec record. */
export function parseExecRecord(value: unknown): ExecRecord {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('not an object');
  const r = value as Record<string, unknown>;
  if (typeof r.v !== 'number') throw new Error('"v" (format version) is missing');
  if (r.v > EXEC_LOG_FORMAT) {
    throw new Error(`format v${r.v} was written by a newer moat; upgrade moat to read it`);
  }
  if (r.record !== 'start' && r.record !== 'end') throw new Error('"record" must be "start" or "end"');
  const event: ExecEvent = {
    seq: integer(r, 'seq', 1),
    timestamp: string(r, 'timestamp'),
    pid: integer(r, 'pid', 0),
    ppid: integer(r, 'ppid', 0),
    command: string(r, 'command'),
    args: stringArray(r, 'args'),
    argv_status: argvStatus(r),
    working_dir: nullable(r, 'working_dir', string),
    exit_code: nullable(r, 'exit_code', (o, k) => integer(o, k, -2147483648)),
    signal: nullable(r, 'signal', (o, k) => integer(o, k, 0)),
    duration_ms: nullable(r, 'duration_ms', number),
  };
  return { v: r.v, record: r.record, ...event };
}

export function recordToUpdate(record: ExecRecord): ExecUpdate {
  const { v: _v, record: kind, ...event } = record;
  return { kind, event };
}

function integer(r: Record<string, unknown>, key: string, min: number): number {
  const value = r[key];
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
    throw new Error(`"${key}" must be an integer${min > -2147483648 ? ` ≥ ${min}` : ''}`);
  }
  return value;
}

function number(r: Record<string, unknown>, key: string): number {
  const value = r[key];
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new Error(`"${key}" must be a non-negative number`);
  }
  return value;
}

function string(r: Record<string, unknown>, key: string): string {
  const value = r[key];
  if (typeof value !== 'string') throw new Error(`"${key}" must be a string`);
  return value;
}

function stringArray(r: Record<string, unknown>, key: string): string[] {
  const value = r[key];
  // The seed wrote null for "no arguments"; read it as [].
  if (value === null) return [];
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) {
    throw new Error(`"${key}" must be an array of strings`);
  }
  return value as string[];
}

function argvStatus(r: Record<string, unknown>): ArgvStatus {
  const value = r.argv_status;
  if (!ARGV_STATUSES.includes(value as ArgvStatus)) {
    throw new Error(`"argv_status" must be one of ${ARGV_STATUSES.join(', ')}`);
  }
  return value as ArgvStatus;
}

function nullable<T>(
  r: Record<string, unknown>,
  key: string,
  read: (r: Record<string, unknown>, key: string) => T,
): T | null {
  return r[key] === null ? null : read(r, key);
}
