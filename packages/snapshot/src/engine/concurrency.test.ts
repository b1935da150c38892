import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir, writeTree } from '../test-support/workspace.js';
import { SnapshotEngine, type SnapshotEngineOptions } from './engine.js';

const child = new URL('../test-support/create-snapshots.mjs', import.meta.url).pathname;

function run(options: SnapshotEngineOptions, name: string, count: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const process_ = spawn(process.execPath, [child, JSON.stringify(options), name, String(count)], {
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    process_.on('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`${name} exited with ${code}`)),
    );
  });
}

describe('several processes sharing one workspace store', () => {
  it('lose no snapshot and leave a store that verifies', async () => {
    const root = tempDir();
    const workspace = join(root, 'ws');
    const files: Record<string, string> = {};
    for (let i = 0; i < 200; i++) files[`src/file${i}.ts`] = `export const v = ${i};\n`;
    writeTree(workspace, files);
    const base = {
      workspace,
      storeDir: join(root, 'store'),
      settings: {
        backend: 'store' as const,
        exclude: { ignore_gitignore: false, additional: [] },
        limits: { max_files: 100_000, max_total_bytes: 2 ** 30, max_file_bytes: 2 ** 30 },
        retention: { max_count: 0, delete_initial: false },
      },
    };
    // Two "runs" of the same workspace, and a second terminal using the first run's snapshot list.
    const runA = { ...base, snapshotsDir: join(root, 'runA') };
    const runB = { ...base, snapshotsDir: join(root, 'runB') };
    await Promise.all([run(runA, 'a', 6), run(runB, 'b', 6), run(runA, 'c', 6)]);

    const a = await SnapshotEngine.open(runA);
    const b = await SnapshotEngine.open(runB);
    // Each process pruned to its 2 newest after its 3rd and 6th snapshot; the list is shared by a and c.
    expect((await b.list()).map((r) => r.label)).toEqual(['b 5', 'b 4']);
    const labelsA = (await a.list()).map((r) => r.label);
    expect(labelsA).toHaveLength(2);
    expect((await a.verify()).problems).toEqual([]);
    for (const engine of [a, b]) {
      for (const record of await engine.list())
        await engine.restoreTo(record.id, join(root, 'check', record.id));
    }
  });
});
