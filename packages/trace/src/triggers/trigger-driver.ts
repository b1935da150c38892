import type { ExecUpdate } from '../event/exec-event.js';
import {
  initialTriggerState,
  nextTriggerDeadline,
  type SnapshotAction,
  stepTriggers,
  type TriggerInput,
  type TriggerOptions,
  type TriggerState,
} from './trigger-machine.js';

export interface TriggerDriverOptions extends TriggerOptions {
  /** Called for every snapshot the triggers ask for. Must not throw; queue the snapshot work. */
  onSnapshot: (action: SnapshotAction) => void;
  /** Milliseconds on a monotonic clock. Default performance.now. */
  now?: () => number;
}

/**
 * Runs the trigger state machine with real timers: feed it exec updates and file changes, it calls
 * `onSnapshot`. Its timer is unref'd (it never keeps the process alive); `stop()` clears it, and
 * `finish()` does too once a commit still in its debounce has been snapshotted.
 */
export class TriggerDriver {
  #state: TriggerState;
  readonly #onSnapshot: (action: SnapshotAction) => void;
  readonly #now: () => number;
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;

  constructor(options: TriggerDriverOptions) {
    const { onSnapshot, now, ...triggers } = options;
    this.#state = initialTriggerState(triggers);
    this.#onSnapshot = onSnapshot;
    this.#now = now ?? (() => performance.now());
  }

  get state(): TriggerState {
    return this.#state;
  }

  exec(updates: readonly ExecUpdate[]): void {
    for (const update of updates) this.#step({ type: 'exec', update, at: this.#now() });
  }

  fileChanged(): void {
    this.#step({ type: 'file_change', at: this.#now() });
  }

  /** The agent has ended: takes a commit snapshot still in its debounce now, then stops. */
  finish(): void {
    this.#step({ type: 'agent_exit', at: this.#now() });
    this.stop();
  }

  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
  }

  #step(input: TriggerInput): void {
    if (this.#stopped) return;
    const { state, actions } = stepTriggers(this.#state, input);
    this.#state = state;
    for (const action of actions) this.#onSnapshot(action);
    this.#arm();
  }

  #arm(): void {
    clearTimeout(this.#timer);
    const deadline = nextTriggerDeadline(this.#state);
    if (deadline === null) return;
    this.#timer = setTimeout(
      () => this.#step({ type: 'tick', at: this.#now() }),
      Math.max(0, deadline - this.#now()),
    );
    this.#timer.unref();
  }
}
