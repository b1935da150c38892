import { describe, expect, it } from 'vitest';
import { ended, makeDiff, makeRun, makeSnapshot, started, T0 } from '../test-support/fixtures.js';
import {
  selectExecView,
  selectFooter,
  selectHeader,
  selectTimeline,
  formatDuration,
  matchesFilter,
} from './selectors.js';
import {
  type KeyPress,
  initialWatchState,
  type WatchAction,
  type WatchState,
  watchReducer,
} from './watch-state.js';

const initial = (limits = {}) =>
  initialWatchState({ run: makeRun(), snapshotBackend: 'store', now: T0, limits });
const reduce = (state: WatchState, ...actions: WatchAction[]) => actions.reduce(watchReducer, state);
const key = (input: string, extra: Partial<KeyPress> = {}): WatchAction => ({
  type: 'key',
  key: { input, ...extra },
});
const type = (text: string) => [...text].map((c) => key(c));
const withSnapshots = (n: number) =>
  reduce(initial(), {
    type: 'snapshots',
    snapshots: Array.from({ length: n }, (_, i) => makeSnapshot(n - i)),
  });

describe('exec updates', () => {
  it('keeps running events live and moves ended ones to finished, counting failures', () => {
    const state = reduce(
      initial(),
      { type: 'exec', updates: [started(1), started(2), started(3)] },
      { type: 'exec', updates: [ended(2, { exit_code: 1 }), ended(1)] },
    );
    expect(state.running.map((e) => e.seq)).toEqual([3]);
    expect(state.finished.map((e) => e.seq)).toEqual([2, 1]);
    expect(state.finishedTotal).toBe(2);
    expect(state.failedTotal).toBe(1);
  });

  it('counts a signal as a failure and an ended event never seen starting as finished', () => {
    const state = reduce(initial(), { type: 'exec', updates: [ended(7, { exit_code: null, signal: 9 })] });
    expect(state.finished).toHaveLength(1);
    expect(state.failedTotal).toBe(1);
    expect(state.running).toEqual([]);
  });

  it('keeps at most maxFinished finished events but counts them all', () => {
    const updates = Array.from({ length: 50 }, (_, i) => ended(i + 1));
    const state = reduce(initial({ maxFinished: 10 }), { type: 'exec', updates });
    expect(state.finished.map((e) => e.seq)).toEqual([41, 42, 43, 44, 45, 46, 47, 48, 49, 50]);
    expect(state.finishedTotal).toBe(50);
  });

  it('keeps at most maxRunning running events and counts the others', () => {
    let state = reduce(initial({ maxRunning: 3 }), {
      type: 'exec',
      updates: Array.from({ length: 5 }, (_, i) => started(i + 1)),
    });
    expect(state.running.map((e) => e.seq)).toEqual([1, 2, 3]);
    expect(state.runningHidden).toBe(2);
    expect(selectExecView(state, 10).runningMore).toBe(2);
    state = reduce(state, { type: 'exec', updates: [ended(5), ended(1)] });
    expect(state.running.map((e) => e.seq)).toEqual([2, 3]);
    expect(state.runningHidden).toBe(1);
  });

  it('returns the same state for an empty batch', () => {
    const state = initial();
    expect(watchReducer(state, { type: 'exec', updates: [] })).toBe(state);
  });

  it('applies a batch of actions in order', () => {
    const state = reduce(initial(), {
      type: 'batch',
      actions: [
        { type: 'exec', updates: [started(1)] },
        { type: 'exec', updates: [ended(1)] },
        { type: 'tick', now: T0 + 5 },
      ],
    });
    expect(state.finishedTotal).toBe(1);
    expect(state.now).toBe(T0 + 5);
  });
});

describe('run, tracer, clock and notices', () => {
  it('shows a running run with a live elapsed time and tracing off', () => {
    const header = selectHeader(reduce(initial(), { type: 'tick', now: T0 + 65_000 }));
    expect(header).toMatchObject({ title: 'fix-ci', status: 'running', elapsed: '1m 05s', tracer: 'off' });
  });

  it('shows an exited run with its code and the time it ran', () => {
    const run = makeRun({ state: 'exited', exit_code: 3, ended_at: new Date(T0 + 2500).toISOString() });
    const header = selectHeader(
      reduce(initial(), { type: 'run', run, lost: false }, { type: 'tick', now: T0 + 99_000 }),
    );
    expect(header).toMatchObject({ status: 'exited (code 3)', tone: 'failed', elapsed: '2.5s' });
  });

  it('shows a run whose end was never recorded as lost, not running', () => {
    const lost = reduce(initial(), { type: 'run', run: makeRun(), lost: true });
    expect(selectHeader(lost)).toMatchObject({ status: 'lost (end not recorded)', tone: 'failed' });
    const back = reduce(lost, { type: 'run', run: makeRun(), lost: false });
    expect(selectHeader(back)).toMatchObject({ status: 'running', tone: 'running' });
  });

  it('describes the tracer: backend and losses, or degraded with the reason', () => {
    const ok = reduce(initial(), {
      type: 'tracer',
      tracer: { backend: 'native', degraded: false, reason: null, lost: 0, dropped: 0 },
    });
    expect(selectHeader(ok)).toMatchObject({ tracer: 'native, lost 0', tracerTone: 'ok' });
    const degraded = reduce(ok, {
      type: 'tracer',
      tracer: { backend: 'proc', degraded: true, reason: 'no addon', lost: 2, dropped: 1 },
    });
    expect(selectHeader(degraded)).toMatchObject({
      tracer: 'degraded (proc): no addon; lost 2, dropped 1',
      tracerTone: 'warn',
    });
    expect(selectHeader(reduce(degraded, { type: 'tracer', tracer: null })).tracer).toBe('off');
  });

  it('sets and clears notices per source', () => {
    const state = reduce(
      initial(),
      { type: 'notice', source: 'exec log', message: 'gone' },
      { type: 'notice', source: 'snapshots', message: 'no workspace' },
    );
    expect(state.notices).toEqual({ 'exec log': 'gone', snapshots: 'no workspace' });
    expect(reduce(state, { type: 'notice', source: 'exec log', message: null }).notices).toEqual({
      snapshots: 'no workspace',
    });
  });
});

describe('snapshots and selection', () => {
  it('selects the newest snapshot first and keeps the selection while the list grows', () => {
    let state = withSnapshots(3);
    expect(state.selected).toBe(makeSnapshot(3).id);
    state = reduce(state, key('j'), key('', { downArrow: true }));
    expect(state.selected).toBe(makeSnapshot(1).id);
    state = reduce(state, key('j')); // stays on the last one
    expect(state.selected).toBe(makeSnapshot(1).id);
    state = reduce(state, {
      type: 'snapshots',
      snapshots: [makeSnapshot(4), makeSnapshot(3), makeSnapshot(2), makeSnapshot(1)],
    });
    expect(state.selected).toBe(makeSnapshot(1).id);
    state = reduce(state, key('k'), key('', { upArrow: true }), key('k'), key('k'));
    expect(state.selected).toBe(makeSnapshot(4).id);
  });

  it('moves the selection to the newest when the selected snapshot disappears, and drops its changes', () => {
    let state = reduce(withSnapshots(2), key('j'), {
      type: 'snapshot-changes',
      id: makeSnapshot(1).id,
      changed: 4,
    });
    expect(state.changes).toEqual({ [makeSnapshot(1).id]: 4 });
    state = reduce(state, { type: 'snapshots', snapshots: [makeSnapshot(2)] });
    expect(state.selected).toBe(makeSnapshot(2).id);
    expect(state.changes).toEqual({});
  });

  it('shows a window of the timeline that holds the selection', () => {
    let state = withSnapshots(10);
    state = reduce(state, ...Array.from({ length: 8 }, () => key('j')));
    const view = selectTimeline({ ...state, changes: { [makeSnapshot(2).id]: 7 } }, 4);
    expect(view.rows.map((r) => r.id)).toEqual([6, 4, 3, 2, 1].slice(1).map((n) => makeSnapshot(n).id));
    expect(view.rows.find((r) => r.selected)?.id).toBe(makeSnapshot(2).id);
    expect(view.rows.find((r) => r.selected)?.changed).toBe(7);
    expect(view).toMatchObject({ above: 6, below: 0, total: 10 });
  });
});

describe('keys and commands', () => {
  it('s prompts for a label, Enter takes the snapshot, its result selects it', () => {
    let state = reduce(withSnapshots(1), key('s'), ...type('before  refactor'), key('', { backspace: true }));
    expect(state.mode).toEqual({ kind: 'label', text: 'before  refacto' });
    expect(selectFooter(state).prompt).toContain('snapshot label: before  refacto');
    state = reduce(state, key('', { return: true }));
    expect(state.pending).toEqual({ id: 1, command: { kind: 'snapshot', label: 'before  refacto' } });
    expect(state.mode.kind).toBe('busy');
    expect(reduce(state, key('q')).quitting).toBe(false); // keys wait while busy
    const record = makeSnapshot(9, { label: 'before  refacto' });
    state = reduce(state, { type: 'command-result', commandId: 1, result: { kind: 'snapshot', record } });
    expect(state).toMatchObject({ pending: null, mode: { kind: 'normal' }, selected: record.id });
    expect(state.snapshots[0]).toEqual(record);
    expect(state.panel).toEqual({ kind: 'snapshot', record });
  });

  it('Esc cancels the label prompt; an empty label is null', () => {
    expect(reduce(initial(), key('s'), key('x'), key('', { escape: true })).mode).toEqual({ kind: 'normal' });
    expect(reduce(initial(), key('s'), key(' '), key('', { return: true })).pending?.command).toEqual({
      kind: 'snapshot',
      label: null,
    });
  });

  it('d diffs the selected snapshot and shows the result; Esc closes the panel', () => {
    let state = reduce(withSnapshots(2), key('j'), key('d'));
    expect(state.pending?.command).toEqual({ kind: 'diff', id: makeSnapshot(1).id });
    const diff = makeDiff(['a.ts'], ['b.ts']);
    state = reduce(state, {
      type: 'command-result',
      commandId: state.pending?.id ?? 0,
      result: { kind: 'diff', id: makeSnapshot(1).id, diff },
    });
    expect(state.panel).toEqual({ kind: 'diff', id: makeSnapshot(1).id, diff });
    expect(reduce(state, key('', { escape: true })).panel).toBeNull();
  });

  it('d and r without snapshots say so', () => {
    expect(reduce(initial(), key('d')).panel).toMatchObject({ kind: 'error' });
    expect(reduce(initial(), key('r')).pending).toBeNull();
  });

  it('r asks for confirmation: y restores, anything else cancels; the result shows the undo', () => {
    const id = makeSnapshot(1).id;
    expect(reduce(withSnapshots(1), key('r'), key('n'))).toMatchObject({
      mode: { kind: 'normal' },
      pending: null,
    });
    let state = reduce(withSnapshots(1), key('r'));
    expect(state.mode).toEqual({ kind: 'confirm-restore', id });
    expect(selectFooter(state).prompt).toContain('[y/N]');
    state = reduce(state, key('y'));
    expect(state.pending?.command).toEqual({ kind: 'restore', id });
    const safety = makeSnapshot(5, { type: 'safety', label: 'pre-restore' });
    state = reduce(state, {
      type: 'command-result',
      commandId: state.pending?.id ?? 0,
      result: { kind: 'restore', id, safety, changes: makeDiff([], ['x']) },
    });
    expect(state.panel).toMatchObject({ kind: 'restored', id, safetyId: safety.id });
    expect(state.snapshots.map((s) => s.id)).toEqual([safety.id, id]);
  });

  it('ignores a result for another command and shows errors', () => {
    let state = reduce(withSnapshots(1), key('d'));
    expect(
      reduce(state, { type: 'command-result', commandId: 99, result: { kind: 'error', message: 'x' } }),
    ).toBe(state);
    state = reduce(state, {
      type: 'command-result',
      commandId: 1,
      result: { kind: 'error', message: 'diff failed: gone' },
    });
    expect(state).toMatchObject({
      panel: { kind: 'error', message: 'diff failed: gone' },
      mode: { kind: 'normal' },
    });
  });

  it('/ filters the exec pane as you type; Enter keeps it, Esc clears it', () => {
    const base = reduce(initial(), {
      type: 'exec',
      updates: [
        ended(1, { command: 'tsc', args: ['-p', '.'] }),
        ended(2, { command: 'git', args: ['commit', '-m', 'x'] }),
        started(3, { command: 'tsc', args: ['--watch'] }),
      ],
    });
    let state = reduce(base, key('/'), ...type('TSC'));
    expect(state.filter).toBe('TSC');
    state = reduce(state, key('', { return: true }));
    expect(state.mode.kind).toBe('normal');
    const view = selectExecView(state, 10);
    expect(view.filter?.matches.map((e) => e.seq)).toEqual([1]);
    expect(view.filter?.matchCount).toBe(1);
    expect(view.running.map((e) => e.seq)).toEqual([3]);
    expect(reduce(state, key('/'), key('', { escape: true })).filter).toBe('');
    expect(reduce(state, key('', { escape: true })).filter).toBe('');
  });

  it('f toggles failures only', () => {
    const base = reduce(initial(), {
      type: 'exec',
      updates: [ended(1), ended(2, { exit_code: 2 }), ended(3, { exit_code: null, signal: 15 })],
    });
    const state = reduce(base, key('f'));
    expect(selectExecView(state, 10).filter?.matches.map((e) => e.seq)).toEqual([2, 3]);
    expect(selectFooter(state).keys).toContain('f all');
    expect(reduce(state, key('f')).failuresOnly).toBe(false);
    expect(selectExecView(base, 10).filter).toBeNull();
  });

  it('takes keys that arrive together one at a time, Enter included', () => {
    const state = reduce(withSnapshots(2), key('sfirst\r'));
    expect(state.pending?.command).toEqual({ kind: 'snapshot', label: 'first' });
    expect(reduce(withSnapshots(3), key('jj')).selected).toBe(makeSnapshot(1).id);
  });

  it('q quits', () => {
    expect(reduce(initial(), key('q')).quitting).toBe(true);
  });
});

describe('helpers', () => {
  it('formats durations', () => {
    expect([850, 12_340, 245_000, 7_380_000, -1].map(formatDuration)).toEqual([
      '850ms',
      '12.3s',
      '4m 05s',
      '2h 03m',
      '-',
    ]);
  });

  it('matches text against the command line and working directory, case-insensitively', () => {
    const event = ended(1, { command: 'pnpm', args: ['build'], working_dir: '/w/packages/Trace' }).event;
    expect(matchesFilter(event, 'pnpm b', false)).toBe(true);
    expect(matchesFilter(event, 'trace', false)).toBe(true);
    expect(matchesFilter(event, 'tsc', false)).toBe(false);
    expect(matchesFilter(event, '', true)).toBe(false);
  });
});
