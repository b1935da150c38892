import { execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  truncateSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { SnapshotEngine, type SnapshotSettings } from '../engine/engine.js';
import { fingerprint, tempDir, writeTree } from '../test-support/workspace.js';

const settings: SnapshotSettings = {
  backend: 'archive',
  exclude: { ignore_gitignore: false, additional: [] },
  limits: { max_files: 100_000, max_total_bytes: 2 ** 30, max_file_bytes: 2 ** 30 },
  retention: { max_count: 10, delete_initial: false },
};

const IGNORED = ['.git', 'node_modules', '.env', 'debug.log'];

async function setup(backend: SnapshotSettings['backend'] = 'archive') {
  const root = tempDir();
  const workspace = join(root, 'ws');
  writeTree(workspace, {
    'README.md': '# project\n',
    'src/index.ts': 'export const answer = 42;\n',
    'src/lib/util.ts': 'export function util() {}\n',
    '.gitignore': 'node_modules/\n.env\n*.log\n',
    'node_modules/dep/index.js': 'module.exports = 1;\n',
    '.env': 'SECRET=1\n',
    'debug.log': 'log\n',
    '.git/HEAD': 'ref: refs/heads/main\n',
  });
  mkdirSync(join(workspace, 'empty-dir'));
  utimesSync(join(workspace, 'README.md'), 1_600_000_000.123456, 1_600_000_000.123456);
  const store = join(root, 'store');
  const options = { workspace, snapshotsDir: join(root, 'run'), storeDir: store };
  const engine = await SnapshotEngine.open({ ...options, settings: { ...settings, backend } });
  return { root, workspace, store, options, engine };
}

function archiveOf(store: string, id: string): string {
  return join(store, 'archives', `${id}.tar.gz`);
}

describe('the archive backend', () => {
  it('keeps each snapshot as a tar.gz that GNU tar lists, covered paths only, mtimes to the µs', async () => {
    const { store, engine } = await setup();
    const record = await engine.create('manual');
    expect(engine.backend).toBe('archive');
    expect(record.backend).toBe('archive');
    const archive = archiveOf(store, record.id);
    expect(record.bytes_added).toBeGreaterThanOrEqual(statSync(archive).size);
    const listing = execFileSync('tar', ['--full-time', '-tzvf', archive], { encoding: 'utf8' });
    const names = listing
      .trim()
      .split('\n')
      .map((line) => line.split(/\s+/).at(-1));
    expect(names).toEqual([
      '.gitignore',
      'README.md',
      'empty-dir/',
      'src/',
      'src/index.ts',
      'src/lib/',
      'src/lib/util.ts',
    ]);
    expect(listing).toMatch(/2020-09-13 12:26:40\.123456 README\.md/);
  });

  it('restores only what differs and never touches ignored files', async () => {
    const { workspace, engine } = await setup();
    const snapshot = await engine.create('manual');
    const skip = [...IGNORED, 'trace.log'];
    const before = fingerprint(workspace, skip);
    writeFileSync(join(workspace, 'src/index.ts'), 'export const answer = 0;\n');
    rmSync(join(workspace, 'empty-dir'), { recursive: true });
    writeFileSync(join(workspace, 'added.txt'), 'new\n');
    writeFileSync(join(workspace, '.env'), 'SECRET=2\n');
    writeTree(workspace, { 'node_modules/dep/new.js': 'new\n', 'trace.log': 'ignored, new\n' });
    const nodeModules = fingerprint(join(workspace, 'node_modules'));
    const untouched = ['README.md', 'src/lib/util.ts', '.gitignore'].map((path) => {
      const { ino, ctimeMs, mtimeMs } = statSync(join(workspace, path));
      return [path, ino, ctimeMs, mtimeMs];
    });

    await engine.restore(snapshot.id);
    expect(fingerprint(workspace, skip)).toEqual(before);
    expect(fingerprint(join(workspace, 'node_modules'))).toEqual(nodeModules);
    expect(readFileSync(join(workspace, '.env'), 'utf8')).toBe('SECRET=2\n');
    expect(readFileSync(join(workspace, 'trace.log'), 'utf8')).toBe('ignored, new\n');
    for (const [path, ...stat] of untouched) {
      const { ino, ctimeMs, mtimeMs } = statSync(join(workspace, path as string));
      expect([path, ino, ctimeMs, mtimeMs]).toEqual([path, ...stat]);
    }
  });

  it('extracts only the files a restore writes, into staging that it removes', async () => {
    const { store, workspace, engine } = await setup();
    const snapshot = await engine.create('manual');
    writeFileSync(join(workspace, 'README.md'), 'changed\n');
    await engine.restore(snapshot.id);
    expect(readFileSync(join(workspace, 'README.md'), 'utf8')).toBe('# project\n');
    expect(readdirSync(join(store, 'staging'))).toEqual([]);
  });

  it('fails a restore from a damaged archive before it changes the workspace', async () => {
    const { store, workspace, engine } = await setup();
    const snapshot = await engine.create('manual');
    writeFileSync(join(workspace, 'README.md'), 'changed\n');
    const edited = fingerprint(workspace);
    const archive = archiveOf(store, snapshot.id);
    truncateSync(archive, statSync(archive).size - 20);
    await expect(engine.restore(snapshot.id)).rejects.toMatchObject({ code: 'corrupt_archive' });
    expect(fingerprint(workspace)).toEqual(edited);
    expect(await engine.interruptedRestore()).toBeNull();
  });

  it('refuses an archive whose file content differs from the tree, though gzip and tar find it whole', async () => {
    const { store, workspace, engine } = await setup();
    const snapshot = await engine.create('manual');
    writeFileSync(join(workspace, 'README.md'), 'changed\n');
    const edited = fingerprint(workspace);
    const archive = archiveOf(store, snapshot.id);
    const tar = gunzipSync(readFileSync(archive));
    const at = tar.indexOf('# project\n');
    expect(at).toBeGreaterThan(0);
    tar.write('# PROJECT\n', at); // same size: only the content hash can tell
    writeFileSync(archive, gzipSync(tar));
    await expect(engine.restore(snapshot.id)).rejects.toThrow(
      /entry "README\.md" does not hold the content the snapshot recorded/,
    );
    expect(fingerprint(workspace)).toEqual(edited);
    expect(readdirSync(join(store, 'staging'))).toEqual([]);
  });

  it('writes no archive when createIfChanged finds nothing changed', async () => {
    const { store, workspace, engine } = await setup();
    await engine.create('manual');
    expect(await engine.createIfChanged('idle')).toBeNull();
    expect(readdirSync(join(store, 'archives'))).toHaveLength(1);
    writeFileSync(join(workspace, 'README.md'), 'changed\n');
    expect(await engine.createIfChanged('idle')).not.toBeNull();
    expect(readdirSync(join(store, 'archives'))).toHaveLength(2);
  });

  it('verify reads every archive through and names damaged and missing ones', async () => {
    const { store, workspace, engine } = await setup();
    const intact = await engine.create('manual');
    writeFileSync(join(workspace, 'README.md'), 'second\n');
    const damaged = await engine.create('manual');
    writeFileSync(join(workspace, 'README.md'), 'third\n');
    const missing = await engine.create('manual');
    const archive = archiveOf(store, damaged.id);
    const data = readFileSync(archive);
    data[data.length - 6] = (data[data.length - 6] ?? 0) ^ 0xff; // the gzip CRC
    writeFileSync(archive, data);
    rmSync(archiveOf(store, missing.id));

    const { problems } = await engine.verify();
    expect(problems).toEqual([
      {
        hash: '',
        kind: 'corrupt',
        message: expect.stringMatching(/^the archive .* is damaged: .*gzip/),
        snapshots: [damaged.id],
      },
      { hash: '', kind: 'missing', message: expect.stringMatching(/is missing$/), snapshots: [missing.id] },
    ]);
    expect(problems.flatMap((p) => p.snapshots)).not.toContain(intact.id);
  });

  it('deletes archives with their snapshots and sweeps those of no snapshot', async () => {
    const { store, workspace, engine } = await setup();
    const first = await engine.create('manual');
    writeFileSync(join(workspace, 'README.md'), 'changed\n');
    const second = await engine.create('manual');
    writeFileSync(archiveOf(store, 'snap_0123456789ab'), 'left by a crash before its ref');
    mkdirSync(join(store, 'staging', 'snap_0123456789ab-x'), { recursive: true });
    await engine.delete(first.id);
    expect(readdirSync(join(store, 'archives'))).toEqual([`${second.id}.tar.gz`]);
    expect(existsSync(join(store, 'staging'))).toBe(false);
    await engine.deleteAll();
    expect(readdirSync(join(store, 'archives'))).toEqual([]);
  });

  it('reads and deletes the snapshots of the backend used before', async () => {
    const { workspace, options, engine: archives } = await setup('store');
    const stored = await archives.create('manual', 'in the store');
    const engine = await SnapshotEngine.open({ ...options, settings });
    writeFileSync(join(workspace, 'README.md'), 'changed\n');
    const archived = await engine.create('manual', 'archived');
    expect([stored.backend, archived.backend]).toEqual(['store', 'archive']);
    expect((await engine.diff(stored.id, archived.id)).modified.map((e) => e.path)).toEqual(['README.md']);
    await engine.restore(stored.id);
    expect(readFileSync(join(workspace, 'README.md'), 'utf8')).toBe('# project\n');
    await engine.delete(stored.id);
    expect((await engine.verify()).problems).toEqual([]);
  });
});
