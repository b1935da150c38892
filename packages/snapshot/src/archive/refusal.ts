import { SnapshotError } from '../errors.js';

export type RefusalCode = 'unsafe_archive' | 'corrupt_archive' | 'limit';

/**
 * Why an archive is not extracted, said of one entry: `problem` reads on from `entry "<name>" `.
 * extractArchive turns it into a SnapshotError naming the archive and the entry.
 */
export class Refusal extends Error {
  constructor(
    readonly code: RefusalCode,
    readonly problem: string,
    /** The entry the problem is about; undefined: the entry being extracted; null: none. */
    readonly entry?: string | null,
  ) {
    super(problem);
  }

  toSnapshotError(file: string, current: string | undefined): SnapshotError {
    const entry = this.entry === undefined ? current : this.entry;
    const subject = entry === undefined || entry === null ? '' : `entry ${quote(entry)} `;
    return new SnapshotError(this.code, `cannot extract ${file}: ${subject}${this.problem}`, { cause: this });
  }
}

/** A name as messages show it: in double quotes, with control characters escaped (one line). */
export function quote(name: string): string {
  return JSON.stringify(name);
}
