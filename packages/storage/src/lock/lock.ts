import { type FileHandle, open, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { errnoCode, reasonOf, StorageError } from '../errors.js';
import { describeOwner, isOwnerGone, type LockOwner, newLockOwner, parseLockOwner } from './lock-owner.js';

export interface AcquireLockOptions {
  /** Give up with a 'lock_timeout' StorageError after this long. Default 30 000; 0 tries once. */
  timeoutMs?: number;
  /** Stop waiting: acquireLock rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Called when acquireLock starts to wait and whenever the holder changes (undefined: unreadable). */
  onWait?: (owner: LockOwner | undefined) => void;
}

// A lock file that does not hold a complete owner record is a crashed owner's torn write once it is
// this old; younger, its owner may be between creating and writing it.
const UNREADABLE_STALE_MS = 5_000;
const FIRST_DELAY_MS = 5;
const MAX_DELAY_MS = 100;

/** A lock file as read at one moment. */
interface LockFileState {
  raw: string;
  ino: number;
  mtimeMs: number;
  owner: LockOwner | undefined;
}

/** A held lock. Not re-entrant: acquiring the same path again waits for this holder to release it. */
export class Lock {
  readonly path: string;
  readonly owner: LockOwner;
  #released = false;

  constructor(path: string, owner: LockOwner) {
    this.path = path;
    this.owner = owner;
  }

  /** Removes the lock file if it is still ours (it is not if someone judged us stale and broke it). */
  async release(): Promise<void> {
    if (this.#released) return;
    this.#released = true;
    const state = await readLockFile(this.path);
    if (state?.owner?.token === this.owner.token) await unlinkIfPresent(this.path);
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.release();
  }
}

/**
 * Takes the cross-process lock `path`: a file created with O_CREAT|O_EXCL holding the owner record.
 * While another holder has it, waits with backoff; a holder on this host whose process has ended
 * (or whose pid now belongs to another process) is detected and its lock broken. The lock's
 * directory must exist (a missing one is a 'not_found' StorageError).
 */
export async function acquireLock(path: string, options: AcquireLockOptions = {}): Promise<Lock> {
  const { timeoutMs = 30_000, signal, onWait } = options;
  const owner = await newLockOwner();
  const content = JSON.stringify(owner);
  const deadline = Date.now() + timeoutMs;
  let delay = FIRST_DELAY_MS;
  let reported: string | undefined;
  for (;;) {
    signal?.throwIfAborted();
    if (await tryCreate(path, content)) return new Lock(path, owner);
    const held = await readLockFile(path);
    if (held === undefined) continue; // released in the meantime
    if ((await isStale(held)) && (await breakStaleLock(path, held))) continue;
    if (held.raw !== reported) {
      reported = held.raw;
      onWait?.(held.owner);
    }
    const remaining = deadline - Date.now();
    if (remaining <= 0) {
      throw new StorageError(
        'lock_timeout',
        `timed out after ${timeoutMs / 1000}s waiting for lock ${path}, held by ${describeOwner(held.owner)}; ` +
          `if that process is gone, delete the lock file: rm "${path}"`,
        { file: path },
      );
    }
    // Jitter keeps waiters that started together from retrying in lockstep.
    await sleep(Math.min(delay * (0.5 + Math.random()), remaining), undefined, { signal }).catch(() => {});
    delay = Math.min(delay * 2, MAX_DELAY_MS);
  }
}

/** Runs `fn` holding the lock `path` and releases it afterwards, also when `fn` throws. */
export async function withLock<T>(
  path: string,
  fn: () => T | Promise<T>,
  options: AcquireLockOptions = {},
): Promise<T> {
  const lock = await acquireLock(path, options);
  try {
    return await fn();
  } finally {
    await lock.release();
  }
}

/** Who holds the lock `path`; undefined when nobody does or the file holds no complete owner record. */
export async function readLockOwner(path: string): Promise<LockOwner | undefined> {
  return (await readLockFile(path))?.owner;
}

async function tryCreate(path: string, content: string): Promise<boolean> {
  let handle: FileHandle;
  try {
    handle = await open(path, 'wx', 0o600);
  } catch (error) {
    if (errnoCode(error) === 'EEXIST') return false;
    if (errnoCode(error) === 'ENOENT') {
      const message = `cannot create lock ${path}: directory ${dirname(path)} does not exist`;
      throw new StorageError('not_found', message, { file: path, cause: error });
    }
    const message = `cannot create lock ${path} (${reasonOf(error)}); check its directory's permissions`;
    throw new StorageError('io', message, { file: path, cause: error });
  }
  try {
    await handle.writeFile(content);
  } catch (error) {
    await handle.close().catch(() => {});
    await unlinkIfPresent(path);
    const message = `cannot write lock ${path} (${reasonOf(error)}); check that the disk is not full`;
    throw new StorageError('io', message, { file: path, cause: error });
  }
  await handle.close();
  return true;
}

async function readLockFile(path: string): Promise<LockFileState | undefined> {
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return undefined;
    throw new StorageError('io', `cannot read lock ${path} (${reasonOf(error)}); check its permissions`, {
      file: path,
      cause: error,
    });
  }
  try {
    const stat = await handle.stat();
    const raw = await handle.readFile('utf8');
    return { raw, ino: stat.ino, mtimeMs: stat.mtimeMs, owner: parseLockOwner(raw) };
  } finally {
    await handle.close();
  }
}

async function isStale(state: LockFileState): Promise<boolean> {
  return state.owner ? isOwnerGone(state.owner) : Date.now() - state.mtimeMs > UNREADABLE_STALE_MS;
}

/**
 * Deletes the stale lock file `seen` unless it has changed since. Several waiters may notice the
 * same stale lock at once: each must delete only that file, never the fresh lock one of them
 * created after it. So the check-and-delete runs under a guard `<path>.break`, itself a small lock
 * file that is broken by the same staleness rules. Returns false when another process holds the
 * guard (that process is breaking the lock).
 */
async function breakStaleLock(path: string, seen: LockFileState): Promise<boolean> {
  const guardPath = `${path}.break`;
  if (!(await tryCreate(guardPath, JSON.stringify(await newLockOwner())))) {
    const guard = await readLockFile(guardPath);
    // A stale guard means its holder crashed inside this few-syscall window. Two waiters removing
    // that guard at the same moment could still race; needing that crash first, this is accepted.
    if (guard && (await isStale(guard))) await unlinkIfPresent(guardPath);
    return false;
  }
  try {
    const now = await readLockFile(path);
    if (now && now.ino === seen.ino && now.raw === seen.raw) await unlinkIfPresent(path);
    return true;
  } finally {
    await unlinkIfPresent(guardPath);
  }
}

async function unlinkIfPresent(path: string): Promise<void> {
  try {
    await unlink(path);
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return;
    const message = `cannot remove lock ${path} (${reasonOf(error)}); check its directory's permissions`;
    throw new StorageError('io', message, { file: path, cause: error });
  }
}
