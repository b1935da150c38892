import type { ExecEvent } from '@moat/trace';
import { summarizeExecEvents } from '@moat/trace';
import { describe, expect, it } from 'vitest';
import { execStatus, FollowFilter, formatExecLine, formatSummary, formatTrace } from './format-trace.js';

process.env.TZ = 'UTC';

function event(seq: number, end: Partial<ExecEvent> = {}): ExecEvent {
  return {
    seq,
    timestamp: '2026-01-02T10:00:00.250Z',
    pid: seq,
    ppid: 1,
    command: 'cmd',
    args: [`${seq}`],
    argv_status: 'complete',
    working_dir: null,
    exit_code: null,
    signal: null,
    duration_ms: null,
    ...end,
  };
}

describe('trace formatting', () => {
  it('shows how each process ended', () => {
    expect(execStatus(event(1))).toBe('running');
    expect(execStatus(event(1, { exit_code: 3, duration_ms: 1 }))).toBe('3');
    expect(execStatus(event(1, { signal: 15, duration_ms: 1 }))).toBe('SIGTERM');
    expect(execStatus(event(1, { signal: 250, duration_ms: 1 }))).toBe('signal 250');
    // Replaced by another exec, or its end inferred without a status.
    expect(execStatus(event(1, { duration_ms: 1 }))).toBe('-');
  });

  it('lines up time, status, duration and the quoted command line', () => {
    expect(formatExecLine({ ...event(1, { exit_code: 0, duration_ms: 999.4 }), args: ['it s'] })).toBe(
      "10:00:00.250  0          999ms  cmd 'it s'",
    );
    expect(formatExecLine(event(2))).toBe('10:00:00.250  running        -  cmd 2');
    expect(formatTrace([])).toBe('No processes recorded for this run yet.\n');
  });

  it('summarises', () => {
    const events = [
      event(1, { exit_code: 0, duration_ms: 100 }),
      event(2, { exit_code: 1, duration_ms: 2000 }),
    ];
    expect(formatSummary(summarizeExecEvents(events))).toBe(
      [
        '2 processes, 1 failed; 2.1s of process time over 2.0s',
        '',
        'COMMAND  RUNS  FAILED  TIME',
        'cmd      2     1       2.1s',
        '',
        'Failed:',
        '  10:00:00.250  1           2.0s  cmd 2',
        '',
        'Slowest:',
        '  10:00:00.250  1           2.0s  cmd 2',
        '  10:00:00.250  0          100ms  cmd 1',
        '',
      ].join('\n'),
    );
  });

  it('follows without repeating what was already printed', () => {
    const filter = new FollowFilter({ onlyFailed: false });
    const done = event(1, { exit_code: 0, duration_ms: 5 });
    expect(filter.initial([done, event(2)])).toHaveLength(2);
    expect(filter.update({ kind: 'start', event: event(1) })).toBeUndefined();
    expect(filter.update({ kind: 'end', event: done })).toBeUndefined();
    expect(filter.update({ kind: 'start', event: event(2) })).toBeUndefined();
    expect(filter.update({ kind: 'end', event: event(2, { exit_code: 0, duration_ms: 1 }) })?.seq).toBe(2);
    expect(filter.update({ kind: 'start', event: event(3) })?.seq).toBe(3);
    expect(filter.update({ kind: 'start', event: event(3) })).toBeUndefined();

    const failures = new FollowFilter({ onlyFailed: true });
    expect(failures.initial([done, event(2, { signal: 9, duration_ms: 1 })]).map((e) => e.seq)).toEqual([2]);
    expect(failures.update({ kind: 'start', event: event(3) })).toBeUndefined();
    expect(failures.update({ kind: 'end', event: event(3, { exit_code: 1, duration_ms: 1 }) })?.seq).toBe(3);
  });
});
