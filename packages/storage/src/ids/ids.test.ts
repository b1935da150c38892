import { describe, expect, it } from 'vitest';
import { isId, newId, newRunId } from './ids.js';

describe('newId', () => {
  it('is the prefix, an underscore and 12 lowercase hex digits', () => {
    expect(newId('snap')).toMatch(/^snap_[0-9a-f]{12}$/);
    expect(newRunId()).toMatch(/^run_[0-9a-f]{12}$/);
  });

  it('does not repeat over 10 000 ids', () => {
    const ids = new Set(Array.from({ length: 10_000 }, () => newRunId()));
    expect(ids.size).toBe(10_000);
  });
});

describe('isId', () => {
  it.each([
    ['run_0123456789ab', 'run', true],
    ['snap_0123456789ab', 'snap', true],
    ['snap_0123456789ab', 'run', false],
    ['run_0123456789AB', 'run', false],
    ['run_0123456789a', 'run', false],
    ['run_0123456789abc', 'run', false],
    ['run-0123456789ab', 'run', false],
    ['run_0123456789ag', 'run', false],
    [' run_0123456789ab', 'run', false],
    ['run_0123456789ab\n', 'run', false],
    [42, 'run', false],
  ])('isId(%j, %j) is %j', (value, prefix, expected) => {
    expect(isId(value, prefix)).toBe(expected);
  });

  it('accepts what newId makes', () => {
    expect(isId(newId('snap'), 'snap')).toBe(true);
  });
});
