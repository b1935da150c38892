import { type FSWatcher, realpathSync, watch } from 'node:fs';
import { lstat, readdir } from 'node:fs/promises';
import type { Coverage } from '../scan/coverage.js';
import { scanWorkspace } from '../scan/scan.js';
import { walkScanTree } from '../scan/scan-paths.js';
import type { CoverageOptions } from '../scan/types.js';

export interface WorkspaceWatch {
  close(): void;
}

export interface WatchWorkspaceOptions {
  /** Called when a covered entry changes; at most once per `minIntervalMs`. */
  onChange: () => void;
  /** Called once when watching is incomplete (e.g. the inotify watch limit), with the reason. */
  onProblem?: (message: string) => void;
  minIntervalMs?: number;
}

/**
 * Reports changes to what snapshots cover, so that the idle trigger sees an agent that edits files
 * without running anything. Ignored paths are filtered with the coverage of one scan, so a log file
 * or a build directory that changes all the time does not keep the workspace from ever being idle
 * (a .gitignore edited during the run is not re-read: its paths are judged by the old rules).
 *
 * On Linux each covered directory gets its own inotify watch (Node 20's recursive fs.watch walks
 * and polls every file); directories created later are watched as they appear. Elsewhere the
 * platform's recursive watch (FSEvents, ReadDirectoryChangesW) covers the tree.
 */
export function watchWorkspace(
  root: string,
  coverageOptions: CoverageOptions,
  options: WatchWorkspaceOptions,
): WorkspaceWatch {
  const scan = scanWorkspace(root, coverageOptions);
  const rootPath = realpathSync(root); // as the scan resolved it: coverage paths are relative to it
  const minInterval = options.minIntervalMs ?? 250;
  const watchers = new Map<string, FSWatcher>();
  let lastReported = Number.NEGATIVE_INFINITY;
  let problem: string | null = null;
  let closed = false;

  const changed = (path: string) => {
    if (closed || isExcluded(scan.coverage, path)) return;
    const now = Date.now();
    if (now - lastReported < minInterval) return;
    lastReported = now;
    options.onChange();
  };
  const report = (message: string) => {
    if (problem !== null) return;
    problem = message;
    options.onProblem?.(message);
  };

  const watchDirectory = (dir: string) => {
    if (closed || watchers.has(dir)) return;
    let watcher: FSWatcher;
    try {
      watcher = watch(dir === '' ? rootPath : `${rootPath}/${dir}`, { persistent: false });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOSPC' || code === 'EMFILE')
        report(
          `cannot watch every directory of the workspace (${code}: raise fs.inotify.max_user_watches); idle snapshots may come late`,
        );
      return; // ENOENT and the like: it went away before it could be watched
    }
    watchers.set(dir, watcher);
    watcher.on('error', () => {
      watcher.close();
      watchers.delete(dir);
    });
    watcher.on('change', (_event, name) => {
      if (typeof name !== 'string') return changed(dir);
      const path = `${dir}${name}`;
      changed(path);
      void watchIfNewDirectory(path);
    });
  };

  const watchIfNewDirectory = async (path: string) => {
    if (watchers.has(`${path}/`) || isExcluded(scan.coverage, `${path}/`)) return;
    const stats = await lstat(`${rootPath}/${path}`).catch(() => null);
    if (!stats?.isDirectory()) return;
    watchDirectory(`${path}/`);
    // Created with contents (mkdir -p, git checkout, tar x): watch what is below too.
    const entries = await readdir(`${rootPath}/${path}`, { withFileTypes: true }).catch(() => []);
    for (const entry of entries) if (entry.isDirectory()) await watchIfNewDirectory(`${path}/${entry.name}`);
  };

  if (process.platform === 'linux') {
    watchDirectory('');
    for (const entry of walkScanTree(scan.root))
      if (entry.node.type === 'dir') watchDirectory(`${entry.path}/`);
  } else {
    const watcher = watch(rootPath, { persistent: false, recursive: true });
    watcher.on('change', (_event, name) =>
      changed(typeof name === 'string' ? name.split('\\').join('/') : ''),
    );
    watcher.on('error', (error) => report(`watching the workspace stopped: ${error.message}`));
    watchers.set('', watcher);
  }

  return {
    close() {
      closed = true;
      for (const watcher of watchers.values()) watcher.close();
      watchers.clear();
    },
  };
}

function isExcluded(coverage: Coverage, path: string): boolean {
  return path !== '' && coverage.excludes(path);
}
