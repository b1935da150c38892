import { readdirSync } from 'node:fs';
import { TraceError } from '../errors.js';
import { BaseTracer } from './base-tracer.js';
import type { Observation } from './observation.js';
import {
  type ProcStat,
  procParentOf,
  readProcCmdline,
  readProcCwd,
  readProcStat,
  readUptimeMs,
  TICKS_PER_SECOND,
} from './proc-fs.js';
import type { TracerStatus } from './tracer.js';

export interface ProcBackendOptions {
  root: number;
  awaitAgent: boolean;
  /** How often /proc is scanned. Default 50 ms. */
  pollIntervalMs?: number;
  /** Why the native backend is not used, for the status. */
  reason: string;
}

interface Tracked {
  startTicks: number;
  /** argv joined with NUL: a change means the process exec'd. */
  cmdline: string;
  /** False for a fork that has not exec'd yet (it still shows its parent's command line). */
  execed: boolean;
}

const MS_PER_TICK = 1000 / TICKS_PER_SECOND;

/**
 * The fallback backend: polls /proc for the root's descendants. Degraded by nature: a process that
 * lives shorter than the interval may be missed, an exec is timed from the process's start (or the
 * poll that noticed it), and an exit code is known only when a poll catches the process as a zombie.
 */
export class ProcBackendTracer extends BaseTracer {
  readonly backend = 'proc' as const;
  readonly #interval: number;
  readonly #reason: string;
  readonly #tracked = new Map<number, Tracked>();
  /** Every pid seen on the last scan, with its start time, so only new pids need a stat read. */
  #known = new Map<number, number>();
  #timer: NodeJS.Timeout | undefined;
  #scans = 0;
  #exitCodesSeen = 0;

  constructor(options: ProcBackendOptions) {
    super({ root: options.root, awaitAgent: options.awaitAgent, parentOf: procParentOf, self: process.pid });
    this.#interval = options.pollIntervalMs ?? 50;
    this.#reason = options.reason;
    const root = readProcStat(options.root);
    if (!root) {
      throw new TraceError('invalid', `cannot trace pid ${options.root}: there is no such process`);
    }
    this.#tracked.set(options.root, {
      startTicks: root.startTicks,
      cmdline: (readProcCmdline(options.root) ?? []).join('\0'),
      execed: true,
    });
    this.#scan();
    this.#schedule();
  }

  status(): TracerStatus {
    return {
      backend: 'proc',
      degraded: true,
      reason: this.#reason,
      lost: 0,
      backend_stats: {
        scans: this.#scans,
        tracked: this.#tracked.size,
        poll_interval_ms: this.#interval,
        exit_codes_seen: this.#exitCodesSeen,
      },
      ...this.baseStatus(),
    };
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    clearTimeout(this.#timer);
    this.#scan();
    this.stopped = true;
  }

  #schedule(): void {
    this.#timer = setTimeout(() => {
      this.#scan();
      if (!this.stopped) this.#schedule();
    }, this.#interval);
    // Tracing must never keep the process alive on its own.
    this.#timer.unref();
  }

  #scan(): void {
    this.#scans++;
    const nowMs = readUptimeMs() ?? 0;
    const wallOf = (monotonicMs: number) => Date.now() - (nowMs - monotonicMs);
    const observations: Observation[] = [];
    const pids = listPids();
    const current = new Map<number, number>();
    const fresh: ProcStat[] = [];
    for (const pid of pids) {
      const tracked = this.#tracked.get(pid);
      const knownStart = this.#known.get(pid);
      if (knownStart !== undefined && !tracked) {
        current.set(pid, knownStart);
        continue;
      }
      const stat = readProcStat(pid);
      if (!stat) continue;
      current.set(pid, stat.startTicks);
      if (tracked && tracked.startTicks !== stat.startTicks) {
        // The pid was reused between two scans: the old process ended unseen.
        this.#tracked.delete(pid);
        observations.push({ kind: 'exit', pid, monotonicMs: nowMs, wallMs: wallOf(nowMs) });
        fresh.push(stat);
      } else if (tracked) {
        this.#checkTracked(stat, tracked, nowMs, wallOf, observations);
      } else {
        fresh.push(stat);
      }
    }
    for (const [pid] of this.#tracked) {
      if (!current.has(pid)) {
        // Gone (reaped) between scans: the exit code is unknown.
        this.#tracked.delete(pid);
        observations.push({ kind: 'exit', pid, monotonicMs: nowMs, wallMs: wallOf(nowMs) });
      }
    }
    // Parents start before their children, so in start order one pass finds every new descendant.
    fresh.sort((a, b) => a.startTicks - b.startTicks || a.pid - b.pid);
    for (const stat of fresh) {
      const parent = this.#tracked.get(stat.ppid);
      if (!parent) continue;
      const argv = readProcCmdline(stat.pid);
      const cmdline = (argv ?? []).join('\0');
      const execed = !(argv && cmdline === parent.cmdline);
      this.#tracked.set(stat.pid, { startTicks: stat.startTicks, cmdline, execed });
      const startMs = stat.startTicks * MS_PER_TICK;
      if (execed) observations.push(execObservation(stat, argv, startMs, wallOf(startMs)));
      if (stat.exitStatus !== undefined) observations.push(this.#zombieExit(stat, nowMs, wallOf(nowMs)));
    }
    this.#known = current;
    this.ingest(observations);
  }

  #checkTracked(
    stat: ProcStat,
    tracked: Tracked,
    nowMs: number,
    wallOf: (ms: number) => number,
    observations: Observation[],
  ): void {
    if (stat.pid === this.root) return;
    if (stat.exitStatus !== undefined) {
      this.#tracked.delete(stat.pid);
      observations.push(this.#zombieExit(stat, nowMs, wallOf(nowMs)));
      return;
    }
    const argv = readProcCmdline(stat.pid);
    if (argv === undefined || argv.length === 0) return;
    const cmdline = argv.join('\0');
    if (cmdline === tracked.cmdline) return;
    tracked.cmdline = cmdline;
    tracked.execed = true;
    observations.push(execObservation(stat, argv, nowMs, wallOf(nowMs)));
  }

  #zombieExit(stat: ProcStat, nowMs: number, wallMs: number): Observation {
    this.#exitCodesSeen++;
    const status = stat.exitStatus ?? 0;
    const signal = status & 0x7f;
    return {
      kind: 'exit',
      pid: stat.pid,
      monotonicMs: nowMs,
      wallMs,
      exitCode: signal === 0 ? (status >> 8) & 0xff : null,
      signal: signal === 0 ? null : signal,
    };
  }
}

function execObservation(
  stat: ProcStat,
  argv: string[] | undefined,
  monotonicMs: number,
  wallMs: number,
): Observation {
  const complete = argv !== undefined && argv.length > 0;
  return {
    kind: 'exec',
    pid: stat.pid,
    ppid: stat.ppid,
    monotonicMs,
    wallMs,
    argv: complete ? argv : undefined,
    argvStatus: complete ? 'complete' : 'comm_only',
    comm: stat.comm,
    cwd: readProcCwd(stat.pid),
  };
}

function listPids(): number[] {
  const pids: number[] = [];
  for (const name of readdirSync('/proc')) {
    const pid = Number(name);
    if (Number.isInteger(pid) && pid > 0) pids.push(pid);
  }
  return pids;
}
