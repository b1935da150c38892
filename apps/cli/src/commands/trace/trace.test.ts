import { join } from 'node:path';
import type { RunStore } from '@moat/storage';
import { type ExecEvent, ExecLogWriter, type ExecUpdate } from '@moat/trace';
import { describe, expect, it } from 'vitest';
import { createRun, moat, moatInBackground, sandbox, waitFor } from '../../test-support/moat-cli.js';

process.env.TZ = 'UTC'; // the children inherit it: times print as in the log

function event(seq: number, command: string, args: string[], end?: Partial<ExecEvent>): ExecEvent {
  return {
    seq,
    timestamp: `2026-01-02T10:00:0${seq}.000Z`,
    pid: 100 + seq,
    ppid: 100,
    command,
    args,
    argv_status: 'complete',
    working_dir: '/src/app',
    exit_code: null,
    signal: null,
    duration_ms: null,
    ...end,
  };
}

const gitStatus = event(1, 'git', ['status'], { exit_code: 0, duration_ms: 12.5 });
const npmTest = event(2, 'npm', ['test', '--', 'a b'], { exit_code: 1, duration_ms: 3400 });
const sleep = event(3, 'sleep', ['100'], { signal: 9, duration_ms: 61_000 });
const vitest = event(4, 'vitest', []);

async function writeLog(store: RunStore, runId: string, updates: ExecUpdate[]): Promise<void> {
  const log = await ExecLogWriter.open(store.paths.execLogPath(runId));
  await log.write(updates);
  await log.close();
}

/** A run with four processes in its log: one ok, one failed, one killed, one still running. */
async function setup(state: 'running' | 'exited' = 'exited') {
  const { root, home, store } = sandbox();
  const run = await createRun(store, join(root, 'ws'), { name: 'traced', state, pid: process.pid });
  const starts = [gitStatus, npmTest, sleep, vitest].map(
    (e): ExecUpdate => ({ kind: 'start', event: { ...e, exit_code: null, signal: null, duration_ms: null } }),
  );
  await writeLog(store, run.id, [
    ...starts,
    { kind: 'end', event: gitStatus },
    { kind: 'end', event: npmTest },
    { kind: 'end', event: sleep },
  ]);
  return { home, store, run };
}

const LINES = [
  '10:00:01.000  0           13ms  git status',
  "10:00:02.000  1           3.4s  npm test -- 'a b'",
  '10:00:03.000  SIGKILL   1m 01s  sleep 100',
  '10:00:04.000  running        -  vitest',
];

describe('moat trace', () => {
  it('prints one line per process, merged from its start and end records', async () => {
    const { home } = await setup();
    expect(moat(home, 'trace', 'traced')).toEqual({ code: 0, stdout: `${LINES.join('\n')}\n`, stderr: '' });
    expect(moat(home, 'trace', 'traced', '--failed').stdout).toBe(`${LINES[1]}\n${LINES[2]}\n`);
  });

  it('prints JSONL, one merged event per process', async () => {
    const { home } = await setup();
    const lines = moat(home, 'trace', 'traced', '--json').stdout.trimEnd().split('\n');
    expect(lines.map((line) => JSON.parse(line))).toEqual([gitStatus, npmTest, sleep, vitest]);
    expect(Object.keys(JSON.parse(lines[0] as string))).toEqual(Object.keys(gitStatus));
    expect(moat(home, 'trace', 'traced', '--json', '--failed').stdout.trimEnd().split('\n')).toHaveLength(2);
  });

  it('summarises per command, as text and as JSON', async () => {
    const { home } = await setup();
    const text = moat(home, 'trace', 'traced', '--summary').stdout;
    expect(text).toContain('4 processes (1 running), 2 failed; 1m 04s of process time over 1m 03s\n');
    expect(text).toMatch(/^npm +1 +1 +3\.4s$/m);
    expect(text).toContain(`Failed:\n  ${LINES[1]}\n  ${LINES[2]}\n`);
    expect(text).toContain(`Slowest:\n  ${LINES[2]}\n`);
    const json = JSON.parse(moat(home, 'trace', 'traced', '--summary', '--json').stdout);
    expect(json).toMatchObject({ processes: 4, running: 1, failures: 2, total_ms: 64_412.5 });
    expect(json.commands).toHaveLength(4);
  });

  it('says so when nothing was recorded, and refuses --summary with --follow', async () => {
    const { root, home, store } = sandbox();
    await createRun(store, join(root, 'ws'), { name: 'quiet' });
    expect(moat(home, 'trace', 'quiet').stdout).toBe('No processes recorded for this run yet.\n');
    expect(moat(home, 'trace', 'quiet', '--json').stdout).toBe('');
    expect(moat(home, 'trace', 'quiet', '--follow', '--summary').code).toBe(2);
    expect(moat(home, 'trace', 'nope').code).toBe(1);
  });

  it('follows new and finished processes until the run ends', async () => {
    const { home, store, run } = await setup('running');
    const follower = moatInBackground(home, 'trace', 'traced', '--follow');
    await waitFor(() => follower.output().split('\n').length > 4);
    const make = event(5, 'make', ['all']);
    await writeLog(store, run.id, [{ kind: 'start', event: make }]);
    await waitFor(() => follower.output().includes('make all'));
    await writeLog(store, run.id, [
      { kind: 'end', event: { ...make, exit_code: 2, duration_ms: 1500 } },
      { kind: 'end', event: { ...vitest, exit_code: 0, duration_ms: 5000 } },
    ]);
    await store.update(run.id, { state: 'exited', exit_code: 0 });
    const { code, stdout } = await follower.exited;
    expect(code).toBe(0);
    expect(stdout).toBe(
      [
        ...LINES,
        '10:00:05.000  running        -  make all',
        '10:00:05.000  2           1.5s  make all',
        '10:00:04.000  0           5.0s  vitest',
        '',
      ].join('\n'),
    );
  });

  it('follows only failures with --failed, and returns at once for a run that ended', async () => {
    const { home, store, run } = await setup('running');
    const follower = moatInBackground(home, 'trace', 'traced', '--follow', '--failed', '--json');
    await waitFor(() => follower.output().split('\n').length > 2);
    const make = event(5, 'make', ['all']);
    await writeLog(store, run.id, [
      { kind: 'start', event: make },
      { kind: 'end', event: { ...make, exit_code: 2, duration_ms: 1500 } },
    ]);
    await waitFor(() => follower.output().includes('"make"'));
    await store.update(run.id, { state: 'failed' });
    const { stdout } = await follower.exited;
    expect(
      stdout
        .trimEnd()
        .split('\n')
        .map((line) => JSON.parse(line).seq),
    ).toEqual([2, 3, 5]);
    expect(moat(home, 'trace', 'traced', '--follow').stdout.split('\n')).toHaveLength(6);
  });

  it('has help with examples', () => {
    const { home } = sandbox();
    expect(moat(home, 'trace', '--help').stdout).toContain('Examples:\n  $ moat trace fix-ci');
  });
});
