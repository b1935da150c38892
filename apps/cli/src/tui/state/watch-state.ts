import type { SnapshotDiff, SnapshotRecord } from '@moat/snapshot';
import type { RunRecord } from '@moat/storage';
import { type ExecEvent, type ExecUpdate, failed } from '@moat/trace';

/** `<run dir>/tracer.json`, written by the supervisor now and then (absent when tracing is off). */
export interface TracerStatusFile {
  backend: 'native' | 'proc' | null;
  degraded: boolean;
  reason: string | null;
  lost: number;
  dropped: number;
}

/** Work the container carries out for the reducer (through WatchActions), then reports back. */
export type Command =
  | { kind: 'snapshot'; label: string | null }
  | { kind: 'diff'; id: string }
  | { kind: 'restore'; id: string };

/** A pending command, numbered so that the container runs each one exactly once. */
export interface PendingCommand {
  id: number;
  command: Command;
}

export type Mode =
  | { kind: 'normal' }
  | { kind: 'label'; text: string }
  | { kind: 'filter'; text: string }
  | { kind: 'confirm-restore'; id: string }
  | { kind: 'busy'; command: Command };

/** What the panel under the timeline shows after a command. */
export type Panel =
  | { kind: 'diff'; id: string; diff: SnapshotDiff }
  | { kind: 'snapshot'; record: SnapshotRecord }
  | { kind: 'restored'; id: string; safetyId: string; changes: SnapshotDiff }
  | { kind: 'error'; message: string };

export interface WatchLimits {
  /** Finished events kept in state (for the filtered view): `<Static>` has printed them already. */
  maxFinished: number;
  /** Running events kept in state; more are counted, not kept. */
  maxRunning: number;
}

export const DEFAULT_LIMITS: WatchLimits = { maxFinished: 1000, maxRunning: 200 };

export interface WatchState {
  run: RunRecord;
  /** Recorded as running, but its agent is gone (see isRunLost). */
  runLost: boolean;
  /** The snapshot backend the run's config asks for. */
  snapshotBackend: string;
  tracer: TracerStatusFile | null;
  /** Epoch ms of the last clock tick: the header's elapsed time is pure. */
  now: number;
  /** Running processes, in seq order; at most limits.maxRunning. */
  running: ExecEvent[];
  /** Running processes not kept because the list was full. */
  runningHidden: number;
  /** The most recent finished processes, oldest first; at most limits.maxFinished. */
  finished: ExecEvent[];
  /** How many processes finished in all (the absolute index after the last one in `finished`). */
  finishedTotal: number;
  failedTotal: number;
  /** Newest first, as the engine lists them. */
  snapshots: SnapshotRecord[];
  /** Files changed by each snapshot relative to the one before it, once known. */
  changes: Record<string, number>;
  /** The selected snapshot's id (stable while the list grows). */
  selected: string | null;
  filter: string;
  failuresOnly: boolean;
  mode: Mode;
  panel: Panel | null;
  pending: PendingCommand | null;
  nextCommandId: number;
  quitting: boolean;
  /** Problems of the sources by source (e.g. "snapshots": the workspace is gone); shown, not fatal. */
  notices: Record<string, string>;
  limits: WatchLimits;
}

/** The keys the reducer understands, in Ink's useInput shape (only the fields used). */
export interface KeyPress {
  input: string;
  upArrow?: boolean;
  downArrow?: boolean;
  return?: boolean;
  escape?: boolean;
  backspace?: boolean;
  delete?: boolean;
  ctrl?: boolean;
  meta?: boolean;
}

export type CommandResult =
  | { kind: 'snapshot'; record: SnapshotRecord }
  | { kind: 'diff'; id: string; diff: SnapshotDiff }
  | { kind: 'restore'; id: string; safety: SnapshotRecord; changes: SnapshotDiff }
  | { kind: 'error'; message: string };

export type WatchAction =
  | { type: 'exec'; updates: readonly ExecUpdate[] }
  | { type: 'snapshots'; snapshots: readonly SnapshotRecord[] }
  | { type: 'snapshot-changes'; id: string; changed: number }
  | { type: 'run'; run: RunRecord; lost: boolean }
  | { type: 'tracer'; tracer: TracerStatusFile | null }
  | { type: 'tick'; now: number }
  | { type: 'key'; key: KeyPress }
  | { type: 'command-result'; commandId: number; result: CommandResult }
  /** A source's problem, or null when it is over. */
  | { type: 'notice'; source: string; message: string | null }
  | { type: 'batch'; actions: readonly WatchAction[] };

export function initialWatchState(options: {
  run: RunRecord;
  snapshotBackend: string;
  now: number;
  limits?: Partial<WatchLimits>;
}): WatchState {
  return {
    run: options.run,
    runLost: false,
    snapshotBackend: options.snapshotBackend,
    tracer: null,
    now: options.now,
    running: [],
    runningHidden: 0,
    finished: [],
    finishedTotal: 0,
    failedTotal: 0,
    snapshots: [],
    changes: {},
    selected: null,
    filter: '',
    failuresOnly: false,
    mode: { kind: 'normal' },
    panel: null,
    pending: null,
    nextCommandId: 1,
    quitting: false,
    notices: {},
    limits: { ...DEFAULT_LIMITS, ...options.limits },
  };
}

export function watchReducer(state: WatchState, action: WatchAction): WatchState {
  switch (action.type) {
    case 'batch':
      return action.actions.reduce(watchReducer, state);
    case 'exec':
      return applyExecUpdates(state, action.updates);
    case 'snapshots':
      return applySnapshots(state, action.snapshots);
    case 'snapshot-changes':
      return state.changes[action.id] === action.changed
        ? state
        : { ...state, changes: { ...state.changes, [action.id]: action.changed } };
    case 'run':
      return { ...state, run: action.run, runLost: action.lost };
    case 'tracer':
      return { ...state, tracer: action.tracer };
    case 'tick':
      return { ...state, now: action.now };
    case 'notice': {
      const { [action.source]: _previous, ...others } = state.notices;
      return {
        ...state,
        notices: action.message === null ? others : { ...others, [action.source]: action.message },
      };
    }
    case 'key':
      return applyKey(state, action.key);
    case 'command-result':
      return applyCommandResult(state, action.commandId, action.result);
  }
}

function applyExecUpdates(state: WatchState, updates: readonly ExecUpdate[]): WatchState {
  if (updates.length === 0) return state;
  const { maxRunning, maxFinished } = state.limits;
  const running = new Map(state.running.map((event) => [event.seq, event]));
  let runningHidden = state.runningHidden;
  const ended: ExecEvent[] = [];
  for (const { kind, event } of updates) {
    if (kind === 'start') {
      if (running.has(event.seq) || running.size < maxRunning) running.set(event.seq, event);
      else runningHidden += 1;
    } else {
      if (!running.delete(event.seq) && runningHidden > 0) runningHidden -= 1;
      ended.push(event);
    }
  }
  const finished = ended.length === 0 ? state.finished : [...state.finished, ...ended].slice(-maxFinished);
  return {
    ...state,
    running: [...running.values()].sort((a, b) => a.seq - b.seq),
    runningHidden,
    finished,
    finishedTotal: state.finishedTotal + ended.length,
    failedTotal: state.failedTotal + ended.filter(failed).length,
  };
}

function applySnapshots(state: WatchState, snapshots: readonly SnapshotRecord[]): WatchState {
  const ids = new Set(snapshots.map((s) => s.id));
  // Keep the selection on the same snapshot; select the newest when there was none or it is gone.
  const selected =
    state.selected !== null && ids.has(state.selected) ? state.selected : (snapshots[0]?.id ?? null);
  const changes = Object.fromEntries(Object.entries(state.changes).filter(([id]) => ids.has(id)));
  return { ...state, snapshots: [...snapshots], selected, changes };
}

function moveSelection(state: WatchState, delta: number): WatchState {
  if (state.snapshots.length === 0) return state;
  const index = state.snapshots.findIndex((s) => s.id === state.selected);
  const next = Math.min(state.snapshots.length - 1, Math.max(0, Math.max(index, 0) + delta));
  return { ...state, selected: state.snapshots[next]?.id ?? null };
}

function start(state: WatchState, command: Command): WatchState {
  return {
    ...state,
    mode: { kind: 'busy', command },
    pending: { id: state.nextCommandId, command },
    nextCommandId: state.nextCommandId + 1,
  };
}

/** Text typed into a prompt: printable input appended, backspace removes the last character. */
function edit(text: string, key: KeyPress): string {
  if (key.backspace || key.delete) return text.slice(0, -1);
  if (key.ctrl || key.meta || key.input === '') return text;
  return text + key.input.replace(/\t/g, ' ');
}

function applyKey(state: WatchState, key: KeyPress): WatchState {
  // Keys typed faster than the terminal is read (or pasted) arrive as one input: one at a time.
  const chars = [...key.input];
  if (chars.length > 1 && !key.ctrl && !key.meta) {
    return chars.reduce(
      (next, char) =>
        applyKey(next, char === '\r' || char === '\n' ? { input: '', return: true } : { input: char }),
      state,
    );
  }
  const { mode } = state;
  switch (mode.kind) {
    case 'busy':
      return state; // one command at a time; its result ends the mode
    case 'label':
      if (key.escape) return { ...state, mode: { kind: 'normal' } };
      if (key.return) return start(state, { kind: 'snapshot', label: mode.text.trim() || null });
      return { ...state, mode: { kind: 'label', text: edit(mode.text, key) } };
    case 'filter':
      if (key.escape) return { ...state, filter: '', mode: { kind: 'normal' } };
      if (key.return) return { ...state, mode: { kind: 'normal' } };
      {
        const text = edit(mode.text, key);
        return { ...state, filter: text, mode: { kind: 'filter', text } };
      }
    case 'confirm-restore':
      if (key.input === 'y' || key.input === 'Y') return start(state, { kind: 'restore', id: mode.id });
      return { ...state, mode: { kind: 'normal' } };
    case 'normal':
      return applyNormalKey(state, key);
  }
}

function applyNormalKey(state: WatchState, key: KeyPress): WatchState {
  if (key.upArrow || key.input === 'k') return moveSelection(state, -1);
  if (key.downArrow || key.input === 'j') return moveSelection(state, 1);
  if (key.escape) {
    if (state.panel) return { ...state, panel: null };
    if (state.filter || state.failuresOnly) return { ...state, filter: '', failuresOnly: false };
    return state;
  }
  switch (key.input) {
    case 'q':
      return { ...state, quitting: true };
    case 's':
      return { ...state, mode: { kind: 'label', text: '' } };
    case '/':
      return { ...state, mode: { kind: 'filter', text: state.filter } };
    case 'f':
      return { ...state, failuresOnly: !state.failuresOnly };
    case 'd':
      return state.selected ? start(state, { kind: 'diff', id: state.selected }) : noSnapshot(state);
    case 'r':
      return state.selected
        ? { ...state, mode: { kind: 'confirm-restore', id: state.selected } }
        : noSnapshot(state);
    default:
      return state;
  }
}

function noSnapshot(state: WatchState): WatchState {
  return { ...state, panel: { kind: 'error', message: 'no snapshot selected (the run has none yet)' } };
}

function applyCommandResult(state: WatchState, commandId: number, result: CommandResult): WatchState {
  if (state.pending?.id !== commandId) return state; // a stale result
  const done = { ...state, pending: null, mode: { kind: 'normal' } as const };
  switch (result.kind) {
    case 'error':
      return { ...done, panel: { kind: 'error', message: result.message } };
    case 'diff':
      return { ...done, panel: { kind: 'diff', id: result.id, diff: result.diff } };
    case 'snapshot':
      return {
        ...applySnapshots(done, insertNewest(done.snapshots, result.record)),
        selected: result.record.id,
        panel: { kind: 'snapshot', record: result.record },
      };
    case 'restore':
      return {
        ...applySnapshots(done, insertNewest(done.snapshots, result.safety)),
        panel: { kind: 'restored', id: result.id, safetyId: result.safety.id, changes: result.changes },
      };
  }
}

/** Shows a snapshot this UI just took before the next poll of the list sees it. */
function insertNewest(snapshots: readonly SnapshotRecord[], record: SnapshotRecord): SnapshotRecord[] {
  return snapshots.some((s) => s.id === record.id) ? [...snapshots] : [record, ...snapshots];
}
