import { RunStore } from '@moat/storage';
import { CliError } from '../../cli/cli-error.js';
import { openRun } from '../../run-context/run-context.js';
import { watchRun } from '../../tui/index.js';

export interface WatchIo {
  stdin: NodeJS.ReadStream;
  stdout: NodeJS.WriteStream;
  env: NodeJS.ProcessEnv;
}

/** `moat watch [RUN]`: the Ink UI on a run, the most recent one by default. Needs a terminal. */
export async function watchCommand(
  ref: string | undefined,
  io: WatchIo = { stdin: process.stdin, stdout: process.stdout, env: process.env },
  store: RunStore = new RunStore(),
): Promise<void> {
  const ctx = await openRun(ref ?? (await mostRecentRunId(store)), store);
  if (!io.stdout.isTTY || !io.stdin.isTTY) {
    throw new CliError(
      `moat watch needs a terminal; to stream the run's processes as text use 'moat trace ${ctx.run.name ?? ctx.run.id} --follow'`,
    );
  }
  await watchRun(ctx, io);
}

export async function mostRecentRunId(store: RunStore): Promise<string> {
  const { runs } = await store.list();
  const newest = runs[0];
  if (!newest) throw new CliError("No runs yet. Start one with 'moat run -- <agent>'.");
  return newest.id;
}
