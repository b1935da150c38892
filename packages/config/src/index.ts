export { ConfigError } from './errors.js';
export { loadConfig } from './load.js';
export { parseConfig } from './parse.js';
export { defaultConfig } from './schema.js';

export type { ConfigErrorCode, ConfigWarning } from './errors.js';
export type {
  LoadedConfig,
  MoatConfig,
  SnapshotBackend,
  SnapshotExcludeConfig,
  SnapshotLimitsConfig,
  SnapshotRetentionConfig,
  SnapshotsConfig,
  SnapshotTriggersConfig,
  TracingConfig,
} from './schema.js';
