import { describe, expect, it } from 'vitest';
import type { ExecUpdate } from '../event/exec-event.js';
import { ExecAssembler } from './exec-assembler.js';
import type { Observation } from './observation.js';

const EPOCH = Date.parse('2025-01-01T00:00:00.000Z');

function exec(pid: number, ppid: number, at: number, argv: string[] = ['cmd']): Observation {
  return {
    kind: 'exec',
    pid,
    ppid,
    monotonicMs: at,
    wallMs: EPOCH + at,
    argv,
    argvStatus: 'complete',
    cwd: '/w',
    comm: argv[0] ?? null,
  };
}

function exit(
  pid: number,
  at: number,
  exitCode: number | null = 0,
  signal: number | null = null,
): Observation {
  return { kind: 'exit', pid, monotonicMs: at, wallMs: EPOCH + at, exitCode, signal };
}

const summary = (updates: ExecUpdate[]) =>
  updates.map(
    (u) =>
      `${u.kind} #${u.event.seq} ${u.event.pid} ${u.event.command} ${u.event.exit_code ?? '-'}/${u.event.signal ?? '-'} ${u.event.duration_ms ?? '-'}`,
  );

describe('ExecAssembler', () => {
  it('numbers execs, pairs them with exits and takes durations from the backend clock', () => {
    const a = new ExecAssembler({ root: 10 });
    const updates = a.ingest([
      exec(11, 10, 100, ['/bin/sh', '-c', 'x']),
      exec(12, 11, 100.5, ['ls', '-l']),
      exit(12, 103.25, 0),
      exit(11, 110, 3),
    ]);
    expect(summary(updates)).toEqual([
      'start #1 11 sh -/- -',
      'start #2 12 ls -/- -',
      'end #2 12 ls 0/- 2.75',
      'end #1 11 sh 3/- 10',
    ]);
    expect(updates[0]?.event).toMatchObject({
      timestamp: '2025-01-01T00:00:00.100Z',
      args: ['-c', 'x'],
      working_dir: '/w',
    });
  });

  it('ends the previous command of a pid that execs again, with no exit code', () => {
    const a = new ExecAssembler({ root: 10 });
    const updates = a.ingest([
      exec(11, 10, 0, ['sh', '-c', 'exec sleep 1']),
      exec(11, 10, 2, ['sleep', '1']),
      exit(11, 1002, 0),
    ]);
    expect(summary(updates)).toEqual([
      'start #1 11 sh -/- -',
      'end #1 11 sh -/- 2',
      'start #2 11 sleep -/- -',
      'end #2 11 sleep 0/- 1000',
    ]);
  });

  it('reports a signal instead of an exit code', () => {
    const a = new ExecAssembler({ root: 10 });
    const updates = a.ingest([exec(11, 10, 0), exit(11, 5, null, 9)]);
    expect(updates[1]?.event).toMatchObject({ exit_code: null, signal: 9, duration_ms: 5 });
  });

  it('ignores exits of processes that never exec’d and marks a capture without argv', () => {
    const a = new ExecAssembler({ root: 10 });
    const updates = a.ingest([
      exit(77, 1),
      {
        kind: 'exec',
        pid: 12,
        ppid: 10,
        monotonicMs: 2,
        wallMs: EPOCH,
        argvStatus: 'comm_only',
        comm: 'true',
        cwd: null,
      },
    ]);
    expect(updates).toHaveLength(1);
    expect(updates[0]?.event).toMatchObject({
      command: 'true',
      args: [],
      argv_status: 'comm_only',
      working_dir: null,
    });
  });

  describe('awaiting the agent', () => {
    it('holds everything until setAgent, then keeps the agent’s subtree only, first exec included', () => {
      const supervisor = 10;
      const a = new ExecAssembler({ root: supervisor, awaitAgent: true });
      expect(
        a.ingest([
          exec(20, supervisor, 1, ['claude']), // the agent's first exec, before spawn() returned
          exec(30, supervisor, 2, ['git', 'status']), // moat's own git
          exec(21, 20, 3, ['ls']),
          exit(21, 4, 0),
          exec(31, 30, 4, ['git-hook']),
        ]),
      ).toEqual([]);
      const flushed = a.setAgent(20);
      expect(summary(flushed)).toEqual([
        'start #1 20 claude -/- -',
        'start #2 21 ls -/- -',
        'end #2 21 ls 0/- 1',
      ]);
      // After narrowing, updates flow directly and keep the filter.
      expect(
        summary(
          a.ingest([exec(32, supervisor, 5, ['git', 'add']), exec(22, 20, 6, ['cat']), exit(20, 9, 0)]),
        ),
      ).toEqual(['start #3 22 cat -/- -', 'end #1 20 claude 0/- 8']);
    });

    it('follows ancestry through forks that never exec’d, looked up when the exec arrives', () => {
      const parents: Record<number, number> = { 25: 24, 24: 20, 35: 30 };
      const a = new ExecAssembler({ root: 10, awaitAgent: true, parentOf: (pid) => parents[pid] });
      a.ingest([
        exec(20, 10, 1, ['agent']),
        exec(30, 10, 1, ['git']),
        exec(26, 25, 2, ['subshell-child']),
        exec(36, 35, 2, ['hook']),
      ]);
      // The forks are gone by the time the agent is known; their parents were learnt on arrival.
      delete parents[25];
      delete parents[35];
      expect(summary(a.setAgent(20)).map((s) => s.split(' ')[3])).toEqual(['agent', 'subshell-child']);
    });

    it('keeps a process whose ancestry has a gap (orphans) rather than lose an agent command', () => {
      const a = new ExecAssembler({ root: 10, awaitAgent: true });
      a.ingest([
        exec(20, 10, 1, ['agent']),
        exec(40, 1, 2, ['daemon']),
        exec(41, 999, 2, ['unknown-parent']),
      ]);
      expect(a.setAgent(20)).toHaveLength(3);
    });

    it('drops the oldest held observations beyond the limit and counts them', () => {
      const a = new ExecAssembler({ root: 10, awaitAgent: true, holdLimit: 2 });
      a.ingest([exec(20, 10, 1), exec(21, 20, 2), exec(22, 20, 3)]);
      expect(a.heldDropped).toBe(1);
      expect(a.setAgent(20).map((u) => u.event.pid)).toEqual([21, 22]);
    });

    it('with the agent being the root itself, keeps everything', () => {
      const a = new ExecAssembler({ root: 10, awaitAgent: true });
      a.ingest([exec(11, 10, 1), exec(12, 11, 1)]);
      expect(a.setAgent(10)).toHaveLength(2);
    });
  });
});

describe('ExecAssembler: rescans and self', () => {
  it('never reports a rescanned fork that still shows its parent’s argv, nor the tracing process', () => {
    const a = new ExecAssembler({ root: 10, self: 10 });
    const rescan = (pid: number, ppid: number, argv: string[]): Observation =>
      ({ ...exec(pid, ppid, 0, argv), rescan: true }) as Observation;
    const updates = a.ingest([
      rescan(10, 9, ['node', 'moat.js']),
      rescan(20, 10, ['node', 'moat.js']), // forked by spawn(), not exec'd yet
      exec(20, 10, 1, ['sh', '-c', 'x']),
      rescan(30, 10, ['vim', 'a']), // a real, older child found by the scan
    ]);
    expect(updates.map((u) => `${u.event.pid} ${u.event.command}`)).toEqual(['20 sh', '30 vim']);
  });
});
