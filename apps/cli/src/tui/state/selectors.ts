import type { SnapshotDiff } from '@moat/snapshot';
import { commandLine, type ExecEvent, failed } from '@moat/trace';
import { formatDuration as formatShortDuration } from '../../format/duration.js';
import { visible } from '../../format/terminal-text.js';
import type { WatchState } from './watch-state.js';

export interface HeaderView {
  title: string;
  workspace: string;
  status: string;
  /** 'running' while the agent runs, 'ok' after exit 0, 'failed' otherwise. */
  tone: 'running' | 'ok' | 'failed';
  elapsed: string;
  snapshotBackend: string;
  tracer: string;
  tracerTone: 'ok' | 'warn' | 'off';
  counts: string;
}

/** The run's state, with the exit code once it has one; `lost` when its end was never recorded. */
function runStatus({ run, runLost }: WatchState): string {
  if (runLost) return 'lost (end not recorded)';
  return run.exit_code === null ? run.state : `${run.state} (code ${run.exit_code})`;
}

export function selectHeader(state: WatchState): HeaderView {
  const { run, tracer } = state;
  const ended = run.ended_at === null ? state.now : Date.parse(run.ended_at);
  const live = !state.runLost && (run.state === 'running' || run.state === 'created');
  return {
    title: run.name ?? run.id,
    workspace: run.workspace,
    status: runStatus(state),
    tone: live ? 'running' : run.state === 'exited' && run.exit_code === 0 ? 'ok' : 'failed',
    elapsed: formatDuration(ended - Date.parse(run.created_at)),
    snapshotBackend: state.snapshotBackend,
    ...tracerView(state.tracer),
    counts: `${state.finishedTotal} done, ${state.running.length + state.runningHidden} running, ${state.failedTotal} failed`,
  };

  function tracerView(status: typeof tracer): Pick<HeaderView, 'tracer' | 'tracerTone'> {
    if (!status) return { tracer: 'off', tracerTone: 'off' };
    const backend = status.backend ?? 'none';
    const losses = `lost ${status.lost}${status.dropped > 0 ? `, dropped ${status.dropped}` : ''}`;
    if (status.degraded)
      return {
        tracer: `degraded (${backend}): ${status.reason ?? 'no reason given'}; ${losses}`,
        tracerTone: 'warn',
      };
    return { tracer: `${backend}, ${losses}`, tracerTone: status.lost > 0 ? 'warn' : 'ok' };
  }
}

/** Does an event match the exec pane's filter? Text matches the command line or working directory. */
export function matchesFilter(event: ExecEvent, filter: string, failuresOnly: boolean): boolean {
  if (failuresOnly && !failed(event)) return false;
  if (filter === '') return true;
  const needle = filter.toLowerCase();
  return (
    commandLine(event).toLowerCase().includes(needle) ||
    (event.working_dir ?? '').toLowerCase().includes(needle)
  );
}

export interface ExecView {
  /** Set when a filter is on: the latest matching finished events still kept, oldest first. */
  filter: { description: string; matches: ExecEvent[]; matchCount: number; kept: number } | null;
  /** Running events to show (matching the filter), oldest first. */
  running: ExecEvent[];
  /** Running events not shown (over the line budget, or not kept). */
  runningMore: number;
}

export function selectExecView(state: WatchState, maxLines: number): ExecView {
  const { filter, failuresOnly } = state;
  const active = filter !== '' || failuresOnly;
  const matchingRunning = active
    ? state.running.filter((e) => matchesFilter(e, filter, failuresOnly))
    : state.running;
  // With a filter on, running processes get at most half of the lines and matches the rest.
  const running = matchingRunning.slice(-(active ? Math.ceil(maxLines / 2) : maxLines));
  const runningMore = matchingRunning.length - running.length + (active ? 0 : state.runningHidden);
  if (!active) return { filter: null, running, runningMore };
  const matching = state.finished.filter((e) => matchesFilter(e, filter, failuresOnly));
  const matchLines = Math.max(1, maxLines - running.length);
  const parts = [failuresOnly ? 'failures only' : '', filter ? `"${filter}"` : ''].filter(Boolean);
  return {
    filter: {
      description: parts.join(', '),
      matches: matching.slice(-matchLines),
      matchCount: matching.length,
      kept: state.finished.length,
    },
    running,
    runningMore,
  };
}

export interface TimelineRow {
  id: string;
  type: string;
  time: string;
  label: string;
  files: number;
  /** Files changed relative to the previous snapshot; null until known or for the first one. */
  changed: number | null;
  selected: boolean;
}

export interface TimelineView {
  rows: TimelineRow[];
  above: number;
  below: number;
  total: number;
}

/** At most `maxRows` snapshots, newest first, in a window that keeps the selected one visible. */
export function selectTimeline(state: WatchState, maxRows: number): TimelineView {
  const { snapshots } = state;
  const selectedIndex = Math.max(
    0,
    snapshots.findIndex((s) => s.id === state.selected),
  );
  const first = Math.max(0, Math.min(selectedIndex - Math.floor(maxRows / 2), snapshots.length - maxRows));
  const visible = snapshots.slice(first, first + maxRows);
  return {
    rows: visible.map((s) => ({
      id: s.id,
      type: s.type,
      time: formatClock(s.created_at),
      label: s.label ?? '',
      files: s.files,
      changed: state.changes[s.id] ?? null,
      selected: s.id === state.selected,
    })),
    above: first,
    below: Math.max(0, snapshots.length - first - visible.length),
    total: snapshots.length,
  };
}

export interface FooterView {
  /** A prompt line being typed or a question, when there is one. */
  prompt: string | null;
  keys: string;
}

export function selectFooter(state: WatchState): FooterView {
  const { mode } = state;
  switch (mode.kind) {
    case 'label':
      return { prompt: `snapshot label: ${mode.text}▌`, keys: 'Enter take snapshot · Esc cancel' };
    case 'filter':
      return { prompt: `filter: ${mode.text}▌`, keys: 'Enter keep filter · Esc clear' };
    case 'confirm-restore':
      return {
        prompt: `restore the workspace to ${mode.id}? a safety snapshot is taken first [y/N]`,
        keys: 'y restore · any other key cancels',
      };
    case 'busy':
      return { prompt: `${busyText(mode.command.kind)}…`, keys: 'please wait' };
    case 'normal':
      return {
        prompt: null,
        keys: `↑/↓ j/k select · s snapshot · d diff · r restore · / filter · f ${state.failuresOnly ? 'all' : 'failures'} · q quit`,
      };
  }
}

function busyText(kind: 'snapshot' | 'diff' | 'restore'): string {
  return kind === 'snapshot'
    ? 'taking a snapshot'
    : kind === 'diff'
      ? 'comparing with the workspace'
      : 'restoring';
}

export function diffCounts(diff: SnapshotDiff): string {
  return `+${diff.added.length} added, ~${diff.modified.length} modified, -${diff.deleted.length} deleted`;
}

/** The first `limit` paths of a diff, each with its sign. */
export function diffPaths(diff: SnapshotDiff, limit: number): { sign: '+' | '~' | '-'; path: string }[] {
  return [
    ...diff.added.map((e) => ({ sign: '+' as const, path: e.path })),
    ...diff.modified.map((e) => ({ sign: '~' as const, path: e.path })),
    ...diff.deleted.map((e) => ({ sign: '-' as const, path: e.path })),
  ]
    .slice(0, limit)
    .map(({ sign, path }) => ({ sign, path: visible(path) }));
}

/** As the other commands print durations (850ms, 12.3s, 4m 05s, 2h 03m); '-' when unknown. */
export function formatDuration(ms: number): string {
  return Number.isFinite(ms) && ms >= 0 ? formatShortDuration(ms) : '-';
}

/** HH:MM:SS in local time. */
export function formatClock(iso: string): string {
  const date = new Date(iso);
  return `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

/** How an event ended, for the exec pane: exit code, signal, replaced by another exec, or running. */
export function exitText(event: ExecEvent): { text: string; tone: 'ok' | 'failed' | 'signal' | 'other' } {
  if (event.signal !== null) return { text: `sig ${event.signal}`, tone: 'signal' };
  if (event.exit_code !== null)
    return { text: `exit ${event.exit_code}`, tone: event.exit_code === 0 ? 'ok' : 'failed' };
  return { text: event.duration_ms === null ? 'running' : 'exec’d', tone: 'other' };
}
