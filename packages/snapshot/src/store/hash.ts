import { createHash } from 'node:crypto';
import { SnapshotStoreError } from './errors.js';
import type { BlobHash } from './types.js';

/** sha256 of nothing: the empty blob, which every store holds without storing it. */
export const EMPTY_BLOB_HASH: BlobHash = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

const BLOB_HASH = /^[0-9a-f]{64}$/;

/** The hash a blob is stored under: sha256 of its raw content, lowercase hex. */
export function hashBlob(data: Uint8Array): BlobHash {
  return createHash('sha256').update(data).digest('hex');
}

export function isBlobHash(value: unknown): value is BlobHash {
  return typeof value === 'string' && BLOB_HASH.test(value);
}

/** Rejects anything that is not a blob hash, before it reaches a path or a lookup. */
export function assertBlobHash(value: unknown): asserts value is BlobHash {
  if (!isBlobHash(value)) {
    throw new SnapshotStoreError(
      'invalid',
      `not a blob hash: ${JSON.stringify(value)} (64 lowercase hex digits expected)`,
    );
  }
}
