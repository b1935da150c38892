import { describe, expect, it } from 'vitest';
import { ended } from '../test-support/events.js';
import { summarizeExecEvents } from './summarize.js';

describe('summarizeExecEvents', () => {
  it('counts per command, failures, slowest and total time', () => {
    const events = [
      ended('git status', 0, { seq: 1, duration_ms: 5, timestamp: '2025-01-01T00:00:00.000Z' }),
      ended('tsc -b', 2, { seq: 2, duration_ms: 3000, timestamp: '2025-01-01T00:00:01.000Z' }),
      ended('git commit', 0, { seq: 3, duration_ms: 40, timestamp: '2025-01-01T00:00:05.000Z' }),
      ended('sleep 100', null, {
        seq: 4,
        signal: 15,
        duration_ms: 200.5,
        timestamp: '2025-01-01T00:00:06.000Z',
      }),
      ended('vitest', null, { seq: 5, duration_ms: null, timestamp: '2025-01-01T00:00:07.000Z' }),
    ];
    const s = summarizeExecEvents(events, { slowest: 2 });
    expect(s).toMatchObject({ processes: 5, running: 1, failures: 2, total_ms: 3245.5, span_ms: 7000 });
    expect(s.commands).toEqual([
      { command: 'git', count: 2, failures: 0, total_ms: 45 },
      { command: 'sleep', count: 1, failures: 1, total_ms: 200.5 },
      { command: 'tsc', count: 1, failures: 1, total_ms: 3000 },
      { command: 'vitest', count: 1, failures: 0, total_ms: 0 },
    ]);
    expect(s.failed.map((e) => e.seq)).toEqual([2, 4]);
    expect(s.slowest.map((e) => e.seq)).toEqual([2, 4]);
  });

  it('summarises nothing as zeros', () => {
    expect(summarizeExecEvents([])).toEqual({
      processes: 0,
      running: 0,
      failures: 0,
      commands: [],
      failed: [],
      slowest: [],
      total_ms: 0,
      span_ms: 0,
    });
  });
});
