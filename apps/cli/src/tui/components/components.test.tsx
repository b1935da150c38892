import { render } from 'ink-testing-library';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { selectExecView, selectFooter, selectHeader, selectTimeline } from '../state/selectors.js';
import { initialWatchState, type WatchAction, watchReducer } from '../state/watch-state.js';
import {
  ended,
  makeDiff,
  makeEvent,
  makeRun,
  makeSnapshot,
  plain,
  started,
  T0,
} from '../test-support/fixtures.js';
import { ExecLine } from './exec-line.js';
import { ExecPane } from './exec-pane.js';
import { Footer } from './footer.js';
import { Header } from './header.js';
import { ResultPanel } from './result-panel.js';
import { SnapshotTimeline } from './snapshot-timeline.js';
import { ColorProvider, colorEnabled } from './theme.js';

// Colours are asserted: chalk decides at import whether to emit them, and a test's stdout is no TTY.
const previousForceColor = vi.hoisted(() => {
  const previous = process.env.FORCE_COLOR;
  process.env.FORCE_COLOR = '1';
  return previous;
});
afterAll(() => {
  if (previousForceColor === undefined) delete process.env.FORCE_COLOR;
  else process.env.FORCE_COLOR = previousForceColor;
});

const state = (...actions: WatchAction[]) =>
  actions.reduce(
    watchReducer,
    initialWatchState({ run: makeRun(), snapshotBackend: 'store (auto)', now: T0 + 3000 }),
  );
const GREEN = '\u001B[32m';
const RED = '\u001B[31m';
const MAGENTA = '\u001B[35m';

describe('Header', () => {
  it('shows the run, workspace, state, elapsed time, backend and tracer', () => {
    const view = selectHeader(
      state({
        type: 'tracer',
        tracer: { backend: 'proc', degraded: true, reason: 'addon missing', lost: 0, dropped: 0 },
      }),
    );
    const frame = plain(render(<Header view={view} />).lastFrame());
    for (const text of [
      'fix-ci',
      'running',
      '3.0s',
      '/home/me/src/app',
      'store (auto)',
      'degraded (proc): addon missing',
    ])
      expect(frame).toContain(text);
  });
});

describe('ExecLine', () => {
  it('colours exit codes: 0 green, non-zero red, a signal magenta', () => {
    const line = (overrides: Parameters<typeof makeEvent>[1]) =>
      render(<ExecLine event={makeEvent(1, { duration_ms: 1500, ...overrides })} now={0} />).lastFrame() ??
      '';
    expect(line({ exit_code: 0 })).toContain(`${GREEN}exit 0`);
    expect(line({ exit_code: 2 })).toContain(`${RED}exit 2`);
    expect(line({ signal: 9 })).toContain(`${MAGENTA}sig 9`);
    expect(plain(line({ exit_code: 0 }))).toMatch(/#1 +exit 0 +1\.5s git status/);
  });

  it('shows a running process with its time so far, and an incomplete argv', () => {
    const event = makeEvent(4, { command: 'node', args: [], argv_status: 'comm_only' });
    const frame = plain(
      render(<ExecLine event={event} now={Date.parse(event.timestamp) + 2000} />).lastFrame(),
    );
    expect(frame).toMatch(/#4 +running +2\.0s node \(comm only\)/);
  });

  it('renders no colour under NO_COLOR', () => {
    const frame = render(
      <ColorProvider color={colorEnabled({ NO_COLOR: '1' })}>
        <ExecLine event={makeEvent(1, { exit_code: 2, duration_ms: 5 })} now={0} />
      </ColorProvider>,
    ).lastFrame();
    expect(frame).toContain('#1'); // rendered, in fact
    expect(frame).not.toContain(RED);
    expect(frame).toContain('exit 2');
  });
});

describe('ExecPane', () => {
  it('shows running processes, and matches when a filter is on', () => {
    const s = state(
      {
        type: 'exec',
        updates: [
          started(1, { command: 'vitest', args: [] }),
          ended(2, { command: 'tsc', args: [], exit_code: 1 }),
        ],
      },
      { type: 'key', key: { input: 'f' } },
    );
    const frame = plain(render(<ExecPane view={selectExecView(s, 10)} now={s.now} />).lastFrame());
    expect(frame).toContain('Matches (failures only): 1 of the last 1 finished');
    expect(frame).toMatch(/#2 +exit 1 .* tsc/);
    expect(frame).not.toContain('vitest'); // running, not failed
    const all = render(
      <ExecPane
        view={selectExecView(
          state({ type: 'exec', updates: [started(1, { command: 'vitest', args: [] })] }),
          10,
        )}
        now={T0}
      />,
    );
    expect(plain(all.lastFrame())).toMatch(/#1 +running .*vitest/);
  });
});

describe('SnapshotTimeline', () => {
  it('lists type, time, label, files and changes, and marks the selection', () => {
    const s = state(
      {
        type: 'snapshots',
        snapshots: [
          makeSnapshot(2, { type: 'git', label: 'git commit' }),
          makeSnapshot(1, { type: 'pre-run' }),
        ],
      },
      { type: 'snapshot-changes', id: makeSnapshot(2).id, changed: 3 },
      { type: 'key', key: { input: 'j' } },
    );
    const frame = plain(render(<SnapshotTimeline view={selectTimeline(s, 5)} />).lastFrame());
    expect(frame).toContain('Snapshots (2)');
    expect(frame).toMatch(/git +\d\d:\d\d:\d\d snap_000000000002 12 files +3 changed git commit/);
    expect(frame).toMatch(/› pre-run .*snap_000000000001 11 files/);
  });

  it('says when there are none', () => {
    expect(plain(render(<SnapshotTimeline view={selectTimeline(state(), 5)} />).lastFrame())).toContain(
      'Snapshots (none yet)',
    );
  });
});

describe('ResultPanel', () => {
  it('shows a diff: counts and the first paths', () => {
    const diff = makeDiff(['new.ts'], ['changed.ts'], ['gone.ts']);
    const frame = plain(render(<ResultPanel panel={{ kind: 'diff', id: 'snap_1', diff }} />).lastFrame());
    expect(frame).toContain('+1 added, ~1 modified, -1 deleted');
    expect(frame).toMatch(/\+ new\.ts[\s\S]*~ changed\.ts[\s\S]*- gone\.ts/);
  });

  it('caps the paths it lists', () => {
    const diff = makeDiff(Array.from({ length: 20 }, (_, i) => `f${i}`));
    expect(plain(render(<ResultPanel panel={{ kind: 'diff', id: 'snap_1', diff }} />).lastFrame())).toContain(
      '… and 12 more',
    );
  });

  it('shows a restore with its undo, a new snapshot and errors', () => {
    const restored = plain(
      render(
        <ResultPanel
          panel={{ kind: 'restored', id: 'snap_a', safetyId: 'snap_safe', changes: makeDiff([], ['x']) }}
        />,
      ).lastFrame(),
    );
    expect(restored).toContain('restored to snap_a');
    expect(restored).toContain('undo: restore the safety snapshot snap_safe');
    const record = makeSnapshot(3, { label: 'mine' });
    expect(plain(render(<ResultPanel panel={{ kind: 'snapshot', record }} />).lastFrame())).toContain(
      `snapshot ${record.id} taken (13 files, "mine")`,
    );
    expect(plain(render(<ResultPanel panel={{ kind: 'error', message: 'boom' }} />).lastFrame())).toContain(
      '✗ boom',
    );
  });
});

describe('Footer', () => {
  it('lists the keys, the prompt being typed and a notice', () => {
    const s = state({ type: 'key', key: { input: '/' } }, { type: 'key', key: { input: 'g' } });
    const frame = plain(render(<Footer view={selectFooter(s)} notices={['exec log: gone']} />).lastFrame());
    expect(frame).toContain('filter: g');
    expect(frame).toContain('exec log: gone');
    expect(plain(render(<Footer view={selectFooter(state())} notices={[]} />).lastFrame())).toContain(
      's snapshot · d diff · r restore · / filter · f failures · q quit',
    );
  });
});
