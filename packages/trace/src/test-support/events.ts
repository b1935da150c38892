import type { ExecEvent } from '../event/exec-event.js';

/** An ended ExecEvent for pure tests, from a command line. */
export function ended(
  line: string | string[],
  exitCode: number | null = 0,
  extra: Partial<ExecEvent> = {},
): ExecEvent {
  const [command = '', ...args] = typeof line === 'string' ? line.split(' ').filter(Boolean) : line;
  return {
    seq: 1,
    timestamp: '2025-01-01T00:00:00.000Z',
    pid: 100,
    ppid: 99,
    command,
    args,
    argv_status: 'complete',
    working_dir: '/work',
    exit_code: exitCode,
    signal: null,
    duration_ms: 10,
    ...extra,
  };
}
