import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SnapshotEngine, type SnapshotSettings } from '../engine/engine.js';
import { tempDir, writeTree } from '../test-support/workspace.js';

const settings: SnapshotSettings = {
  backend: 'auto',
  exclude: { ignore_gitignore: false, additional: [] },
  limits: { max_files: 100_000, max_total_bytes: 2 ** 30, max_file_bytes: 2 ** 30 },
  retention: { max_count: 10, delete_initial: false },
};

function open(backend: SnapshotSettings['backend']) {
  const root = tempDir();
  writeTree(root, { 'ws/README.md': '# project\n' });
  return SnapshotEngine.open({
    workspace: join(root, 'ws'),
    snapshotsDir: join(root, 'run'),
    storeDir: join(root, 'store'),
    settings: { ...settings, backend },
  });
}

describe('choosing the backend', () => {
  it('auto is the store on a directory that is no btrfs subvolume', async () => {
    expect((await open('auto')).backend).toBe('store');
  });

  it.runIf(process.platform !== 'darwin')('never uses APFS off macOS, and says so in one line', async () => {
    await expect(open('apfs')).rejects.toMatchObject({
      code: 'unsupported',
      message:
        'snapshots.backend "apfs" needs macOS with the workspace on an APFS volume; use "auto" or "store" in moat.yaml',
    });
  });
});
