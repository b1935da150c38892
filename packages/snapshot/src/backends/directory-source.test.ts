import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { applyRestore } from '../restore/apply.js';
import type { PlannedEntry, RestorePlan } from '../restore/plan.js';
import { tempDir } from '../test-support/workspace.js';
import { DirectorySource } from './directory-source.js';

const MTIME_US = 1_600_000_000_123_456;

/** A payload directory holding `notes.txt` as a snapshot recorded it, and the plan that writes it. */
function stagedFile(dir: string): { plan: RestorePlan; planned: PlannedEntry } {
  const content = 'restored\n';
  writeFileSync(join(dir, 'notes.txt'), content, { mode: 0o640 });
  const planned: PlannedEntry = {
    path: 'notes.txt',
    entry: {
      name: 'notes.txt',
      type: 'file',
      mode: 0o640,
      size: content.length,
      mtimeUs: MTIME_US,
      ref: createHash('sha256').update(content).digest('hex'),
    },
  };
  const plan: RestorePlan = {
    removeFiles: [],
    removeDirs: [],
    makeDirs: [],
    writeFiles: [planned],
    makeLinks: [],
    fixMeta: [],
    fixDirs: [],
  };
  return { plan, planned };
}

describe('DirectorySource in a restore', () => {
  it('moves the files of a movable payload into place, replacing the old file', async () => {
    const root = tempDir();
    const [payload, workspace] = [join(root, 'payload'), join(root, 'ws')];
    mkdirSync(payload);
    mkdirSync(workspace);
    writeFileSync(join(workspace, 'notes.txt'), 'agent edit\n');
    const { plan } = stagedFile(payload);
    const staged = statSync(join(payload, 'notes.txt')).ino;

    const source = new DirectorySource(payload, plan.writeFiles, { movable: true });
    await applyRestore(workspace, plan, source, { tempPrefix: '.moat-restore-' });
    expect(existsSync(join(payload, 'notes.txt'))).toBe(false);
    expect(statSync(join(workspace, 'notes.txt')).ino).toBe(staged);
    expect(readFileSync(join(workspace, 'notes.txt'), 'utf8')).toBe('restored\n');
  });

  it('copies from a payload that is a snapshot itself (btrfs, APFS) and leaves it as it was', async () => {
    const root = tempDir();
    const [payload, workspace] = [join(root, 'payload'), join(root, 'ws')];
    mkdirSync(payload);
    mkdirSync(workspace);
    const { plan } = stagedFile(payload);

    const source = new DirectorySource(payload, plan.writeFiles, { movable: false });
    await applyRestore(workspace, plan, source, { tempPrefix: '.moat-restore-' });
    expect(readFileSync(join(payload, 'notes.txt'), 'utf8')).toBe('restored\n');
    const restored = statSync(join(workspace, 'notes.txt'), { bigint: true });
    expect(restored.ino).not.toBe(statSync(join(payload, 'notes.txt'), { bigint: true }).ino);
    expect(Number(restored.mode & 0o7777n)).toBe(0o640);
    expect(restored.mtimeNs / 1000n).toBe(BigInt(MTIME_US));
  });

  // /dev/shm is tmpfs on Linux: a rename from there into a temporary directory on disk crosses filesystems.
  const shmIsOtherFs = existsSync('/dev/shm') && statSync('/dev/shm').dev !== statSync(tmpdir()).dev;
  if (!shmIsOtherFs)
    console.warn('skipping the cross-filesystem move test: /dev/shm is not a separate filesystem');
  it.runIf(shmIsOtherFs)('writes the file instead when the payload is on another filesystem', async () => {
    const payload = mkdtempSync('/dev/shm/moat-payload-');
    onTestFinished(() => rmSync(payload, { recursive: true, force: true }));
    const workspace = tempDir();
    const { plan, planned } = stagedFile(payload);

    const source = new DirectorySource(payload, plan.writeFiles, { movable: true });
    expect(source.moveFile(planned.path, planned.entry.ref, join(workspace, 'probe'))).toBe(false);
    await applyRestore(workspace, plan, source, { tempPrefix: '.moat-restore-' });
    expect(readFileSync(join(workspace, 'notes.txt'), 'utf8')).toBe('restored\n');
    expect(existsSync(join(payload, 'notes.txt'))).toBe(true);
  });
});
