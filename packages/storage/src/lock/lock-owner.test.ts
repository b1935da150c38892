import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import { deadPid } from '../test-support/children.js';
import { describeOwner, isOwnerGone, type LockOwner, newLockOwner, parseLockOwner } from './lock-owner.js';

describe('newLockOwner', () => {
  it('describes this process with a fresh token each time', async () => {
    const a = await newLockOwner();
    const b = await newLockOwner();
    expect(a).toMatchObject({ pid: process.pid, hostname: hostname() });
    expect(a.token).toMatch(/^[0-9a-f]{16}$/);
    expect(a.token).not.toBe(b.token);
    expect(new Date(a.acquired_at).toISOString()).toBe(a.acquired_at);
    expect(a.command.length).toBeLessThanOrEqual(120);
    expect(a.command).toMatch(/^node/);
    if (process.platform === 'linux') expect(Number.isInteger(a.start_time)).toBe(true);
    else expect(a.start_time).toBeNull();
  });
});

describe('parseLockOwner', () => {
  const owner: LockOwner = {
    pid: 42,
    hostname: 'h',
    token: 't',
    acquired_at: '2025-01-01T00:00:00.000Z',
    start_time: null,
    command: 'node x',
  };

  it('accepts a complete owner record', () => {
    expect(parseLockOwner(JSON.stringify(owner))).toEqual(owner);
    expect(parseLockOwner(JSON.stringify({ ...owner, start_time: 123 }))).toEqual({
      ...owner,
      start_time: 123,
    });
  });

  it.each([
    ['empty text', ''],
    ['torn JSON', JSON.stringify(owner).slice(0, 20)],
    ['a non-object', '42'],
    ['pid 0 (would signal a process group)', JSON.stringify({ ...owner, pid: 0 })],
    ['a negative pid', JSON.stringify({ ...owner, pid: -1 })],
    ['a missing token', JSON.stringify({ ...owner, token: undefined })],
    ['a string start time', JSON.stringify({ ...owner, start_time: '5' })],
  ])('rejects %s', (_what, text) => {
    expect(parseLockOwner(text)).toBeUndefined();
  });
});

describe('isOwnerGone', () => {
  it('is false for this running process', async () => {
    expect(await isOwnerGone(await newLockOwner())).toBe(false);
  });

  it('is true for an exited process on this host', async () => {
    expect(await isOwnerGone({ ...(await newLockOwner()), pid: deadPid() })).toBe(true);
  });

  it('is false for an owner on another host, whatever its pid', async () => {
    expect(await isOwnerGone({ ...(await newLockOwner()), hostname: 'elsewhere', pid: deadPid() })).toBe(
      false,
    );
  });

  it.runIf(process.platform === 'linux')(
    'is true when the pid now belongs to a process started at another time',
    async () => {
      const me = await newLockOwner();
      expect(await isOwnerGone({ ...me, start_time: (me.start_time as number) + 1 })).toBe(true);
    },
  );
});

describe('describeOwner', () => {
  it('names pid, host, command and time, or says the owner is unknown', () => {
    expect(
      describeOwner({
        pid: 7,
        hostname: 'box',
        token: 't',
        acquired_at: '2025-01-01T00:00:00.000Z',
        start_time: 1,
        command: 'moat run',
      }),
    ).toBe('pid 7 on box (moat run) since 2025-01-01T00:00:00.000Z');
    expect(describeOwner(undefined)).toBe('an unknown owner (the lock file is unreadable)');
  });
});
