export type { WatchActions } from './actions/watch-actions.js';
export { engineActions } from './actions/watch-actions.js';
export type { WatchSource } from './sources/sources.js';
export type { TracerStatusFile, WatchAction, WatchState } from './state/watch-state.js';
export { initialWatchState, watchReducer } from './state/watch-state.js';
export { WatchApp, type WatchAppProps } from './watch-app.js';
export { TRACER_STATUS_FILE, type WatchRunOptions, watchRun } from './watch-run.js';
