import { spawn } from 'node:child_process';
import { readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, type TestContext } from 'vitest';
import { makeWorkspace, TEST_BACKENDS, type TestBackend, useBackendRoots } from '../test-support/backends.js';
import { fingerprint, writeTree } from '../test-support/workspace.js';
import { SnapshotEngine, type SnapshotEngineOptions } from './engine.js';

const child = new URL('../test-support/restore-then-hang.mjs', import.meta.url).pathname;
const rootFor = useBackendRoots();

/** A workspace, a snapshot of it, then many changes; and a restore killed -9 halfway through. */
async function interruptedRestore(backend: TestBackend, context: TestContext) {
  const root = rootFor(backend, context);
  const options: SnapshotEngineOptions = {
    workspace: join(root, 'ws'),
    snapshotsDir: join(root, 'snapshots'),
    storeDir: join(root, 'store'),
    settings: {
      backend,
      exclude: { ignore_gitignore: false, additional: [] },
      limits: { max_files: 100_000, max_total_bytes: 2 ** 30, max_file_bytes: 2 ** 30 },
      retention: { max_count: 0, delete_initial: false },
    },
  };
  const files: Record<string, string> = {};
  for (let i = 0; i < 300; i++) files[`dir${i % 10}/file${i}.txt`] = `original ${i}\n`;
  makeWorkspace(backend, options.workspace);
  writeTree(options.workspace, files);
  const engine = await SnapshotEngine.open(options);
  const snapshot = await engine.create('manual');
  const original = fingerprint(options.workspace);
  for (let i = 0; i < 300; i++)
    writeFileSync(join(options.workspace, `dir${i % 10}/file${i}.txt`), `edited ${i}\n`);
  rmSync(join(options.workspace, 'dir3'), { recursive: true });
  writeTree(options.workspace, { 'added/new.txt': 'new\n' });
  const edited = fingerprint(options.workspace);

  const restorer = spawn(process.execPath, [child, JSON.stringify(options), snapshot.id], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    restorer.stdout.on('data', (chunk: Buffer) => chunk.toString().includes('halfway') && resolve());
    restorer.on('exit', (code) => reject(new Error(`the restoring process exited early (${code})`)));
  });
  restorer.kill('SIGKILL');
  await new Promise((resolve) => restorer.once('exit', resolve));
  const halfway = fingerprint(options.workspace);
  return { engine, snapshot, original, edited, halfway, workspace: options.workspace };
}

describe.each(TEST_BACKENDS)('a restore killed halfway (%s backend)', (backend) => {
  it('is reported, blocks changes, and can be completed', async (context) => {
    const { engine, snapshot, original, edited, halfway, workspace } = await interruptedRestore(
      backend,
      context,
    );
    expect(halfway).not.toEqual(original);
    expect(halfway).not.toEqual(edited);
    const interrupted = await engine.interruptedRestore();
    expect(interrupted?.target).toBe(snapshot.id);
    await expect(engine.create('manual')).rejects.toThrow(/a restore to snap_\w+ was interrupted/);
    await engine.recover('complete');
    expect(fingerprint(workspace)).toEqual(original);
    expect(await engine.interruptedRestore()).toBeNull();
    expect(readdirSync(workspace).some((name) => name.startsWith('.moat-restore-'))).toBe(false);
    await engine.create('manual'); // unblocked
  });

  it('can be rolled back to the state before it, from its safety snapshot', async (context) => {
    const { engine, edited, workspace } = await interruptedRestore(backend, context);
    await engine.recover('rollback');
    expect(fingerprint(workspace)).toEqual(edited);
    expect((await engine.list()).some((r) => r.type === 'safety')).toBe(true);
  });
});
