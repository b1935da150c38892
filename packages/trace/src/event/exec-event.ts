/** How much of a process's command line was captured. */
export type ArgvStatus = 'complete' | 'comm_only' | 'unavailable';

export const ARGV_STATUSES: readonly ArgvStatus[] = ['complete', 'comm_only', 'unavailable'];

/**
 * One process the agent executed (one exec). Field names are snake_case because this is also the
 * on-disk format of exec.jsonl (docs/formats.md). `exit_code`, `signal` and `duration_ms` are null
 * while the process runs.
 */
export interface ExecEvent {
  /** 1, 2, 3… in the order the execs were seen, per trace. */
  seq: number;
  /** When the exec happened (kernel timestamp where the backend has one), ISO-8601 UTC with ms. */
  timestamp: string;
  pid: number;
  ppid: number;
  /** Basename of argv[0]; the kernel's 15-character `comm` when only that is known; '' when nothing is. */
  command: string;
  /** argv[1..]; empty (never null) when there are none or they are unknown. */
  args: string[];
  argv_status: ArgvStatus;
  /** The process's working directory at exec, or null when it could not be read. */
  working_dir: string | null;
  /** Exit code of a normal exit; null while running, after a signal, or when the end was not seen. */
  exit_code: number | null;
  /** Number of the signal that killed the process; null otherwise. */
  signal: number | null;
  /** From exec to exit (or to the next exec of the same pid), in ms; null while running. */
  duration_ms: number | null;
}

/** A change to an event: `start` when the exec is seen, `end` when the process exits or execs again. */
export interface ExecUpdate {
  kind: 'start' | 'end';
  event: ExecEvent;
}

/** True once the process has ended (an end was seen or inferred). */
export function hasEnded(event: ExecEvent): boolean {
  return event.duration_ms !== null;
}

/** Ended with exit code 0 (not by a signal, not replaced by another exec). */
export function succeeded(event: ExecEvent): boolean {
  return event.exit_code === 0 && event.signal === null;
}

/** Ended with a non-zero exit code or a signal. */
export function failed(event: ExecEvent): boolean {
  return (event.exit_code !== null && event.exit_code !== 0) || event.signal !== null;
}

/** The command line as a user would type it, quoting arguments that need it (for labels and UIs). */
export function commandLine(event: Pick<ExecEvent, 'command' | 'args'>): string {
  return [event.command, ...event.args].map(quoteArg).join(' ');
}

function quoteArg(arg: string): string {
  if (arg !== '' && /^[\w@%+=:,./-]+$/.test(arg)) return arg;
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}
