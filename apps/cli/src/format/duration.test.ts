import { describe, expect, it } from 'vitest';
import { formatDuration } from './duration.js';
import { plural } from './plural.js';

describe('formatDuration', () => {
  it.each([
    [0, '0ms'],
    [999.4, '999ms'],
    [999.6, '1.0s'],
    [1234, '1.2s'],
    [59_949, '59.9s'],
    [59_960, '1m 00s'],
    [65_000, '1m 05s'],
    [3_600_000 + 3 * 60_000, '1h 03m'],
  ])('%d ms → %s', (ms, expected) => {
    expect(formatDuration(ms)).toBe(expected);
  });
});

describe('plural', () => {
  it('pluralises by count', () => {
    expect(plural(1, 'snapshot')).toBe('1 snapshot');
    expect(plural(0, 'snapshot')).toBe('0 snapshots');
    expect(plural(2, 'process', 'processes')).toBe('2 processes');
  });
});
