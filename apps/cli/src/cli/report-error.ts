import { CliError } from './cli-error.js';
import { ExitCode } from './exit-codes.js';

/** Set by every moat package on errors meant for the user: their message is the whole story. */
const userFacing = Symbol.for('moat.error');

/**
 * Prints an error for a person and returns the exit code. moat's own errors are one line that
 * says what to do; anything else is a bug, shown with its stack only when MOAT_DEBUG is set.
 */
export function reportError(error: unknown, stderr: NodeJS.WritableStream = process.stderr): number {
  if (isUserFacing(error)) {
    stderr.write(`moat: ${error.message}\n`);
    return CliError.isInstance(error) ? error.exitCode : ExitCode.failure;
  }
  const message = error instanceof Error ? error.message : String(error);
  stderr.write(`moat: unexpected error: ${message}\n`);
  if (process.env.MOAT_DEBUG && error instanceof Error && error.stack) stderr.write(`${error.stack}\n`);
  else stderr.write('moat: set MOAT_DEBUG=1 for details, and please report this\n');
  return ExitCode.failure;
}

function isUserFacing(error: unknown): error is Error {
  return error instanceof Error && (error as unknown as Record<symbol, unknown>)[userFacing] === true;
}
