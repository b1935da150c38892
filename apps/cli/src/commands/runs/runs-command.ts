import type { Command } from 'commander';
import { RunStore } from '@moat/storage';
import type { RunRecord } from '@moat/storage';
import { isRunLost } from '../../cli/run-liveness.js';
import { formatAge } from '../../format/relative-time.js';
import { formatTable } from '../../format/table.js';

export function registerRunsCommand(program: Command): void {
  program
    .command('runs')
    .description('list runs, newest first')
    .option('--json', 'print the run records as a JSON array')
    .addHelpText('after', '\nExamples:\n  $ moat runs\n  $ moat runs --json')
    .action(async (options: { json?: boolean }) => {
      const { runs, problems } = await new RunStore().list();
      for (const problem of problems) process.stderr.write(`moat: warning: ${problem.message}\n`);
      process.stdout.write(
        options.json ? `${JSON.stringify(runs)}\n` : formatRuns(runs, new Date(), isRunLost),
      );
    });
}

/** The `moat runs` table; `isLost` says which running records lost their moat (see isRunLost). */
export function formatRuns(
  runs: readonly RunRecord[],
  now: Date,
  isLost: (run: RunRecord) => boolean,
): string {
  if (runs.length === 0) return "No runs yet. Start one with 'moat run -- <agent>'.\n";
  const rows = runs.map((run) => [
    run.id,
    run.name ?? '-',
    isLost(run) ? 'lost' : run.exit_code === null ? run.state : `${run.state} (${run.exit_code})`,
    formatAge(run.created_at, now),
    run.command.join(' '),
  ]);
  return `${formatTable(['RUN ID', 'NAME', 'STATE', 'STARTED', 'COMMAND'], rows)}\n`;
}
