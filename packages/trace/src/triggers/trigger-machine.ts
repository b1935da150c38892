import { commandLine, type ExecUpdate } from '../event/exec-event.js';
import { isBuildCommand, isSuccessfulBuild } from '../classify/build.js';
import { gitCommitKind, isGitCommit } from '../classify/git-commit.js';
import { TraceError } from '../errors.js';

/** The meaning of moat.yaml's `snapshots.triggers` (plain values; this package does not read config). */
export interface TriggerOptions {
  disable_git_commits?: boolean;
  disable_builds?: boolean;
  disable_idle?: boolean;
  /** Quiet time before an idle snapshot. Default 30. */
  idle_threshold_seconds?: number;
  /** Commits closer together than this give one snapshot, after the last. Default 2000. */
  commit_debounce_ms?: number;
}

export type SnapshotTrigger = 'git' | 'build' | 'idle';

export interface SnapshotAction {
  type: 'snapshot';
  trigger: SnapshotTrigger;
  /** For the snapshot's label, e.g. `git commit`, `pnpm build`, `idle 30s`. */
  label: string;
}

/** Inputs, each stamped with the time (ms, any monotonic clock) it happened. */
export type TriggerInput =
  | { type: 'exec'; update: ExecUpdate; at: number }
  | { type: 'file_change'; at: number }
  | { type: 'tick'; at: number }
  /** The agent has ended: no later commit can join a burst, so a debounced one is due now. */
  | { type: 'agent_exit'; at: number };

export interface TriggerState {
  readonly options: Required<TriggerOptions>;
  /** Time of the last exec start/end or file change; null before any activity. */
  readonly lastActivity: number | null;
  /** True after activity; an idle snapshot disarms it until the next activity. */
  readonly idleArmed: boolean;
  /** A debounced commit waiting for `due`. */
  readonly pendingCommit: { due: number; label: string; count: number } | null;
  /** Build commands running now, by seq: a build that ends inside another gives no snapshot of its own. */
  readonly runningBuilds: readonly number[];
}

export interface TriggerStep {
  state: TriggerState;
  actions: SnapshotAction[];
}

const DEFAULTS: Required<TriggerOptions> = {
  disable_git_commits: false,
  disable_builds: false,
  disable_idle: false,
  idle_threshold_seconds: 30,
  commit_debounce_ms: 2000,
};

export function initialTriggerState(options: TriggerOptions = {}): TriggerState {
  const merged = { ...DEFAULTS, ...stripUndefined(options) };
  if (!(Number.isFinite(merged.idle_threshold_seconds) && merged.idle_threshold_seconds > 0)) {
    throw new TraceError(
      'invalid',
      `idle_threshold_seconds must be a positive number of seconds, got ${merged.idle_threshold_seconds}`,
    );
  }
  if (!(Number.isFinite(merged.commit_debounce_ms) && merged.commit_debounce_ms >= 0)) {
    throw new TraceError('invalid', `commit_debounce_ms must be ≥ 0, got ${merged.commit_debounce_ms}`);
  }
  return { options: merged, lastActivity: null, idleArmed: false, pendingCommit: null, runningBuilds: [] };
}

/**
 * The snapshot triggers as a pure state machine: exec updates, file changes and clock ticks in,
 * snapshot actions out.
 * - git: a successful commit (see isGitCommit) schedules a snapshot `commit_debounce_ms` later; more
 *   commits before then push it back, so a burst gives one snapshot after the last.
 * - build: a successful build gives a snapshot when it ends, unless another build command is still
 *   running (`pnpm build` running `turbo build` running `tsc`: only the outermost counts).
 * - idle: no exec start or end and no file change for `idle_threshold_seconds` gives one snapshot;
 *   it fires once per quiet spell and re-arms only after new activity (never before any).
 * - agent exit: a commit still in its debounce is snapshotted at once (an agent that commits and
 *   ends within the debounce must not lose its commit's snapshot); an idle spell it cuts short gives
 *   none.
 */
export function stepTriggers(state: TriggerState, input: TriggerInput): TriggerStep {
  const actions: SnapshotAction[] = [];
  let next: TriggerState = state;
  if (input.type === 'exec' || input.type === 'file_change') {
    next = { ...next, lastActivity: input.at, idleArmed: true };
  }
  if (input.type === 'exec') next = onExec(next, input.update, input.at, actions);
  if (input.type === 'agent_exit') {
    // Idle is not due: a quiet spell that the exit cut short was not one.
    const commitNow = next.pendingCommit && { ...next.pendingCommit, due: input.at };
    return fireDue({ ...next, pendingCommit: commitNow, idleArmed: false }, input.at, actions);
  }
  return fireDue(next, input.at, actions);
}

/** When the next tick can produce an action (for a driver's timer), or null if nothing is pending. */
export function nextTriggerDeadline(state: TriggerState): number | null {
  const deadlines: number[] = [];
  if (state.pendingCommit) deadlines.push(state.pendingCommit.due);
  if (!state.options.disable_idle && state.idleArmed && state.lastActivity !== null) {
    deadlines.push(state.lastActivity + state.options.idle_threshold_seconds * 1000);
  }
  return deadlines.length === 0 ? null : Math.min(...deadlines);
}

function onExec(
  state: TriggerState,
  update: ExecUpdate,
  at: number,
  actions: SnapshotAction[],
): TriggerState {
  const event = update.event;
  let next = state;
  if (update.kind === 'start') {
    if (isBuildCommand(event.command, event.args)) {
      next = { ...next, runningBuilds: [...next.runningBuilds, event.seq] };
    }
    return next;
  }
  const wasRunningBuild = next.runningBuilds.includes(event.seq);
  if (wasRunningBuild) next = { ...next, runningBuilds: next.runningBuilds.filter((s) => s !== event.seq) };
  if (!next.options.disable_builds && isSuccessfulBuild(event) && next.runningBuilds.length === 0) {
    actions.push({ type: 'snapshot', trigger: 'build', label: commandLine(event) });
  }
  if (!next.options.disable_git_commits && isGitCommit(event)) {
    const kind = gitCommitKind(event.command, event.args) ?? 'commit';
    const count = (next.pendingCommit?.count ?? 0) + 1;
    const label = count === 1 ? `git ${kind}` : `git ${kind} (${count} in a burst)`;
    next = { ...next, pendingCommit: { due: at + next.options.commit_debounce_ms, label, count } };
  }
  return next;
}

function fireDue(state: TriggerState, now: number, actions: SnapshotAction[]): TriggerStep {
  let next = state;
  if (next.pendingCommit && now >= next.pendingCommit.due) {
    actions.push({ type: 'snapshot', trigger: 'git', label: next.pendingCommit.label });
    next = { ...next, pendingCommit: null };
  }
  const { disable_idle, idle_threshold_seconds } = next.options;
  if (
    !disable_idle &&
    next.idleArmed &&
    next.lastActivity !== null &&
    now - next.lastActivity >= idle_threshold_seconds * 1000
  ) {
    actions.push({ type: 'snapshot', trigger: 'idle', label: `idle ${idle_threshold_seconds}s` });
    next = { ...next, idleArmed: false };
  }
  return { state: next, actions };
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
