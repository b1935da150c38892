import type { ConfigWarning } from './errors.js';

/** Storage backends a snapshot can use; `auto` picks the best one available for the workspace. */
export const SNAPSHOT_BACKENDS = ['auto', 'store', 'archive', 'btrfs', 'apfs'] as const;
export type SnapshotBackend = (typeof SNAPSHOT_BACKENDS)[number];

// Field names are the YAML keys verbatim, so the file, the code and JSON output share one vocabulary.

export interface SnapshotTriggersConfig {
  disable_pre_run: boolean;
  disable_git_commits: boolean;
  disable_builds: boolean;
  disable_idle: boolean;
  idle_threshold_seconds: number;
}

export interface SnapshotExcludeConfig {
  /** `false` means paths ignored by the workspace's `.gitignore` files stay out of snapshots. */
  ignore_gitignore: boolean;
  /** Extra gitignore-syntax patterns, relative to the workspace root. */
  additional: string[];
}

export interface SnapshotRetentionConfig {
  /** Snapshots kept per run, the oldest deleted first; `0` means unlimited. */
  max_count: number;
  /** Lets retention delete the pre-run snapshot, which it otherwise always keeps. */
  delete_initial: boolean;
}

/** Checked when a snapshot is taken, so that every snapshot that exists can also be restored. */
export interface SnapshotLimitsConfig {
  max_files: number;
  max_total_bytes: number;
  max_file_bytes: number;
}

export interface SnapshotsConfig {
  disabled: boolean;
  backend: SnapshotBackend;
  triggers: SnapshotTriggersConfig;
  exclude: SnapshotExcludeConfig;
  retention: SnapshotRetentionConfig;
  limits: SnapshotLimitsConfig;
}

export interface TracingConfig {
  disable_exec: boolean;
}

export interface MoatConfig {
  snapshots: SnapshotsConfig;
  tracing: TracingConfig;
}

const GiB = 1024 ** 3;

export function defaultConfig(): MoatConfig {
  return {
    snapshots: {
      disabled: false,
      backend: 'auto',
      triggers: {
        disable_pre_run: false,
        disable_git_commits: false,
        disable_builds: false,
        disable_idle: false,
        idle_threshold_seconds: 30,
      },
      exclude: { ignore_gitignore: false, additional: [] },
      retention: { max_count: 10, delete_initial: false },
      limits: { max_files: 1_000_000, max_total_bytes: 20 * GiB, max_file_bytes: 2 * GiB },
    },
    tracing: { disable_exec: false },
  };
}

export interface LoadedConfig {
  config: MoatConfig;
  /** The file the config came from, as shown in messages; null when there is none and defaults apply. */
  file: string | null;
  warnings: ConfigWarning[];
}
