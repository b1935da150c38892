import { readdir, readFile, stat, utimes, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { StorageError } from '../errors.js';
import { deadPid } from '../test-support/children.js';
import { tempDir } from '../test-support/temp-dir.js';
import { acquireLock, readLockOwner, withLock } from './lock.js';
import { type LockOwner, newLockOwner } from './lock-owner.js';

async function lockPath(): Promise<string> {
  return join(await tempDir(), 'state.lock');
}

async function writeOwner(path: string, changes: Partial<LockOwner>): Promise<LockOwner> {
  const owner = { ...(await newLockOwner()), ...changes };
  await writeFile(path, JSON.stringify(owner));
  return owner;
}

describe('acquireLock', () => {
  it('creates a 0600 lock file holding the owner record, and release removes it', async () => {
    const path = await lockPath();
    const lock = await acquireLock(path);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    const owner = JSON.parse(await readFile(path, 'utf8'));
    expect(owner).toEqual(lock.owner);
    expect(owner).toMatchObject({ pid: process.pid, hostname: hostname() });
    expect(Object.keys(owner).sort()).toEqual([
      'acquired_at',
      'command',
      'hostname',
      'pid',
      'start_time',
      'token',
    ]);
    expect(await readLockOwner(path)).toEqual(lock.owner);
    await lock.release();
    expect(await readdir(join(path, '..'))).toEqual([]);
    expect(await readLockOwner(path)).toBeUndefined();
  });

  it('release is idempotent and Symbol.asyncDispose releases', async () => {
    const path = await lockPath();
    const lock = await acquireLock(path);
    await lock[Symbol.asyncDispose]();
    await lock.release();
    const again = await acquireLock(path, { timeoutMs: 0 });
    await again.release();
    expect(await readLockOwner(path)).toBeUndefined();
  });

  it('is exclusive between holders in one process (it is not re-entrant)', async () => {
    const path = await lockPath();
    let inside = 0;
    let most = 0;
    const order: number[] = [];
    await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        withLock(path, async () => {
          inside++;
          most = Math.max(most, inside);
          await sleep(2);
          order.push(i);
          inside--;
        }),
      ),
    );
    expect(most).toBe(1);
    expect(order.sort()).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it('times out naming a live holder and how to remove the lock; onWait hears of the holder', async () => {
    const path = await lockPath();
    const held = await acquireLock(path);
    const seen: Array<LockOwner | undefined> = [];
    const error = await acquireLock(path, { timeoutMs: 300, onWait: (owner) => seen.push(owner) }).catch(
      (e: unknown) => e,
    );
    expect(StorageError.isInstance(error)).toBe(true);
    const { pid, hostname: host, command, acquired_at } = held.owner;
    expect(error).toMatchObject({
      code: 'lock_timeout',
      file: path,
      message:
        `timed out after 0.3s waiting for lock ${path}, held by pid ${pid} on ${host} (${command}) since ` +
        `${acquired_at}; if that process is gone, delete the lock file: rm "${path}"`,
    });
    expect(seen).toEqual([held.owner]);
    expect(await readLockOwner(path)).toEqual(held.owner);
    await held.release();
  });

  it('with timeoutMs 0 tries exactly once', async () => {
    const path = await lockPath();
    const held = await acquireLock(path);
    const started = Date.now();
    await expect(acquireLock(path, { timeoutMs: 0 })).rejects.toMatchObject({ code: 'lock_timeout' });
    expect(Date.now() - started).toBeLessThan(1000);
    await held.release();
  });

  it('breaks the lock of an exited process on this host', async () => {
    const path = await lockPath();
    await writeOwner(path, { pid: deadPid() });
    const lock = await acquireLock(path, { timeoutMs: 5000 });
    expect(await readLockOwner(path)).toEqual(lock.owner);
    await lock.release();
  });

  it.runIf(process.platform === 'linux')(
    'breaks a lock whose pid was reused by another process (start time differs)',
    async () => {
      const path = await lockPath();
      const me = await newLockOwner();
      const stale = await writeOwner(path, { start_time: (me.start_time as number) + 1 });
      expect(stale.pid).toBe(process.pid);
      const lock = await acquireLock(path, { timeoutMs: 5000 });
      expect((await readLockOwner(path))?.token).toBe(lock.owner.token);
      await lock.release();
    },
  );

  it('never breaks a lock owned on another host', async () => {
    const path = await lockPath();
    const foreign = await writeOwner(path, { hostname: 'build-server-7', pid: deadPid() });
    await expect(acquireLock(path, { timeoutMs: 200 })).rejects.toMatchObject({
      code: 'lock_timeout',
      message: expect.stringContaining(`held by pid ${foreign.pid} on build-server-7 (`),
    });
    expect(await readLockOwner(path)).toEqual(foreign);
  });

  it('waits for a fresh unreadable lock file (its owner may be writing it) but breaks an old one', async () => {
    const path = await lockPath();
    await writeFile(path, '{"pid": 12');
    await expect(acquireLock(path, { timeoutMs: 200 })).rejects.toMatchObject({
      code: 'lock_timeout',
      message:
        `timed out after 0.2s waiting for lock ${path}, held by an unknown owner (the lock file is unreadable); ` +
        `if that process is gone, delete the lock file: rm "${path}"`,
    });
    const old = new Date(Date.now() - 60_000);
    await utimes(path, old, old);
    const lock = await acquireLock(path, { timeoutMs: 5000 });
    expect(await readLockOwner(path)).toEqual(lock.owner);
    await lock.release();
  });

  it('lets exactly one of many waiters at a time in when they all find the same stale lock', async () => {
    const path = await lockPath();
    await writeOwner(path, { pid: deadPid() });
    let inside = 0;
    let most = 0;
    let done = 0;
    await Promise.all(
      Array.from({ length: 10 }, () =>
        withLock(
          path,
          async () => {
            inside++;
            most = Math.max(most, inside);
            await sleep(3);
            inside--;
            done++;
          },
          { timeoutMs: 10_000 },
        ),
      ),
    );
    expect(most).toBe(1);
    expect(done).toBe(10);
    expect(await readdir(join(path, '..'))).toEqual([]);
  });

  it('removes a break guard left by a crashed process and still breaks the stale lock', async () => {
    const path = await lockPath();
    await writeOwner(path, { pid: deadPid() });
    await writeOwner(`${path}.break`, { pid: deadPid() });
    const lock = await acquireLock(path, { timeoutMs: 5000 });
    expect(await readdir(join(path, '..'))).toEqual(['state.lock']);
    await lock.release();
  });

  it('release does not delete the file of a new owner after the lock was broken', async () => {
    const path = await lockPath();
    const first = await acquireLock(path);
    // As if another process judged `first` stale, removed its file and took the lock.
    const second = await writeOwner(path, { token: 'someone-else' });
    await first.release();
    expect(await readLockOwner(path)).toEqual(second);
  });

  it('needs the directory to exist', async () => {
    const path = join(await tempDir(), 'missing', 'x.lock');
    await expect(acquireLock(path)).rejects.toMatchObject({
      code: 'not_found',
      message: `cannot create lock ${path}: directory ${join(path, '..')} does not exist`,
    });
  });

  it('stops waiting when the signal aborts, with the signal reason', async () => {
    const path = await lockPath();
    const held = await acquireLock(path);
    const controller = new AbortController();
    const reason = new Error('user pressed ctrl-c');
    setTimeout(() => controller.abort(reason), 50);
    await expect(acquireLock(path, { signal: controller.signal })).rejects.toBe(reason);
    await held.release();
  });
});

describe('withLock', () => {
  it('returns what fn returns and releases the lock', async () => {
    const path = await lockPath();
    expect(await withLock(path, () => 42)).toBe(42);
    expect(await readLockOwner(path)).toBeUndefined();
  });

  it('releases the lock when fn throws', async () => {
    const path = await lockPath();
    await expect(
      withLock(path, () => {
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await readLockOwner(path)).toBeUndefined();
  });
});
