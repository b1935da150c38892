import type { ExecEvent, ExecUpdate } from '../event/exec-event.js';
import type { ExecRecord } from './exec-record.js';
import { recordToUpdate } from './exec-record.js';

/**
 * Folds exec.jsonl records into one event per process (keyed by `seq`). Pure. `apply` returns the
 * update a live view should show, or undefined for a record that changes nothing (a repeated record,
 * or a start arriving after its end).
 */
export class ExecLogMerger {
  readonly #events = new Map<number, ExecEvent>();
  readonly #started = new Set<number>();
  readonly #ended = new Set<number>();
  readonly #keepEvents: boolean;

  /** `keepEvents: false` (a live follower) remembers only which seqs started and ended. */
  constructor(options: { keepEvents?: boolean } = {}) {
    this.#keepEvents = options.keepEvents ?? true;
  }

  apply(record: ExecRecord): ExecUpdate | undefined {
    const update = recordToUpdate(record);
    const seq = update.event.seq;
    if (this.#ended.has(seq)) return undefined;
    if (update.kind === 'start' && this.#started.has(seq)) return undefined;
    this.#started.add(seq);
    if (update.kind === 'end') this.#ended.add(seq);
    if (this.#keepEvents) this.#events.set(seq, update.event);
    return update;
  }

  /** Every process seen, in `seq` order; running ones have null exit_code/signal/duration_ms. */
  events(): ExecEvent[] {
    return [...this.#events.values()].sort((a, b) => a.seq - b.seq);
  }
}
