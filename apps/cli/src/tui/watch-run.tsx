import { join } from 'node:path';
import type { SnapshotEngine } from '@moat/snapshot';
import { render } from 'ink';
import { openEngine, type RunContext } from '../run-context/run-context.js';
import { engineActions } from './actions/watch-actions.js';
import { colorEnabled } from './components/theme.js';
import {
  clockSource,
  execLogSource,
  runRecordSource,
  snapshotSource,
  tracerStatusSource,
  type WatchSource,
} from './sources/sources.js';
import { initialWatchState } from './state/watch-state.js';
import { WatchApp } from './watch-app.js';

/** Written by the supervisor next to the run record (see WatchState.tracer). */
export const TRACER_STATUS_FILE = 'tracer.json';

export interface WatchRunOptions {
  stdout?: NodeJS.WriteStream;
  stdin?: NodeJS.ReadStream;
  env?: NodeJS.ProcessEnv;
}

/** Shows a run in the Ink UI until the user quits (q or Ctrl+C). */
export async function watchRun(ctx: RunContext, options: WatchRunOptions = {}): Promise<void> {
  const { store, run, config } = ctx;
  const engine = memoized(() => openEngine(ctx));
  const sources: WatchSource[] = [
    execLogSource(store.paths.execLogPath(run.id)),
    snapshotSource({
      list: async () => (await engine()).list(),
      changedFiles: async (from, to) => {
        const diff = await (await engine()).diff(from, to);
        return diff.added.length + diff.modified.length + diff.deleted.length;
      },
    }),
    runRecordSource(() => store.get(run.id)),
    tracerStatusSource(join(store.paths.runDir(run.id), TRACER_STATUS_FILE)),
    clockSource(),
  ];
  const instance = render(
    <WatchApp
      initialState={initialWatchState({
        run,
        snapshotBackend: await backendLabel(engine, config.snapshots.backend),
        now: Date.now(),
      })}
      sources={sources}
      actions={engineActions(engine)}
      color={colorEnabled(options.env)}
    />,
    { stdout: options.stdout ?? process.stdout, stdin: options.stdin ?? process.stdin, patchConsole: false },
  );
  await instance.waitUntilExit();
}

/** The backend new snapshots use, as the engine decided it (`btrfs (auto)`), else as configured. */
async function backendLabel(engine: () => Promise<SnapshotEngine>, configured: string): Promise<string> {
  try {
    const { backend } = await engine();
    return configured === 'auto' ? `${backend} (auto)` : backend;
  } catch {
    return configured; // the header says what was asked for; the engine's error shows on use
  }
}

/** Opens the engine once; a failure (the workspace is gone) is retried on the next call. */
function memoized(open: () => Promise<SnapshotEngine>): () => Promise<SnapshotEngine> {
  let engine: Promise<SnapshotEngine> | undefined;
  return () => {
    engine ??= open();
    engine.catch(() => {
      engine = undefined;
    });
    return engine;
  };
}
