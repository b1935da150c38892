import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { registerConfigCommand } from '../commands/config/config-command.js';
import { registerDemoCommand } from '../commands/demo/demo-command.js';
import { registerRunCommand } from '../commands/run/run-command.js';
import { registerRmCommand } from '../commands/rm/rm-command.js';
import { registerRunsCommand } from '../commands/runs/runs-command.js';
import { registerSnapshotCommands } from '../commands/snapshot/snapshot-command.js';
import { registerTraceCommand } from '../commands/trace/trace-command.js';
import { registerWatchCommand } from '../commands/watch/watch-command.js';
import { ExitCode } from './exit-codes.js';
import { reportError } from './report-error.js';

const version = cliVersion();

export function createProgram(): Command {
  const program = new Command('moat')
    .description('Run AI coding agents with workspace snapshots and process tracing.')
    .version(version, '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show help for a command')
    .showHelpAfterError('(add --help for usage)')
    .enablePositionalOptions()
    .exitOverride();
  registerRunCommand(program);
  registerDemoCommand(program);
  registerRunsCommand(program);
  registerConfigCommand(program);
  registerSnapshotCommands(program);
  registerTraceCommand(program);
  registerRmCommand(program);
  registerWatchCommand(program);
  return program;
}

/** Parses `argv` (process.argv shape) and runs the command; resolves to the exit code. */
export async function runCli(argv: readonly string[]): Promise<number> {
  try {
    await createProgram().parseAsync([...argv]);
    // A command that ends with a code of its own (`moat run`: the agent's) sets process.exitCode.
    return typeof process.exitCode === 'number' ? process.exitCode : ExitCode.ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version are "errors" only in commander's control flow.
      return error.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
    }
    return reportError(error);
  }
}

/** The version in @moat/cli's package.json, found upward from this module (bundled or not). */
function cliVersion(): string {
  for (let dir = new URL('.', import.meta.url); ; dir = new URL('..', dir)) {
    try {
      const pkg = JSON.parse(readFileSync(new URL('package.json', dir), 'utf8')) as {
        name?: string;
        version?: string;
      };
      if (pkg.name === '@moat/cli' && pkg.version) return pkg.version;
    } catch {
      // no package.json here: look further up
    }
    if (dir.pathname === '/') return 'unknown';
  }
}
