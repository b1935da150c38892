import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  linkSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir, writeTree } from '../test-support/workspace.js';
import { extractArchive } from './extract.js';
import { listTree } from './test-support/tree-listing.js';
import { writeArchive } from './write.js';

const LIMITS = { max_files: 1000, max_total_bytes: 2 ** 30, max_file_bytes: 2 ** 30 };

function setup() {
  const root = tempDir('moat-archive-write-');
  const source = join(root, 'source');
  mkdirSync(source);
  return { root, source, file: join(root, 'out.tar.gz') };
}

/** Member names of a tar.gz, as GNU tar lists them. */
function members(file: string): string[] {
  return execFileSync('tar', ['-tzf', file], { encoding: 'utf8' }).split('\n').filter(Boolean);
}

describe('writeArchive', () => {
  it('archives only the listed paths, with their parent directories', async () => {
    const { source, file } = setup();
    writeTree(source, {
      'src/a.ts': 'a',
      'src/deep/b.ts': 'b',
      'node_modules/x/index.js': 'x',
      '.env': 'KEY=1',
    });
    const summary = await writeArchive(source, file, { paths: ['src/deep/b.ts', 'src/a.ts', 'src/a.ts'] });
    expect(members(file)).toEqual(['src/', 'src/a.ts', 'src/deep/', 'src/deep/b.ts']);
    expect(summary).toEqual({ entries: 4, bytes: 2, skipped: [] });
  });

  it('refuses listed paths that could leave the source directory, writing nothing', async () => {
    const { root, source, file } = setup();
    for (const path of ['../x', '/etc/passwd', 'a/./b', 'a//b', '']) {
      await expect(writeArchive(source, file, { paths: [path] })).rejects.toMatchObject({
        name: 'SnapshotError',
        code: 'invalid',
        message: expect.stringContaining(`cannot archive ${JSON.stringify(path)}: paths must be relative`),
      });
    }
    expect(readdirSync(root)).toEqual(['source']);
  });

  it('writes the archive with mode 0600 and leaves no temporary file beside it', async () => {
    const { root, source, file } = setup();
    writeTree(source, { 'a.txt': 'a' });
    await writeArchive(source, file);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readdirSync(root).sort()).toEqual(['out.tar.gz', 'source']);
  });

  it('keeps an existing archive and removes its temporary file when writing fails', async () => {
    const { root, source, file } = setup();
    writeTree(source, { 'a.txt': 'a' });
    writeFileSync(file, 'the previous archive');
    await expect(writeArchive(source, file, { paths: ['a.txt', 'gone.txt'] })).rejects.toMatchObject({
      name: 'SnapshotError',
      code: 'changing',
      message: 'cannot archive gone.txt: it vanished; try again when it is quiet',
    });
    expect(readFileSync(file, 'utf8')).toBe('the previous archive');
    expect(readdirSync(root).sort()).toEqual(['out.tar.gz', 'source']);
  });

  it('replaces an existing archive when done', async () => {
    const { source, file } = setup();
    writeTree(source, { 'a.txt': 'a' });
    writeFileSync(file, 'the previous archive');
    await writeArchive(source, file);
    expect(members(file)).toEqual(['a.txt']);
  });

  it('leaves out sockets and FIFOs, and says so', async () => {
    const { source, file } = setup();
    writeTree(source, { 'a.txt': 'a' });
    execFileSync('mkfifo', [join(source, 'fifo')]);
    const server = createServer();
    await new Promise<void>((done) => server.listen(join(source, 'socket'), done));
    try {
      const summary = await writeArchive(source, file);
      expect(members(file)).toEqual(['a.txt']);
      expect(summary.skipped).toEqual(['fifo', 'socket']);
    } finally {
      server.close();
    }
  });

  it('stores hard links as separate files', async () => {
    const { root, source, file } = setup();
    writeTree(source, { 'a.txt': 'shared' });
    linkSync(join(source, 'a.txt'), join(source, 'b.txt'));
    await writeArchive(source, file);
    const dest = join(root, 'dest');
    mkdirSync(dest);
    await extractArchive(file, dest, LIMITS);
    expect(listTree(dest).map(({ path, content, nlink }) => ({ path, content, nlink }))).toEqual([
      { path: 'a.txt', content: 'shared', nlink: 1 },
      { path: 'b.txt', content: 'shared', nlink: 1 },
    ]);
  });

  it('archives symlink targets verbatim, even those extractArchive refuses', async () => {
    const { root, source, file } = setup();
    symlinkSync('/usr/bin/env', join(source, 'absolute'));
    await writeArchive(source, file);
    expect(execFileSync('tar', ['-tvzf', file], { encoding: 'utf8' })).toContain('absolute -> /usr/bin/env');
    const dest = join(root, 'dest');
    mkdirSync(dest);
    await expect(extractArchive(file, dest, LIMITS)).rejects.toMatchObject({
      code: 'unsafe_archive',
      message: `cannot extract ${file}: entry "absolute" is a symlink to the absolute path "/usr/bin/env"`,
    });
  });

  it('does not archive below a listed path that is a symlink', async () => {
    const { source, file } = setup();
    writeTree(source, { 'real/a.txt': 'a' });
    symlinkSync('real', join(source, 'link'));
    await expect(writeArchive(source, file, { paths: ['link/a.txt'] })).rejects.toMatchObject({
      code: 'changing',
      message: 'cannot archive link/a.txt: link is no longer a directory; try again when it is quiet',
    });
  });

  it('checks files against the hashes it is given, so that archive and caller agree', async () => {
    const { source, file } = setup();
    writeTree(source, { 'a.txt': 'a', 'dir/b.txt': 'b' });
    const sha = (text: string) => createHash('sha256').update(text).digest('hex');
    const hashes = new Map([
      ['a.txt', sha('a')],
      ['dir/b.txt', sha('b')],
    ]);
    await writeArchive(source, file, { paths: ['a.txt', 'dir/b.txt'], hashes });
    expect(members(file)).toEqual(['a.txt', 'dir/', 'dir/b.txt']);
    writeFileSync(join(source, 'dir/b.txt'), 'B'); // the same size, edited after it was hashed
    await expect(writeArchive(source, file, { paths: ['a.txt', 'dir/b.txt'], hashes })).rejects.toMatchObject(
      {
        code: 'changing',
        message: 'cannot archive dir/b.txt: it changed since it was hashed; try again when it is quiet',
      },
    );
    await expect(
      writeArchive(source, file, { paths: ['dir'], hashes: new Map([['dir', sha('')]]) }),
    ).rejects.toMatchObject({ code: 'changing', message: expect.stringContaining('it is no longer a file') });
  });
});
