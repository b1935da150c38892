import { isAbsolute } from 'node:path';
import { StorageError } from '../errors.js';
import { isId } from '../ids/ids.js';

export type RunState = 'created' | 'running' | 'exited' | 'failed';

/** A run's `metadata.json`. Every field is always present; times are ISO-8601 UTC with milliseconds. */
export interface RunRecord {
  id: string;
  name: string | null;
  /** Absolute path of the workspace the agent works in. */
  workspace: string;
  command: string[];
  pid: number | null;
  state: RunState;
  exit_code: number | null;
  created_at: string;
  ended_at: string | null;
}

export const RUN_STATES: readonly RunState[] = ['created', 'running', 'exited', 'failed'];

const NAME = /^[A-Za-z0-9._-]{1,64}$/;
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** Throws an 'invalid' StorageError unless `name` may name a run. */
export function assertRunName(name: string): void {
  if (!NAME.test(name) || name.startsWith('run_') || name.startsWith('-')) {
    throw new StorageError(
      'invalid',
      `invalid run name "${name}": use 1 to 64 letters, digits, '.', '_' or '-', not starting with '-' or 'run_'`,
    );
  }
}

/**
 * Checks that `value` has the shape and types of a RunRecord and returns just its fields (unknown
 * fields are dropped). Throws an Error whose message says what is wrong.
 */
export function parseRunRecord(value: unknown): RunRecord {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Error('a run record must be a JSON object');
  }
  const v = value as Record<string, unknown>;
  const fail = (field: string, expected: string): never => {
    throw new Error(`field "${field}" must be ${expected}`);
  };
  if (!isId(v.id, 'run')) fail('id', 'a run id (run_ and 12 lowercase hex digits)');
  if (v.name !== null && typeof v.name !== 'string') fail('name', 'a string or null');
  if (typeof v.workspace !== 'string' || !isAbsolute(v.workspace)) fail('workspace', 'an absolute path');
  if (!Array.isArray(v.command) || !v.command.every((arg) => typeof arg === 'string')) {
    fail('command', 'a list of strings');
  }
  if (v.pid !== null && !(Number.isInteger(v.pid) && (v.pid as number) > 0)) {
    fail('pid', 'a positive integer or null');
  }
  if (!RUN_STATES.includes(v.state as RunState)) fail('state', `one of ${RUN_STATES.join(', ')}`);
  if (v.exit_code !== null && !Number.isInteger(v.exit_code)) fail('exit_code', 'an integer or null');
  if (!isTimestamp(v.created_at)) fail('created_at', 'an ISO-8601 UTC time like 2025-01-31T12:00:00.000Z');
  if (v.ended_at !== null && !isTimestamp(v.ended_at)) {
    fail('ended_at', 'null or an ISO-8601 UTC time like 2025-01-31T12:00:00.000Z');
  }
  return {
    id: v.id as string,
    name: v.name as string | null,
    workspace: v.workspace as string,
    command: [...(v.command as string[])],
    pid: v.pid as number | null,
    state: v.state as RunState,
    exit_code: v.exit_code as number | null,
    created_at: v.created_at as string,
    ended_at: v.ended_at as string | null,
  };
}

function isTimestamp(value: unknown): boolean {
  return typeof value === 'string' && TIMESTAMP.test(value) && !Number.isNaN(Date.parse(value));
}
