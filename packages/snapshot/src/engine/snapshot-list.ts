import { join } from 'node:path';
import { readJsonFile, withLock, writeJsonAtomic } from '@moat/storage';
import { byAge } from './retention.js';
import { parseSnapshotRecords, type SnapshotRecord } from './snapshot-record.js';

/**
 * A run's snapshot records: `<snapshots dir>/snapshots.json`, a JSON array oldest first (the seed's
 * file). Read afresh for every operation and changed only under its cross-process lock with an atomic
 * write, so a `moat snapshot` in another terminal never loses a record.
 */
export class SnapshotList {
  readonly file: string;
  readonly #lockFile: string;

  constructor(readonly dir: string) {
    this.file = join(dir, 'snapshots.json');
    this.#lockFile = join(dir, 'snapshots.lock');
  }

  /** Oldest first; a missing file means no snapshots. */
  async read(): Promise<SnapshotRecord[]> {
    return (await readJsonFile(this.file, { validate: parseSnapshotRecords })) ?? [];
  }

  async add(record: SnapshotRecord): Promise<void> {
    await this.#change((records) => [...records, record]);
  }

  async remove(ids: ReadonlySet<string>): Promise<void> {
    await this.#change((records) => records.filter((r) => !ids.has(r.id)));
  }

  async #change(change: (records: SnapshotRecord[]) => SnapshotRecord[]): Promise<void> {
    await withLock(this.#lockFile, async () => {
      const next = change(await this.read()).sort(byAge);
      await writeJsonAtomic(this.file, next);
    });
  }
}
