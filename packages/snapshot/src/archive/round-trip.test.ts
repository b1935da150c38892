import { execFileSync, spawnSync } from 'node:child_process';
import { lstatSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../test-support/workspace.js';
import { extractArchive } from './extract.js';
import { makeRichTree } from './test-support/rich-tree.js';
import { hasGnuTar, listTree } from './test-support/tree-listing.js';
import { writeArchive } from './write.js';

const LIMITS = { max_files: 1000, max_total_bytes: 2 ** 30, max_file_bytes: 2 ** 30 };

/** A rich source tree, its archive by writeArchive and an empty directory to extract into. */
async function archived() {
  const root = tempDir('moat-archive-test-');
  const source = join(root, 'source');
  const dest = join(root, 'dest');
  mkdirSync(source);
  mkdirSync(dest);
  makeRichTree(source);
  const file = join(root, 'snapshot.tar.gz');
  const summary = await writeArchive(source, file);
  return { root, source, dest, file, summary };
}

describe('writeArchive and extractArchive', () => {
  it('give back the same tree: content, modes, mtimes to the microsecond, links, empty directories', async () => {
    const { source, dest, file, summary } = await archived();
    const extracted = await extractArchive(file, dest, LIMITS);
    const tree = listTree(source);
    expect(listTree(dest)).toEqual(tree);
    expect(extracted).toEqual({ entries: tree.length, bytes: summary.bytes });
    expect(summary).toEqual({
      entries: tree.length,
      bytes: tree.reduce((sum, e) => sum + (e.type === 'file' ? lstatSync(join(source, e.path)).size : 0), 0),
      skipped: [],
    });
  });

  it('write the same bytes every time, each directory before its content', async () => {
    const { root, source, file } = await archived();
    const again = join(root, 'again.tar.gz');
    await writeArchive(source, again);
    expect(readFileSync(again).equals(readFileSync(file))).toBe(true);
    const names = execFileSync('tar', ['-tzf', file], { encoding: 'utf8' }).split('\n').slice(0, 5);
    expect(names).toEqual(['..env', 'README.md', 'big.bin', 'bin/', 'bin/run.sh']);
  });
});

describe.skipIf(!hasGnuTar)('GNU tar', () => {
  it('extracts our archive to the same tree, mtimes to the microsecond, without a warning', async () => {
    const { source, dest, file } = await archived();
    const result = spawnSync('tar', ['-xzf', file, '-C', dest, '--no-same-owner'], { encoding: 'utf8' });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(listTree(dest)).toEqual(listTree(source));
  });

  it('lists our archive without owner names, sub-second mtimes in the PAX headers', async () => {
    const { file } = await archived();
    const listing = execFileSync('tar', ['--full-time', '-tvzf', file], { encoding: 'utf8' });
    expect(listing).toMatch(/^-rw-r--r-- 0\/0 +9 2023-11-14 22:13:20\.123456 README\.md$/m);
  });

  it('makes PAX archives that extractArchive reads into the same tree', async () => {
    const { root, source, dest } = await archived();
    const file = join(root, 'gnu.tar.gz');
    execFileSync('tar', ['--format=pax', '-C', source, '-czf', file, '.']);
    await extractArchive(file, dest, LIMITS);
    expect(listTree(dest)).toEqual(listTree(source));
  });
});
