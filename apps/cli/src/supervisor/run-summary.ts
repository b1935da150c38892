/** What the supervisor reports when the agent has exited. */
export interface RunOutcome {
  runRef: string;
  /** The agent's exit code, or null when a signal ended it. */
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  /** Snapshots taken during the run, the pre-run one included; null when snapshots were off. */
  snapshots: { taken: number; failed: number; lastFailure: string | null } | null;
  /** Processes traced; null when tracing was off. */
  commands: { processes: number; failures: number } | null;
}

/** The one line printed after the agent exits, e.g. `moat: run fix-ci exited 0 · 3 snapshots · …`. */
export function formatRunSummary(outcome: RunOutcome): string {
  const ended =
    outcome.signal !== null ? `was killed by ${outcome.signal}` : `exited ${outcome.exitCode ?? '?'}`;
  const parts = [`moat: run ${outcome.runRef} ${ended}`];
  const { snapshots, commands } = outcome;
  if (snapshots) {
    let text = plural(snapshots.taken, 'snapshot');
    if (snapshots.failed > 0) text += ` (${snapshots.failed} failed: ${snapshots.lastFailure})`;
    parts.push(text);
  } else {
    parts.push('snapshots off');
  }
  if (commands) {
    let text = plural(commands.processes, 'command');
    if (commands.failures > 0) text += ` (${commands.failures} failed)`;
    parts.push(text);
  } else {
    parts.push('tracing off');
  }
  parts.push(`see 'moat trace ${outcome.runRef}'`);
  return parts.join(' · ');
}

/** The exit code moat itself ends with: the agent's, or 128 + the signal number, as a shell does. */
export function exitCodeOf(exitCode: number | null, signalNumber: number | null): number {
  if (exitCode !== null) return exitCode;
  return signalNumber === null ? 1 : 128 + signalNumber;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
