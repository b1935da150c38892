import type { ExecUpdate } from '../event/exec-event.js';

/** `native`: the @moat/trace-native addon; `proc`: /proc polling; `scripted`: driven by a test. */
export type TracerBackend = 'native' | 'proc' | 'scripted';

export type ExecUpdatesListener = (updates: readonly ExecUpdate[]) => void;

export interface TracerStatus {
  backend: TracerBackend;
  /** True when processes may be missed or lack exit codes (the /proc fallback). */
  degraded: boolean;
  /** Why the tracer is degraded, or why this backend was chosen; null when there is nothing to say. */
  reason: string | null;
  running: boolean;
  /** The agent's pid once `setAgent` was called. */
  agent: number | null;
  /** Events the kernel or the backend dropped (the native backend rescans /proc after a loss). */
  lost: number;
  /** Observations dropped because too many arrived before `setAgent`. */
  held_dropped: number;
  /** Raw backend counters, when it has any. */
  backend_stats: Readonly<Record<string, number | boolean>> | null;
}

/**
 * Watches a process subtree and reports every exec in it as an `ExecUpdate`: a `start` when the
 * process execs, an `end` when it exits (or execs another program). Updates arrive in batches, in
 * order, on Node's event loop; listeners must not block (queue slow work such as snapshots).
 */
export interface Tracer {
  readonly backend: TracerBackend;
  /** The pid whose subtree is traced. */
  readonly root: number;
  /**
   * Narrows the trace to the subtree of `pid`. With `awaitAgent`, updates are held until this call,
   * then the held ones that belong to `pid` are delivered. Call it once, as soon as the pid is known.
   */
  setAgent(pid: number): void;
  /**
   * Adds a listener; returns a function that removes it. Updates produced before the first listener
   * subscribed are delivered to it on subscription, so nothing is lost between start and subscribe.
   */
  subscribe(listener: ExecUpdatesListener): () => void;
  status(): TracerStatus;
  /** Stops watching (idempotent). Processes still running keep `exit_code`/`duration_ms` null. */
  stop(): Promise<void>;
}
