import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { readJsonFile, writeJsonAtomic } from '@moat/storage';
import { SnapshotStoreError } from './errors.js';
import { syncDir } from '@moat/storage';
import { listDir } from './store-index.js';

// No '/', no leading '.': a ref name can neither leave refs/ nor look like a temp file.
const REF_NAME = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/;
const SUFFIX = '.json';

/** Small named JSON roots in refs/<name>.json, each replaced atomically. */
export class RefStore {
  readonly #dir: string;

  constructor(dir: string) {
    this.#dir = dir;
  }

  async write(name: string, value: unknown): Promise<void> {
    await writeJsonAtomic(this.#file(name), value);
  }

  /** undefined when there is no such ref. */
  async read<T>(name: string): Promise<T | undefined> {
    return readJsonFile<T>(this.#file(name));
  }

  /** Deleting a ref that does not exist is not an error. */
  async delete(name: string): Promise<void> {
    await rm(this.#file(name), { force: true });
    await syncDir(this.#dir).catch(() => {}); // a missing refs/ has nothing to make durable
  }

  /** Names of every ref, sorted. */
  async list(): Promise<string[]> {
    return (await listDir(this.#dir))
      .filter((file) => file.endsWith(SUFFIX))
      .map((file) => file.slice(0, -SUFFIX.length))
      .filter((name) => REF_NAME.test(name))
      .sort();
  }

  #file(name: string): string {
    if (!REF_NAME.test(name)) {
      throw new SnapshotStoreError(
        'invalid',
        `bad ref name ${JSON.stringify(name)}: use 1–128 of A–Z a–z 0–9 . _ -, not starting with '.' or '-'`,
      );
    }
    return join(this.#dir, `${name}${SUFFIX}`);
  }
}
