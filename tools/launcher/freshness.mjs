// @ts-check
// mtime comparisons that decide whether install or build can be skipped. They must stay cheap:
// the launcher runs them on every `./moat` call.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Generated or third-party folders: never inputs of a build. */
const SKIPPED_DIRS = new Set(['node_modules', 'dist', 'reports', '.turbo', 'target', '.git']);
/** Files that do not change what the build produces. */
const SKIPPED_FILE = /\.(test\.tsx?|md)$/;

/**
 * Modification time of `path` in ms, or null when it does not exist.
 * @param {string} path
 */
export function mtimeOf(path) {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return null;
  }
}

/**
 * The first path under `roots` modified after `sinceMs`, or null. Folders below a root count too:
 * their mtime changes when an entry is added, removed or renamed, and a deleted source must
 * rebuild. A root folder's own mtime does not count, because building creates `dist/` in it.
 * @param {string[]} roots files or directories
 * @param {number} sinceMs
 * @returns {string | null}
 */
export function findChangedSince(roots, sinceMs) {
  for (const root of roots) {
    const found = walk(root, sinceMs, true);
    if (found) return found;
  }
  return null;
}

/**
 * @param {string} path
 * @param {number} sinceMs
 * @param {boolean} isRoot
 * @returns {string | null}
 */
function walk(path, sinceMs, isRoot) {
  let stat;
  try {
    stat = statSync(path);
  } catch {
    return null;
  }
  if (stat.mtimeMs > sinceMs && !(isRoot && stat.isDirectory())) return path;
  if (!stat.isDirectory()) return null;
  for (const entry of readdirSync(path, { withFileTypes: true })) {
    if (entry.isDirectory() ? SKIPPED_DIRS.has(entry.name) : SKIPPED_FILE.test(entry.name)) continue;
    const found = walk(join(path, entry.name), sinceMs, false);
    if (found) return found;
  }
  return null;
}
