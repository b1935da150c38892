import { randomBytes } from 'node:crypto';
import { chmodSync, unlinkSync, utimesSync } from 'node:fs';
import { mkdir, readdir, readFile, realpath, rm, stat, unlink } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { newId, readJsonFile, writeJsonAtomic } from '@moat/storage';
import { SnapshotError } from '../errors.js';
import { applyRestore, seconds } from '../restore/apply.js';
import { planRestore, planSize } from '../restore/plan.js';
import { scanWorkspace } from '../scan/scan.js';
import {
  type WatchWorkspaceOptions,
  type WorkspaceWatch,
  watchWorkspace,
} from '../watch/workspace-watcher.js';
import type { CoverageOptions, ScanNode, ScanResult, ScanTotals } from '../scan/types.js';
import { ContentStore } from '../store/content-store.js';
import type { BlobHash } from '../store/types.js';
import { type BuiltTree, buildTree } from '../tree/build-tree.js';
import { diffTrees, type TreeChange, type TreeLoader } from '../tree/diff-trees.js';
import { FileChangingError } from '../tree/read-file.js';
import { StatCache } from '../tree/stat-cache.js';
import { type SnapshotDiff, summarizeDiff } from '../tree/summarize-diff.js';
import { decodeTree } from '../tree/tree-object.js';
import { checkLimits, type LimitSettings } from './limits.js';
import { type RetentionSettings, selectForPrune, selectForRetention } from './retention.js';
import { SnapshotList } from './snapshot-list.js';
import type { SnapshotRecord, SnapshotType } from './snapshot-record.js';

/** The `snapshots` section of moat.yaml that the engine reads (structurally @moat/config's). */
export interface SnapshotSettings {
  backend: 'auto' | 'store' | 'archive' | 'btrfs' | 'apfs';
  exclude: { ignore_gitignore: boolean; additional: readonly string[] };
  limits: LimitSettings;
  retention: RetentionSettings;
}

export interface SnapshotEngineOptions {
  /** The directory snapshots are taken of. */
  workspace: string;
  /** The run's snapshot directory, holding snapshots.json. */
  snapshotsDir: string;
  /** The workspace's content store, shared by all its runs (see defaultStoreDir). */
  storeDir: string;
  settings: SnapshotSettings;
  /** Absolute paths never covered, e.g. MOAT_HOME when it lies inside the workspace. */
  excludedPaths?: readonly string[];
}

export type ProgressPhase = 'scan' | 'store' | 'restore' | 'verify';
export type OnProgress = (phase: ProgressPhase, done: number, total: number) => void;

export interface RestoreResult {
  /** The snapshot of the workspace taken just before: restoring it undoes this restore. */
  safety: SnapshotRecord;
  /** What the restore changed, from the workspace's point of view. */
  changes: SnapshotDiff;
}

export interface VerifyResult {
  snapshots: number;
  /** Damaged or missing blobs, each with the snapshots it breaks. */
  problems: { hash: BlobHash; kind: 'missing' | 'corrupt'; message: string; snapshots: string[] }[];
}

/** A restore that did not finish (the process died): what it was doing. */
export interface InterruptedRestore {
  target: string;
  safety: string;
  started_at: string;
}

/** What the store keeps per snapshot: the root of its tree, and whose it is. */
interface SnapshotRef {
  root: BlobHash;
  root_mode: number;
  root_mtime_us: number;
  snapshots_dir: string;
  created_at: string;
}

/** A workspace's content as just stored, not yet recorded as a snapshot. */
interface StoredWorkspace {
  ref: SnapshotRef;
  built: BuiltTree;
  totals: ScanTotals;
  bytesAdded: number;
}

interface Journal extends InterruptedRestore {
  workspace: string;
  temp_prefix: string;
}

const JOURNAL = 'restore-journal.json';
const GENERATION = 'generation';
const STAT_CACHE = 'stat-cache.v8';
const TEMP_PREFIX = '.moat-restore-';

/**
 * Snapshots of one workspace for one run, kept in the workspace's content store. Every operation
 * re-reads what it needs from disk and every change holds the store's cross-process lock, so several
 * processes (the run's supervisor, `moat snapshot` in another terminal) can use one workspace at once.
 */
export class SnapshotEngine {
  readonly workspace: string;
  readonly #options: SnapshotEngineOptions;
  readonly #store: ContentStore;
  readonly #list: SnapshotList;
  #cache: StatCache | undefined;

  private constructor(workspace: string, options: SnapshotEngineOptions, store: ContentStore) {
    this.workspace = workspace;
    this.#options = options;
    this.#store = store;
    this.#list = new SnapshotList(options.snapshotsDir);
  }

  static async open(options: SnapshotEngineOptions): Promise<SnapshotEngine> {
    const backend = options.settings.backend;
    if (backend !== 'auto' && backend !== 'store') {
      throw new SnapshotError(
        'unsupported',
        `snapshots.backend "${backend}" is not available in this version; use "store" or "auto" in moat.yaml`,
      );
    }
    let workspace: string;
    try {
      workspace = await realpath(options.workspace);
      if (!(await stat(workspace)).isDirectory()) throw new Error('not a directory');
    } catch (error) {
      // A deleted workspace is what snapshots are for: its snapshots can still be listed, compared
      // and restored (into it, recreating it, or elsewhere); only what reads it live fails.
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT')
        throw new SnapshotError('not_found', `workspace ${options.workspace} is not a directory`, {
          cause: error,
        });
      workspace = resolve(options.workspace);
    }
    await mkdir(options.snapshotsDir, { recursive: true, mode: 0o700 });
    const store = await ContentStore.open(options.storeDir, { create: true });
    return new SnapshotEngine(workspace, options, store);
  }

  /** False when the workspace directory does not exist (deleted since its snapshots were taken). */
  async workspaceExists(): Promise<boolean> {
    return stat(this.workspace).then(
      (stats) => stats.isDirectory(),
      () => false,
    );
  }

  /** All snapshots, newest first. */
  async list(): Promise<SnapshotRecord[]> {
    return (await this.#list.read()).reverse();
  }

  async get(id: string): Promise<SnapshotRecord> {
    const record = (await this.#list.read()).find((r) => r.id === id);
    if (!record) {
      throw new SnapshotError(
        'not_found',
        `snapshot ${id} not found; run 'moat snapshot list' to see the snapshots`,
      );
    }
    return record;
  }

  /** Takes a snapshot of the workspace as it is now. */
  async create(
    type: SnapshotType,
    label: string | null = null,
    onProgress?: OnProgress,
  ): Promise<SnapshotRecord> {
    return this.#mutate(async () => (await this.#snapshot(type, label, onProgress)).record);
  }

  /**
   * Takes a snapshot unless the workspace equals the newest snapshot exactly, for automatic triggers:
   * returns null when nothing changed.
   */
  async createIfChanged(type: SnapshotType, label: string | null = null): Promise<SnapshotRecord | null> {
    return this.#mutate(async () => {
      const newest = (await this.#list.read()).at(-1);
      const newestRef = newest && (await this.#store.readRef<SnapshotRef>(newest.id));
      const stored = await this.#storeWorkspace(undefined);
      const unchanged = newestRef?.root === stored.ref.root && newestRef.root_mode === stored.ref.root_mode;
      return unchanged ? null : this.#record(type, label, stored);
    });
  }

  /** Makes the workspace equal to snapshot `id`, after a safety snapshot of the current state. */
  async restore(id: string, onProgress?: OnProgress): Promise<RestoreResult> {
    return this.#mutate(async () => {
      await this.get(id);
      const target = await this.#ref(id);
      const { record: safety, ref: live, built } = await this.#snapshot('safety', 'pre-restore', onProgress);
      const changes = await collect(diffTrees(this.#loader(built), live.root, target.root));
      await this.#apply(changes, target, { target: id, safety: safety.id }, onProgress);
      return { safety, changes: summarizeDiff(changes) };
    });
  }

  /** Materialises snapshot `id` in `dir`, which must be new or empty. The workspace is not touched. */
  async restoreTo(id: string, dir: string, onProgress?: OnProgress): Promise<void> {
    await this.get(id);
    const entries = await readdir(dir).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return null;
      throw error;
    });
    if (entries && entries.length > 0) {
      throw new SnapshotError('invalid', `${dir} is not empty; restore into a new or empty directory`);
    }
    await this.#locked(async () => {
      const target = await this.#ref(id);
      await mkdir(dir, { recursive: true });
      const changes = await collect(diffTrees(this.#loader(), null, target.root));
      try {
        await applyRestore(dir, planRestore(changes), this.#store, {
          tempPrefix: null,
          onProgress: (done, total) => onProgress?.('restore', done, total),
        });
        setRootMeta(dir, target);
      } catch (error) {
        // The directory was empty: leave it that way rather than half restored.
        await emptyDir(dir);
        throw error;
      }
    });
  }

  /** What changed from snapshot `from` to snapshot `to`, or to the live workspace when `to` is omitted. */
  async diff(from: string, to?: string): Promise<SnapshotDiff> {
    await this.get(from);
    if (to !== undefined) await this.get(to);
    return this.#locked(async () => {
      const before = await this.#ref(from);
      if (to !== undefined) {
        const after = await this.#ref(to);
        return summarizeDiff(await collect(diffTrees(this.#loader(), before.root, after.root)));
      }
      const cache = await this.#statCache();
      const scan = this.#scan();
      const built = await buildTree(this.workspace, scan, { sink: null, cache });
      cache.discardScan(); // hashes only: no blob behind them is stored
      return summarizeDiff(await collect(diffTrees(this.#loader(built), before.root, built.root)));
    });
  }

  /** Deletes a snapshot and the data only it used. */
  async delete(id: string): Promise<void> {
    await this.get(id);
    await this.#mutate(() => this.#deleteRecords([id]));
  }

  /**
   * Deletes every snapshot of this run, then collects the data no other run uses: what `moat rm` does
   * before it removes the run's directory. Returns the deleted records, newest first.
   */
  async deleteAll(): Promise<SnapshotRecord[]> {
    return this.#mutate(async () => {
      const records = await this.#list.read();
      await this.#list.remove(new Set(records.map((r) => r.id)));
      for (const record of records) await this.#store.deleteRef(record.id);
      // Even with no snapshot of its own, collecting removes refs of runs deleted without it.
      await this.#collectGarbage();
      return records.reverse();
    });
  }

  /** Deletes all but the `keep` newest snapshots (pre-run and the newest safety snapshot are kept). */
  async prune(options: { keep: number; dryRun?: boolean }): Promise<SnapshotRecord[]> {
    if (!Number.isSafeInteger(options.keep) || options.keep < 0) {
      throw new SnapshotError('invalid', `--keep must be a whole number of at least 0, got ${options.keep}`);
    }
    return this.#mutate(async () => {
      const doomed = selectForPrune(await this.#list.read(), options.keep);
      if (!options.dryRun) await this.#deleteRecords(doomed.map((r) => r.id));
      return doomed;
    });
  }

  /** Applies snapshots.retention: deletes the oldest snapshots beyond max_count. */
  async applyRetention(): Promise<SnapshotRecord[]> {
    return this.#mutate(async () => {
      const doomed = selectForRetention(await this.#list.read(), this.#options.settings.retention);
      if (doomed.length > 0) await this.#deleteRecords(doomed.map((r) => r.id));
      return doomed;
    });
  }

  /** Reads every stored blob and names the snapshots that a missing or damaged blob breaks. */
  async verify(onProgress?: OnProgress): Promise<VerifyResult> {
    return this.#locked(async () => {
      const records = await this.#list.read();
      const problems = await this.#store.verify({
        onProgress: (done, total) => onProgress?.('verify', done, total),
      });
      const result: VerifyResult = { snapshots: records.length, problems: [] };
      const bad = new Map(problems.map((p) => [p.hash, { ...p, snapshots: [] as string[] }]));
      for (const record of records) {
        const ref = await this.#store.readRef<SnapshotRef>(record.id);
        const reachable = ref ? await this.#reachable([ref.root], true) : null;
        if (!ref || reachable === null) {
          const hash = ref?.root ?? '(no root)';
          const entry = bad.get(hash) ?? {
            hash,
            kind: 'missing' as const,
            message: `the tree of ${record.id} cannot be read`,
            snapshots: [],
          };
          entry.snapshots.push(record.id);
          bad.set(hash, entry);
          continue;
        }
        for (const [hash, entry] of bad) if (reachable.has(hash)) entry.snapshots.push(record.id);
      }
      result.problems = [...bad.values()];
      return result;
    });
  }

  /** A restore that was interrupted (its process died), or null. */
  async interruptedRestore(): Promise<InterruptedRestore | null> {
    const journal = await readJsonFile<Journal>(join(this.#store.dir, JOURNAL));
    if (!journal || journal.workspace !== this.workspace) return null;
    return { target: journal.target, safety: journal.safety, started_at: journal.started_at };
  }

  /**
   * Finishes an interrupted restore ('complete': the workspace becomes the snapshot it was restoring)
   * or undoes it ('rollback': the workspace becomes its safety snapshot).
   */
  async recover(action: 'complete' | 'rollback', onProgress?: OnProgress): Promise<void> {
    await this.#locked(async () => {
      const journal = await readJsonFile<Journal>(join(this.#store.dir, JOURNAL));
      if (!journal || journal.workspace !== this.workspace) return;
      const goal = action === 'complete' ? journal.target : journal.safety;
      const target = await this.#ref(goal);
      const scan = this.#scan();
      removeLeftovers(this.workspace, '', scan.root, journal.temp_prefix);
      const cache = await this.#statCache();
      const built = await buildTree(this.workspace, scan, { sink: null, cache });
      cache.discardScan();
      const changes = await collect(diffTrees(this.#loader(built), built.root, target.root));
      await this.#apply(changes, target, journal, onProgress, journal.temp_prefix);
    });
  }

  // --- internals -------------------------------------------------------------------------------

  /** Runs a change under the store lock, refusing while an interrupted restore awaits recovery. */
  async #mutate<T>(fn: () => Promise<T>): Promise<T> {
    return this.#locked(async () => {
      const interrupted = await this.interruptedRestore();
      if (interrupted) {
        throw new SnapshotError(
          'restore_interrupted',
          `a restore to ${interrupted.target} was interrupted on ${interrupted.started_at}; finish it with 'moat snapshot recover RUN --complete' or undo it with 'moat snapshot recover RUN --rollback' (its safety snapshot is ${interrupted.safety})`,
        );
      }
      return fn();
    });
  }

  async #locked<T>(fn: () => Promise<T>): Promise<T> {
    const lock = await this.#store.lock();
    try {
      return await fn();
    } finally {
      await lock.release();
    }
  }

  /**
   * Reports changes to what this engine's snapshots cover (not to ignored paths), for triggers that
   * wait for a quiet workspace. Close it when done.
   */
  watch(options: WatchWorkspaceOptions): WorkspaceWatch {
    return watchWorkspace(this.workspace, this.#coverage(), options);
  }

  #scan(): ScanResult {
    return scanWorkspace(this.workspace, this.#coverage());
  }

  #coverage(): CoverageOptions {
    return {
      ignoreGitignore: this.#options.settings.exclude.ignore_gitignore,
      additional: this.#options.settings.exclude.additional,
      excludedPaths: [this.#store.dir, ...(this.#options.excludedPaths ?? [])],
    };
  }

  /** The stat cache, valid for the store's current generation (the lock must be held). */
  async #statCache(): Promise<StatCache> {
    const generation = await this.#generation();
    if (this.#cache?.generation !== generation) {
      this.#cache = await StatCache.load(join(this.#store.dir, STAT_CACHE), generation);
    }
    return this.#cache;
  }

  async #generation(): Promise<number> {
    const text = await readFile(join(this.#store.dir, GENERATION), 'utf8').catch(() => '0');
    return Number(text) || 0;
  }

  /** Takes and records a snapshot (the lock must be held). */
  async #snapshot(
    type: SnapshotType,
    label: string | null,
    onProgress: OnProgress | undefined,
  ): Promise<{ record: SnapshotRecord; ref: SnapshotRef; built: BuiltTree }> {
    const stored = await this.#storeWorkspace(onProgress);
    return { ...stored, record: await this.#record(type, label, stored) };
  }

  /**
   * Snapshots the content of `dir` (an extracted archive, say) as type `import`: covered by this
   * workspace's rules (.gitignore files in `dir` apply) and limits, stored like any snapshot. The
   * workspace is neither read nor touched.
   */
  async importFrom(dir: string, label: string | null = null): Promise<SnapshotRecord> {
    return this.#mutate(async () => {
      const stored = await this.#storeTree(await realpath(dir), StatCache.empty(), undefined);
      return this.#record('import', label, stored);
    });
  }

  /** Scans, checks limits and stores the workspace's new content and trees (the lock must be held). */
  async #storeWorkspace(onProgress: OnProgress | undefined): Promise<StoredWorkspace> {
    return this.#storeTree(this.workspace, await this.#statCache(), onProgress);
  }

  async #storeTree(
    root: string,
    cache: StatCache,
    onProgress: OnProgress | undefined,
  ): Promise<StoredWorkspace> {
    const scan = scanWorkspace(root, this.#coverage());
    const overLimit = checkLimits(scan, this.#options.settings.limits);
    if (overLimit) throw new SnapshotError('limit', `cannot snapshot ${root}: ${overLimit}`);
    const writer = this.#store.startWrite();
    let built: BuiltTree;
    let done = 0;
    try {
      built = await buildTree(root, scan, {
        sink: writer,
        cache,
        onFile: () => onProgress?.('store', ++done, scan.totals.files),
      });
    } catch (error) {
      await writer.abort();
      cache.discardScan();
      if (error instanceof FileChangingError) {
        throw new SnapshotError('changing', `cannot snapshot: ${error.message}; try again when it is quiet`, {
          cause: error,
        });
      }
      throw error;
    }
    const totals = await writer.commit();
    await cache.save();
    const ref: SnapshotRef = {
      root: built.root,
      root_mode: scan.root.mode,
      root_mtime_us: scan.root.mtimeUs,
      snapshots_dir: this.#options.snapshotsDir,
      created_at: new Date().toISOString(),
    };
    return { ref, built, totals: scan.totals, bytesAdded: totals.storedBytes };
  }

  /** Records stored content as a snapshot of this run. */
  async #record(type: SnapshotType, label: string | null, stored: StoredWorkspace): Promise<SnapshotRecord> {
    const record: SnapshotRecord = {
      id: newId('snap'),
      type,
      label: label || null,
      created_at: stored.ref.created_at,
      backend: 'store',
      files: stored.totals.files,
      dirs: stored.totals.dirs,
      symlinks: stored.totals.symlinks,
      bytes: stored.totals.bytes,
      bytes_added: stored.bytesAdded,
    };
    // The ref first: a crash between the two leaves an unreferenced ref, which gc removes.
    await this.#store.writeRef(record.id, stored.ref);
    await this.#list.add(record);
    return record;
  }

  async #apply(
    changes: TreeChange[],
    target: SnapshotRef,
    what: { target: string; safety: string },
    onProgress: OnProgress | undefined,
    tempPrefix = `${TEMP_PREFIX}${randomBytes(4).toString('hex')}-`,
  ): Promise<void> {
    const journalFile = join(this.#store.dir, JOURNAL);
    const journal: Journal = {
      ...what,
      workspace: this.workspace,
      temp_prefix: tempPrefix,
      started_at: new Date().toISOString(),
    };
    const plan = planRestore(changes);
    await writeJsonAtomic(journalFile, journal);
    onProgress?.('restore', 0, planSize(plan));
    await applyRestore(this.workspace, plan, this.#store, {
      tempPrefix,
      onProgress: (done, total) => onProgress?.('restore', done, total),
    });
    setRootMeta(this.workspace, target);
    await unlink(journalFile);
  }

  async #ref(id: string): Promise<SnapshotRef> {
    const ref = await this.#store.readRef<SnapshotRef>(id);
    if (!ref) {
      throw new SnapshotError(
        'not_found',
        `snapshot ${id} has no data in the store ${this.#store.dir}; run 'moat snapshot verify'`,
      );
    }
    return ref;
  }

  /** Reads trees from `built` (a tree only hashed, not stored) and otherwise from the store. */
  #loader(built?: BuiltTree): TreeLoader {
    return async (hash) => built?.trees.get(hash) ?? decodeTree(await this.#store.read(hash), hash);
  }

  async #deleteRecords(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.#list.remove(new Set(ids));
    for (const id of ids) await this.#store.deleteRef(id);
    await this.#collectGarbage();
  }

  /**
   * Removes refs no run lists any more (their run was deleted, or a crash came between ref and
   * record), then every blob no remaining snapshot reaches. Bumps the generation so that stat caches
   * of other processes, which may name removed blobs, are not trusted.
   */
  async #collectGarbage(): Promise<void> {
    const roots: BlobHash[] = [];
    const listed = new Map<string, Set<string>>();
    for (const name of await this.#store.listRefs()) {
      const ref = await this.#store.readRef<SnapshotRef>(name);
      if (!ref) continue;
      let ids = listed.get(ref.snapshots_dir);
      if (!ids) {
        const records = await new SnapshotList(ref.snapshots_dir).read().catch(() => null);
        // An unreadable list is kept alive: better a little garbage than a lost snapshot.
        ids = records ? new Set(records.map((r) => r.id)) : new Set([name]);
        listed.set(ref.snapshots_dir, ids);
      }
      if (ids.has(name)) roots.push(ref.root);
      else await this.#store.deleteRef(name);
    }
    const live = (await this.#reachable(roots, false)) ?? new Set<BlobHash>();
    await this.#store.gc(live);
    const generation = (await this.#generation()) + 1;
    await writeJsonAtomic(join(this.#store.dir, GENERATION), generation);
    const cache = await this.#statCache();
    await cache.retain(live, generation);
  }

  /** Every blob reachable from `roots`; null when a tree cannot be read and `tolerant` is set. */
  async #reachable(roots: readonly BlobHash[], tolerant: boolean): Promise<Set<BlobHash> | null> {
    const seen = new Set<BlobHash>();
    const load = this.#loader();
    const visit = async (hash: BlobHash): Promise<void> => {
      if (seen.has(hash)) return;
      seen.add(hash);
      for (const entry of await load(hash)) {
        if (entry.type === 'dir') await visit(entry.ref);
        else if (entry.type === 'file') seen.add(entry.ref);
      }
    };
    try {
      for (const root of roots) await visit(root);
    } catch (error) {
      if (tolerant) return null;
      throw error;
    }
    return seen;
  }
}

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  return all;
}

function setRootMeta(dir: string, ref: SnapshotRef): void {
  chmodSync(dir, ref.root_mode);
  utimesSync(dir, seconds(ref.root_mtime_us), seconds(ref.root_mtime_us));
}

/** Deletes an interrupted restore's temporary files and drops them from the scan. */
function removeLeftovers(root: string, prefix: string, dir: ScanNode, tempPrefix: string): void {
  if (!dir.children) return;
  dir.children = dir.children.filter((child) => {
    const path = `${prefix}${child.name}`;
    if (child.type === 'dir') removeLeftovers(root, `${path}/`, child, tempPrefix);
    if (child.type === 'dir' || !child.name.startsWith(tempPrefix)) return true;
    unlinkSync(`${root}/${path}`);
    return false;
  });
}

async function emptyDir(dir: string): Promise<void> {
  for (const name of await readdir(dir).catch(() => []))
    await rm(join(dir, name), { recursive: true, force: true });
}
