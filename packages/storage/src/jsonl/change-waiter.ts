import { type FSWatcher, watch } from 'node:fs';
import { basename, dirname } from 'node:path';

/**
 * Waits until a file may have changed: an fs.watch event on its directory (which also sees the file
 * being created or replaced), the poll interval elapsing (fs.watch misses events on some
 * filesystems, and needs the directory to exist), or the signal aborting.
 */
export class ChangeWaiter {
  readonly #path: string;
  readonly #pollIntervalMs: number;
  readonly #signal: AbortSignal | undefined;
  #watcher: FSWatcher | undefined;
  /** An event arrived while nobody was waiting: the next wait returns at once. */
  #changed = false;
  #wake: (() => void) | undefined;

  constructor(path: string, pollIntervalMs: number, signal: AbortSignal | undefined) {
    this.#path = path;
    this.#pollIntervalMs = pollIntervalMs;
    this.#signal = signal;
    this.#watch();
  }

  async wait(): Promise<void> {
    if (!this.#watcher) this.#watch();
    if (this.#changed || this.#signal?.aborted) {
      this.#changed = false;
      return;
    }
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.#signal?.removeEventListener('abort', done);
        this.#wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, this.#pollIntervalMs);
      this.#signal?.addEventListener('abort', done, { once: true });
      this.#wake = done;
    });
  }

  close(): void {
    this.#watcher?.close();
    this.#watcher = undefined;
    this.#wake?.();
  }

  #watch(): void {
    const name = basename(this.#path);
    try {
      // Not persistent: while the consumer waits, the poll timer keeps Node alive, and nothing else.
      this.#watcher = watch(dirname(this.#path), { persistent: false }, (_event, changed) => {
        if (changed !== null && changed !== name) return;
        if (this.#wake) this.#wake();
        else this.#changed = true;
      });
      this.#watcher.on('error', () => {
        this.#watcher?.close();
        this.#watcher = undefined;
      });
    } catch {
      // The directory does not exist yet, or watching is unavailable: polling covers both.
      this.#watcher = undefined;
    }
  }
}
