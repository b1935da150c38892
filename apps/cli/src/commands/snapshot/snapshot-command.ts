import { type Command, InvalidArgumentError } from 'commander';
import type { SnapshotEngine, SnapshotRecord } from '@moat/snapshot';
import { CliError } from '../../cli/cli-error.js';
import { ExitCode } from '../../cli/exit-codes.js';
import { colorEnabled, confirm, isInteractive, withProgress } from '../../cli/terminal.js';
import { plural } from '../../format/plural.js';
import { openEngine, openRun, type RunContext } from '../../run-context/run-context.js';
import {
  brokenSnapshots,
  defaultRestoreTarget,
  diffToJson,
  formatCreated,
  formatDiff,
  formatNothingToPrune,
  formatPruneList,
  formatRestorePreview,
  formatSnapshotList,
  formatVerify,
  invertDiff,
} from './format-snapshots.js';
import { defineExport, defineImport } from './archive-commands.js';
import { RUN_HELP, resolveSnapshotRef } from './resolve-snapshot.js';

/** `moat snapshot …`, and its short forms `moat snapshots` (list) and `moat rollback` (restore). */
export function registerSnapshotCommands(program: Command): void {
  const snapshot = program
    .command('snapshot')
    .description(
      "take a manual snapshot of a run's workspace; list, diff, restore, prune and verify snapshots",
    )
    .argument('<run>', RUN_HELP)
    .option('--label <text>', 'a label to remember the snapshot by')
    .addHelpText(
      'after',
      '\nExamples:\n  $ moat snapshot fix-ci --label "before refactor"\n  $ moat snapshot list fix-ci\n  $ moat snapshot restore fix-ci',
    )
    .action((run: string, options: { label?: string }) => createSnapshot(run, options));

  defineList(snapshot.command('list'), 'moat snapshot list');
  defineList(program.command('snapshots'), 'moat snapshots');
  defineRestore(snapshot.command('restore'), 'moat snapshot restore');
  defineRestore(program.command('rollback'), 'moat rollback');
  defineExport(snapshot.command('export'));
  defineImport(snapshot.command('import'));

  snapshot
    .command('diff')
    .description('show what changed between two snapshots, or from a snapshot to the live workspace')
    .argument('<run>', RUN_HELP)
    .argument('<snap>', 'snapshot id or unique prefix')
    .argument('[snap2]', 'a later snapshot (default: the workspace as it is now)')
    .option('--json', 'print the changes as JSON')
    .addHelpText(
      'after',
      '\nExamples:\n  $ moat snapshot diff fix-ci snap_0a1b2c3d4e5f\n  $ moat snapshot diff fix-ci snap_0a1b snap_9f8e --json',
    )
    .action((run: string, from: string, to: string | undefined, options: { json?: boolean }) =>
      diffSnapshots(run, from, to, options),
    );

  snapshot
    .command('prune')
    .description('delete all but the newest snapshots (pre-run and the newest safety snapshot are kept)')
    .argument('<run>', RUN_HELP)
    .option('--keep <n>', 'how many of the newest snapshots to keep', parseKeep, 5)
    .option('--dry-run', 'only list what would be deleted')
    .addHelpText(
      'after',
      '\nExamples:\n  $ moat snapshot prune fix-ci --keep 3 --dry-run\n  $ moat snapshot prune fix-ci',
    )
    .action((run: string, options: { keep: number; dryRun?: boolean }) => prune(run, options));

  snapshot
    .command('verify')
    .description(
      "read back every stored blob of the run's workspace store; exits 1 when a snapshot is damaged",
    )
    .argument('<run>', RUN_HELP)
    .option('--json', 'print the result as JSON')
    .addHelpText('after', '\nExample:\n  $ moat snapshot verify fix-ci')
    .action((run: string, options: { json?: boolean }) => verify(run, options));

  snapshot
    .command('recover')
    .description('finish (--complete) or undo (--rollback) a restore that was interrupted')
    .argument('<run>', RUN_HELP)
    .option('--complete', 'finish the restore: the workspace becomes the snapshot it was restoring')
    .option('--rollback', 'undo the restore: the workspace becomes its safety snapshot')
    .addHelpText(
      'after',
      '\nExamples:\n  $ moat snapshot recover fix-ci --complete\n  $ moat snapshot recover fix-ci --rollback',
    )
    .action((run: string, options: { complete?: boolean; rollback?: boolean }) => recover(run, options));
}

function defineList(command: Command, usage: string): void {
  command
    .description("list a run's snapshots, newest first")
    .argument('<run>', RUN_HELP)
    .option('--json', 'print the snapshot records as a JSON array')
    .addHelpText('after', `\nExamples:\n  $ ${usage} fix-ci\n  $ ${usage} fix-ci --json`)
    .action((run: string, options: { json?: boolean }) => listSnapshots(run, options));
}

function defineRestore(command: Command, usage: string): void {
  command
    .description(
      'restore the workspace to a snapshot (default: the newest non-safety one); prints how to undo it',
    )
    .argument('<run>', RUN_HELP)
    .argument('[snap]', 'snapshot id or unique prefix')
    .option(
      '--to <dir>',
      'extract the snapshot into a new or empty directory instead; the workspace is not touched',
    )
    .option('-y, --yes', 'do not ask for confirmation')
    .option('--dry-run', 'only show what would change')
    .addHelpText(
      'after',
      `\nExamples:\n  $ ${usage} fix-ci\n  $ ${usage} fix-ci snap_0a1b2c3d4e5f --dry-run\n  $ ${usage} fix-ci snap_0a1b --to /tmp/as-it-was`,
    )
    .action((run: string, snap: string | undefined, options: RestoreOptions) => restore(run, snap, options));
}

export function parseKeep(value: string): number {
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(Number(value))) {
    throw new InvalidArgumentError('expected a whole number of at least 0.');
  }
  return Number(value);
}

async function open(run: string): Promise<{ context: RunContext; engine: SnapshotEngine }> {
  const context = await openRun(run);
  return { context, engine: await openEngine(context) };
}

function out(text: string): void {
  process.stdout.write(text);
}

async function createSnapshot(run: string, options: { label?: string }): Promise<void> {
  const { engine } = await open(run);
  const record = await withProgress(({ onProgress }) =>
    engine.create('manual', options.label ?? null, onProgress),
  );
  out(formatCreated(record));
}

async function listSnapshots(run: string, options: { json?: boolean }): Promise<void> {
  const { engine } = await open(run);
  const records = await engine.list();
  out(options.json ? `${JSON.stringify(records)}\n` : formatSnapshotList(records, new Date()));
}

async function diffSnapshots(
  run: string,
  fromRef: string,
  toRef: string | undefined,
  options: { json?: boolean },
): Promise<void> {
  const { engine } = await open(run);
  const records = await engine.list();
  const from = resolveSnapshotRef(fromRef, records, run);
  const to = toRef === undefined ? undefined : resolveSnapshotRef(toRef, records, run);
  if (to === undefined && !(await engine.workspaceExists()))
    throw new CliError(
      `the workspace ${engine.workspace} no longer exists: bring it back with 'moat rollback ${run} ${from.id}', or compare two snapshots with 'moat snapshot diff ${run} ${from.id} SNAP2'`,
    );
  const diff = await engine.diff(from.id, to?.id);
  out(
    options.json
      ? `${JSON.stringify(diffToJson(diff, from.id, to?.id ?? null))}\n`
      : formatDiff(diff, { color: colorEnabled() }),
  );
}

interface RestoreOptions {
  to?: string;
  yes?: boolean;
  dryRun?: boolean;
}

async function restore(run: string, snapRef: string | undefined, options: RestoreOptions): Promise<void> {
  const { context, engine } = await open(run);
  const records = await engine.list();
  const target =
    snapRef === undefined ? defaultRestoreTarget(records) : resolveSnapshotRef(snapRef, records, run);
  if (!target) {
    throw new CliError(`run ${run} has no snapshot to restore yet; take one with 'moat snapshot ${run}'`);
  }
  if (options.to !== undefined) {
    await extract(engine, target, options.to, options.dryRun === true);
    return;
  }
  if (!(await engine.workspaceExists())) {
    await recreateWorkspace(engine, target, options.dryRun === true);
    return;
  }
  if (context.run.state === 'running') {
    process.stderr.write(
      `moat: warning: run ${run} is still running; its agent may go on changing the restored files\n`,
    );
  }
  if (options.dryRun || (isInteractive() && !options.yes)) {
    const changes = invertDiff(await engine.diff(target.id));
    out(formatRestorePreview(target, engine.workspace, changes, new Date(), { color: colorEnabled() }));
    if (options.dryRun) {
      out('Dry run - no changes made\n');
      return;
    }
    if (changes.added.length + changes.modified.length + changes.deleted.length === 0) return;
    if (!(await confirm('Restore?'))) {
      out('Cancelled; nothing was changed.\n');
      return;
    }
  }
  const result = await withProgress(({ onProgress }) => engine.restore(target.id, onProgress));
  out(
    `Creating safety snapshot of current state... done (${result.safety.id})\n` +
      `Restoring workspace to ${target.id}... done\n\n` +
      `To undo: moat snapshot restore ${run} ${result.safety.id}\n`,
  );
}

/** A deleted workspace is restored where it was: nothing there to lose, so nothing to ask or undo. */
async function recreateWorkspace(
  engine: SnapshotEngine,
  target: SnapshotRecord,
  dryRun: boolean,
): Promise<void> {
  if (dryRun) {
    out(
      `The workspace ${engine.workspace} no longer exists; would recreate it from ${target.id}\nDry run - no changes made\n`,
    );
    return;
  }
  out(`The workspace ${engine.workspace} no longer exists; recreating it from ${target.id}\n`);
  await withProgress(({ onProgress }) => engine.restoreTo(target.id, engine.workspace, onProgress));
  out(`Restored ${target.id} into ${engine.workspace}... done\n`);
}

async function extract(
  engine: SnapshotEngine,
  target: SnapshotRecord,
  dir: string,
  dryRun: boolean,
): Promise<void> {
  if (dryRun) {
    out(`Would extract ${target.id} to ${dir}\nDry run - no changes made\n`);
    return;
  }
  await withProgress(({ onProgress }) => engine.restoreTo(target.id, dir, onProgress));
  out(`Extracting snapshot to ${dir}... done\n`);
}

async function prune(run: string, options: { keep: number; dryRun?: boolean }): Promise<void> {
  const { engine } = await open(run);
  const doomed = await engine.prune({ keep: options.keep, dryRun: true });
  if (doomed.length === 0) {
    out(formatNothingToPrune(await engine.list(), options.keep));
    return;
  }
  const now = new Date();
  out(`${formatPruneList(doomed, now)}\n`);
  if (options.dryRun) {
    out('Dry run - no changes made\n');
    return;
  }
  const deleted = await engine.prune({ keep: options.keep });
  out(`Pruned ${plural(deleted.length, 'snapshot')}\n`);
}

async function verify(run: string, options: { json?: boolean }): Promise<void> {
  const { engine } = await open(run);
  const result = await withProgress(({ onProgress }) => engine.verify(onProgress));
  out(options.json ? `${JSON.stringify(result)}\n` : formatVerify(result));
  if (result.problems.length === 0) return;
  const broken = brokenSnapshots(result);
  throw new CliError(
    broken.length === 0
      ? `the store has ${plural(result.problems.length, 'damaged blob')} that no snapshot of run ${run} uses`
      : `${plural(broken.length, 'snapshot')} of run ${run} cannot be restored completely: ${broken.join(', ')}; the others are intact`,
  );
}

async function recover(run: string, options: { complete?: boolean; rollback?: boolean }): Promise<void> {
  if (options.complete === options.rollback) {
    throw new CliError('pass exactly one of --complete (finish the restore) or --rollback (undo it)', {
      exitCode: ExitCode.usage,
    });
  }
  const { engine } = await open(run);
  const interrupted = await engine.interruptedRestore();
  if (!interrupted) {
    out(`No interrupted restore for run ${run}; nothing to recover.\n`);
    return;
  }
  const action = options.complete ? 'complete' : 'rollback';
  await withProgress(({ onProgress }) => engine.recover(action, onProgress));
  out(
    action === 'complete'
      ? `Finished the interrupted restore: the workspace is ${interrupted.target}.\n`
      : `Rolled back the interrupted restore: the workspace is back to ${interrupted.safety} (its safety snapshot).\n`,
  );
}
