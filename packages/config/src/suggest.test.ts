import { describe, expect, it } from 'vitest';
import { closestMatch, editDistance } from './suggest.js';

describe('editDistance', () => {
  it.each([
    ['', '', 0],
    ['', 'abc', 3],
    ['abc', '', 3],
    ['tracing', 'tracing', 0],
    ['kitten', 'sitting', 3],
    ['tracng', 'tracing', 1],
    ['tracnig', 'tracing', 1],
    ['idle_treshold_seconds', 'idle_threshold_seconds', 1],
  ])('%j → %j is %d', (a, b, distance) => {
    expect(editDistance(a, b)).toBe(distance);
    expect(editDistance(b, a)).toBe(distance);
  });
});

describe('closestMatch', () => {
  const keys = ['disable_pre_run', 'disable_idle', 'idle_threshold_seconds'];

  it('suggests a key within two edits', () => {
    expect(closestMatch('disable_idel', keys)).toBe('disable_idle');
    expect(closestMatch('disable_pre_rn', keys)).toBe('disable_pre_run');
  });

  it('suggests a spelling variant however far its letters are', () => {
    expect(closestMatch('Idle-Threshold-Seconds', keys)).toBe('idle_threshold_seconds');
    expect(closestMatch('idleThresholdSeconds', keys)).toBe('idle_threshold_seconds');
  });

  it('ignores letter case when counting edits', () => {
    expect(closestMatch('Snapshot', ['snapshots', 'tracing'])).toBe('snapshots');
  });

  it('prefers the nearest candidate, then the earlier one', () => {
    expect(closestMatch('stor', ['store', 'stork'])).toBe('store');
    expect(closestMatch('xy', ['xa', 'xb'])).toBe('xa');
    expect(closestMatch('xy', ['xb', 'xa'])).toBe('xb');
    expect(closestMatch('achive', ['auto', 'archive'])).toBe('archive');
  });

  it('suggests nothing when every candidate is three or more edits away', () => {
    expect(closestMatch('foo', keys)).toBeUndefined();
    expect(closestMatch('tarball', ['auto', 'store', 'archive', 'btrfs', 'apfs'])).toBeUndefined();
  });
});
