import { basename } from '../event/argv.js';
import type { ArgvStatus } from '../event/exec-event.js';
import { TraceError } from '../errors.js';
import { BaseTracer } from './base-tracer.js';
import type { ParentLookup } from './exec-assembler.js';
import type { TracerStatus } from './tracer.js';

export interface ScriptedTracerOptions {
  /** The traced subtree's root pid. Default 1000. */
  root?: number;
  awaitAgent?: boolean;
  /** Wall-clock time of monotonic time 0, in Unix ms. Default 2025-01-01T00:00:00.000Z. */
  epochMs?: number;
  /** Parents of pids that fork without exec'ing, as the native backend would look them up. */
  parents?: Readonly<Record<number, number>>;
}

export interface ScriptedExec {
  pid: number;
  ppid: number;
  argv?: string[];
  argvStatus?: ArgvStatus;
  comm?: string | null;
  cwd?: string | null;
}

export interface ScriptedExit {
  pid: number;
  exitCode?: number | null;
  signal?: number | null;
}

/**
 * A deterministic in-memory tracer for tests: `exec` and `exit` play the part of the kernel, with
 * time advanced by `advance(ms)`. The events go through the same policy as the real backends.
 */
export class ScriptedTracer extends BaseTracer {
  readonly backend = 'scripted' as const;
  readonly #epochMs: number;
  #nowMs = 0;

  constructor(options: ScriptedTracerOptions = {}) {
    const parents = options.parents ?? {};
    const parentOf: ParentLookup = (pid) => parents[pid];
    super({ root: options.root ?? 1000, awaitAgent: options.awaitAgent ?? false, parentOf });
    this.#epochMs = options.epochMs ?? Date.parse('2025-01-01T00:00:00.000Z');
  }

  /** Moves the scripted clock forward. */
  advance(ms: number): this {
    if (!(ms >= 0)) throw new TraceError('invalid', `advance() needs a non-negative time, got ${ms}`);
    this.#nowMs += ms;
    return this;
  }

  exec(process: ScriptedExec): this {
    const argv = process.argv;
    this.ingest([
      {
        kind: 'exec',
        pid: process.pid,
        ppid: process.ppid,
        monotonicMs: this.#nowMs,
        wallMs: this.#epochMs + this.#nowMs,
        argv,
        argvStatus: process.argvStatus ?? (argv ? 'complete' : 'unavailable'),
        comm: process.comm === undefined ? basename(argv?.[0] ?? '').slice(0, 15) || null : process.comm,
        cwd: process.cwd ?? '/work',
      },
    ]);
    return this;
  }

  exit(process: ScriptedExit): this {
    this.ingest([
      {
        kind: 'exit',
        pid: process.pid,
        monotonicMs: this.#nowMs,
        wallMs: this.#epochMs + this.#nowMs,
        exitCode: process.signal ? null : (process.exitCode ?? 0),
        signal: process.signal ?? null,
      },
    ]);
    return this;
  }

  status(): TracerStatus {
    return {
      backend: 'scripted',
      degraded: false,
      reason: null,
      lost: 0,
      backend_stats: null,
      ...this.baseStatus(),
    };
  }

  async stop(): Promise<void> {
    this.stopped = true;
  }
}
