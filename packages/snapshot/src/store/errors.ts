import type { BlobHash } from './types.js';

export type SnapshotStoreErrorCode =
  /** No store at the directory, or no such blob. */
  | 'not_found'
  /** Stored data fails its checksum, does not decode, or a file has the wrong shape. */
  | 'corrupt'
  /** A store written by a newer moat. */
  | 'unsupported'
  /** Bad input: a malformed hash or ref name, a closed write session. */
  | 'invalid'
  /** A blob's content changed while it was being stored. */
  | 'changed'
  /** The file system refused (permissions, disk full). */
  | 'io';

// Every moat package marks its user-facing errors with this key: the CLI prints only their message.
const MOAT_ERROR: unique symbol = Symbol.for('moat.error');

export class SnapshotStoreError extends Error {
  override readonly name: string = 'SnapshotStoreError';
  readonly code: SnapshotStoreErrorCode;
  readonly [MOAT_ERROR] = true;

  constructor(code: SnapshotStoreErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
  }
}

/** The chunks given to BlobWriter.addStream did not match the hash or size the caller computed. */
export class BlobChangedError extends SnapshotStoreError {
  override readonly name = 'BlobChangedError';
  readonly expected: { hash: BlobHash; size: number };
  readonly actual: { hash: BlobHash | undefined; size: number };

  constructor(
    expected: { hash: BlobHash; size: number },
    actual: { hash: BlobHash | undefined; size: number },
  ) {
    const what =
      actual.size === expected.size
        ? `sha256 ${actual.hash} instead of ${expected.hash}`
        : `${actual.size}${actual.hash === undefined ? '+' : ''} bytes instead of ${expected.size}`;
    super('changed', `content of blob ${expected.hash} changed while it was being stored (${what})`);
    this.expected = expected;
    this.actual = actual;
  }
}

/** The message of any thrown value, on one line. */
export function reasonOf(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/\r?\n/g, ' ');
}

/** The errno code of a Node system error, if it is one. */
export function errnoCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}
