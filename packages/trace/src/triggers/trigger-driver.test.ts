import { afterEach, describe, expect, it, vi } from 'vitest';
import { ended } from '../test-support/events.js';
import type { SnapshotAction } from './trigger-machine.js';
import { TriggerDriver } from './trigger-driver.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('TriggerDriver', () => {
  it('runs the machine on real timers (faked here): debounced commit, then idle', () => {
    vi.useFakeTimers();
    const actions: SnapshotAction[] = [];
    const driver = new TriggerDriver({
      idle_threshold_seconds: 10,
      onSnapshot: (a) => actions.push(a),
      now: () => Date.now(),
    });
    driver.exec([{ kind: 'end', event: ended('git commit -m x') }]);
    vi.advanceTimersByTime(1999);
    expect(actions).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(actions.map((a) => a.trigger)).toEqual(['git']);
    driver.fileChanged();
    vi.advanceTimersByTime(10_000);
    expect(actions.map((a) => a.trigger)).toEqual(['git', 'idle']);
    vi.advanceTimersByTime(60_000);
    expect(actions).toHaveLength(2);
    driver.stop();
    driver.fileChanged();
    vi.advanceTimersByTime(60_000);
    expect(actions).toHaveLength(2);
  });

  it('on finish, takes a commit still in its debounce at once, then stops', () => {
    vi.useFakeTimers();
    const actions: SnapshotAction[] = [];
    const driver = new TriggerDriver({ onSnapshot: (a) => actions.push(a), now: () => Date.now() });
    driver.exec([{ kind: 'end', event: ended('git commit -m x') }]);
    vi.advanceTimersByTime(500);
    driver.finish();
    expect(actions).toEqual([{ type: 'snapshot', trigger: 'git', label: 'git commit' }]);
    driver.exec([{ kind: 'end', event: ended('git commit -m y') }]);
    vi.advanceTimersByTime(60_000);
    expect(actions).toHaveLength(1);
  });
});
