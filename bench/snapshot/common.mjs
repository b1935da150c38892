// What make-tree.mjs, run.mjs and moat-create.mjs share: where things live, the two file sets, and the
// settings the moat engine is opened with.
import { spawnSync } from 'node:child_process';
import { lstatSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { REPO_ROOT } from '../lib/report.mjs';

export { REPO_ROOT };
export const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
export const TREE_DIR = join(BENCH_DIR, 'tree');
export const MOAT_ENTRY = join(REPO_ROOT, 'packages/snapshot/dist/index.js');

/** The benchmark workspace: argument, else $MOAT_BENCH_DIR, else /tmp/moat-bench/ws. */
export function workspaceDir(arg) {
  return resolve(arg ?? process.env.MOAT_BENCH_DIR ?? '/tmp/moat-bench/ws');
}

/** Kept inside the root .git, which no file set covers, so the marker never shows up in a measurement. */
export function markerPath(ws) {
  return join(ws, '.git', 'moat-bench-tree.json');
}

export function readMarker(ws) {
  try {
    return JSON.parse(readFileSync(markerPath(ws), 'utf8'));
  } catch {
    return null;
  }
}

/**
 * ext4 without a journal (this VM's root filesystem) will not reuse an inode freed less than 60 s ago,
 * 360 s while its inode table block is dirty, and scans past every such inode on each file it creates:
 * creating 28k files right after deleting 28k took 27 s instead of 2 s here. So the scripts never delete
 * a large tree while measuring, note when they deleted one, and wait this long before measuring again.
 */
export const SETTLE_SECONDS = 360;

function deletedStamp(ws) {
  return join(dirname(ws), '.moat-bench-deleted-at');
}

/** Deletes a large tree and notes the time, for settle(). */
export function deleteTree(ws, path) {
  rmSync(path, { recursive: true, force: true });
  writeFileSync(deletedStamp(ws), `${new Date().toISOString()}\n`);
}

/** Seconds still to wait until a tree deleted by deleteTree() no longer slows file creation. */
export function secondsToSettle(ws) {
  try {
    const since = (Date.now() - statSync(deletedStamp(ws)).mtimeMs) / 1000;
    return Math.max(0, Math.ceil(SETTLE_SECONDS - since));
  } catch {
    return 0;
  }
}

/** The 10 files the incremental runs append a line to. */
export function editFiles() {
  return JSON.parse(readFileSync(join(TREE_DIR, 'sources.json'), 'utf8')).edits;
}

/** git with the user's and the system's config shut out, as a shadow repo must run. */
export const GIT_ENV = { ...process.env, GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1' };

/** Runs a command, returns its stdout, throws with its stderr when it fails. */
export function run(cmd, args, options = {}) {
  const result = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 256 << 20, ...options });
  if (result.error) throw result.error;
  if (result.status !== 0) {
    throw new Error(`${cmd} ${args.join(' ')} exited with ${result.status}: ${String(result.stderr).trim()}`);
  }
  return result.stdout;
}

/**
 * The two file sets, as paths relative to the workspace that each leaves out. Both leave out the root
 * .git (moat never covers it); "src" also leaves out what the workspace's .gitignore ignores, as git
 * itself lists it (node_modules/, .env, *.log).
 */
export function fileSets(ws) {
  const ignored = run(
    'git',
    ['-C', ws, 'ls-files', '-z', '--others', '--ignored', '--exclude-standard', '--directory'],
    {
      env: GIT_ENV,
    },
  )
    .split('\0')
    .filter(Boolean)
    .map((p) => p.replace(/\/$/, ''));
  return { all: ['.git'], src: ['.git', ...ignored] };
}

/** Regular files, directories (below the root), symlinks and file bytes of a tree, less `skip` paths. */
export function countTree(root, skip = []) {
  const skipped = new Set(skip);
  const totals = { files: 0, dirs: 0, symlinks: 0, bytes: 0 };
  const walk = (dir, prefix) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const rel = prefix + entry.name;
      if (skipped.has(rel)) continue;
      if (entry.isDirectory()) {
        totals.dirs++;
        walk(join(dir, entry.name), `${rel}/`);
      } else if (entry.isSymbolicLink()) {
        totals.symlinks++;
      } else if (entry.isFile()) {
        totals.files++;
        totals.bytes += lstatSync(join(dir, entry.name)).size;
      }
    }
  };
  walk(root, '');
  return totals;
}

/**
 * Apparent bytes, bytes on disk and file count of a store (a directory or one file), leaving out the
 * entries named in `skip` (caches that are not data).
 */
export function storeSize(path, skip = []) {
  const totals = { bytes: 0, disk_bytes: 0, files: 0 };
  const visit = (p) => {
    const st = lstatSync(p);
    if (st.isDirectory()) {
      for (const name of readdirSync(p)) if (!skip.includes(name)) visit(join(p, name));
    } else {
      totals.files++;
      totals.bytes += st.size;
      totals.disk_bytes += st.blocks * 512;
    }
  };
  visit(path);
  return totals;
}

/**
 * The `snapshots` settings the engine is opened with: "all" covers node_modules (the workspace's
 * .gitignore is not applied), "src" applies it. Limits are out of the way; retention keeps everything.
 */
export function moatSettings(set) {
  return {
    backend: 'store',
    exclude: { ignore_gitignore: set === 'all', additional: [] },
    limits: { max_files: 10_000_000, max_total_bytes: 1024 ** 4, max_file_bytes: 1024 ** 3 },
    retention: { max_count: 0, delete_initial: false },
  };
}
