import { describe, expect, it } from 'vitest';
import type { ExecEvent, ExecUpdate } from '../event/exec-event.js';
import { ended } from '../test-support/events.js';
import {
  initialTriggerState,
  nextTriggerDeadline,
  type SnapshotAction,
  stepTriggers,
  type TriggerInput,
  type TriggerOptions,
  type TriggerState,
} from './trigger-machine.js';

/** Feeds inputs in order; returns every action with the time it was produced. */
function run(
  options: TriggerOptions,
  inputs: TriggerInput[],
): { actions: Array<[number, string, string]>; state: TriggerState } {
  let state = initialTriggerState(options);
  const actions: Array<[number, string, string]> = [];
  for (const input of inputs) {
    const step = stepTriggers(state, input);
    state = step.state;
    for (const a of step.actions as SnapshotAction[]) actions.push([input.at, a.trigger, a.label]);
  }
  return { actions, state };
}

let seq = 0;
function proc(
  line: string,
  exitCode: number | null = 0,
): { start: (at: number) => TriggerInput; end: (at: number) => TriggerInput } {
  const event: ExecEvent = ended(line, exitCode, { seq: ++seq });
  const running: ExecEvent = { ...event, exit_code: null, duration_ms: null };
  const update = (kind: ExecUpdate['kind'], e: ExecEvent) => ({ kind, event: e });
  return {
    start: (at) => ({ type: 'exec', update: update('start', running), at }),
    end: (at) => ({ type: 'exec', update: update('end', event), at }),
  };
}
const tick = (at: number): TriggerInput => ({ type: 'tick', at });
const file = (at: number): TriggerInput => ({ type: 'file_change', at });
const noIdle = { disable_idle: true };

describe('git commit trigger', () => {
  it('snapshots 2 s after a successful commit', () => {
    const c = proc('git commit -m x');
    const { actions } = run(noIdle, [c.start(0), c.end(100), tick(2099), tick(2100), tick(5000)]);
    expect(actions).toEqual([[2100, 'git', 'git commit']]);
  });

  it('gives one snapshot after the last commit of a burst', () => {
    const [a, b, c] = [proc('git commit -m a'), proc('git commit -m b'), proc('git rebase main')];
    const { actions } = run(noIdle, [
      a.end(0),
      tick(1500),
      b.end(1900),
      tick(3000),
      c.end(3500),
      tick(5400),
      tick(5500),
    ]);
    expect(actions).toEqual([[5500, 'git', 'git rebase (3 in a burst)']]);
  });

  it('ignores failed commits, dry runs and non-commits, and honours disable_git_commits', () => {
    const inputs = [
      proc('git commit', 1).end(0),
      proc('git commit --dry-run').end(0),
      proc('git log --grep commit').end(0),
      tick(9000),
    ];
    expect(run(noIdle, inputs).actions).toEqual([]);
    expect(
      run({ ...noIdle, disable_git_commits: true }, [proc('git commit').end(0), tick(9000)]).actions,
    ).toEqual([]);
  });

  it('snapshots a commit still in its debounce when the agent exits, and nothing else', () => {
    const c = proc('git commit -m x');
    const exit = (at: number): TriggerInput => ({ type: 'agent_exit', at });
    expect(run({ idle_threshold_seconds: 1 }, [c.end(0), tick(500), exit(800), tick(5000)]).actions).toEqual([
      [800, 'git', 'git commit'],
    ]);
    // Already taken, or none pending: the exit adds nothing, not even an idle one that was due.
    expect(run(noIdle, [c.end(0), tick(2000), exit(2500)]).actions).toEqual([[2000, 'git', 'git commit']]);
    expect(run({ idle_threshold_seconds: 1 }, [file(0), exit(1500)]).actions).toEqual([]);
  });

  it('reports when the debounce is due', () => {
    const { state } = run(noIdle, [proc('git commit').end(1000)]);
    expect(nextTriggerDeadline(state)).toBe(3000);
  });
});

describe('build trigger', () => {
  it('snapshots when a build ends successfully', () => {
    const b = proc('pnpm build');
    expect(run(noIdle, [b.start(0), b.end(10)]).actions).toEqual([[10, 'build', 'pnpm build']]);
  });

  it('counts only the outermost of nested builds', () => {
    const [outer, turbo, tsc] = [proc('pnpm build'), proc('turbo run build'), proc('tsc -b')];
    const inputs = [outer.start(0), turbo.start(1), tsc.start(2), tsc.end(3), turbo.end(4), outer.end(5)];
    expect(run(noIdle, inputs).actions).toEqual([[5, 'build', 'pnpm build']]);
  });

  it('gives nothing for a failed build, a non-build, or with disable_builds', () => {
    const failedBuild = proc('cargo build', 101);
    expect(
      run(noIdle, [failedBuild.start(0), failedBuild.end(1), proc('cargo test').end(2)]).actions,
    ).toEqual([]);
    expect(run({ ...noIdle, disable_builds: true }, [proc('make').end(0)]).actions).toEqual([]);
  });
});

describe('idle trigger', () => {
  const options = { idle_threshold_seconds: 30 };

  it('fires once per quiet spell and re-arms only after new activity', () => {
    const ls = proc('ls');
    const { actions } = run(options, [
      tick(0),
      tick(60_000), // no activity yet: nothing to protect beyond the pre-run snapshot
      ls.start(61_000),
      ls.end(61_500),
      tick(91_499),
      tick(91_500),
      tick(200_000), // still quiet: no second snapshot
      file(210_000),
      tick(239_999),
      tick(240_000),
    ]);
    expect(actions).toEqual([
      [91_500, 'idle', 'idle 30s'],
      [240_000, 'idle', 'idle 30s'],
    ]);
  });

  it('is pushed back by every exec and file change', () => {
    const { actions } = run(options, [
      file(0),
      file(20_000),
      proc('ls').end(40_000),
      tick(69_999),
      tick(70_000),
    ]);
    expect(actions).toEqual([[70_000, 'idle', 'idle 30s']]);
  });

  it('honours disable_idle and the threshold, and rejects a bad threshold', () => {
    expect(run({ disable_idle: true }, [file(0), tick(1e9)]).actions).toEqual([]);
    expect(run({ idle_threshold_seconds: 5 }, [file(0), tick(5000)]).actions).toEqual([
      [5000, 'idle', 'idle 5s'],
    ]);
    expect(() => initialTriggerState({ idle_threshold_seconds: 0 })).toThrow(/positive number of seconds/);
    expect(() => initialTriggerState({ idle_threshold_seconds: Number.NaN })).toThrow(
      /idle_threshold_seconds/,
    );
  });

  it('a commit, a build and idle together, in time order', () => {
    const b = proc('npm run build');
    const { actions } = run({ idle_threshold_seconds: 10 }, [
      proc('git commit').end(0),
      b.start(500),
      b.end(1000),
      tick(2000),
      tick(11_000),
    ]);
    expect(actions).toEqual([
      [1000, 'build', 'npm run build'],
      [2000, 'git', 'git commit'],
      [11_000, 'idle', 'idle 10s'],
    ]);
  });
});
