import type { ExecUpdate } from '../event/exec-event.js';
import { TraceError } from '../errors.js';
import { ExecAssembler, type ExecAssemblerOptions } from './exec-assembler.js';
import type { Observation } from './observation.js';
import type { ExecUpdatesListener, Tracer, TracerBackend, TracerStatus } from './tracer.js';

/** Updates kept for the first subscriber, at most (a tracer nobody listens to must not grow forever). */
const BACKLOG_LIMIT = 100_000;

/** What every backend shares: the policy (ExecAssembler), listeners, the backlog and status. */
export abstract class BaseTracer implements Tracer {
  abstract readonly backend: TracerBackend;
  readonly root: number;
  protected readonly assembler: ExecAssembler;
  #listeners = new Set<ExecUpdatesListener>();
  #backlog: ExecUpdate[] | undefined = [];
  #backlogDropped = 0;
  protected stopped = false;

  constructor(options: ExecAssemblerOptions) {
    checkPid(options.root, 'root');
    this.root = options.root;
    this.assembler = new ExecAssembler(options);
  }

  setAgent(pid: number): void {
    checkPid(pid, 'agent');
    if (this.assembler.agent !== undefined) {
      throw new TraceError('state', `the agent is already set (pid ${this.assembler.agent}); set it once`);
    }
    this.publish(this.assembler.setAgent(pid));
  }

  subscribe(listener: ExecUpdatesListener): () => void {
    this.#listeners.add(listener);
    const backlog = this.#backlog;
    this.#backlog = undefined;
    if (backlog && backlog.length > 0) listener(backlog);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  abstract status(): TracerStatus;
  abstract stop(): Promise<void>;

  protected baseStatus(): Pick<TracerStatus, 'agent' | 'held_dropped' | 'running'> {
    return {
      agent: this.assembler.agent ?? null,
      held_dropped: this.assembler.heldDropped + this.#backlogDropped,
      running: !this.stopped,
    };
  }

  /** Feeds backend observations through the policy to the listeners. */
  protected ingest(observations: readonly Observation[]): void {
    if (this.stopped || observations.length === 0) return;
    this.publish(this.assembler.ingest(observations));
  }

  protected publish(updates: ExecUpdate[]): void {
    if (updates.length === 0) return;
    if (this.#backlog) {
      this.#backlog.push(...updates);
      const excess = this.#backlog.length - BACKLOG_LIMIT;
      if (excess > 0) {
        this.#backlog.splice(0, excess);
        this.#backlogDropped += excess;
      }
      return;
    }
    for (const listener of [...this.#listeners]) {
      try {
        listener(updates);
      } catch (error) {
        // A throwing listener must not stop tracing or starve the others; surface it like Node does.
        queueMicrotask(() => {
          throw error;
        });
      }
    }
  }
}

export function checkPid(pid: number, what: string): void {
  if (!Number.isSafeInteger(pid) || pid <= 0) {
    throw new TraceError('invalid', `${what} pid must be a positive integer, got ${String(pid)}`);
  }
}
