import { commandParts } from '../event/argv.js';
import type { ExecEvent, ExecUpdate } from '../event/exec-event.js';
import type { ExecObservation, ExitObservation, Observation } from './observation.js';

/** Looks up the parent of a pid that was never seen exec (a fork that did not exec), if possible. */
export type ParentLookup = (pid: number) => number | undefined;

export interface ExecAssemblerOptions {
  /** The pid whose subtree the backend reports (the supervisor's own pid, or the agent's). */
  root: number;
  /**
   * Hold everything until `setAgent(pid)` names the agent, then keep only the agent's subtree. For a
   * supervisor that traces its own pid before spawning the agent, so the agent's first exec is seen.
   */
  awaitAgent?: boolean;
  /** Observations held while awaiting the agent, at most (oldest dropped first). Default 100 000. */
  holdLimit?: number;
  parentOf?: ParentLookup;
  /** A pid (the tracing process itself) whose observations teach ancestry but are never reported. */
  self?: number;
}

interface Running {
  event: ExecEvent;
  startedMs: number;
}

const MAX_ANCESTRY_DEPTH = 128;

/**
 * The tracing policy, pure and shared by every backend: filters observations to the agent's
 * subtree, numbers execs, pairs each exec with its exit (an exec of a pid that is already running a
 * command ends that command), takes durations from the backend's monotonic timestamps and turns argv
 * into command/args.
 */
export class ExecAssembler {
  readonly root: number;
  #agent: number | undefined;
  #awaiting: boolean;
  #held: Observation[] = [];
  readonly #holdLimit: number;
  #heldDropped = 0;
  readonly #parentOf: ParentLookup;
  /** Parent of every pid seen exec, or looked up; kept so ancestry survives the parent's exit. */
  readonly #parents = new Map<number, number>();
  readonly #running = new Map<number, Running>();
  /** Last argv seen per pid, joined: a rescan child showing its parent's argv has not exec'd yet. */
  readonly #argvOf = new Map<number, string>();
  readonly #self: number | undefined;
  #seq = 0;

  constructor(options: ExecAssemblerOptions) {
    this.root = options.root;
    this.#awaiting = options.awaitAgent ?? false;
    this.#holdLimit = options.holdLimit ?? 100_000;
    this.#parentOf = options.parentOf ?? (() => undefined);
    this.#self = options.self;
  }

  get agent(): number | undefined {
    return this.#agent;
  }

  /** Observations dropped because too many were held while awaiting the agent. */
  get heldDropped(): number {
    return this.#heldDropped;
  }

  /** Commands seen starting and not yet ended. */
  get runningCount(): number {
    return this.#running.size;
  }

  /**
   * Narrows to the subtree of `pid` (a descendant of the root, or the root itself) and returns the
   * held observations that belong to it, as updates.
   */
  setAgent(pid: number): ExecUpdate[] {
    this.#agent = pid;
    if (!this.#awaiting) return [];
    this.#awaiting = false;
    const held = this.#held;
    this.#held = [];
    return this.#process(held);
  }

  ingest(observations: readonly Observation[]): ExecUpdate[] {
    // Learn parents now, while fork-only intermediates are most likely still alive to be looked up.
    for (const o of observations) if (o.kind === 'exec') this.#learnAncestry(o.pid, o.ppid);
    if (!this.#awaiting) return this.#process(observations);
    for (const o of observations) this.#held.push(o);
    const excess = this.#held.length - this.#holdLimit;
    if (excess > 0) {
      this.#held.splice(0, excess);
      this.#heldDropped += excess;
    }
    return [];
  }

  #process(observations: readonly Observation[]): ExecUpdate[] {
    const updates: ExecUpdate[] = [];
    for (const o of observations) {
      if (o.kind === 'exec') this.#exec(o, updates);
      else this.#exit(o, updates);
    }
    return updates;
  }

  #exec(o: ExecObservation, updates: ExecUpdate[]): void {
    const argv = o.argvStatus === 'complete' && o.argv ? o.argv.join('\0') : undefined;
    if (o.rescan && argv !== undefined && argv === this.#argvOf.get(o.ppid)) {
      // A /proc scan caught a fork before its exec: it shows its parent's command line, which must
      // never be reported as its own. Its real exec event follows.
      return;
    }
    if (argv !== undefined) this.#argvOf.set(o.pid, argv);
    else this.#argvOf.delete(o.pid);
    if (o.pid === this.#self) return;
    const previous = this.#running.get(o.pid);
    if (previous) {
      // The same process ran another program: its previous command ended here, without an exit.
      this.#end(o.pid, previous, o.monotonicMs, null, null, updates);
    } else if (!this.#belongsToAgent(o.pid, o.ppid)) {
      return;
    }
    const parts = commandParts(o.argv, o.argvStatus, o.comm);
    const event: ExecEvent = {
      seq: ++this.#seq,
      timestamp: new Date(o.wallMs).toISOString(),
      pid: o.pid,
      ppid: o.ppid,
      command: parts.command,
      args: parts.args,
      argv_status: parts.argv_status,
      working_dir: o.cwd ?? null,
      exit_code: null,
      signal: null,
      duration_ms: null,
    };
    this.#running.set(o.pid, { event, startedMs: o.monotonicMs });
    updates.push({ kind: 'start', event: { ...event, args: [...event.args] } });
  }

  #exit(o: ExitObservation, updates: ExecUpdate[]): void {
    const running = this.#running.get(o.pid);
    // An exit without a start: a fork that never exec'd, or a process outside the agent's subtree.
    if (!running) return;
    const signal = o.signal ?? null;
    this.#end(o.pid, running, o.monotonicMs, signal === null ? (o.exitCode ?? null) : null, signal, updates);
  }

  #end(
    pid: number,
    running: Running,
    endMs: number,
    exitCode: number | null,
    signal: number | null,
    updates: ExecUpdate[],
  ): void {
    this.#running.delete(pid);
    const duration = Math.max(0, Math.round((endMs - running.startedMs) * 1000) / 1000);
    const event = { ...running.event, args: [...running.event.args], exit_code: exitCode, signal };
    updates.push({ kind: 'end', event: { ...event, duration_ms: duration } });
  }

  #learnAncestry(pid: number, ppid: number): void {
    this.#parents.set(pid, ppid);
    // Walk up through parents never seen exec (forks such as subshells) while they can be looked up.
    let current = ppid;
    for (let depth = 0; depth < MAX_ANCESTRY_DEPTH; depth++) {
      if (current <= 1 || current === this.root || this.#parents.has(current)) return;
      const parent = this.#parentOf(current);
      if (parent === undefined) return;
      this.#parents.set(current, parent);
      current = parent;
    }
  }

  /**
   * Every observation the backend reports is in the root's subtree. Once the agent is known, a
   * process is excluded only when its ancestry provably reaches the root through another child of
   * the root (e.g. a git run by the supervisor itself); a gap in the ancestry (a parent that exited
   * unseen, an orphan adopted by init) keeps it, since losing an agent's command is the worse error.
   */
  #belongsToAgent(pid: number, ppid: number): boolean {
    const agent = this.#agent;
    if (agent === undefined || agent === this.root) return true;
    let current = pid;
    let parent: number | undefined = ppid;
    for (let depth = 0; depth < MAX_ANCESTRY_DEPTH; depth++) {
      if (current === agent) return true;
      if (current === this.root || parent === this.root) return false;
      if (parent === undefined || parent <= 1) return true;
      current = parent;
      parent = this.#parents.get(current);
    }
    return true;
  }
}
