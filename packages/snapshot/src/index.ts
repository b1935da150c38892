export { extractArchive, writeArchive } from './archive/index.js';
export { SnapshotEngine } from './engine/engine.js';
export { formatBytes } from './engine/limits.js';
export { selectForPrune, selectForRetention } from './engine/retention.js';
export { SNAPSHOT_TYPES } from './engine/snapshot-record.js';
export { defaultStoreDir } from './engine/store-location.js';
export { SnapshotError } from './errors.js';

export type {
  InterruptedRestore,
  OnProgress,
  ProgressPhase,
  RestoreResult,
  SnapshotEngineOptions,
  SnapshotSettings,
  VerifyResult,
} from './engine/engine.js';
export type { ExtractSummary, WriteArchiveOptions, WriteSummary } from './archive/index.js';
export type { BackendName } from './backends/index.js';
export type { LimitSettings } from './engine/limits.js';
export type { RetentionSettings } from './engine/retention.js';
export type { SnapshotRecord, SnapshotType } from './engine/snapshot-record.js';
export type { SnapshotErrorCode } from './errors.js';
export type { WatchWorkspaceOptions, WorkspaceWatch } from './watch/workspace-watcher.js';
export type { EntryType } from './scan/types.js';
export type { DiffEntry, SnapshotDiff } from './tree/summarize-diff.js';
