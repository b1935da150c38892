import type { Command } from 'commander';
import { isInteractive } from '../../cli/terminal.js';

interface RunOptions {
  workspace?: string;
  name?: string;
  tui?: boolean;
  snapshots: boolean;
  trace: boolean;
}

export function registerRunCommand(program: Command): void {
  program
    .command('run')
    .description('run an agent with snapshots and process tracing; exits with its exit code')
    .argument('<command...>', 'the agent and its arguments (after --)')
    .option('-w, --workspace <dir>', 'the workspace the agent works in (default: the current directory)')
    .option('-n, --name <name>', 'a name to refer to the run by, instead of its id')
    .option('--tui', "show the live UI here; the agent's output goes to the run's agent.log")
    .option('--no-snapshots', 'take no snapshots')
    .option('--no-trace', 'record no processes')
    .passThroughOptions()
    .addHelpText(
      'after',
      [
        '',
        'The agent gets this terminal as it is (interactive agents, shells and REPLs work); moat',
        'prints one line before it starts and one after it exits, on stderr. Watch, snapshot, diff',
        'and restore from another terminal with `moat watch`, `moat snapshot`, `moat rollback`.',
        '',
        'With --tui this terminal shows the live UI instead (as `moat watch` does) and the agent runs',
        'without a keyboard, its output appended to ~/.moat/runs/RUN/agent.log: for agents that need',
        'none (`claude -p`, `codex exec`, scripts). q closes the UI; the run goes on until the agent ends.',
        'Without a terminal --tui is ignored, with a warning.',
        '',
        'Examples:',
        '  $ moat run -- claude',
        '  $ moat run --name fix-ci -- codex --full-auto "fix the failing test"',
        '  $ moat run --workspace ~/src/app -- bash',
        '  $ moat run --tui -- codex exec "add tests for the parser"',
      ].join('\n'),
    )
    .action(async (command: string[], options: RunOptions) => {
      const { superviseRun } = await import('../../supervisor/supervise.js');
      const tui = options.tui === true && isInteractive();
      if (options.tui && !tui)
        process.stderr.write(
          'moat: warning: --tui needs a terminal on stdin and stdout; running without the UI\n',
        );
      process.exitCode = await superviseRun({
        command,
        ...(options.workspace === undefined ? {} : { workspace: options.workspace }),
        ...(options.name === undefined ? {} : { name: options.name }),
        snapshots: options.snapshots,
        trace: options.trace,
        stderr: process.stderr,
        tui,
      });
    });
}
