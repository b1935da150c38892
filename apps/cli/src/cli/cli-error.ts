import { ExitCode } from './exit-codes.js';

const CLI_ERROR: unique symbol = Symbol.for('moat.cli-error');
// The mark every moat package puts on user-facing errors: the CLI prints only their message.
const MOAT_ERROR: unique symbol = Symbol.for('moat.error');

/** A failure of a command, told to the user in one line that says what to do; ends the command. */
export class CliError extends Error {
  override readonly name = 'CliError';
  readonly exitCode: number;
  readonly [CLI_ERROR] = true;
  readonly [MOAT_ERROR] = true;

  constructor(message: string, options: { exitCode?: number; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.exitCode = options.exitCode ?? ExitCode.failure;
  }

  static isInstance(error: unknown): error is CliError {
    return (
      typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[CLI_ERROR] === true
    );
  }
}
