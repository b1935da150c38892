import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir, writeTree } from '../test-support/workspace.js';
import { extractArchive } from './extract.js';
import { hasGnuTar } from './test-support/tree-listing.js';
import { writeArchive } from './write.js';

const LIMITS = { max_files: 100, max_total_bytes: 2 ** 20, max_file_bytes: 2 ** 20 };

/** An archive of `files` (by writeArchive), and an empty destination beside it. */
async function archive(files: Record<string, string>) {
  const root = tempDir('moat-archive-extract-');
  const source = join(root, 'source');
  const dest = join(root, 'dest');
  mkdirSync(source);
  mkdirSync(dest);
  writeTree(source, files);
  const file = join(root, 'a.tar.gz');
  await writeArchive(source, file);
  return { root, source, dest, file };
}

describe('extractArchive', () => {
  it('returns the number of entries and bytes of content extracted', async () => {
    const { dest, file } = await archive({ 'a.txt': 'aaa', 'dir/b.txt': 'bb' });
    expect(await extractArchive(file, dest, LIMITS)).toEqual({ entries: 3, bytes: 5 });
  });

  it('refuses a destination that is not empty, and leaves it alone', async () => {
    const { dest, file } = await archive({ 'a.txt': 'a' });
    writeFileSync(join(dest, 'mine'), 'keep');
    await expect(extractArchive(file, dest, LIMITS)).rejects.toMatchObject({
      name: 'SnapshotError',
      code: 'invalid',
      message: `cannot extract ${file}: ${dest} is not empty; extract into a new, empty directory`,
    });
    expect(readdirSync(dest)).toEqual(['mine']);
  });

  it.skipIf(!hasGnuTar)(
    'keeps the destination’s own mode: the root entry of GNU tar ("./") is skipped',
    async () => {
      const { source, dest, file } = await archive({ 'a.txt': 'a' });
      chmodSync(source, 0o700);
      execFileSync('tar', ['--format=pax', '-C', source, '-czf', file, '.']);
      chmodSync(dest, 0o755);
      await extractArchive(file, dest, LIMITS);
      expect(statSync(dest).mode & 0o777).toBe(0o755);
      expect(readdirSync(dest)).toEqual(['a.txt']);
    },
  );

  it('removes what it wrote before a refusal, however far it got', async () => {
    const { root, dest } = await archive({});
    const source = join(root, 'many');
    writeTree(
      source,
      Object.fromEntries(Array.from({ length: 150 }, (_, i) => [`d${i % 7}/f${i}.txt`, `${i}`])),
    );
    const file = join(root, 'many.tar.gz');
    await writeArchive(source, file);
    await expect(extractArchive(file, dest, LIMITS)).rejects.toMatchObject({
      code: 'limit',
      message: expect.stringContaining(
        'is entry number 101, over the limit of 100 (snapshots.limits.max_files)',
      ),
    });
    expect(readdirSync(dest)).toEqual([]);
  });

  it('passes on a missing archive’s own error, leaving the destination empty', async () => {
    const { root, dest } = await archive({});
    await expect(extractArchive(join(root, 'missing.tar.gz'), dest, LIMITS)).rejects.toMatchObject({
      code: 'ENOENT',
    });
    expect(readdirSync(dest)).toEqual([]);
  });
});
