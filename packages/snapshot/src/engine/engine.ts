import { randomBytes } from 'node:crypto';
import { chmodSync, realpathSync, unlinkSync, utimesSync } from 'node:fs';
import { mkdir, readdir, readFile, realpath, rm, stat, unlink } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { newId, readJsonFile, writeJsonAtomic } from '@moat/storage';
import {
  type BackendName,
  DirectorySource,
  PAYLOAD_BACKENDS,
  type PayloadBackend,
  type PayloadBackendName,
  payloadBackend,
  selectBackend,
} from '../backends/index.js';
import { SnapshotError } from '../errors.js';
import { applyRestore, type BlobSource, seconds } from '../restore/apply.js';
import { planRestore, planSize, type RestorePlan } from '../restore/plan.js';
import { scanWorkspace } from '../scan/scan.js';
import type { CoverageOptions, ScanNode, ScanResult, ScanTotals } from '../scan/types.js';
import { ContentStore } from '../store/content-store.js';
import type { BlobHash } from '../store/types.js';
import { type BuiltTree, buildTree } from '../tree/build-tree.js';
import { diffTrees, type TreeChange, type TreeLoader } from '../tree/diff-trees.js';
import { FileChangingError } from '../tree/read-file.js';
import { StatCache } from '../tree/stat-cache.js';
import { type SnapshotDiff, summarizeDiff } from '../tree/summarize-diff.js';
import { decodeTree } from '../tree/tree-object.js';
import {
  type WatchWorkspaceOptions,
  type WorkspaceWatch,
  watchWorkspace,
} from '../watch/workspace-watcher.js';
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
  /** The backend that holds the file content, when not the store. */
  backend?: PayloadBackendName;
}

/** A workspace's content as just stored, not yet recorded as a snapshot. */
interface StoredWorkspace {
  /** Chosen before the record when a payload is named after it. */
  id?: string;
  ref: SnapshotRef;
  built: BuiltTree;
  totals: ScanTotals;
  bytesAdded: number;
}

/** A workspace captured by a payload backend, its trees built: kept (made final) or discarded. */
interface CapturedWorkspace {
  ref: SnapshotRef;
  keep(): Promise<StoredWorkspace>;
  discard(): Promise<void>;
}

interface Journal extends InterruptedRestore {
  workspace: string;
  temp_prefix: string;
}

const JOURNAL = 'restore-journal.json';
const GENERATION = 'generation';
const STAT_CACHE = 'stat-cache.v8';
/** The stat cache of payload backends' snapshots: a hit names a content hash whose blob is not stored. */
const PAYLOAD_STAT_CACHE = 'payload-stat-cache.v8';
const TEMP_PREFIX = '.moat-restore-';

/**
 * Snapshots of one workspace for one run, kept in the workspace's content store. Every operation
 * re-reads what it needs from disk and every change holds the store's cross-process lock, so several
 * processes (the run's supervisor, `moat snapshot` in another terminal) can use one workspace at once.
 */
export class SnapshotEngine {
  readonly workspace: string;
  /** The backend new snapshots use (snapshots.backend, with `auto` decided). */
  readonly backend: BackendName;
  readonly #options: SnapshotEngineOptions;
  readonly #store: ContentStore;
  readonly #list: SnapshotList;
  /** Null: the content store. */
  readonly #payloads: PayloadBackend | null;
  #cache: StatCache | undefined;
  #payloadStatCache: StatCache | undefined;

  private constructor(
    workspace: string,
    options: SnapshotEngineOptions,
    store: ContentStore,
    payloads: PayloadBackend | null,
  ) {
    this.workspace = workspace;
    this.backend = payloads?.name ?? 'store';
    this.#options = options;
    this.#store = store;
    this.#list = new SnapshotList(options.snapshotsDir);
    this.#payloads = payloads;
  }

  /**
   * Opens the snapshots of a workspace. The backend is chosen here, once; snapshots of other backends
   * (taken before snapshots.backend changed) are read and deleted through the backend that made them.
   */
  static async open(options: SnapshotEngineOptions): Promise<SnapshotEngine> {
    let workspace: string;
    let exists = true;
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
      exists = false;
    }
    await mkdir(options.snapshotsDir, { recursive: true, mode: 0o700 });
    const store = await ContentStore.open(options.storeDir, { create: true });
    // A deleted workspace takes no snapshots, so it needs no backend of its own.
    const payloads = exists ? await selectBackend(options.settings.backend, workspace, store.dir) : null;
    return new SnapshotEngine(workspace, options, store, payloads);
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
      const unchanged = (ref: SnapshotRef) =>
        newestRef?.root === ref.root && newestRef.root_mode === ref.root_mode;
      if (this.#payloads) {
        const captured = await this.#capture(this.#payloads, undefined);
        if (!unchanged(captured.ref)) return this.#record(type, label, await captured.keep());
        await captured.discard(); // before the archive is written: an unchanged workspace costs a scan
        return null;
      }
      const stored = await this.#storeWorkspace(undefined);
      return unchanged(stored.ref) ? null : this.#record(type, label, stored);
    });
  }

  /** Makes the workspace equal to snapshot `id`, after a safety snapshot of the current state. */
  async restore(id: string, onProgress?: OnProgress): Promise<RestoreResult> {
    return this.#mutate(async () => {
      await this.get(id);
      const target = await this.#ref(id);
      const { record: safety, ref: live, built } = await this.#snapshot('safety', 'pre-restore', onProgress);
      const changes = await collect(diffTrees(this.#loader(built), live.root, target.root));
      await this.#apply(id, changes, target, { target: id, safety: safety.id }, onProgress);
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
      const plan = planRestore(await collect(diffTrees(this.#loader(), null, target.root)));
      try {
        await this.#withContent(id, target, plan, (source) =>
          applyRestore(dir, plan, source, {
            tempPrefix: null,
            onProgress: (done, total) => onProgress?.('restore', done, total),
          }),
        );
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
      const cache = await this.#workspaceCache();
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
      for (const record of records) await this.#deleteRef(record.id);
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
      const badPayloads: VerifyResult['problems'] = [];
      for (const record of records) {
        const ref = await this.#store.readRef<SnapshotRef>(record.id);
        const payload = ref?.backend && (await this.#payloadBackend(ref.backend).check(record.id));
        if (payload) badPayloads.push({ hash: '', ...payload, snapshots: [record.id] });
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
      result.problems = [...bad.values(), ...badPayloads];
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
      const cache = await this.#workspaceCache();
      const built = await buildTree(this.workspace, scan, { sink: null, cache });
      cache.discardScan();
      const changes = await collect(diffTrees(this.#loader(built), built.root, target.root));
      await this.#apply(goal, changes, target, journal, onProgress, journal.temp_prefix);
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

  /** What snapshots cover, for a scan of the workspace or of a copy of it at `root` (a btrfs snapshot). */
  #coverage(root = this.workspace): CoverageOptions {
    const excluded = [this.#store.dir, ...(this.#options.excludedPaths ?? [])];
    return {
      ignoreGitignore: this.#options.settings.exclude.ignore_gitignore,
      additional: this.#options.settings.exclude.additional,
      // A copy holds what lies inside the workspace at the same place below itself.
      excludedPaths: root === this.workspace ? excluded : excluded.map((path) => this.#rebase(path, root)),
    };
  }

  #rebase(path: string, root: string): string {
    let real = path;
    try {
      real = realpathSync(path);
    } catch {
      // Not there (yet): compared as given.
    }
    const inside = relative(this.workspace, real);
    return inside.startsWith('..') || isAbsolute(inside) ? path : join(root, inside);
  }

  /** The stat cache, valid for the store's current generation (the lock must be held). */
  async #statCache(): Promise<StatCache> {
    const generation = await this.#generation();
    if (this.#cache?.generation !== generation) {
      this.#cache = await StatCache.load(join(this.#store.dir, STAT_CACHE), generation);
    }
    return this.#cache;
  }

  /** The payload backends' stat cache, valid for the store's current generation (the lock must be held). */
  async #payloadCache(): Promise<StatCache> {
    const generation = await this.#generation();
    if (this.#payloadStatCache?.generation !== generation) {
      this.#payloadStatCache = await StatCache.load(join(this.#store.dir, PAYLOAD_STAT_CACHE), generation);
    }
    return this.#payloadStatCache;
  }

  /** The cache that knows the live workspace's hashes best: the one its snapshots fill. */
  #workspaceCache(): Promise<StatCache> {
    return this.#payloads ? this.#payloadCache() : this.#statCache();
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
    const stored = this.#payloads
      ? await (await this.#capture(this.#payloads, onProgress)).keep()
      : await this.#storeWorkspace(onProgress);
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
      throw snapshotFailure(error);
    }
    const totals = await writer.commit();
    await cache.save();
    return { ref: this.#refOf(built, scan), built, totals: scan.totals, bytesAdded: totals.storedBytes };
  }

  /**
   * Captures the workspace with a payload backend (the lock must be held): the payload first (a btrfs
   * snapshot, say), then the scan of what it captured, the limits and the trees. Nothing is final until
   * keep(), which writes what copies content (an archive) and the trees; discard() leaves no trace.
   */
  async #capture(backend: PayloadBackend, onProgress: OnProgress | undefined): Promise<CapturedWorkspace> {
    const id = newId('snap');
    const root = await backend.capture(id);
    const cache = await this.#payloadCache();
    const writer = this.#store.startWrite();
    const discard = async () => {
      await writer.abort();
      cache.discardScan();
      // Not the error to report: a payload left behind is swept by the next garbage collection.
      await backend.remove(id).catch(() => {});
    };
    try {
      const scan = scanWorkspace(root, this.#coverage(root));
      const overLimit = checkLimits(scan, this.#options.settings.limits);
      if (overLimit) throw new SnapshotError('limit', `cannot snapshot ${this.workspace}: ${overLimit}`);
      let done = 0;
      const built = await buildTree(root, scan, {
        sink: writer,
        treesOnly: true,
        cache,
        onFile: () => onProgress?.('store', ++done, scan.totals.files),
      });
      const ref = this.#refOf(built, scan, backend.name);
      const keep = async (): Promise<StoredWorkspace> => {
        try {
          const payloadBytes = await backend.seal(id, built);
          const { storedBytes } = await writer.commit();
          await cache.save();
          return { id, ref, built, totals: scan.totals, bytesAdded: storedBytes + payloadBytes };
        } catch (error) {
          await discard();
          throw error;
        }
      };
      return { ref, keep, discard };
    } catch (error) {
      await discard();
      throw snapshotFailure(error);
    }
  }

  /** The ref of a snapshot whose trees were built from `scan`, taken now. */
  #refOf(built: BuiltTree, scan: ScanResult, backend?: PayloadBackendName): SnapshotRef {
    return {
      root: built.root,
      root_mode: scan.root.mode,
      root_mtime_us: scan.root.mtimeUs,
      snapshots_dir: this.#options.snapshotsDir,
      created_at: new Date().toISOString(),
      ...(backend ? { backend } : {}),
    };
  }

  /** Records stored content as a snapshot of this run. */
  async #record(type: SnapshotType, label: string | null, stored: StoredWorkspace): Promise<SnapshotRecord> {
    const record: SnapshotRecord = {
      id: stored.id ?? newId('snap'),
      type,
      label: label || null,
      created_at: stored.ref.created_at,
      backend: stored.ref.backend ?? 'store',
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

  /** Makes the workspace snapshot `goal` (whose ref is `target`), under a journal saying `what`. */
  async #apply(
    goal: string,
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
    await this.#withContent(goal, target, plan, async (source) => {
      await writeJsonAtomic(journalFile, journal);
      onProgress?.('restore', 0, planSize(plan));
      await applyRestore(this.workspace, plan, source, {
        tempPrefix,
        onProgress: (done, total) => onProgress?.('restore', done, total),
      });
      setRootMeta(this.workspace, target);
      await unlink(journalFile);
    });
  }

  /**
   * Runs `fn` with where the content of snapshot `id` comes from: the store, or the snapshot's payload
   * opened as a directory (an archive extracted into the store's staging directory first).
   */
  async #withContent(
    id: string,
    ref: SnapshotRef,
    plan: RestorePlan,
    fn: (source: BlobSource) => Promise<void>,
  ): Promise<void> {
    // No file to write (only deletions, modes, links): nothing to extract.
    if (!ref.backend || plan.writeFiles.length === 0) return fn(this.#store);
    const opened = await this.#payloadBackend(ref.backend).open(id, plan.writeFiles);
    try {
      await fn(new DirectorySource(opened.dir, plan.writeFiles, { movable: opened.movable }));
    } finally {
      await opened.release();
    }
  }

  #payloadBackend(name: PayloadBackendName): PayloadBackend {
    return payloadBackend(name, this.#store.dir, this.workspace);
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
    for (const id of ids) await this.#deleteRef(id);
    await this.#collectGarbage();
  }

  /** Deletes a snapshot's payload, then its ref (so that a crash between them leaves a ref gc deletes). */
  async #deleteRef(id: string): Promise<void> {
    const ref = await this.#store.readRef<SnapshotRef>(id);
    if (ref?.backend) await this.#payloadBackend(ref.backend).remove(id);
    await this.#store.deleteRef(id);
  }

  /**
   * Removes refs no run lists any more (their run was deleted, or a crash came between ref and
   * record), then every blob no remaining snapshot reaches. Bumps the generation so that stat caches
   * of other processes, which may name removed blobs, are not trusted.
   */
  async #collectGarbage(): Promise<void> {
    const roots: BlobHash[] = [];
    const listed = new Map<string, Set<string>>();
    const kept = new Set(await this.#store.listRefs());
    for (const name of kept) {
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
      else {
        await this.#deleteRef(name);
        kept.delete(name);
      }
    }
    // Payloads without a ref: a crash came between payload and ref, or during a restore's extraction.
    for (const name of PAYLOAD_BACKENDS) await this.#payloadBackend(name).sweep(kept);
    const live = (await this.#reachable(roots, false)) ?? new Set<BlobHash>();
    await this.#store.gc(live);
    // Loaded before the bump, which would make them load empty, and pruned to what survived.
    const caches = [await this.#statCache(), await this.#payloadCache()];
    const generation = (await this.#generation()) + 1;
    await writeJsonAtomic(join(this.#store.dir, GENERATION), generation);
    for (const cache of caches) await cache.retain(live, generation);
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

/** A file that changed while it was read fails the snapshot as `changing`; other errors pass as they are. */
function snapshotFailure(error: unknown): unknown {
  if (!(error instanceof FileChangingError)) return error;
  return new SnapshotError('changing', `cannot snapshot: ${error.message}; try again when it is quiet`, {
    cause: error,
  });
}
