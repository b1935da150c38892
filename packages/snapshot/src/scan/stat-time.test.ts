import { describe, expect, it } from 'vitest';
import { microsecondsOf, millisecondsOf } from './stat-time.js';

describe('stat times', () => {
  it('rounds nanoseconds down to the microsecond, before 1970 too', () => {
    expect(microsecondsOf(1_795_856_400_292_429_342n)).toBe(1_795_856_400_292_429);
    expect(microsecondsOf(1_795_856_400_292_429_999n)).toBe(1_795_856_400_292_429);
    expect(microsecondsOf(0n)).toBe(0);
    expect(microsecondsOf(-1n)).toBe(-1);
    expect(microsecondsOf(-1000n)).toBe(-1);
    expect(microsecondsOf(-1001n)).toBe(-2);
  });

  it('gives the float milliseconds Node gives', () => {
    // Node: seconds * 1e3 + nanoseconds / 1e6, from the kernel's (seconds, nanoseconds).
    expect(millisecondsOf(1_795_856_400_292_429_342n)).toBe(1_795_856_400 * 1e3 + 292_429_342 / 1e6);
    expect(millisecondsOf(-1_500_000_000n)).toBe(-2 * 1e3 + 500_000_000 / 1e6);
  });
});
