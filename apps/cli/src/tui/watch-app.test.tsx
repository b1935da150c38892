import { render } from 'ink-testing-library';
import { describe, expect, it, vi } from 'vitest';
import type { WatchActions } from './actions/watch-actions.js';
import type { WatchSource } from './sources/sources.js';
import { initialWatchState, type WatchAction } from './state/watch-state.js';
import { ended, makeDiff, makeRun, makeSnapshot, plain, started, T0 } from './test-support/fixtures.js';
import { WatchApp } from './watch-app.js';

const ENTER = '\r';
const ESC = '\u001B';

/** A source the test drives: what it pushes reaches the reducer through the container's batcher. */
function fakeSource() {
  let push: ((action: WatchAction) => void) | undefined;
  let aborted = false;
  const source: WatchSource = (p, signal) => {
    push = p;
    signal.addEventListener('abort', () => {
      aborted = true;
    });
  };
  return {
    source,
    push: (action: WatchAction) => push?.(action),
    get aborted() {
      return aborted;
    },
  };
}

function fakeActions() {
  return {
    snapshot: vi.fn(async (label: string | null) => makeSnapshot(7, { label })),
    diff: vi.fn(async () => makeDiff(['src/new.ts'], ['README.md'])),
    restore: vi.fn(async () => ({
      safety: makeSnapshot(8, { type: 'safety', label: 'pre-restore' }),
      changes: makeDiff([], ['a']),
    })),
  } satisfies WatchActions;
}

async function until(check: () => void, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      check();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }
}

function setup() {
  const feed = fakeSource();
  const actions = fakeActions();
  const app = render(
    <WatchApp
      initialState={initialWatchState({ run: makeRun(), snapshotBackend: 'store', now: T0 })}
      sources={[feed.source]}
      actions={actions}
      batchIntervalMs={5}
      color={false}
    />,
  );
  // The live region, whose header names the run: under ink-testing-library (Ink's debug mode) the
  // finished processes printed into the scrollback arrive as frames of their own.
  const frame = () => plain(app.frames.findLast((f) => f.includes('fix-ci')));
  /** Everything written, including finished processes printed into the scrollback. */
  const written = () => plain(app.frames.join(''));
  const press = async (...keys: string[]) => {
    for (const k of keys) {
      app.stdin.write(k);
      await new Promise((resolve) => setTimeout(resolve, 15));
    }
  };
  return { feed, actions, app, frame, written, press };
}

describe('WatchApp', () => {
  it('renders what the sources feed: header, finished and running processes, snapshots', async () => {
    const { feed, app, frame, written } = setup();
    feed.push({ type: 'exec', updates: [started(1, { command: 'pnpm', args: ['build'] }), started(2)] });
    feed.push({ type: 'exec', updates: [ended(2, { exit_code: 1 })] });
    feed.push({ type: 'snapshots', snapshots: [makeSnapshot(1, { type: 'pre-run' })] });
    await until(() => {
      expect(frame()).toContain('fix-ci');
      expect(written()).toMatch(/#2 +exit 1 .*git status/);
      expect(frame()).toMatch(/#1 +running .*pnpm build/);
      expect(frame()).toContain('pre-run');
    });
    app.unmount();
    expect(feed.aborted).toBe(true);
  });

  it('s: takes a snapshot with the label typed, through the actions', async () => {
    const { feed, actions, frame, press } = setup();
    feed.push({ type: 'snapshots', snapshots: [makeSnapshot(1)] });
    await press('s', 'w', 'i', 'p');
    await until(() => expect(frame()).toContain('snapshot label: wip'));
    await press(ENTER);
    await until(() => expect(frame()).toContain(`snapshot ${makeSnapshot(7).id} taken`));
    expect(actions.snapshot).toHaveBeenCalledWith('wip');
  });

  it('s then Esc cancels', async () => {
    const { actions, frame, press } = setup();
    await press('s', 'x', ESC);
    await until(() => expect(frame()).not.toContain('snapshot label'));
    expect(actions.snapshot).not.toHaveBeenCalled();
  });

  it('d: diffs the selected snapshot against the workspace and shows the panel', async () => {
    const { feed, actions, frame, press } = setup();
    feed.push({ type: 'snapshots', snapshots: [makeSnapshot(2), makeSnapshot(1)] });
    await until(() => expect(frame()).toContain('Snapshots (2)'));
    await press('j', 'd');
    await until(() => expect(frame()).toContain('+1 added, ~1 modified, -0 deleted'));
    expect(frame()).toContain('+ src/new.ts');
    expect(actions.diff).toHaveBeenCalledWith(makeSnapshot(1).id);
  });

  it('r: asks, restores on y and shows the undo; n cancels', async () => {
    const { feed, actions, frame, press } = setup();
    feed.push({ type: 'snapshots', snapshots: [makeSnapshot(1)] });
    await until(() => expect(frame()).toContain('Snapshots (1)'));
    await press('r');
    await until(() => expect(frame()).toContain('[y/N]'));
    await press('n');
    await until(() => expect(frame()).not.toContain('[y/N]'));
    expect(actions.restore).not.toHaveBeenCalled();
    await press('r', 'y');
    await until(() => expect(frame()).toContain(`undo: restore the safety snapshot ${makeSnapshot(8).id}`));
    expect(actions.restore).toHaveBeenCalledWith(makeSnapshot(1).id);
  });

  it('shows a failed action as one line', async () => {
    const { feed, actions, frame, press } = setup();
    actions.diff.mockRejectedValueOnce(new Error('workspace /w is not a directory that exists'));
    feed.push({ type: 'snapshots', snapshots: [makeSnapshot(1)] });
    await until(() => expect(frame()).toContain('Snapshots (1)'));
    await press('d');
    await until(() =>
      expect(frame()).toContain('✗ diff failed: workspace /w is not a directory that exists'),
    );
  });

  it('/ and f filter the exec pane', async () => {
    const { feed, frame, written, press } = setup();
    feed.push({
      type: 'exec',
      updates: [
        ended(1, { command: 'tsc', args: [] }),
        ended(2, { command: 'vitest', args: ['run'], exit_code: 1 }),
      ],
    });
    await until(() => expect(written()).toMatch(/#2 +exit 1/));
    await press('/', 't', 's', 'c', ENTER);
    await until(() => expect(frame()).toContain('Matches ("tsc"): 1 of the last 2 finished'));
    await press(ESC, 'f');
    await until(() => expect(frame()).toContain('Matches (failures only): 1 of the last 2 finished'));
  });

  it('q quits', async () => {
    const { feed, press } = setup();
    await press('q');
    await until(() => expect(feed.aborted).toBe(true)); // exit() unmounted the app, stopping its sources
  });
});
