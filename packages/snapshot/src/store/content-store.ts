import { resolve } from 'node:path';
import { type AcquireLockOptions, acquireLock, type Lock } from '@moat/storage';
import { FrameCache, readBlob, readBlobChunks, readBlobsInPackOrder } from './blob-reader.js';
import { type BlobWriter, PackBlobWriter } from './blob-writer.js';
import { SnapshotStoreError } from './errors.js';
import { collectGarbage } from './gc.js';
import { assertBlobHash, EMPTY_BLOB_HASH } from './hash.js';
import { RefStore } from './refs.js';
import { openStoreFile } from './store-file.js';
import { type BlobLocation, StoreIndex } from './store-index.js';
import { StoreLayout } from './store-layout.js';
import { verifyStore } from './verify.js';
import type { BlobHash, GcOptions, GcResult, StoreStats, VerifyOptions, VerifyProblem } from './types.js';

export interface OpenStoreOptions {
  /** Create the directory and store.json when missing (otherwise a missing store is a 'not_found' error). */
  create?: boolean;
}

/**
 * A content-addressed blob store in one directory, shared by every run of a workspace: blobs keyed by
 * sha256, deduplicated, compressed in frames inside immutable pack files, plus small named JSON refs.
 * The empty blob is always present and never stored. Reads check frame checksums and blob hashes.
 *
 * Readers and writers in several processes are safe as long as mutations (a write session, gc) and
 * reads that must not race gc happen under lock().
 */
export class ContentStore {
  readonly dir: string;
  readonly #layout: StoreLayout;
  /** Eight frames of about 1 MiB: enough for the tree objects of a snapshot, which sit together. */
  readonly #frames = new FrameCache(8);
  readonly #index: StoreIndex;
  readonly #refs: RefStore;

  private constructor(layout: StoreLayout) {
    this.dir = layout.dir;
    this.#layout = layout;
    this.#index = new StoreIndex(layout);
    this.#refs = new RefStore(layout.refsDir);
  }

  static async open(dir: string, options: OpenStoreOptions = {}): Promise<ContentStore> {
    const layout = new StoreLayout(resolve(dir));
    await openStoreFile(layout, options.create ?? false);
    return new ContentStore(layout);
  }

  /** The store's cross-process lock (store.lock). Hold it across a whole snapshot, restore or gc; not re-entrant. */
  lock(options?: AcquireLockOptions): Promise<Lock> {
    return acquireLock(this.#layout.lockFile, options);
  }

  async has(hash: BlobHash): Promise<boolean> {
    assertBlobHash(hash);
    return hash === EMPTY_BLOB_HASH || (await this.#locate(hash)) !== undefined;
  }

  /** The whole blob, checked. For large blobs prefer readStream(). */
  async read(hash: BlobHash): Promise<Buffer> {
    assertBlobHash(hash);
    if (hash === EMPTY_BLOB_HASH) return Buffer.alloc(0);
    return readBlob(this.#layout, await this.#locateOrThrow(hash), this.#frames);
  }

  /**
   * The blob frame by frame, in bounded memory. Each frame is checked as it is read; the blob's
   * sha256 is checked after the last chunk, so the iteration throws at its end if it is corrupt.
   */
  async *readStream(hash: BlobHash): AsyncIterable<Buffer> {
    assertBlobHash(hash);
    if (hash === EMPTY_BLOB_HASH) return;
    yield* readBlobChunks(this.#layout, await this.#locateOrThrow(hash));
  }

  /**
   * Reads many blobs, calling `onBlob` once per distinct hash, in storage order (not argument order),
   * so each frame is decompressed once. Every hash is looked up first: a missing one fails the call
   * before any `onBlob`. Each blob is built in memory: use readStream() for very large ones.
   */
  /**
   * Reads blobs in stored order. Each is checked against its hash before `onBlob` unless `verify` is
   * false, for a caller that checks them itself (restore's writer threads, before writing). `data`
   * may be a view of a decompressed frame: copy what you keep beyond the callback.
   */
  async readMany(
    hashes: Iterable<BlobHash>,
    onBlob: (hash: BlobHash, data: Buffer) => void | Promise<void>,
    { verify = true }: { verify?: boolean } = {},
  ): Promise<void> {
    const wanted = new Set(hashes);
    const locations: BlobLocation[] = [];
    const missing: BlobHash[] = [];
    let empty = false;
    for (const hash of wanted) {
      assertBlobHash(hash);
      if (hash === EMPTY_BLOB_HASH) {
        empty = true;
        continue;
      }
      const location = await this.#locate(hash);
      if (location === undefined) missing.push(hash);
      else locations.push(location);
    }
    if (missing.length > 0) throw this.#notFound(missing);
    if (empty) await onBlob(EMPTY_BLOB_HASH, Buffer.alloc(0));
    await readBlobsInPackOrder(this.#layout, locations, onBlob, verify);
  }

  /** A new write session; see BlobWriter. Hold lock() from before startWrite() until commit() or abort(). */
  startWrite(): BlobWriter {
    let refreshed: Promise<void> | undefined;
    return new PackBlobWriter({
      layout: this.#layout,
      isStored: async (hash) => {
        // One look at packs/ per session: under the lock, nobody else adds packs meanwhile.
        refreshed ??= this.#index.refreshIfChanged();
        await refreshed;
        return this.#index.locate(hash) !== undefined;
      },
      onCommitted: (pack) => this.#index.add(pack),
    });
  }

  /** Replaces refs/<name>.json atomically. Names: 1–128 of A–Z a–z 0–9 . _ -, not starting with '.' or '-'. */
  writeRef(name: string, value: unknown): Promise<void> {
    return this.#refs.write(name, value);
  }

  readRef<T>(name: string): Promise<T | undefined> {
    return this.#refs.read<T>(name);
  }

  deleteRef(name: string): Promise<void> {
    return this.#refs.delete(name);
  }

  listRefs(): Promise<string[]> {
    return this.#refs.list();
  }

  /** See collectGarbage. The caller must hold lock(). */
  gc(live: ReadonlySet<BlobHash>, options?: GcOptions): Promise<GcResult> {
    return collectGarbage(this.#layout, this.#index, live, options);
  }

  /** Reads and checks everything stored; problems are returned, never thrown. */
  verify(options?: VerifyOptions): Promise<VerifyProblem[]> {
    return verifyStore(this.#layout, this.#index, options);
  }

  async stats(): Promise<StoreStats> {
    await this.#index.refresh();
    const packs = this.#index.packs;
    return {
      blobs: this.#index.blobCount,
      packs: packs.length,
      bytes: packs.reduce((sum, pack) => sum + pack.index.pack_size + pack.indexBytes, 0),
    };
  }

  /** Looks in the loaded index, then in packs/ if it may have changed (another process committed). */
  async #locate(hash: BlobHash): Promise<BlobLocation | undefined> {
    await this.#index.ensureLoaded();
    const location = this.#index.locate(hash);
    if (location !== undefined) return location;
    await this.#index.refreshIfChanged();
    return this.#index.locate(hash);
  }

  async #locateOrThrow(hash: BlobHash): Promise<BlobLocation> {
    const location = await this.#locate(hash);
    if (location === undefined) throw this.#notFound([hash]);
    return location;
  }

  #notFound(hashes: readonly BlobHash[]): SnapshotStoreError {
    const listed = hashes.slice(0, 3).join(', ');
    const more = hashes.length > 3 ? ` and ${hashes.length - 3} more` : '';
    const what = hashes.length === 1 ? `blob ${listed} is` : `blobs ${listed}${more} are`;
    return new SnapshotStoreError('not_found', `${what} not in the snapshot store at ${this.dir}`);
  }
}
