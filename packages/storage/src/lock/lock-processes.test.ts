import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { startChild } from '../test-support/children.js';
import { tempDir } from '../test-support/temp-dir.js';
import { acquireLock, readLockOwner } from './lock.js';

describe('acquireLock across processes', () => {
  it('gives read-modify-write cycles of several processes mutual exclusion: no update is lost', async () => {
    const dir = await tempDir();
    const lock = join(dir, 'counter.lock');
    const counter = join(dir, 'counter');
    await writeFile(counter, '0');
    const processes = 4;
    const iterations = 60;
    const go = join(dir, 'go');
    const children = Array.from({ length: processes }, () =>
      startChild('lock-counter.mjs', [lock, counter, String(iterations), go]),
    );
    await Promise.all(children.map((child) => child.waitForLine('ready')));
    await writeFile(go, '');
    for (const child of children) expect(await child.exited).toMatchObject({ code: 0, stderr: '' });
    expect(Number(await readFile(counter, 'utf8'))).toBe(processes * iterations);
    expect(await readLockOwner(lock)).toBeUndefined();
  });

  it('takes over within a second from a holder killed with SIGKILL', async () => {
    const path = join(await tempDir(), 'run.lock');
    const holder = startChild('lock-hold.mjs', [path]);
    await holder.waitForLine('locked');
    expect((await readLockOwner(path))?.pid).toBe(holder.process.pid);
    holder.process.kill('SIGKILL');
    await holder.exited;
    const started = Date.now();
    const lock = await acquireLock(path, { timeoutMs: 10_000 });
    expect(Date.now() - started).toBeLessThan(1000);
    expect((await readLockOwner(path))?.token).toBe(lock.owner.token);
    await lock.release();
  });

  it('times out on a live holder in another process, naming it', async () => {
    const path = join(await tempDir(), 'run.lock');
    const holder = startChild('lock-hold.mjs', [path]);
    await holder.waitForLine('locked');
    const owner = await readLockOwner(path);
    await expect(acquireLock(path, { timeoutMs: 500 })).rejects.toMatchObject({
      code: 'lock_timeout',
      message: expect.stringContaining(
        `held by pid ${holder.process.pid} on ${owner?.hostname} (node ${fileURLToPath(new URL('../test-support/lock-hold.mjs', import.meta.url))} ${path}) since ${owner?.acquired_at}`,
      ),
    });
  });
});
