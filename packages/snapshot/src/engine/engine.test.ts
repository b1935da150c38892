import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  unlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, type TestContext } from 'vitest';
import { SnapshotError } from '../errors.js';
import { makeWorkspace, TEST_BACKENDS, type TestBackend, useBackendRoots } from '../test-support/backends.js';
import { fingerprint, writeTree } from '../test-support/workspace.js';
import { SnapshotEngine, type SnapshotSettings } from './engine.js';

const rootFor = useBackendRoots();

const defaults: SnapshotSettings = {
  backend: 'auto',
  exclude: { ignore_gitignore: false, additional: [] },
  limits: { max_files: 1_000_000, max_total_bytes: 20 * 2 ** 30, max_file_bytes: 2 * 2 ** 30 },
  retention: { max_count: 10, delete_initial: false },
};

function storeBytes(dir: string): number {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .reduce((sum, entry) => sum + statSync(join(entry.parentPath, entry.name)).size, 0);
}

/** The payloads (archives, btrfs snapshots) in a store. */
function payloads(store: string): string[] {
  return ['archives', 'btrfs'].flatMap((dir) =>
    existsSync(join(store, dir)) ? readdirSync(join(store, dir)) : [],
  );
}

// The same behaviour whatever keeps the content: the store, a tar.gz per snapshot, btrfs snapshots.
describe.each(TEST_BACKENDS)('SnapshotEngine on the %s backend', (backend: TestBackend) => {
  const settings: SnapshotSettings = { ...defaults, backend };

  /** A workspace with a bit of everything a snapshot must reproduce, and an engine on it. */
  async function setup(context: TestContext, overrides: Partial<SnapshotSettings> = {}) {
    const root = rootFor(backend, context);
    const workspace = join(root, 'ws');
    makeWorkspace(backend, workspace);
    writeTree(workspace, {
      'README.md': '# project\n',
      'src/index.ts': 'export const answer = 42;\n',
      'src/lib/util.ts': 'export function util() {}\n',
      'scripts/build.sh': '#!/bin/sh\necho build\n',
      '.gitignore': 'node_modules/\n.env\n*.log\n',
      'node_modules/dep/index.js': 'module.exports = 1;\n',
      '.env': 'SECRET=1\n',
      'debug.log': 'log\n',
      '.git/HEAD': 'ref: refs/heads/main\n',
      'crlf.txt': 'line one\r\nline two\r\n',
    });
    chmodSync(join(workspace, 'scripts/build.sh'), 0o755);
    mkdirSync(join(workspace, 'empty-dir'));
    symlinkSync('src/index.ts', join(workspace, 'link-to-index'));
    symlinkSync('/etc/hostname', join(workspace, 'absolute-link'));
    utimesSync(join(workspace, 'README.md'), 1_600_000_000.123456, 1_600_000_000.123456);
    const engine = await SnapshotEngine.open({
      workspace,
      snapshotsDir: join(root, 'run', 'snapshots'),
      storeDir: join(root, 'store'),
      settings: { ...settings, ...overrides },
    });
    return { root, workspace, engine };
  }

  it('records a snapshot with its counts', async (context) => {
    const { engine } = await setup(context);
    const record = await engine.create('manual', 'first');
    expect(record).toMatchObject({ type: 'manual', label: 'first', backend, files: 6, symlinks: 2 });
    expect(record.id).toMatch(/^snap_[0-9a-f]{12}$/);
    expect(record.bytes_added).toBeGreaterThan(0);
    expect(await engine.list()).toEqual([record]);
    expect(await engine.get(record.id)).toEqual(record);
  });

  it('stores nothing new for an unchanged workspace, and createIfChanged takes nothing', async (context) => {
    const { engine } = await setup(context);
    await engine.create('manual');
    const again = await engine.create('manual');
    // An archive is a full copy each time; the store and btrfs share everything.
    if (backend !== 'archive') expect(again.bytes_added).toBe(0);
    expect(await engine.createIfChanged('idle')).toBeNull();
    expect(await engine.list()).toHaveLength(2);
  });

  it('restores in place exactly, leaving .git and ignored files alone', async (context) => {
    const { workspace, engine } = await setup(context);
    const before = fingerprint(workspace, ['.git', 'node_modules', '.env', 'debug.log']);
    const snapshot = await engine.create('manual');

    writeFileSync(join(workspace, 'src/index.ts'), 'export const answer = 0;\n');
    chmodSync(join(workspace, 'scripts/build.sh'), 0o644);
    rmSync(join(workspace, 'src/lib'), { recursive: true });
    writeFileSync(join(workspace, 'src/lib'), 'now a file\n'); // directory replaced by a file
    rmSync(join(workspace, 'empty-dir'), { recursive: true });
    writeFileSync(join(workspace, 'new-file.txt'), 'added\n');
    unlinkSync(join(workspace, 'link-to-index'));
    symlinkSync('README.md', join(workspace, 'link-to-index'));
    writeFileSync(join(workspace, '.git/HEAD'), 'ref: refs/heads/feature\n');
    writeFileSync(join(workspace, '.env'), 'SECRET=2\n');
    writeFileSync(join(workspace, 'node_modules/dep/new.js'), 'new\n');

    const result = await engine.restore(snapshot.id);
    expect(fingerprint(workspace, ['.git', 'node_modules', '.env', 'debug.log'])).toEqual(before);
    expect(readFileSync(join(workspace, '.git/HEAD'), 'utf8')).toBe('ref: refs/heads/feature\n');
    expect(readFileSync(join(workspace, '.env'), 'utf8')).toBe('SECRET=2\n');
    expect(existsSync(join(workspace, 'node_modules/dep/new.js'))).toBe(true);
    expect(readFileSync(join(workspace, 'crlf.txt'), 'utf8')).toBe('line one\r\nline two\r\n');
    expect(result.safety.type).toBe('safety');
    expect(result.changes.added.map((e) => e.path)).toContain('empty-dir');
    expect(result.changes.deleted.map((e) => e.path)).toContain('new-file.txt');
    expect(readdirSync(workspace).filter((name) => name.startsWith('.moat-restore-'))).toEqual([]);
  });

  it('undoes a restore by restoring its safety snapshot', async (context) => {
    const { workspace, engine } = await setup(context);
    const snapshot = await engine.create('manual');
    writeFileSync(join(workspace, 'src/index.ts'), 'edited\n');
    rmSync(join(workspace, 'README.md'));
    const edited = fingerprint(workspace);
    const { safety } = await engine.restore(snapshot.id);
    expect(fingerprint(workspace)).not.toEqual(edited);
    await engine.restore(safety.id);
    expect(fingerprint(workspace)).toEqual(edited);
  });

  it('replaces a file with a directory and keeps a directory that holds ignored files', async (context) => {
    const { workspace, engine } = await setup(context);
    writeTree(workspace, { 'build/out.js': 'out\n' });
    const snapshot = await engine.create('manual');
    rmSync(join(workspace, 'build'), { recursive: true });
    writeFileSync(join(workspace, 'build'), 'a file now\n');
    writeTree(workspace, { 'logs/today.log': 'ignored\n', 'logs/keep.txt': 'covered\n' });
    await engine.restore(snapshot.id);
    expect(readFileSync(join(workspace, 'build/out.js'), 'utf8')).toBe('out\n');
    expect(readdirSync(join(workspace, 'logs'))).toEqual(['today.log']);
  });

  it('restores into a new directory and refuses a non-empty one', async (context) => {
    const { root, workspace, engine } = await setup(context);
    const snapshot = await engine.create('manual');
    const target = join(root, 'copy');
    await engine.restoreTo(snapshot.id, target);
    expect(fingerprint(target)).toEqual(
      fingerprint(workspace, ['.git', 'node_modules', '.env', 'debug.log']),
    );
    await expect(engine.restoreTo(snapshot.id, target)).rejects.toThrow(/is not empty/);
  });

  it("keeps mtimes to the exact microsecond, whatever lstat's float milliseconds say", async (context) => {
    const { root, workspace, engine } = await setup(context);
    // 292429.342 µs: as a float of milliseconds this date reads 292429.5 µs, which rounds up.
    const touched = spawnSync('touch', ['-h', '-d', '@1795856400.292429342', join(workspace, 'README.md')]);
    expect(touched.status).toBe(0);
    const snapshot = await engine.create('manual');
    const target = join(root, 'copy');
    await engine.restoreTo(snapshot.id, target);
    expect(lstatSync(join(target, 'README.md'), { bigint: true }).mtimeNs).toBe(1795856400292429000n);
    writeFileSync(join(workspace, 'README.md'), 'changed\n');
    await engine.restore(snapshot.id);
    expect(lstatSync(join(workspace, 'README.md'), { bigint: true }).mtimeNs).toBe(1795856400292429000n);
  });

  it('writes many files on several threads, exactly as one would', async (context) => {
    const root = rootFor(backend, context);
    const workspace = join(root, 'ws');
    makeWorkspace(backend, workspace);
    // Enough small files for the parallel writers, in many directories, with assorted modes.
    const files: Record<string, string> = {};
    for (let i = 0; i < 700; i++)
      files[`d${i % 37}/sub${i % 3}/f${i}.txt`] = `content ${i}\n`.repeat(1 + (i % 5));
    writeTree(workspace, files);
    for (let i = 0; i < 700; i += 7) chmodSync(join(workspace, `d${i % 37}/sub${i % 3}/f${i}.txt`), 0o750);
    chmodSync(join(workspace, 'd5/sub1'), 0o555); // read-only directory: its files must still be written
    const engine = await SnapshotEngine.open({
      workspace,
      snapshotsDir: join(root, 'run', 'snapshots'),
      storeDir: join(root, 'store'),
      settings,
    });
    const snapshot = await engine.create('manual');
    const before = fingerprint(workspace);

    const target = join(root, 'copy');
    const progress: number[] = [];
    await engine.restoreTo(snapshot.id, target, (_phase, done) => progress.push(done));
    expect(fingerprint(target)).toEqual(before);
    expect(progress.at(-1)).toBeGreaterThanOrEqual(700);

    // In place, through temporary files: every file changed, then restored.
    chmodSync(join(workspace, 'd5/sub1'), 0o755);
    for (const path of Object.keys(files)) writeFileSync(join(workspace, path), 'changed\n');
    await engine.restore(snapshot.id);
    expect(fingerprint(workspace)).toEqual(before);
  });

  it('diffs two snapshots and a snapshot against the live workspace', async (context) => {
    const { workspace, engine } = await setup(context);
    const first = await engine.create('manual');
    writeFileSync(join(workspace, 'src/index.ts'), 'export const answer = 43;\n');
    writeFileSync(join(workspace, 'added.txt'), 'new\n');
    rmSync(join(workspace, 'README.md'));
    chmodSync(join(workspace, 'crlf.txt'), 0o600);
    const live = await engine.diff(first.id);
    expect(live.added).toEqual([{ path: 'added.txt', type: 'file', size: 4 }]);
    expect(live.deleted).toEqual([{ path: 'README.md', type: 'file', size: 10 }]);
    expect(live.modified).toEqual([
      { path: 'crlf.txt', type: 'file', size: 20, change: 'mode', previous_size: 20 },
      { path: 'src/index.ts', type: 'file', size: 26, change: 'content', previous_size: 26 },
    ]);
    const second = await engine.create('manual');
    expect(await engine.diff(first.id, second.id)).toEqual(live);
    expect(await engine.diff(second.id)).toEqual({ added: [], modified: [], deleted: [] });
  });

  it('adds little for a few small edits in a large tree; the archive backend a whole tar.gz', async (context) => {
    const { root, workspace, engine } = await setup(context);
    const files: Record<string, string> = {};
    for (let i = 0; i < 2000; i++)
      files[`pkg${i % 20}/src/dir${i % 7}/file${i}.ts`] = `export const v${i} = ${i};\n`.repeat(20);
    writeTree(workspace, files);
    await engine.create('manual');
    for (let i = 0; i < 10; i++)
      writeFileSync(join(workspace, `pkg${i}/src/dir${i % 7}/file${i}.ts`), `// edit ${i}\n`, {
        flag: 'a',
      });
    const edited = await engine.create('manual');
    if (backend === 'archive') {
      const archive = statSync(join(root, 'store', 'archives', `${edited.id}.tar.gz`));
      expect(edited.bytes_added).toBeGreaterThanOrEqual(archive.size);
    } else {
      expect(edited.bytes_added).toBeLessThan(64 * 1024);
    }
  });

  it('deletes, prunes and applies retention, keeping what it must and collecting garbage', async (context) => {
    const { workspace, engine } = await setup(context, {
      retention: { max_count: 3, delete_initial: false },
    });
    const preRun = await engine.create('pre-run');
    const ids = [];
    for (let i = 0; i < 4; i++) {
      writeFileSync(join(workspace, `file${i}.txt`), `${i}\n`.repeat(1000 * (i + 1)));
      ids.push((await engine.create('manual', `m${i}`)).id);
    }
    const removed = await engine.applyRetention();
    expect(removed.map((r) => r.label)).toEqual(['m0', 'm1']);
    expect((await engine.list()).map((r) => r.id)).toEqual([ids[3], ids[2], preRun.id]);
    expect((await engine.prune({ keep: 0, dryRun: true })).map((r) => r.label)).toEqual(['m2', 'm3']);
    expect(await engine.list()).toHaveLength(3);
    await engine.prune({ keep: 1 });
    expect((await engine.list()).map((r) => r.id)).toEqual([ids[3], preRun.id]);
    await expect(engine.prune({ keep: -1 })).rejects.toThrow(
      '--keep must be a whole number of at least 0, got -1',
    );
    await engine.delete(ids[3] as string);
    expect((await engine.verify()).problems).toEqual([]);
    const target = join(workspace, '..', 'restored');
    await engine.restoreTo(preRun.id, target);
    expect(existsSync(join(target, 'file0.txt'))).toBe(false);
  });

  it('touches nothing that did not change', async (context) => {
    const { workspace, engine } = await setup(context);
    const snapshot = await engine.create('manual');
    writeFileSync(join(workspace, 'src/index.ts'), 'changed\n');
    const untouched = statSync(join(workspace, 'src/lib/util.ts'));
    await engine.restore(snapshot.id);
    const after = statSync(join(workspace, 'src/lib/util.ts'));
    expect([after.ino, after.ctimeMs, after.mtimeMs]).toEqual([
      untouched.ino,
      untouched.ctimeMs,
      untouched.mtimeMs,
    ]);
  });

  it('frees the store space of deleted snapshots', async (context) => {
    const { root, workspace, engine } = await setup(context);
    await engine.create('manual');
    writeFileSync(join(workspace, 'random.bin'), randomBytes(256 * 1024));
    const big = await engine.create('manual');
    const sizeWithBig = storeBytes(join(root, 'store'));
    await engine.delete(big.id);
    expect(storeBytes(join(root, 'store'))).toBeLessThan(sizeWithBig - 200 * 1024);
  });

  it('verify names the snapshots a damaged pack breaks', async (context) => {
    const { root, workspace, engine } = await setup(context);
    const first = await engine.create('manual');
    writeFileSync(join(workspace, 'later.txt'), 'only in the second snapshot\n');
    const second = await engine.create('manual');
    const packs = join(root, 'store', 'packs');
    const newest = readdirSync(packs)
      .filter((name) => name.endsWith('.pack'))
      .map((name) => join(packs, name))
      .sort((a, b) => statSync(a).mtimeMs - statSync(b).mtimeMs)
      .at(-1) as string;
    const data = readFileSync(newest);
    data[data.length - 3] = (data[data.length - 3] ?? 0) ^ 0xff;
    writeFileSync(newest, data);
    const { problems } = await engine.verify();
    expect(problems.length).toBeGreaterThan(0);
    expect(problems.flatMap((p) => p.snapshots)).toContain(second.id);
    expect(problems.flatMap((p) => p.snapshots)).not.toContain(first.id);
  });

  it('refuses a workspace over its limits, naming the biggest files and the key to change', async (context) => {
    const { root, workspace, engine } = await setup(context, {
      limits: { max_files: 1_000_000, max_total_bytes: 20 * 2 ** 30, max_file_bytes: 1000 },
    });
    writeFileSync(join(workspace, 'big.bin'), Buffer.alloc(5000));
    await expect(engine.create('manual')).rejects.toThrow(
      /1 file\(s\) exceed snapshots\.limits\.max_file_bytes \(1000 B\): big\.bin \(4\.9 KiB\); exclude them with snapshots\.exclude\.additional in moat\.yaml, or raise snapshots\.limits\.max_file_bytes/,
    );
    expect(await engine.list()).toEqual([]);
    expect(payloads(join(root, 'store'))).toEqual([]);
  });

  it('deleteAll removes every snapshot of one run and only the data no other run uses', async (context) => {
    const { root, workspace, engine } = await setup(context);
    const other = await SnapshotEngine.open({
      workspace,
      snapshotsDir: join(root, 'other-run', 'snapshots'),
      storeDir: join(root, 'store'),
      settings,
    });
    const shared = await other.create('manual', 'shared');
    writeFileSync(join(workspace, 'random.bin'), randomBytes(256 * 1024));
    await engine.create('pre-run');
    const newest = await engine.create('manual', 'mine');
    const sizeBefore = storeBytes(join(root, 'store'));
    const deleted = await engine.deleteAll();
    expect(deleted.map((r) => r.label)).toEqual(['mine', null]);
    expect(deleted[0]?.id).toBe(newest.id);
    expect(await engine.list()).toEqual([]);
    expect(storeBytes(join(root, 'store'))).toBeLessThan(sizeBefore - 200 * 1024);
    expect((await other.verify()).problems).toEqual([]);
    const target = join(root, 'shared-restored');
    await other.restoreTo(shared.id, target);
    expect(readFileSync(join(target, 'README.md'), 'utf8')).toBe('# project\n');
    expect(await engine.deleteAll()).toEqual([]);
  });

  it('still lists, compares and restores the snapshots of a workspace that was deleted', async (context) => {
    const { root, workspace, engine } = await setup(context);
    const first = await engine.create('manual', 'first');
    writeFileSync(join(workspace, 'README.md'), '# changed\n');
    const second = await engine.create('manual', 'second');
    rmSync(workspace, { recursive: true });

    const reopened = await SnapshotEngine.open({
      workspace,
      snapshotsDir: join(root, 'run', 'snapshots'),
      storeDir: join(root, 'store'),
      settings,
    });
    expect(await reopened.workspaceExists()).toBe(false);
    expect((await reopened.list()).map((r) => r.label)).toEqual(['second', 'first']);
    expect((await reopened.diff(first.id, second.id)).modified.map((e) => e.path)).toEqual(['README.md']);
    const live = await reopened.diff(first.id).catch((e: unknown) => e);
    expect(SnapshotError.isInstance(live) && live.message).toBe(
      `the workspace directory ${workspace} does not exist`,
    );

    await reopened.restoreTo(first.id, workspace); // brings it back where it was
    expect(readFileSync(join(workspace, 'README.md'), 'utf8')).toBe('# project\n');
    expect(await reopened.workspaceExists()).toBe(true);
    expect(await reopened.diff(first.id)).toMatchObject({ added: [], modified: [], deleted: [] });
  });

  it('imports a directory as a snapshot covered by the workspace rules, leaving the workspace alone', async (context) => {
    const { root, workspace, engine } = await setup(context);
    const before = await engine.create('manual', 'before');
    const extracted = join(root, 'extracted');
    writeTree(extracted, {
      'README.md': '# from elsewhere\n',
      'src/index.ts': 'export const answer = 42;\n',
      '.gitignore': '*.log\n',
      'build.log': 'not covered\n',
    });
    const imported = await engine.importFrom(extracted, 'their tarball');
    expect(imported).toMatchObject({ type: 'import', label: 'their tarball', files: 3 });
    expect(readFileSync(join(workspace, 'README.md'), 'utf8')).toBe('# project\n');
    const diff = await engine.diff(before.id, imported.id);
    expect(diff.modified.map((e) => e.path)).toContain('README.md');
    expect(diff.added.map((e) => e.path)).not.toContain('build.log');

    await engine.restore(imported.id);
    expect(readFileSync(join(workspace, 'README.md'), 'utf8')).toBe('# from elsewhere\n');
    expect(existsSync(join(workspace, 'build.log'))).toBe(false);
    expect(readFileSync(join(workspace, 'debug.log'), 'utf8')).toBe('log\n'); // ignored: untouched
  });

  it('reports an unknown snapshot clearly', async (context) => {
    const { engine } = await setup(context);
    const error = await engine.restore('snap_000000000000').catch((e: unknown) => e);
    expect(SnapshotError.isInstance(error) && error.code).toBe('not_found');
  });
});
