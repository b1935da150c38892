import { isAbsolute, join, relative } from 'node:path';
import { loadConfig, type MoatConfig } from '@moat/config';
import { defaultStoreDir, SnapshotEngine } from '@moat/snapshot';
import { type RunRecord, RunStore, readJsonFile, writeJsonAtomic } from '@moat/storage';

/** A run and what commands on it need: its store, its record and the config it was started with. */
export interface RunContext {
  store: RunStore;
  run: RunRecord;
  config: MoatConfig;
}

const RUN_CONFIG_FILE = 'config.json';
/** Where the run's workspace store is, recorded once: found again even after the workspace is deleted. */
const STORE_LOCATION_FILE = 'store.json';

/**
 * Resolves what the user typed (a full id, a unique id prefix or a name) to a run. The config is
 * the one recorded when the run started, so that snapshots, restores and diffs taken later, from
 * any terminal, cover exactly what the run's snapshots cover even if moat.yaml changed since.
 */
export async function openRun(ref: string, store: RunStore = new RunStore()): Promise<RunContext> {
  const run = await store.resolve(ref);
  const recorded = await readJsonFile<MoatConfig>(join(store.paths.runDir(run.id), RUN_CONFIG_FILE));
  const config = recorded ?? (await loadConfig(run.workspace)).config;
  return { store, run, config };
}

/** Records the config a run starts with (see openRun). */
export async function recordRunConfig(store: RunStore, runId: string, config: MoatConfig): Promise<void> {
  await writeJsonAtomic(join(store.paths.runDir(runId), RUN_CONFIG_FILE), config);
}

/** The snapshot engine of a run: its workspace, its snapshot list, and the workspace's shared store. */
export async function openEngine({ store, run, config }: RunContext): Promise<SnapshotEngine> {
  const home = store.paths.home;
  const inside = relative(run.workspace, home);
  // MOAT_HOME inside the workspace must never be snapshotted or restored over.
  const homeInWorkspace = inside === '' || (!inside.startsWith('..') && !isAbsolute(inside));
  return SnapshotEngine.open({
    workspace: run.workspace,
    snapshotsDir: store.paths.snapshotsDir(run.id),
    storeDir: await storeDirOf(store, run),
    settings: config.snapshots,
    excludedPaths: homeInWorkspace ? [home] : [],
  });
}

async function storeDirOf(store: RunStore, run: RunRecord): Promise<string> {
  const file = join(store.paths.runDir(run.id), STORE_LOCATION_FILE);
  const recorded = await readJsonFile<{ store: string }>(file);
  if (typeof recorded?.store === 'string') return join(store.paths.storesDir, recorded.store);
  const dir = await defaultStoreDir(run.workspace, store.paths.storesDir);
  await writeJsonAtomic(file, { store: relative(store.paths.storesDir, dir) });
  return dir;
}
