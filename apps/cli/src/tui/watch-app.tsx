import { Box, useApp, useInput, useStdout } from 'ink';
import { useEffect, useReducer } from 'react';
import { runCommand, type WatchActions } from './actions/watch-actions.js';
import { ExecPane } from './components/exec-pane.js';
import { Footer } from './components/footer.js';
import { Header } from './components/header.js';
import { ResultPanel } from './components/result-panel.js';
import { SnapshotTimeline } from './components/snapshot-timeline.js';
import { ColorProvider } from './components/theme.js';
import { ExecLog } from './scrollback/exec-log.js';
import { createBatcher } from './sources/batcher.js';
import type { WatchSource } from './sources/sources.js';
import { selectExecView, selectFooter, selectHeader, selectTimeline } from './state/selectors.js';
import { type WatchState, watchReducer } from './state/watch-state.js';

export interface WatchAppProps {
  initialState: WatchState;
  /** Started once, stopped on exit; they feed the reducer through a batcher. */
  sources: readonly WatchSource[];
  actions: WatchActions;
  /** At most one render per interval from the sources (keys render at once). */
  batchIntervalMs?: number;
  color?: boolean;
}

const TIMELINE_ROWS = 5;
/** Lines the live region needs besides the running processes (header, timeline, panel, footer). */
const FIXED_LINES = 5 + (TIMELINE_ROWS + 3) + 3 + 2;

/** The container: owns the state, runs the sources and the commands; components only render. */
export function WatchApp({
  initialState,
  sources,
  actions,
  batchIntervalMs = 100,
  color = true,
}: WatchAppProps) {
  const [state, dispatch] = useReducer(watchReducer, initialState);
  const { exit } = useApp();
  const { stdout } = useStdout();

  useEffect(() => {
    const controller = new AbortController();
    const batcher = createBatcher(dispatch, batchIntervalMs);
    for (const source of sources) source(batcher.push, controller.signal);
    return () => {
      controller.abort();
      batcher.close();
    };
  }, [sources, batchIntervalMs]);

  useEffect(() => {
    const { pending } = state;
    if (!pending) return;
    void runCommand(actions, pending.command).then((result) =>
      dispatch({ type: 'command-result', commandId: pending.id, result }),
    );
  }, [state.pending, actions]);

  useEffect(() => {
    if (state.quitting) exit();
  }, [state.quitting, exit]);

  useInput((input, key) => {
    dispatch({
      type: 'key',
      key: {
        input,
        upArrow: key.upArrow,
        downArrow: key.downArrow,
        return: key.return,
        escape: key.escape,
        backspace: key.backspace,
        delete: key.delete,
        ctrl: key.ctrl,
        meta: key.meta,
      },
    });
  });

  // Keep the live region shorter than the terminal: a taller one makes Ink redraw the whole screen.
  const rows = stdout.rows || 40;
  const panelLines = state.panel?.kind === 'diff' ? 13 : state.panel ? 4 : 0;
  const execLines = Math.max(3, rows - FIXED_LINES - panelLines);

  return (
    <ColorProvider color={color}>
      <ExecLog events={state.finished} total={state.finishedTotal} color={color} />
      <Box flexDirection="column">
        <Header view={selectHeader(state)} />
        <ExecPane view={selectExecView(state, execLines)} now={state.now} />
        <SnapshotTimeline view={selectTimeline(state, TIMELINE_ROWS)} />
        {state.panel ? <ResultPanel panel={state.panel} /> : null}
        <Footer
          view={selectFooter(state)}
          notices={Object.entries(state.notices).map(([source, message]) => `${source}: ${message}`)}
        />
      </Box>
    </ColorProvider>
  );
}
