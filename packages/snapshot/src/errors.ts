// Symbol.for markers survive duplicate copies of this package, where `instanceof` does not.
const MARKER: unique symbol = Symbol.for('moat.snapshot-error');
/** Every moat package's user-facing errors carry this, so the CLI prints the message alone. */
const MOAT_ERROR: unique symbol = Symbol.for('moat.error');

export type SnapshotErrorCode =
  | 'not_found'
  | 'invalid'
  | 'limit'
  | 'unsupported'
  | 'restore_interrupted'
  | 'conflict'
  | 'changing'
  /** An archive from outside would write outside its destination, or holds what moat never extracts. */
  | 'unsafe_archive'
  /** An archive is not gzip-compressed tar, or is damaged or truncated. */
  | 'corrupt_archive';

/** A snapshot operation that failed for a reason the user can act on; the message says how. */
export class SnapshotError extends Error {
  override readonly name = 'SnapshotError';
  readonly [MARKER] = true;
  readonly [MOAT_ERROR] = true;

  constructor(
    readonly code: SnapshotErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  static isInstance(value: unknown): value is SnapshotError {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[MARKER] === true;
  }
}
