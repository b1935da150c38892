/** Exit codes of every moat command (documented in the CLI README). */
export const ExitCode = {
  ok: 0,
  /** The command failed; the message says why and what to do. */
  failure: 1,
  /** The command line was wrong: unknown command or option, missing argument. */
  usage: 2,
} as const;
