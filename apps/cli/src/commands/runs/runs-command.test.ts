import { describe, expect, it } from 'vitest';
import { makeRun, T0 } from '../../tui/test-support/fixtures.js';
import { formatRuns } from './runs-command.js';

describe('formatRuns', () => {
  it('shows each run with its state and exit code, and a running one whose end was never recorded as lost', () => {
    const runs = [
      makeRun({ id: 'run_00000000000c', name: null, pid: 3 }),
      makeRun({ id: 'run_00000000000b', name: null, pid: 2 }),
      makeRun({ id: 'run_00000000000a', state: 'exited', exit_code: 3, command: ['sh', '-c', 'exit 3'] }),
    ];
    const text = formatRuns(runs, new Date(T0 + 90_000), (run) => run.pid === 3);
    expect(text.split('\n').map((line) => line.trimEnd())).toEqual([
      'RUN ID            NAME    STATE       STARTED  COMMAND',
      'run_00000000000c  -       lost        1m ago   claude',
      'run_00000000000b  -       running     1m ago   claude',
      'run_00000000000a  fix-ci  exited (3)  1m ago   sh -c exit 3',
      '',
    ]);
  });
});
