import { describe, expect, it } from 'vitest';
import { paxMtime, paxRecord, paxTime } from './pax.js';

describe('paxRecord', () => {
  it('counts its own length, also where adding the length adds a digit', () => {
    expect(paxRecord('mtime', '1.5')).toBe('13 mtime=1.5\n');
    for (const size of [1, 89, 90, 91, 92, 93, 994, 995, 996, 997, 998]) {
      const record = paxRecord('path', 'x'.repeat(size));
      expect(Buffer.byteLength(record)).toBe(Number.parseInt(record, 10));
    }
  });

  it('counts bytes, not characters', () => {
    const record = paxRecord('path', '日本語');
    expect(Buffer.byteLength(record)).toBe(Number.parseInt(record, 10));
  });
});

describe('paxTime and paxMtime', () => {
  it('write microseconds exactly and read them back', () => {
    for (const us of [0, 1, 999_999, 1_700_000_000_123_456, -1, -1_500_000, 4_102_444_800_000_001]) {
      expect(paxMtime(paxRecord('mtime', paxTime(us)))).toBe(us);
    }
    expect(paxTime(-1_500_000)).toBe('-1.500000');
    expect(paxTime(1_700_000_000_000_001)).toBe('1700000000.000001');
  });

  it('round nanoseconds down to the microsecond, before 1970 too', () => {
    expect(paxMtime('30 mtime=1700000000.123456789\n')).toBe(1_700_000_000_123_456);
    expect(paxMtime('20 mtime=-1.0000001\n')).toBe(-1_000_001);
    expect(paxMtime('16 mtime=1700000000\n')).toBe(1_700_000_000_000_000);
  });

  it('take the last mtime record among others, and nothing from malformed ones', () => {
    expect(paxMtime('12 path=a/b\n14 mtime=1.25\n14 mtime=2.75\n')).toBe(2_750_000);
    expect(paxMtime('12 path=a/b\n')).toBeUndefined();
    expect(paxMtime('13 mtime=1e10\n')).toBeUndefined();
    expect(paxMtime(`${'9'.repeat(400)} mtime=${'9'.repeat(400)}\n`)).toBeUndefined();
  });
});
