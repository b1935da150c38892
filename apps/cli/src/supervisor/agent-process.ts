import { type StdioOptions, spawn } from 'node:child_process';
import { constants } from 'node:os';
import { CliError } from '../cli/cli-error.js';

export interface AgentExit {
  /** The exit code, or null when a signal ended the agent. */
  exitCode: number | null;
  signal: NodeJS.Signals | null;
}

export interface RunningAgent {
  pid: number;
  exited: Promise<AgentExit>;
}

/**
 * Starts the agent on moat's own terminal (stdio inherited): an interactive program sets raw mode,
 * reads keys and follows the window size itself, since the kernel treats it as the terminal's
 * foreground job together with moat. Keyboard signals (Ctrl-C, Ctrl-\) reach it from the terminal
 * directly, so moat only ignores them; signals sent to moat alone (SIGTERM, SIGHUP, and SIGINT when
 * there is no terminal) are forwarded. Resolves once the process runs; rejects when it cannot start.
 */
export async function startAgent(
  command: readonly string[],
  options: {
    cwd: string;
    env: NodeJS.ProcessEnv;
    /** A file descriptor for the agent's stdout and stderr, its stdin then being empty; default: the terminal. */
    output?: number;
  },
): Promise<RunningAgent> {
  const [file, ...args] = command;
  if (file === undefined) throw new CliError('no command to run: put it after --, e.g. moat run -- claude');
  const stdio: StdioOptions =
    options.output === undefined ? 'inherit' : ['ignore', options.output, options.output];
  const child = spawn(file, args, { cwd: options.cwd, env: options.env, stdio });
  const failedToStart = new Promise<never>((_, reject) => {
    child.once('error', (error: NodeJS.ErrnoException) => reject(startError(file, error)));
  });
  if (child.pid === undefined) await failedToStart;
  failedToStart.catch(() => {}); // started: a later 'error' (a failed kill) is not a start failure
  const pid = child.pid as number;

  const fromTerminal = process.stdin.isTTY === true;
  const forwarded: NodeJS.Signals[] = fromTerminal
    ? ['SIGTERM', 'SIGHUP']
    : ['SIGTERM', 'SIGHUP', 'SIGINT', 'SIGQUIT'];
  const ignored: NodeJS.Signals[] = fromTerminal ? ['SIGINT', 'SIGQUIT'] : [];
  const forward = (signal: NodeJS.Signals) => child.kill(signal);
  const ignore = () => {};
  for (const signal of forwarded) process.on(signal, forward);
  for (const signal of ignored) process.on(signal, ignore);

  const exited = new Promise<AgentExit>((resolve) => {
    child.once('exit', (exitCode, signal) => {
      for (const s of forwarded) process.off(s, forward);
      for (const s of ignored) process.off(s, ignore);
      resolve({ exitCode, signal });
    });
  });
  return { pid, exited };
}

/** The number of a signal by name, e.g. 9 for SIGKILL. */
export function signalNumber(signal: NodeJS.Signals | null): number | null {
  return signal === null ? null : (constants.signals[signal] ?? null);
}

function startError(file: string, error: NodeJS.ErrnoException): CliError {
  if (error.code === 'ENOENT') {
    return new CliError(`cannot run "${file}": command not found; check the name and your PATH`, {
      exitCode: 127,
      cause: error,
    });
  }
  if (error.code === 'EACCES') {
    return new CliError(`cannot run "${file}": permission denied; is it executable?`, {
      exitCode: 126,
      cause: error,
    });
  }
  return new CliError(`cannot run "${file}": ${error.message}`, { exitCode: 126, cause: error });
}
