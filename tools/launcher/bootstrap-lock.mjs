// @ts-check
// Two `./moat` calls on a fresh clone must not install or build at the same time. @moat/storage
// has the real cross-process lock, but it does not exist before the first install, so this is
// a minimal one: an exclusive directory whose owner pid decides staleness.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { mtimeOf } from './freshness.mjs';

/**
 * Runs `fn` while holding the lock directory `path`.
 * @template T
 * @param {string} path
 * @param {() => Promise<T>} fn
 * @returns {Promise<T>}
 */
export async function withBootstrapLock(path, fn) {
  let announced = false;
  mkdirSync(dirname(path), { recursive: true });
  for (;;) {
    try {
      mkdirSync(path);
      break;
    } catch (error) {
      if (/** @type {NodeJS.ErrnoException} */ (error).code !== 'EEXIST') throw error;
      if (ownerIsGone(path)) {
        rmSync(path, { recursive: true, force: true });
        continue;
      }
      if (!announced) process.stderr.write('moat: waiting for another moat to finish setting up…\n');
      announced = true;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  writeFileSync(join(path, 'pid'), String(process.pid));
  try {
    return await fn();
  } finally {
    rmSync(path, { recursive: true, force: true });
  }
}

/** @param {string} path */
function ownerIsGone(path) {
  let pid;
  try {
    pid = Number(readFileSync(join(path, 'pid'), 'utf8'));
  } catch {
    // The owner writes its pid right after mkdir; give it a moment before calling it gone.
    return Date.now() - (mtimeOf(path) ?? Date.now()) > 5_000;
  }
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return /** @type {NodeJS.ErrnoException} */ (error).code === 'ESRCH';
  }
}
