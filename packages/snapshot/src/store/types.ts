/** sha256 of a blob's raw (uncompressed) content, 64 lowercase hex characters. */
export type BlobHash = string;

/** Compression of one frame of a pack, recorded per frame so a store can mix them. */
export type Codec = 'zstd' | 'brotli' | 'gzip' | 'raw';

export interface WriteTotals {
  /** Blobs newly stored (duplicates of stored blobs are not counted). */
  blobs: number;
  /** Raw bytes of the new blobs. */
  rawBytes: number;
  /** Bytes the store grew on disk: pack + index files. */
  storedBytes: number;
}

export interface VerifyProblem {
  /** The blob affected; '' only when a whole pack index cannot be read (its blobs are unknown; see `pack`). */
  hash: BlobHash;
  kind: 'missing' | 'corrupt';
  /** The pack the problem was found in (its file name without extension), when there is one. */
  pack?: string;
  message: string;
}

export interface GcOptions {
  /** Report what would be removed, without removing anything. */
  dryRun?: boolean;
}

export interface GcResult {
  /** Distinct blobs no longer stored (with dryRun: that would no longer be stored). */
  removedBlobs: number;
  /** Bytes the store shrank on disk (with dryRun: an estimate). */
  freedBytes: number;
}

export interface VerifyOptions {
  /** Progress in raw bytes checked, called after each blob. */
  onProgress?(done: number, total: number): void;
}

export interface StoreStats {
  /** Distinct blobs stored. */
  blobs: number;
  packs: number;
  /** Bytes on disk of packs and their indexes. */
  bytes: number;
}
