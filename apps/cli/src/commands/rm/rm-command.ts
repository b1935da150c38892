import { stat } from 'node:fs/promises';
import type { Command } from 'commander';
import { type RunRecord, RunStore } from '@moat/storage';
import { CliError } from '../../cli/cli-error.js';
import { isRunLive } from '../../cli/run-liveness.js';
import { plural } from '../../format/plural.js';
import { openEngine, openRun } from '../../run-context/run-context.js';

export function registerRmCommand(program: Command): void {
  program
    .command('rm')
    .description('remove runs: their records, logs and snapshots, and the store data no other run uses')
    .argument('<run...>', 'run ids, unique id prefixes or names')
    .option('-f, --force', 'remove a run even while its agent is still running')
    .addHelpText('after', '\nExamples:\n  $ moat rm fix-ci\n  $ moat rm 3fa9 run_0a1b2c3d4e5f')
    .action((refs: string[], options: { force?: boolean }) => removeRuns(refs, options));
}

async function removeRuns(refs: readonly string[], options: { force?: boolean }): Promise<void> {
  const store = new RunStore();
  // Every reference is resolved and checked before anything is removed: a typo removes nothing.
  const runs = new Map<string, { ref: string; run: RunRecord }>();
  for (const ref of refs) {
    const run = await store.resolve(ref);
    if (!options.force && isRunLive(run)) {
      throw new CliError(
        `run ${ref} is still running (pid ${run.pid}); stop it first, or pass --force to remove it anyway`,
      );
    }
    if (!runs.has(run.id)) runs.set(run.id, { ref, run });
  }
  for (const { ref, run } of runs.values()) {
    const deleted = await deleteSnapshots(ref, run);
    await store.remove(run.id);
    const name = run.name ? ` (${run.name})` : '';
    process.stdout.write(`Removed ${run.id}${name}: ${plural(deleted, 'snapshot')} deleted\n`);
  }
}

/** Deletes the run's snapshots and collects garbage in its workspace's store; returns how many. */
async function deleteSnapshots(ref: string, run: RunRecord): Promise<number> {
  if (!(await isDirectory(run.workspace))) {
    // The store is found through the workspace's real path, which cannot be known any more.
    process.stderr.write(
      `moat: warning: workspace ${run.workspace} of run ${ref} no longer exists; its snapshot store was not cleaned\n`,
    );
    return 0;
  }
  const engine = await openEngine(await openRun(run.id));
  return (await engine.deleteAll()).length;
}

async function isDirectory(path: string): Promise<boolean> {
  return (await stat(path).catch(() => null))?.isDirectory() === true;
}
