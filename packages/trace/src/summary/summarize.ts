import { type ExecEvent, failed, hasEnded } from '../event/exec-event.js';

export interface CommandSummary {
  command: string;
  count: number;
  failures: number;
  /** Sum of the durations of its ended runs, ms. */
  total_ms: number;
}

/** What the CLI shows about a run's processes. Snake_case, so it can be printed as JSON as is. */
export interface ExecSummary {
  processes: number;
  running: number;
  failures: number;
  /** Per command name, most frequent first (ties by name). */
  commands: CommandSummary[];
  /** Ended events that failed (non-zero exit or signal), in seq order. */
  failed: ExecEvent[];
  /** The longest ended events, longest first. */
  slowest: ExecEvent[];
  /** Sum of all ended durations, ms (overlapping processes count in full). */
  total_ms: number;
  /** From the first exec to the last end (or last exec), ms; 0 without events. */
  span_ms: number;
}

export interface SummarizeOptions {
  /** How many slowest events to keep. Default 5. */
  slowest?: number;
}

/** Summarises exec events (e.g. from readExecLog). Pure. */
export function summarizeExecEvents(
  events: readonly ExecEvent[],
  options: SummarizeOptions = {},
): ExecSummary {
  const byCommand = new Map<string, CommandSummary>();
  let totalMs = 0;
  let running = 0;
  let first = Number.POSITIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  for (const event of events) {
    const name = event.command || '(unknown)';
    const entry = byCommand.get(name) ?? { command: name, count: 0, failures: 0, total_ms: 0 };
    entry.count++;
    if (failed(event)) entry.failures++;
    const start = Date.parse(event.timestamp);
    first = Math.min(first, start);
    if (hasEnded(event)) {
      const duration = event.duration_ms ?? 0;
      entry.total_ms = round(entry.total_ms + duration);
      totalMs += duration;
      last = Math.max(last, start + duration);
    } else {
      running++;
      last = Math.max(last, start);
    }
    byCommand.set(name, entry);
  }
  const failedEvents = events.filter(failed).sort((a, b) => a.seq - b.seq);
  const slowest = events
    .filter(hasEnded)
    .sort((a, b) => (b.duration_ms ?? 0) - (a.duration_ms ?? 0) || a.seq - b.seq)
    .slice(0, options.slowest ?? 5);
  return {
    processes: events.length,
    running,
    failures: failedEvents.length,
    commands: [...byCommand.values()].sort((a, b) => b.count - a.count || a.command.localeCompare(b.command)),
    failed: failedEvents,
    slowest,
    total_ms: round(totalMs),
    span_ms: events.length === 0 ? 0 : round(Math.max(0, last - first)),
  };
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
