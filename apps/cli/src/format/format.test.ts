import { describe, expect, it } from 'vitest';
import { formatAge } from './relative-time.js';
import { formatTable } from './table.js';

describe('formatAge', () => {
  const now = new Date('2026-01-02T12:00:00.000Z');
  it.each([
    ['2026-01-02T11:59:30.000Z', 'just now'],
    ['2026-01-02T12:00:30.000Z', 'just now'], // clock skew: a record from the future
    ['2026-01-02T11:55:00.000Z', '5m ago'],
    ['2026-01-02T09:00:00.000Z', '3h ago'],
    ['2025-12-30T12:00:00.000Z', '3d ago'],
  ])('%s → %s', (then, expected) => {
    expect(formatAge(then, now)).toBe(expected);
  });
});

describe('formatTable', () => {
  it('aligns columns and leaves no trailing spaces', () => {
    expect(
      formatTable(
        ['ID', 'STATE', 'COMMAND'],
        [
          ['run_1', 'running', 'claude'],
          ['run_22', 'exited', 'bash -l'],
        ],
      ),
    ).toBe(['ID      STATE    COMMAND', 'run_1   running  claude', 'run_22  exited   bash -l'].join('\n'));
  });
});
