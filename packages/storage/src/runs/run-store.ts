import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rename, rm, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { ensureDir, syncDir } from '../atomic/directory.js';
import { readJson, writeJsonAtomic } from '../atomic/json-file.js';
import { errnoCode, reasonOf, StorageError } from '../errors.js';
import { isId, newRunId } from '../ids/ids.js';
import { acquireLock, type Lock } from '../lock/lock.js';
import { MoatPaths, moatHome } from '../paths/moat-paths.js';
import { resolveRunRef, runIdPrefix } from './resolve-run-ref.js';
import { assertRunName, parseRunRecord, type RunRecord } from './run-record.js';

export interface CreateRunOptions {
  workspace: string;
  command: readonly string[];
  name?: string | null;
  pid?: number | null;
}

/** Fields an update may set; `id` and `created_at` are fixed at creation. */
export type RunPatch = Partial<Omit<RunRecord, 'id' | 'created_at'>>;

/** A run directory whose metadata could not be read. */
export interface RunListProblem {
  id: string;
  file: string;
  message: string;
}

export interface RunList {
  /** Newest first (by created_at, then by id). */
  runs: RunRecord[];
  problems: RunListProblem[];
}

/**
 * The runs below a moat home: `runs/<id>/metadata.json`. Safe to use from several processes at once:
 * records are written atomically, and updates and removal hold the run's lock.
 */
export class RunStore {
  readonly paths: MoatPaths;

  constructor(home: string = moatHome()) {
    this.paths = new MoatPaths(home);
  }

  /** Creates a run in state 'created'. Its directory appears complete, with its record, or not at all. */
  async create(options: CreateRunOptions): Promise<RunRecord> {
    if (options.name != null) assertRunName(options.name);
    if (options.command.length === 0) {
      throw new StorageError('invalid', 'a run needs a command: a non-empty list of strings');
    }
    const record: RunRecord = {
      id: newRunId(),
      name: options.name ?? null,
      workspace: resolve(options.workspace),
      command: [...options.command],
      pid: options.pid ?? null,
      state: 'created',
      exit_code: null,
      created_at: new Date().toISOString(),
      ended_at: null,
    };
    checkRecord(record, `cannot create a run for ${record.workspace}`);
    const runDir = this.paths.runDir(record.id);
    let staging: string | undefined;
    try {
      await ensureDir(this.paths.runsDir);
      // Built aside and renamed into place, so list() never sees a run without its record.
      staging = await mkdtemp(join(this.paths.runsDir, '.creating-'));
      await writeJsonAtomic(join(staging, 'metadata.json'), record);
      await rename(staging, runDir);
      await syncDir(this.paths.runsDir);
    } catch (error) {
      if (staging) await rm(staging, { recursive: true, force: true }).catch(() => {});
      if (StorageError.isInstance(error)) throw error;
      throw new StorageError(
        'io',
        `cannot create run directory ${runDir} (${reasonOf(error)}); check that ${this.paths.runsDir} is writable`,
        { file: runDir, cause: error },
      );
    }
    return record;
  }

  /** The run's record: 'not_found' when its directory does not exist, 'corrupt' when its record is bad. */
  async get(id: string): Promise<RunRecord> {
    const runDir = this.paths.runDir(id);
    const file = this.paths.runRecordPath(id);
    const record = await readJson(
      file,
      (value) => {
        const parsed = parseRunRecord(value);
        if (parsed.id !== id) throw new Error(`its id "${parsed.id}" does not match its directory`);
        return parsed;
      },
      `fix it or remove the run directory ${runDir}`,
    );
    if (record) return record;
    if (await exists(runDir)) {
      throw new StorageError('corrupt', `${file} is missing; remove the run directory ${runDir}`, { file });
    }
    throw runNotFound(id, runDir);
  }

  /**
   * Changes a run's record: read, change and atomic write happen under the run's cross-process
   * lock, so concurrent updates from any process are never lost. Returns the new record.
   */
  update(id: string, change: RunPatch | ((record: RunRecord) => RunRecord)): Promise<RunRecord> {
    return this.#locked(id, async () => {
      const current = await this.get(id);
      const next =
        typeof change === 'function' ? change(structuredClone(current)) : { ...current, ...change };
      const record = checkRecord(next, `cannot update run ${id}`);
      if (record.id !== id) {
        throw new StorageError('invalid', `cannot update run ${id}: its id cannot change`);
      }
      if (record.name !== null && record.name !== current.name) assertRunName(record.name);
      await writeJsonAtomic(this.paths.runRecordPath(id), record);
      return record;
    });
  }

  /**
   * Every run, newest first. A run whose record cannot be read is reported in `problems` (with
   * what to do) and the others are still listed; no runs directory means no runs.
   */
  async list(): Promise<RunList> {
    const result: RunList = { runs: [], problems: [] };
    let names: string[];
    try {
      const entries = await readdir(this.paths.runsDir, { withFileTypes: true });
      names = entries
        .filter((entry) => entry.isDirectory() && isId(entry.name, 'run'))
        .map((entry) => entry.name);
    } catch (error) {
      if (errnoCode(error) === 'ENOENT') return result;
      throw new StorageError(
        'io',
        `cannot list ${this.paths.runsDir} (${reasonOf(error)}); check its permissions`,
        { file: this.paths.runsDir, cause: error },
      );
    }
    // One at a time: a home with thousands of runs must not open thousands of files at once.
    for (const id of names) {
      try {
        result.runs.push(await this.get(id));
      } catch (error) {
        if (!StorageError.isInstance(error)) throw error;
        // Removed since readdir: no longer a run.
        if (error.code === 'not_found') continue;
        result.problems.push({ id, file: error.file ?? this.paths.runDir(id), message: error.message });
      }
    }
    result.runs.sort((a, b) => compare(b.created_at, a.created_at) || compare(a.id, b.id));
    return result;
  }

  /** The run `ref` names: a full id, a name or an id prefix (see resolveRunRef). */
  async resolve(ref: string): Promise<RunRecord> {
    if (isId(ref, 'run')) return this.get(ref);
    const { runs, problems } = await this.list();
    try {
      return resolveRunRef(ref, runs);
    } catch (error) {
      // The run meant may be one whose record is unreadable: report that, not "no run matches".
      const prefix = runIdPrefix(ref);
      const unreadable =
        prefix === undefined ? [] : problems.filter((problem) => problem.id.startsWith(prefix));
      if (StorageError.isInstance(error) && error.code === 'not_found' && unreadable.length === 1) {
        return this.get((unreadable[0] as RunListProblem).id);
      }
      throw error;
    }
  }

  /** Deletes the run's directory (snapshots and logs included), under its lock. */
  remove(id: string): Promise<void> {
    return this.#locked(id, async () => {
      const runDir = this.paths.runDir(id);
      // Renamed away first (atomic), so nobody can take the lock in a half-deleted directory.
      const doomed = join(this.paths.runsDir, `.removing-${id}-${randomBytes(4).toString('hex')}`);
      try {
        await rename(runDir, doomed);
        await rm(doomed, { recursive: true, force: true });
      } catch (error) {
        throw new StorageError(
          'io',
          `cannot remove run directory ${runDir} (${reasonOf(error)}); check its permissions`,
          { file: runDir, cause: error },
        );
      }
    });
  }

  async #locked<T>(id: string, fn: () => Promise<T>): Promise<T> {
    const runDir = this.paths.runDir(id);
    let lock: Lock;
    try {
      lock = await acquireLock(join(runDir, 'metadata.lock'));
    } catch (error) {
      if (StorageError.isInstance(error) && error.code === 'not_found') throw runNotFound(id, runDir);
      throw error;
    }
    try {
      return await fn();
    } finally {
      await lock.release();
    }
  }
}

/** Code-point order: the fixed-width timestamps and ids sort correctly as plain strings. */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function runNotFound(id: string, runDir: string): StorageError {
  return new StorageError(
    'not_found',
    `run ${id} not found (${runDir} does not exist); run 'moat runs' to list runs`,
    { file: runDir },
  );
}

/** `value` as a valid RunRecord, or an 'invalid' StorageError starting with `context`. */
function checkRecord(value: unknown, context: string): RunRecord {
  try {
    return parseRunRecord(value);
  } catch (error) {
    throw new StorageError('invalid', `${context}: ${reasonOf(error)}`, { cause: error });
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return false;
    throw new StorageError('io', `cannot read ${path} (${reasonOf(error)}); check its permissions`, {
      file: path,
      cause: error,
    });
  }
}
