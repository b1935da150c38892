/**
 * Runs snapshot jobs one after another, in the order asked, while the agent keeps working: triggers
 * fire from event callbacks that must not wait, and two snapshots of one workspace never overlap.
 * A failed job is counted and remembered, never thrown at the caller.
 */
export class SnapshotQueue {
  #tail: Promise<void> = Promise.resolve();
  #taken = 0;
  #skipped = 0;
  readonly #failures: string[] = [];

  /** `job` resolves true when it took a snapshot, false when it had nothing to take. */
  push(job: () => Promise<boolean>): void {
    this.#tail = this.#tail.then(async () => {
      try {
        if (await job()) this.#taken++;
        else this.#skipped++;
      } catch (error) {
        this.#failures.push(error instanceof Error ? error.message : String(error));
      }
    });
  }

  /** Resolves when every job pushed so far has finished. */
  drain(): Promise<void> {
    return this.#tail;
  }

  get counts(): { taken: number; skipped: number; failed: number; lastFailure: string | null } {
    return {
      taken: this.#taken,
      skipped: this.#skipped,
      failed: this.#failures.length,
      lastFailure: this.#failures.at(-1) ?? null,
    };
  }
}
