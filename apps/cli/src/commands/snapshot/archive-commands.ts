import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { extractArchive, writeArchive } from '@moat/snapshot';
import type { Command } from 'commander';
import { withProgress } from '../../cli/terminal.js';
import { plural } from '../../format/plural.js';
import { openEngine, openRun, type RunContext } from '../../run-context/run-context.js';
import { RUN_HELP, resolveSnapshotRef } from './resolve-snapshot.js';

/** `moat snapshot export RUN SNAP -o FILE`: any snapshot as a portable tar.gz. */
export function defineExport(command: Command): void {
  command
    .description(
      'write a snapshot as a portable tar.gz (PAX, exact mtimes) that tar and moat import can read',
    )
    .argument('<run>', RUN_HELP)
    .argument('<snap>', 'snapshot id or unique prefix')
    .requiredOption('-o, --output <file>', 'the tar.gz to write (replaced atomically if it exists)')
    .addHelpText(
      'after',
      '\nExamples:\n  $ moat snapshot export fix-ci snap_0a1b2c3d4e5f -o before-refactor.tar.gz\n  $ tar -tzf before-refactor.tar.gz',
    )
    .action(async (run: string, snap: string, options: { output: string }) => {
      const context = await openRun(run);
      const engine = await openEngine(context);
      const target = resolveSnapshotRef(snap, await engine.list(), run);
      const file = resolve(options.output);
      // The snapshot is materialised first, whatever its backend, then archived from disk.
      const summary = await inScratchDir(context, 'export-', async (dir) => {
        await withProgress(({ onProgress }) => engine.restoreTo(target.id, dir, onProgress));
        return writeArchive(dir, file);
      });
      for (const path of summary.skipped) process.stderr.write(`moat: warning: not archived: ${path}\n`);
      process.stdout.write(
        `Exported ${target.id} (${plural(summary.entries, 'entry', 'entries')}) to ${file}\n`,
      );
    });
}

/** `moat snapshot import RUN FILE`: a tar.gz made by anyone becomes a snapshot of type import. */
export function defineImport(command: Command): void {
  command
    .description('make a snapshot of type import from a tar.gz; unsafe or damaged archives are refused whole')
    .argument('<run>', RUN_HELP)
    .argument('<file>', 'the tar.gz to import')
    .option('--label <text>', 'a label to remember the snapshot by')
    .addHelpText(
      'after',
      [
        '',
        'The archive is checked entry by entry before anything is kept: absolute paths, "..",',
        'links that lead outside, devices and FIFOs, entries over snapshots.limits and damaged or',
        'truncated files are refused with the entry named, and a refused import leaves nothing behind.',
        'What the snapshot covers follows the workspace rules (.gitignore files in the archive apply).',
        '',
        'Examples:',
        '  $ moat snapshot import fix-ci before-refactor.tar.gz --label "from the laptop"',
        '  $ moat rollback fix-ci <the new id>',
      ].join('\n'),
    )
    .action(async (run: string, archive: string, options: { label?: string }) => {
      const context = await openRun(run);
      const engine = await openEngine(context);
      const record = await inScratchDir(context, 'import-', async (dir) => {
        await extractArchive(resolve(archive), dir, context.config.snapshots.limits);
        return engine.importFrom(dir, options.label ?? null);
      });
      process.stdout.write(
        `Imported ${resolve(archive)} as ${record.id} (${plural(record.files, 'file')}${record.label ? `, "${record.label}"` : ''})\n`,
      );
    });
}

/**
 * Runs `work` with a new directory below the moat home (the stores' file system, private to the
 * user) and removes it afterwards, whatever happened.
 */
async function inScratchDir<T>(
  context: RunContext,
  prefix: string,
  work: (dir: string) => Promise<T>,
): Promise<T> {
  const scratch = join(context.store.paths.home, 'tmp');
  await mkdir(scratch, { recursive: true, mode: 0o700 });
  const dir = await mkdtemp(join(scratch, prefix));
  try {
    return await work(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
