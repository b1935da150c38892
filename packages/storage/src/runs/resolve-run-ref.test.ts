import { describe, expect, it } from 'vitest';
import { StorageError } from '../errors.js';
import { resolveRunRef, runIdPrefix } from './resolve-run-ref.js';
import type { RunRecord } from './run-record.js';

function run(id: string, name: string | null, created_at = '2025-01-01T00:00:00.000Z'): RunRecord {
  return {
    id,
    name,
    workspace: '/w',
    command: ['agent'],
    pid: null,
    state: 'exited',
    exit_code: 0,
    created_at,
    ended_at: null,
  };
}

const runs = [
  run('run_aaaa11112222', 'api', '2025-01-03T00:00:00.000Z'),
  run('run_aaaa33334444', 'web', '2025-01-02T00:00:00.000Z'),
  run('run_bbbb55556666', 'api', '2025-01-01T00:00:00.000Z'),
  run('run_cccc77778888', 'cafe'),
  run('run_cafe99990000', null),
  run('run_dddd00001111', 'dddd'),
  run('run_dddd22223333', null),
];

/** The id resolved, or the StorageError code thrown. */
function outcome(ref: string): string {
  try {
    return resolveRunRef(ref, runs).id;
  } catch (error) {
    if (!StorageError.isInstance(error)) throw error;
    return error.code;
  }
}

describe('resolveRunRef', () => {
  it.each([
    ['exact id', 'run_aaaa11112222', 'run_aaaa11112222'],
    ['exact id of an unnamed run', 'run_cafe99990000', 'run_cafe99990000'],
    ['unique name', 'web', 'run_aaaa33334444'],
    ['name shared by two runs', 'api', 'ambiguous'],
    ['name that also looks like an id prefix: the name wins', 'cafe', 'run_cccc77778888'],
    ['name beats an ambiguous id prefix', 'dddd', 'run_dddd00001111'],
    ['run_ prefix matching one run', 'run_aaaa1', 'run_aaaa11112222'],
    ['run_ prefix matching two runs', 'run_aaaa', 'ambiguous'],
    ['bare hex prefix matching one run', 'aaaa3', 'run_aaaa33334444'],
    ['bare hex prefix of exactly 4 digits', 'bbbb', 'run_bbbb55556666'],
    ['bare hex prefix matching two runs', 'aaaa', 'ambiguous'],
    ['bare hex of 12 digits (a full id without run_)', 'cafe99990000', 'run_cafe99990000'],
    ['bare hex shorter than 4 digits', 'bbb', 'not_found'],
    ['bare hex in upper case', 'BBBB', 'not_found'],
    ['run_ alone matches every run', 'run_', 'ambiguous'],
    ['run_ with non-hex characters', 'run_zz', 'not_found'],
    ['id with a trailing extra character', 'run_aaaa11112222f', 'not_found'],
    ['well-formed id of no run', 'run_ffffffffffff', 'not_found'],
    ['unknown name', 'nope', 'not_found'],
    ['empty reference', '', 'not_found'],
    ['name with different case', 'WEB', 'not_found'],
  ])('%s: %j → %s', (_case, ref, expected) => {
    expect(outcome(ref)).toBe(expected);
  });

  it('says how to find runs when nothing matches', () => {
    expect(() => resolveRunRef('nope', runs)).toThrow(
      expect.objectContaining({
        code: 'not_found',
        message: `no run matches "nope"; run 'moat runs' to list runs`,
      }),
    );
  });

  it('lists the runs sharing a name and says to use an id', () => {
    expect(() => resolveRunRef('api', runs)).toThrow(
      expect.objectContaining({
        code: 'ambiguous',
        message:
          'name "api" matches 2 runs; use a run id instead:\n' +
          '  run_aaaa11112222  api  exited  2025-01-03T00:00:00.000Z\n' +
          '  run_bbbb55556666  api  exited  2025-01-01T00:00:00.000Z',
      }),
    );
  });

  it('lists the runs an id prefix matches and says to type more', () => {
    expect(() => resolveRunRef('aaaa', runs)).toThrow(
      expect.objectContaining({
        code: 'ambiguous',
        message:
          '"aaaa" matches 2 run ids; type more characters of the id:\n' +
          '  run_aaaa11112222  api  exited  2025-01-03T00:00:00.000Z\n' +
          '  run_aaaa33334444  web  exited  2025-01-02T00:00:00.000Z',
      }),
    );
  });

  it('lists at most 10 candidates', () => {
    const many = Array.from({ length: 13 }, (_, i) => run(`run_abcd${String(i).padStart(8, '0')}`, 'same'));
    const error = (() => {
      try {
        resolveRunRef('same', many);
      } catch (e) {
        return e as StorageError;
      }
    })();
    const lines = error?.message.split('\n') ?? [];
    expect(lines[0]).toBe('name "same" matches 13 runs; use a run id instead:');
    expect(lines).toHaveLength(12);
    expect(lines[10]).toBe('  run_abcd00000009  same  exited  2025-01-01T00:00:00.000Z');
    expect(lines[11]).toBe('  … and 3 more');
  });
});

describe('runIdPrefix', () => {
  it.each([
    ['run_ab', 'run_ab'],
    ['abcd', 'run_abcd'],
    ['abc', undefined],
    ['run_xy', undefined],
    ['abcdabcdabcda', undefined],
  ])('%j → %j', (ref, expected) => {
    expect(runIdPrefix(ref)).toBe(expected);
  });
});
