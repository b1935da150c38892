import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SnapshotError } from '../errors.js';
import { scanWorkspace } from './scan.js';
import { walkScanTree } from './scan-paths.js';
import { git, tempDir, writeTree } from './test-support/temp.js';
import type { CoverageOptions, ScanNode, ScanResult } from './types.js';

const DEFAULTS: CoverageOptions = { ignoreGitignore: false, additional: [] };

afterEach(() => {
  vi.restoreAllMocks();
});

function scan(root: string, options: Partial<CoverageOptions> = {}): ScanResult {
  return scanWorkspace(root, { ...DEFAULTS, ...options });
}

/** Every entry's path and type, '/' after directories, in walk order. */
function listing(result: ScanResult): string[] {
  return [...walkScanTree(result.root)].map(({ path, node }) =>
    node.type === 'dir' ? `${path}/` : node.type === 'symlink' ? `${path} -> ${node.target}` : path,
  );
}

function nodeAt(result: ScanResult, path: string): ScanNode | undefined {
  return [...walkScanTree(result.root)].find((entry) => entry.path === path)?.node;
}

/**
 * Routes readdirSync through `hook`, which gets the path and a function doing the real listing;
 * the scanner lists a directory by its path with a trailing '/'.
 */
function interceptReaddir(hook: (path: string, list: () => unknown) => unknown): void {
  const readdir = fs.readdirSync;
  vi.spyOn(fs, 'readdirSync').mockImplementation(((path: fs.PathLike, options?: unknown) =>
    hook(String(path), () => readdir(path, options as BufferEncoding))) as typeof fs.readdirSync);
}

/** Path of `name` (bytes) in `dir`, for names that are not valid UTF-8. */
function rawPath(dir: string, name: number[]): Buffer {
  return Buffer.concat([Buffer.from(`${dir}/`), Buffer.from(name)]);
}

describe('scanWorkspace: entries', () => {
  it('lists files, empty directories and nested content depth first, each directory before its content', () => {
    const root = tempDir();
    writeTree(root, { 'b.txt': 'bb', 'a/x': 'x', 'a/empty/': '', 'c/': '', 'a/deep/y': 'yyy' });
    const result = scan(root);
    expect(listing(result)).toEqual(['a/', 'a/deep/', 'a/deep/y', 'a/empty/', 'a/x', 'b.txt', 'c/']);
    expect(nodeAt(result, 'a/empty')?.children).toEqual([]);
    expect(result.totals).toEqual({ files: 3, dirs: 4, symlinks: 0, bytes: 6 });
    expect(result.notes).toEqual([]);
  });

  it('sorts children by UTF-16 code units, not locale or code points', () => {
    const root = tempDir();
    const names = ['b', 'B', 'a', '~', '_', 'é', '\u{1F600}', '\uFF61', 'a b', 'a-b', 'A'];
    for (const name of names) fs.writeFileSync(join(root, name), '');
    const result = scan(root);
    // U+1F600 is stored as the surrogates D83D DE00, which sort before U+FF61.
    expect(result.root.children?.map((node) => node.name)).toEqual([
      'A',
      'B',
      '_',
      'a',
      'a b',
      'a-b',
      'b',
      '~',
      'é',
      '\u{1F600}',
      '\uFF61',
    ]);
  });

  it('records the stat of every entry exactly as lstat reports it', () => {
    const root = tempDir();
    writeTree(root, {
      'exec.sh': '#!/bin/sh\n',
      secret: 's',
      'shared/': '',
      'tmp/': '',
      'data.bin': 'abcdef',
    });
    fs.chmodSync(join(root, 'exec.sh'), 0o755);
    fs.chmodSync(join(root, 'secret'), 0o600);
    fs.chmodSync(join(root, 'shared'), 0o2775);
    fs.chmodSync(join(root, 'tmp'), 0o1777);
    fs.utimesSync(join(root, 'data.bin'), 1_700_000_000.123456, 1_600_000_000.987654);
    const result = scan(root);
    for (const name of ['exec.sh', 'secret', 'shared', 'tmp', 'data.bin']) {
      const stats = fs.lstatSync(join(root, name));
      const node = nodeAt(result, name);
      expect(node).toMatchObject({
        name,
        mode: stats.mode & 0o7777,
        mtimeMs: stats.mtimeMs,
        ctimeMs: stats.ctimeMs,
        ino: stats.ino,
        size: stats.isFile() ? stats.size : 0,
      });
    }
    expect(nodeAt(result, 'exec.sh')?.mode).toBe(0o755);
    expect(nodeAt(result, 'secret')?.mode).toBe(0o600);
    expect(nodeAt(result, 'shared')?.mode).toBe(0o2775);
    expect(nodeAt(result, 'tmp')?.mode).toBe(0o1777);
    expect(nodeAt(result, 'data.bin')?.mtimeMs).toBe(fs.lstatSync(join(root, 'data.bin')).mtimeMs);
  });

  it('keeps symlinks as links with their target verbatim and never follows them', () => {
    const root = tempDir();
    writeTree(root, { 'dir/inner': 'i', file: 'f' });
    fs.symlinkSync('file', join(root, 'relative'));
    fs.symlinkSync('/etc/hostname', join(root, 'absolute'));
    fs.symlinkSync('../nowhere/./x', join(root, 'dangling'));
    fs.symlinkSync('dir', join(root, 'to-dir'));
    fs.symlinkSync('.', join(root, 'loop'));
    const result = scan(root);
    expect(listing(result)).toEqual([
      'absolute -> /etc/hostname',
      'dangling -> ../nowhere/./x',
      'dir/',
      'dir/inner',
      'file',
      'loop -> .',
      'relative -> file',
      'to-dir -> dir',
    ]);
    const link = nodeAt(result, 'to-dir');
    expect(link).toMatchObject({
      type: 'symlink',
      size: 0,
      mtimeMs: fs.lstatSync(join(root, 'to-dir')).mtimeMs,
    });
    expect(link?.children).toBeUndefined();
    expect(result.totals).toEqual({ files: 2, dirs: 1, symlinks: 5, bytes: 2 });
  });

  it('notes sockets, FIFOs and devices instead of failing, unless they are excluded', async () => {
    const root = tempDir();
    writeTree(root, { ok: '', 'sub/': '', '.gitignore': 'ignored.sock\n' });
    expect(spawnSync('mkfifo', [join(root, 'sub/pipe')]).status).toBe(0);
    const servers = [createServer(), createServer()];
    await Promise.all([
      new Promise<void>((done) => servers[0]?.listen(join(root, 'app.sock'), done)),
      new Promise<void>((done) => servers[1]?.listen(join(root, 'ignored.sock'), done)),
    ]);
    try {
      const hasDevice = spawnSync('mknod', [join(root, 'null'), 'c', '1', '3']).status === 0;
      const result = scan(root);
      expect(listing(result)).toEqual(['.gitignore', 'ok', 'sub/']);
      expect(result.notes.map(({ path, kind }) => ({ path, kind }))).toEqual([
        { path: 'app.sock', kind: 'socket' },
        ...(hasDevice ? [{ path: 'null', kind: 'device' }] : []),
        { path: 'sub/pipe', kind: 'fifo' },
      ]);
    } finally {
      for (const server of servers) server.close();
    }
  });

  it('notes names that are not valid UTF-8 and keeps valid names that contain U+FFFD', () => {
    const root = tempDir();
    writeTree(root, { 'sub/': '', '.gitignore': '*.log\n' });
    fs.writeFileSync(rawPath(root, [0x61, 0xff]), 'invalid a\\xff');
    fs.writeFileSync(join(root, 'a\uFFFD'), 'valid, decodes like the invalid one');
    fs.mkdirSync(rawPath(join(root, 'sub'), [0xc3, 0x28]));
    fs.writeFileSync(rawPath(root, [0x78, 0xfe, 0x2e, 0x6c, 0x6f, 0x67]), 'ignored by *.log');
    fs.symlinkSync(rawPath(root, [0x74, 0xff]), join(root, 'bad-target'));
    const result = scan(root);
    expect(listing(result)).toEqual(['.gitignore', 'a\uFFFD', 'sub/']);
    expect(nodeAt(result, 'a\uFFFD')?.size).toBe(Buffer.byteLength('valid, decodes like the invalid one'));
    expect(result.notes.map(({ path, kind }) => ({ path, kind }))).toEqual([
      { path: 'a\uFFFD', kind: 'bad_name' },
      { path: 'bad-target', kind: 'bad_name' },
      { path: 'sub/\uFFFD(', kind: 'bad_name' },
    ]);
    expect(result.notes[0]?.message).toContain('61ff');
  });
});

describe('scanWorkspace: coverage during the walk', () => {
  it('applies nested .gitignore files and leaves out the root .git but not nested ones', () => {
    const root = tempDir();
    writeTree(root, {
      '.git/config': '',
      '.gitignore': '*.log\nnode_modules/\n',
      'a.log': '',
      'node_modules/pkg/index.js': '',
      'pkg/.gitignore': '!keep.log\ndist\n',
      'pkg/keep.log': '',
      'pkg/other.log': '',
      'pkg/dist/out.js': '',
      'pkg/src/dist': '',
      'vendor/.git/HEAD': '',
    });
    expect(listing(scan(root))).toEqual([
      '.gitignore',
      'pkg/',
      'pkg/.gitignore',
      'pkg/keep.log',
      'pkg/src/',
      'vendor/',
      'vendor/.git/',
      'vendor/.git/HEAD',
    ]);
  });

  it('never lists or lstats an excluded directory, nor reads the .gitignore inside it', () => {
    const root = tempDir();
    writeTree(root, {
      '.gitignore': 'node_modules/\n',
      'node_modules/.gitignore': '!*\n',
      'node_modules/a/b.js': '',
      'src/x.ts': '',
    });
    const lstat = vi.spyOn(fs, 'lstatSync');
    const readdir = vi.spyOn(fs, 'readdirSync');
    const readFile = vi.spyOn(fs, 'readFileSync');
    expect(listing(scan(root))).toEqual(['.gitignore', 'src/', 'src/x.ts']);
    const touched = [...lstat.mock.calls, ...readdir.mock.calls, ...readFile.mock.calls].map(([path]) =>
      String(path),
    );
    expect(touched.filter((path) => path.includes('node_modules'))).toEqual([]);
    // Only covered entries are stat'ed: the root's .git probe, .gitignore, src and src/x.ts.
    expect(lstat.mock.calls.map(([path]) => String(path).slice(root.length))).toEqual([
      '/.git',
      '/.gitignore',
      '/src',
      '/src/x.ts',
    ]);
  });

  it('does not follow a symlinked .gitignore, as git does not', () => {
    const root = tempDir();
    writeTree(root, { rules: 'x\n', 'sub/x': '', x: '' });
    fs.symlinkSync('../rules', join(root, 'sub/.gitignore'));
    expect(listing(scan(root))).toEqual(['rules', 'sub/', 'sub/.gitignore -> ../rules', 'sub/x', 'x']);
  });

  it('reads no .gitignore with ignoreGitignore, and still applies additional patterns', () => {
    const root = tempDir();
    writeTree(root, {
      '.gitignore': '*\n',
      'a.log': '',
      'b.tmp': '',
      'sub/c.tmp': '',
      '.git/info/exclude': 'a.log\n',
    });
    const readFile = vi.spyOn(fs, 'readFileSync');
    const result = scan(root, { ignoreGitignore: true, additional: ['*.tmp'] });
    expect(listing(result)).toEqual(['.gitignore', 'a.log', 'sub/']);
    expect(readFile).not.toHaveBeenCalled();
  });

  it('leaves out excludedPaths, also when the root is reached through a symlink', () => {
    const base = tempDir();
    const real = join(base, 'real');
    writeTree(real, { '.moat/store/pack': '', 'src/a': '', 'keep/.moat': '' });
    fs.symlinkSync(real, join(base, 'link'));
    const result = scan(join(base, 'link'), {
      excludedPaths: [join(real, '.moat'), join(base, 'link/src/a')],
    });
    expect(listing(result)).toEqual(['keep/', 'keep/.moat', 'src/']);
    expect(result.root.mtimeMs).toBe(fs.statSync(real).mtimeMs);
  });

  it('reads .git/info/exclude, and for a worktree the main repository one', () => {
    const base = tempDir();
    const main = join(base, 'main');
    writeTree(main, { tracked: '', 'local.env': '', 'x.tmp': '' });
    git(main, ['init', '-q']);
    git(main, ['add', 'tracked']);
    git(main, ['commit', '-q', '-m', 'init']);
    fs.writeFileSync(join(main, '.git/info/exclude'), '*.env\n');
    git(main, ['worktree', 'add', '-q', join(base, 'wt')]);
    writeTree(join(base, 'wt'), { 'wt.env': '', y: '' });
    expect(listing(scan(main))).toEqual(['tracked', 'x.tmp']);
    const worktree = scan(join(base, 'wt'));
    expect(fs.lstatSync(join(base, 'wt/.git')).isFile()).toBe(true);
    expect(listing(worktree)).toEqual(['tracked', 'y']);
  });

  it('decides on what an entry is when lstat runs, if it changed kind since it was listed', () => {
    const root = tempDir();
    writeTree(root, { '.gitignore': 'x/\n', x: 'file when listed' });
    interceptReaddir((path, list) => {
      const entries = list();
      if (path === `${root}/`) {
        fs.rmSync(join(root, 'x'));
        fs.mkdirSync(join(root, 'x'));
      }
      return entries;
    });
    expect(listing(scan(root))).toEqual(['.gitignore']);
  });
});

describe('scanWorkspace: entries that change or cannot be read', () => {
  it('notes entries that vanish between listing and lstat', () => {
    const root = tempDir();
    writeTree(root, { gone: '', 'gone-dir/x': '', link: '', stays: '' });
    interceptReaddir((path, list) => {
      const entries = list();
      if (path === `${root}/`) {
        fs.rmSync(join(root, 'gone'));
        fs.rmSync(join(root, 'gone-dir'), { recursive: true });
      }
      return entries;
    });
    const result = scan(root);
    expect(listing(result)).toEqual(['link', 'stays']);
    expect(result.notes.map(({ path, kind }) => ({ path, kind }))).toEqual([
      { path: 'gone', kind: 'vanished' },
      { path: 'gone-dir', kind: 'vanished' },
    ]);
  });

  it('leaves out a directory that vanishes between lstat and listing, and a link that stops being one', () => {
    const root = tempDir();
    writeTree(root, { 'dir/x': '', 'dir2/': '' });
    fs.symlinkSync('target', join(root, 'link'));
    const readlink = fs.readlinkSync;
    vi.spyOn(fs, 'readlinkSync').mockImplementation(((path: fs.PathLike) => {
      fs.rmSync(path);
      fs.writeFileSync(path, '');
      return readlink(path);
    }) as typeof fs.readlinkSync);
    interceptReaddir((path, list) => {
      if (path === `${root}/dir2/`) fs.rmdirSync(path);
      return list();
    });
    const result = scan(root);
    expect(listing(result)).toEqual(['dir/', 'dir/x']);
    expect(result.notes.map(({ path, kind }) => ({ path, kind }))).toEqual([
      { path: 'dir2', kind: 'vanished' },
      { path: 'link', kind: 'vanished' },
    ]);
  });

  it('leaves out a directory it cannot list, whole, with a note', () => {
    const root = tempDir();
    writeTree(root, { 'locked/secret': '', 'open/x': '' });
    interceptReaddir((path, list) => {
      if (path === `${root}/locked/`)
        throw Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' });
      return list();
    });
    const result = scan(root);
    expect(listing(result)).toEqual(['open/', 'open/x']);
    expect(result.notes).toEqual([
      {
        path: 'locked',
        kind: 'unreadable',
        message: 'cannot list directory (EACCES): left out of the snapshot',
      },
    ]);
    expect(result.totals.dirs).toBe(1);
  });

  it('notes an unreadable .gitignore and scans on without its patterns', () => {
    const root = tempDir();
    writeTree(root, { '.gitignore': 'x\n', x: '' });
    const readFile = fs.readFileSync;
    vi.spyOn(fs, 'readFileSync').mockImplementation(((path: fs.PathOrFileDescriptor, options?: unknown) => {
      if (path === `${root}/.gitignore`) throw Object.assign(new Error('EACCES'), { code: 'EACCES' });
      return readFile(path, options as BufferEncoding);
    }) as typeof fs.readFileSync);
    const result = scan(root);
    expect(listing(result)).toEqual(['.gitignore', 'x']);
    expect(result.notes.map(({ path, kind }) => ({ path, kind }))).toEqual([
      { path: '.gitignore', kind: 'unreadable' },
    ]);
  });

  it('fails on errors that say nothing about one entry', () => {
    const root = tempDir();
    writeTree(root, { x: '' });
    vi.spyOn(fs, 'lstatSync').mockImplementation(() => {
      throw Object.assign(new Error('EIO: i/o error'), { code: 'EIO' });
    });
    expect(() => scan(root)).toThrow('EIO');
  });
});

describe('scanWorkspace: the root', () => {
  it('describes the root itself as a directory named ""', () => {
    const root = tempDir();
    fs.chmodSync(root, 0o750);
    const result = scan(root);
    const stats = fs.statSync(root);
    expect(result.root).toEqual({
      name: '',
      type: 'dir',
      mode: 0o750,
      size: 0,
      mtimeMs: stats.mtimeMs,
      mtimeUs: Number(fs.statSync(root, { bigint: true }).mtimeNs / 1000n),
      ctimeMs: stats.ctimeMs,
      ino: stats.ino,
      children: [],
    });
    expect(result.totals).toEqual({ files: 0, dirs: 0, symlinks: 0, bytes: 0 });
  });

  it('rejects a missing root, a file and an unreadable root with the path in the message', () => {
    const base = tempDir();
    fs.writeFileSync(join(base, 'file'), '');
    expect(() => scan(join(base, 'missing'))).toThrow(
      `the workspace directory ${join(base, 'missing')} does not exist`,
    );
    expect(() => scan(join(base, 'missing'))).toThrow(SnapshotError);
    expect(() => scan(join(base, 'file'))).toThrow(`the workspace ${join(base, 'file')} is not a directory`);
    vi.spyOn(fs, 'readdirSync').mockImplementation(() => {
      throw Object.assign(new Error('EACCES'), { code: 'EACCES' });
    });
    expect(() => scan(base)).toThrow(`cannot read the workspace directory ${base}: EACCES`);
  });
});
