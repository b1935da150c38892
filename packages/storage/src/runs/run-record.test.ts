import { describe, expect, it } from 'vitest';
import { assertRunName, parseRunRecord, type RunRecord } from './run-record.js';

const valid: RunRecord = {
  id: 'run_0123456789ab',
  name: 'fix-tests',
  workspace: '/home/me/project',
  command: ['claude', '--yes'],
  pid: 4242,
  state: 'running',
  exit_code: null,
  created_at: '2025-03-01T10:00:00.000Z',
  ended_at: null,
};

describe('parseRunRecord', () => {
  it('accepts a valid record and returns exactly its fields', () => {
    expect(parseRunRecord(valid)).toEqual(valid);
    expect(parseRunRecord({ ...valid, workspace_mode: 'bind' })).toEqual(valid);
    const finished = {
      ...valid,
      state: 'exited',
      exit_code: 0,
      ended_at: '2025-03-01T10:05:00.123Z',
      pid: null,
    };
    expect(parseRunRecord(finished)).toEqual(finished);
  });

  it.each([
    ['not an object', [], 'a run record must be a JSON object'],
    ['null', null, 'a run record must be a JSON object'],
    ['bad id', { ...valid, id: 'run_XYZ' }, 'field "id" must be a run id (run_ and 12 lowercase hex digits)'],
    ['missing name', { ...valid, name: undefined }, 'field "name" must be a string or null'],
    ['relative workspace', { ...valid, workspace: 'project' }, 'field "workspace" must be an absolute path'],
    ['command not a list', { ...valid, command: 'claude' }, 'field "command" must be a list of strings'],
    ['command with a number', { ...valid, command: ['a', 1] }, 'field "command" must be a list of strings'],
    ['pid zero', { ...valid, pid: 0 }, 'field "pid" must be a positive integer or null'],
    ['pid as string', { ...valid, pid: '12' }, 'field "pid" must be a positive integer or null'],
    [
      'unknown state',
      { ...valid, state: 'paused' },
      'field "state" must be one of created, running, exited, failed',
    ],
    ['fractional exit code', { ...valid, exit_code: 1.5 }, 'field "exit_code" must be an integer or null'],
    [
      'local-time created_at',
      { ...valid, created_at: '2025-03-01T10:00:00+02:00' },
      'field "created_at" must be an ISO-8601 UTC time like 2025-01-31T12:00:00.000Z',
    ],
    [
      'impossible ended_at',
      { ...valid, ended_at: '2025-13-45T10:00:00.000Z' },
      'field "ended_at" must be null or an ISO-8601 UTC time like 2025-01-31T12:00:00.000Z',
    ],
  ])('rejects %s', (_what, value, reason) => {
    expect(() => parseRunRecord(value)).toThrow(new Error(reason));
  });
});

describe('assertRunName', () => {
  it.each(['a', 'fix-tests', 'A.b_c-1', '0', 'x'.repeat(64), 'run-1', 'runs_x'])('accepts %j', (name) => {
    expect(() => assertRunName(name)).not.toThrow();
  });

  it.each(['', 'x'.repeat(65), 'run_1', '-rf', 'a b', 'a/b', 'ünï', 'tab\t'])('rejects %j', (name) => {
    expect(() => assertRunName(name)).toThrow(
      expect.objectContaining({
        name: 'StorageError',
        code: 'invalid',
        message: `invalid run name "${name}": use 1 to 64 letters, digits, '.', '_' or '-', not starting with '-' or 'run_'`,
      }),
    );
  });
});
