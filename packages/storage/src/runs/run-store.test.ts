import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { writeJsonAtomic } from '../atomic/json-file.js';
import { StorageError } from '../errors.js';
import { acquireLock } from '../lock/lock.js';
import { runChild } from '../test-support/children.js';
import { tempDir } from '../test-support/temp-dir.js';
import type { RunRecord } from './run-record.js';
import { RunStore } from './run-store.js';

async function newStore(): Promise<RunStore> {
  return new RunStore(join(await tempDir(), 'moat-home'));
}

/** Rewrites a run's record with a chosen creation time, for ordering tests. */
async function setCreatedAt(store: RunStore, run: RunRecord, created_at: string): Promise<RunRecord> {
  const record = { ...run, created_at };
  await writeJsonAtomic(store.paths.runRecordPath(run.id), record);
  return record;
}

describe('RunStore.create', () => {
  it('writes a complete record in a new 0700 run directory, metadata.json 0600', async () => {
    const store = await newStore();
    const before = Date.now();
    const run = await store.create({ workspace: '/work/project', command: ['claude', '--yes'] });
    expect(run).toEqual({
      id: expect.stringMatching(/^run_[0-9a-f]{12}$/),
      name: null,
      workspace: '/work/project',
      command: ['claude', '--yes'],
      pid: null,
      state: 'created',
      exit_code: null,
      created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      ended_at: null,
    });
    expect(Date.parse(run.created_at)).toBeGreaterThanOrEqual(before - 1);
    const file = store.paths.runRecordPath(run.id);
    expect(await readFile(file, 'utf8')).toBe(`${JSON.stringify(run, null, 2)}\n`);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await stat(store.paths.runDir(run.id))).mode & 0o777).toBe(0o700);
    expect((await stat(store.paths.runsDir)).mode & 0o777).toBe(0o700);
    expect((await stat(store.paths.home)).mode & 0o777).toBe(0o700);
    expect(await readdir(store.paths.runsDir)).toEqual([run.id]);
    expect(await readdir(store.paths.runDir(run.id))).toEqual(['metadata.json']);
  });

  it('keeps name and pid, and makes the workspace absolute', async () => {
    const store = await newStore();
    const run = await store.create({ workspace: 'rel/ws', command: ['a'], name: 'fix-ci', pid: 123 });
    expect(run).toMatchObject({ name: 'fix-ci', pid: 123, workspace: resolve('rel/ws') });
    expect(await store.get(run.id)).toEqual(run);
  });

  it('refuses a bad name, saying what is allowed, and creates nothing', async () => {
    const store = await newStore();
    await expect(store.create({ workspace: '/w', command: ['a'], name: 'run_x' })).rejects.toMatchObject({
      code: 'invalid',
      message: `invalid run name "run_x": use 1 to 64 letters, digits, '.', '_' or '-', not starting with '-' or 'run_'`,
    });
    await expect(store.create({ workspace: '/w', command: ['a'], name: '' })).rejects.toMatchObject({
      code: 'invalid',
    });
    await expect(stat(store.paths.home)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('refuses an empty command, a non-string argument or a bad pid', async () => {
    const store = await newStore();
    await expect(store.create({ workspace: '/w', command: [] })).rejects.toMatchObject({
      code: 'invalid',
      message: 'a run needs a command: a non-empty list of strings',
    });
    await expect(store.create({ workspace: '/w', command: ['a', 2 as never] })).rejects.toMatchObject({
      code: 'invalid',
      message: 'cannot create a run for /w: field "command" must be a list of strings',
    });
    await expect(store.create({ workspace: '/w', command: ['a'], pid: -3 })).rejects.toMatchObject({
      code: 'invalid',
      message: 'cannot create a run for /w: field "pid" must be a positive integer or null',
    });
  });
});

describe('RunStore.get', () => {
  it('says a missing run is not found and how to list runs', async () => {
    const store = await newStore();
    const id = 'run_0123456789ab';
    await expect(store.get(id)).rejects.toMatchObject({
      code: 'not_found',
      message: `run ${id} not found (${store.paths.runDir(id)} does not exist); run 'moat runs' to list runs`,
    });
  });

  it('refuses something that is not a run id', async () => {
    const store = await newStore();
    await expect(store.get('../../etc')).rejects.toMatchObject({ code: 'invalid' });
  });

  it('reports unparseable metadata as corrupt, naming the file and what to do', async () => {
    const store = await newStore();
    const run = await store.create({ workspace: '/w', command: ['a'] });
    const file = store.paths.runRecordPath(run.id);
    await writeFile(file, '{"id": "run_');
    await expect(store.get(run.id)).rejects.toMatchObject({
      code: 'corrupt',
      file,
      message: `${file} is corrupted (Unterminated string in JSON at position 12); fix it or remove the run directory ${store.paths.runDir(run.id)}`,
    });
  });

  it('reports a record of the wrong shape or for another id as corrupt', async () => {
    const store = await newStore();
    const run = await store.create({ workspace: '/w', command: ['a'] });
    const file = store.paths.runRecordPath(run.id);
    await writeJsonAtomic(file, { ...run, state: 'paused' });
    await expect(store.get(run.id)).rejects.toMatchObject({
      code: 'corrupt',
      message: expect.stringContaining(
        '(field "state" must be one of created, running, exited, failed); fix it or',
      ),
    });
    await writeJsonAtomic(file, { ...run, id: 'run_ffffffffffff' });
    await expect(store.get(run.id)).rejects.toMatchObject({
      code: 'corrupt',
      message: expect.stringContaining('(its id "run_ffffffffffff" does not match its directory)'),
    });
  });

  it('reports a run directory without metadata.json as corrupt', async () => {
    const store = await newStore();
    const id = 'run_0123456789ab';
    await mkdir(store.paths.runDir(id), { recursive: true });
    await expect(store.get(id)).rejects.toMatchObject({
      code: 'corrupt',
      message: `${store.paths.runRecordPath(id)} is missing; remove the run directory ${store.paths.runDir(id)}`,
    });
  });
});

describe('RunStore.update', () => {
  it('applies a patch or a function and writes the result atomically, leaving no lock behind', async () => {
    const store = await newStore();
    const run = await store.create({ workspace: '/w', command: ['a'] });
    const running = await store.update(run.id, { state: 'running', pid: 99 });
    expect(running).toEqual({ ...run, state: 'running', pid: 99 });
    const ended = await store.update(run.id, (r) => ({
      ...r,
      state: 'exited',
      exit_code: 3,
      ended_at: '2025-05-05T05:05:05.005Z',
    }));
    expect(ended).toMatchObject({
      state: 'exited',
      exit_code: 3,
      pid: 99,
      ended_at: '2025-05-05T05:05:05.005Z',
    });
    expect(await store.get(run.id)).toEqual(ended);
    expect((await readdir(store.paths.runDir(run.id))).sort()).toEqual(['metadata.json']);
  });

  it('refuses results that are not valid records, changed ids and bad names, keeping the record', async () => {
    const store = await newStore();
    const run = await store.create({ workspace: '/w', command: ['a'] });
    await expect(store.update(run.id, { state: 'done' as never })).rejects.toMatchObject({
      code: 'invalid',
      message: `cannot update run ${run.id}: field "state" must be one of created, running, exited, failed`,
    });
    await expect(store.update(run.id, (r) => ({ ...r, id: 'run_ffffffffffff' }))).rejects.toMatchObject({
      code: 'invalid',
      message: `cannot update run ${run.id}: its id cannot change`,
    });
    await expect(store.update(run.id, { name: '-x' })).rejects.toMatchObject({ code: 'invalid' });
    expect(await store.get(run.id)).toEqual(run);
    expect(await store.update(run.id, { name: 'renamed' })).toMatchObject({ name: 'renamed' });
  });

  it('says a missing run is not found', async () => {
    const store = await newStore();
    await expect(store.update('run_0123456789ab', { state: 'running' })).rejects.toMatchObject({
      code: 'not_found',
      message: expect.stringMatching(/^run run_0123456789ab not found \(.*\); run 'moat runs' to list runs$/),
    });
  });

  it('loses no concurrent update within a process', async () => {
    const store = await newStore();
    const run = await store.create({ workspace: '/w', command: ['agent'] });
    await Promise.all(
      Array.from({ length: 15 }, (_, i) =>
        store.update(run.id, (r) => ({ ...r, command: [...r.command, `${i}`] })),
      ),
    );
    expect((await store.get(run.id)).command.slice(1).sort((a, b) => Number(a) - Number(b))).toEqual(
      Array.from({ length: 15 }, (_, i) => `${i}`),
    );
  });

  it('loses no concurrent update from several processes', async () => {
    const store = await newStore();
    const run = await store.create({ workspace: '/w', command: ['agent'] });
    const tags = ['p', 'q', 'r'];
    await Promise.all(tags.map((tag) => runChild('run-update.mjs', [store.paths.home, run.id, tag, '15'])));
    const { command } = await store.get(run.id);
    expect(command).toHaveLength(1 + tags.length * 15);
    for (const tag of tags) {
      expect(command.filter((arg) => arg.startsWith(`${tag}-`))).toEqual(
        Array.from({ length: 15 }, (_, i) => `${tag}-${i}`),
      );
    }
  });
});

describe('RunStore.list', () => {
  it('is empty, and creates nothing, when the home does not exist', async () => {
    const store = await newStore();
    expect(await store.list()).toEqual({ runs: [], problems: [] });
    await expect(stat(store.paths.home)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('lists runs newest first, ties by id, ignoring entries that are not runs', async () => {
    const store = await newStore();
    const a = await setCreatedAt(
      store,
      await store.create({ workspace: '/w', command: ['a'] }),
      '2025-01-01T00:00:00.000Z',
    );
    const b = await setCreatedAt(
      store,
      await store.create({ workspace: '/w', command: ['b'] }),
      '2025-01-03T00:00:00.000Z',
    );
    const c = await setCreatedAt(
      store,
      await store.create({ workspace: '/w', command: ['c'] }),
      '2025-01-02T00:00:00.000Z',
    );
    const d = await setCreatedAt(
      store,
      await store.create({ workspace: '/w', command: ['d'] }),
      '2025-01-02T00:00:00.000Z',
    );
    await mkdir(join(store.paths.runsDir, 'not-a-run'));
    await writeFile(join(store.paths.runsDir, 'run_0123456789ab'), 'a file, not a run directory');
    const [first, second] = [c, d].sort((x, y) => (x.id < y.id ? -1 : 1));
    expect(await store.list()).toEqual({ runs: [b, first, second, a], problems: [] });
  });

  it('reports a corrupted run as a problem and still lists the others', async () => {
    const store = await newStore();
    const good = await store.create({ workspace: '/w', command: ['a'] });
    const bad = await store.create({ workspace: '/w', command: ['b'] });
    const file = store.paths.runRecordPath(bad.id);
    await writeFile(file, 'garbage');
    const { runs, problems } = await store.list();
    expect(runs).toEqual([good]);
    expect(problems).toEqual([
      {
        id: bad.id,
        file,
        message: `${file} is corrupted (Unexpected token 'g', "garbage" is not valid JSON); fix it or remove the run directory ${store.paths.runDir(bad.id)}`,
      },
    ]);
  });
});

describe('RunStore.resolve', () => {
  it('resolves ids, names and id prefixes', async () => {
    const store = await newStore();
    const run = await store.create({ workspace: '/w', command: ['a'], name: 'nightly' });
    await store.create({ workspace: '/w', command: ['b'] });
    expect(await store.resolve(run.id)).toEqual(run);
    expect(await store.resolve('nightly')).toEqual(run);
    expect(await store.resolve(run.id.slice(0, 16))).toEqual(run);
    await expect(store.resolve('nope')).rejects.toMatchObject({
      code: 'not_found',
      message: `no run matches "nope"; run 'moat runs' to list runs`,
    });
  });

  it('reports a corrupted run meant by full id or by a prefix as corrupt, not as unknown', async () => {
    const store = await newStore();
    const run = await store.create({ workspace: '/w', command: ['a'] });
    await writeFile(store.paths.runRecordPath(run.id), '[');
    await expect(store.resolve(run.id)).rejects.toMatchObject({
      code: 'corrupt',
      file: store.paths.runRecordPath(run.id),
    });
    await expect(store.resolve(run.id.slice(4, 12))).rejects.toMatchObject({ code: 'corrupt' });
  });

  it('says a missing full id is not found', async () => {
    const store = await newStore();
    await expect(store.resolve('run_0123456789ab')).rejects.toMatchObject({ code: 'not_found' });
  });
});

describe('RunStore.remove', () => {
  it('deletes the run directory with everything in it, leaving nothing behind', async () => {
    const store = await newStore();
    const run = await store.create({ workspace: '/w', command: ['a'] });
    const keep = await store.create({ workspace: '/w', command: ['b'] });
    await mkdir(store.paths.snapshotsDir(run.id));
    await writeFile(store.paths.execLogPath(run.id), '{}\n');
    await store.remove(run.id);
    expect(await readdir(store.paths.runsDir)).toEqual([keep.id]);
    await expect(store.get(run.id)).rejects.toMatchObject({ code: 'not_found' });
  });

  it('removes a run whose record is corrupted', async () => {
    const store = await newStore();
    const run = await store.create({ workspace: '/w', command: ['a'] });
    await writeFile(store.paths.runRecordPath(run.id), 'garbage');
    await store.remove(run.id);
    expect(await store.list()).toEqual({ runs: [], problems: [] });
  });

  it('says a missing run is not found', async () => {
    const store = await newStore();
    const error = await store.remove('run_0123456789ab').catch((e: unknown) => e);
    expect(StorageError.isInstance(error) && error.code).toBe('not_found');
  });

  it('makes an update waiting for the lock fail with not_found instead of recreating the run', async () => {
    const store = await newStore();
    const run = await store.create({ workspace: '/w', command: ['a'] });
    const runDir = store.paths.runDir(run.id);
    // Do what remove does while holding the run's lock, with an update waiting for that lock:
    // rename the directory away (atomically), then delete it.
    const lock = await acquireLock(join(runDir, 'metadata.lock'));
    // The expectation is attached at once: the update may fail while the directory is being deleted.
    const updateFails = expect(store.update(run.id, { state: 'running' })).rejects.toMatchObject({
      code: 'not_found',
    });
    await sleep(50);
    const doomed = join(store.paths.runsDir, '.removing-test');
    await rename(runDir, doomed);
    await lock.release();
    await rm(doomed, { recursive: true });
    await updateFails;
    expect(await readdir(store.paths.runsDir)).toEqual([]);
  });
});
