import type { Command } from 'commander';

export function registerWatchCommand(program: Command): void {
  program
    .command('watch')
    .description('show a run live: its processes and snapshots, with keys to snapshot, diff and restore')
    .argument('[run]', 'run id, id prefix or name (default: the most recent run)')
    .addHelpText(
      'after',
      '\nKeys: ↑/↓ or j/k select a snapshot, s snapshot, d diff, r restore, / filter, f failures only, q quit.\n' +
        '\nExamples:\n  $ moat watch\n  $ moat watch fix-ci',
    )
    .action(async (ref: string | undefined) => {
      // Ink and React load only for this command.
      const { watchCommand } = await import('./watch.js');
      await watchCommand(ref);
    });
}
