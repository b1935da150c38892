import type { Command } from 'commander';
import { RunStore, StorageError } from '@moat/storage';
import { type ExecEvent, failed, followExecLog, readExecLog, summarizeExecEvents } from '@moat/trace';
import { CliError } from '../../cli/cli-error.js';
import { ExitCode } from '../../cli/exit-codes.js';
import { isRunLive } from '../../cli/run-liveness.js';
import { execEventJson, FollowFilter, formatExecLine, formatSummary, formatTrace } from './format-trace.js';

interface TraceOptions {
  json?: boolean;
  follow?: boolean;
  failed?: boolean;
  summary?: boolean;
}

/** How often --follow checks whether the run has ended, and how long it then waits for last records. */
const RUN_POLL_MS = 250;
const DRAIN_MS = 300;

export function registerTraceCommand(program: Command): void {
  program
    .command('trace')
    .description('show the processes a run executed: one line per process, from its exec log')
    .argument('<run>', 'run id, unique id prefix or name')
    .option('--json', 'print one JSON event per process per line (JSONL)')
    .option('--follow', 'keep printing processes as they start and end, until the run ends or Ctrl-C')
    .option('--failed', 'only processes that exited non-zero or were killed by a signal')
    .option('--summary', 'per-command counts, failures, the slowest processes and total time')
    .addHelpText(
      'after',
      '\nExamples:\n  $ moat trace fix-ci\n  $ moat trace fix-ci --failed\n  $ moat trace fix-ci --summary\n  $ moat trace fix-ci --follow --json',
    )
    .action((run: string, options: TraceOptions) => trace(run, options));
}

async function trace(ref: string, options: TraceOptions): Promise<void> {
  if (options.follow && options.summary) {
    throw new CliError('--summary cannot be combined with --follow; run it once the run has ended', {
      exitCode: ExitCode.usage,
    });
  }
  // Only the run's record and log: this works even when its workspace is gone.
  const store = new RunStore();
  const run = await store.resolve(ref);
  const path = store.paths.execLogPath(run.id);
  const { events, problems } = await readExecLog(path);
  for (const problem of problems) {
    // A torn last line is a record being written right now, not a problem.
    if (problem.kind !== 'torn') process.stderr.write(`moat: warning: ${problem.message}\n`);
  }
  const print = (event: ExecEvent) =>
    process.stdout.write(
      options.json ? `${JSON.stringify(execEventJson(event))}\n` : `${formatExecLine(event)}\n`,
    );

  if (options.summary) {
    const summary = summarizeExecEvents(options.failed ? events.filter(failed) : events);
    process.stdout.write(options.json ? `${JSON.stringify(summary)}\n` : formatSummary(summary));
    return;
  }
  if (!options.follow) {
    const shown = options.failed ? events.filter(failed) : events;
    if (options.json) for (const event of shown) print(event);
    else process.stdout.write(formatTrace(shown));
    return;
  }

  const filter = new FollowFilter({ onlyFailed: options.failed === true });
  for (const event of filter.initial(events)) print(event);
  if (!isActive(run.state)) return;
  const controller = new AbortController();
  const stop = () => controller.abort();
  process.once('SIGINT', stop);
  const watcher = watchRunEnd(store, run.id, stop);
  try {
    for await (const update of followExecLog(path, { signal: controller.signal })) {
      const event = filter.update(update);
      if (event) print(event);
    }
  } finally {
    clearInterval(watcher);
    process.removeListener('SIGINT', stop);
  }
}

function isActive(state: string): boolean {
  return state === 'running' || state === 'created';
}

/** Calls `onEnd` shortly after the run ends: its record says so, its agent is gone, or it was removed. */
function watchRunEnd(store: RunStore, id: string, onEnd: () => void): NodeJS.Timeout {
  let ending = false;
  const timer = setInterval(async () => {
    if (ending) return;
    const going = await store.get(id).then(
      // 'running' with a dead pid: moat died before it could mark the run ended.
      (run) => run.state === 'created' || (run.state === 'running' && (run.pid === null || isRunLive(run))),
      // Removed; anything else is a record being rewritten: look again next time.
      (error: unknown) => !(StorageError.isInstance(error) && error.code === 'not_found'),
    );
    if (going) return;
    ending = true;
    // The supervisor writes the last exec records before it marks the run ended; let them arrive.
    setTimeout(onEnd, DRAIN_MS);
  }, RUN_POLL_MS);
  return timer;
}
