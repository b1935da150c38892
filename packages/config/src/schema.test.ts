import { describe, expect, it } from 'vitest';
import { defaultConfig } from './schema.js';

describe('defaultConfig', () => {
  it('holds the documented defaults', () => {
    expect(defaultConfig()).toEqual({
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
        limits: { max_files: 1_000_000, max_total_bytes: 21_474_836_480, max_file_bytes: 2_147_483_648 },
      },
      tracing: { disable_exec: false },
    });
  });

  it('returns a fresh object each call, so a caller cannot change the next caller’s defaults', () => {
    const first = defaultConfig();
    first.snapshots.exclude.additional.push('*.log');
    first.snapshots.triggers.idle_threshold_seconds = 5;
    const second = defaultConfig();
    expect(second.snapshots.exclude.additional).toEqual([]);
    expect(second.snapshots.triggers.idle_threshold_seconds).toBe(30);
  });
});
