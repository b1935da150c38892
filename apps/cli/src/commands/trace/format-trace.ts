import { constants } from 'node:os';
import { commandLine, type ExecEvent, type ExecSummary, type ExecUpdate, failed } from '@moat/trace';
import { formatDuration } from '../../format/duration.js';
import { plural } from '../../format/plural.js';
import { formatTable } from '../../format/table.js';
import { visible } from '../../format/terminal-text.js';

// Reversed so that the first name of a number wins (SIGABRT, not its alias SIGIOT).
const SIGNAL_NAMES = new Map(
  Object.entries(constants.signals)
    .reverse()
    .map(([name, number]) => [number, name]),
);

/** Local wall-clock time with milliseconds: `14:03:07.512`. */
export function clockTime(iso: string): string {
  const date = new Date(iso);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(date.getHours())}:${two(date.getMinutes())}:${two(date.getSeconds())}.${String(date.getMilliseconds()).padStart(3, '0')}`;
}

/** How a process ended: its exit code, the signal that killed it, `running`, or `-` when unknown. */
export function execStatus(event: ExecEvent): string {
  if (event.signal !== null) return SIGNAL_NAMES.get(event.signal) ?? `signal ${event.signal}`;
  if (event.exit_code !== null) return String(event.exit_code);
  return event.duration_ms === null ? 'running' : '-';
}

/** One process on one line: time, status, duration, command line. */
export function formatExecLine(event: ExecEvent): string {
  const duration = event.duration_ms === null ? '-' : formatDuration(event.duration_ms);
  return `${clockTime(event.timestamp)}  ${execStatus(event).padEnd(7)}  ${duration.padStart(7)}  ${visible(commandLine(event))}`;
}

export function formatTrace(events: readonly ExecEvent[]): string {
  if (events.length === 0) return 'No processes recorded for this run yet.\n';
  return `${events.map(formatExecLine).join('\n')}\n`;
}

/** An event for `--json`, fields in a fixed order (the exec.jsonl names, without the record fields). */
export function execEventJson(event: ExecEvent): ExecEvent {
  return {
    seq: event.seq,
    timestamp: event.timestamp,
    pid: event.pid,
    ppid: event.ppid,
    command: event.command,
    args: event.args,
    argv_status: event.argv_status,
    working_dir: event.working_dir,
    exit_code: event.exit_code,
    signal: event.signal,
    duration_ms: event.duration_ms,
  };
}

export function formatSummary(summary: ExecSummary): string {
  if (summary.processes === 0) return 'No processes recorded for this run yet.\n';
  const running = summary.running > 0 ? ` (${summary.running} running)` : '';
  const head =
    `${plural(summary.processes, 'process', 'processes')}${running}, ${summary.failures} failed; ` +
    `${formatDuration(summary.total_ms)} of process time over ${formatDuration(summary.span_ms)}\n`;
  const commands = formatTable(
    ['COMMAND', 'RUNS', 'FAILED', 'TIME'],
    summary.commands.map((c) => [c.command, String(c.count), String(c.failures), formatDuration(c.total_ms)]),
  );
  const section = (title: string, events: readonly ExecEvent[]) =>
    events.length === 0 ? '' : `\n${title}:\n${events.map((e) => `  ${formatExecLine(e)}`).join('\n')}\n`;
  return `${head}\n${commands}\n${section('Failed', summary.failed)}${section('Slowest', summary.slowest)}`;
}

/**
 * Decides what `moat trace --follow` prints: every event already in the log once, then each process
 * when it starts and again when it ends, never twice for the same news, whatever the follower
 * replays. With `onlyFailed`, only processes that ended in failure.
 */
export class FollowFilter {
  readonly #shown = new Map<number, ExecUpdate['kind']>();
  readonly #onlyFailed: boolean;

  constructor(options: { onlyFailed: boolean }) {
    this.#onlyFailed = options.onlyFailed;
  }

  /** The events read before following: remembered, and returned if they are to be printed. */
  initial(events: readonly ExecEvent[]): ExecEvent[] {
    for (const event of events) this.#shown.set(event.seq, event.duration_ms === null ? 'start' : 'end');
    return events.filter((event) => this.#wanted(event));
  }

  /** The event to print for an update, or undefined. */
  update(update: ExecUpdate): ExecEvent | undefined {
    const shown = this.#shown.get(update.event.seq);
    if (shown === 'end' || (shown === 'start' && update.kind === 'start')) return undefined;
    this.#shown.set(update.event.seq, update.kind);
    return this.#wanted(update.event) ? update.event : undefined;
  }

  #wanted(event: ExecEvent): boolean {
    return !this.#onlyFailed || failed(event);
  }
}
