import { createHash } from 'node:crypto';
import { BlobChangedError, reasonOf, SnapshotStoreError } from './errors.js';
import { sweepGarbage } from './garbage.js';
import { assertBlobHash, EMPTY_BLOB_HASH, hashBlob } from './hash.js';
import type { BlobEntry } from './pack-index.js';
import { PackWriter } from './pack-writer.js';
import type { LoadedPack } from './store-index.js';
import type { StoreLayout } from './store-layout.js';
import type { BlobHash, WriteTotals } from './types.js';

/** A write session: blobs added to it become visible together, in one new pack, on commit(). */
export interface BlobWriter {
  /** Small blob already in memory. Returns its hash; stores it only if new (in the store or this session). */
  add(data: Uint8Array): Promise<BlobHash>;
  /**
   * A blob whose hash the caller computed (e.g. a large file hashed in a first pass): returns false
   * without reading `chunks` when it is already stored; otherwise consumes `chunks` and returns true.
   * If their sha256 or total size differs from the expected values it throws a BlobChangedError (the
   * file changed while being read); the bytes appended become unreferenced garbage and the session
   * stays usable.
   */
  addStream(hash: BlobHash, size: number, chunks: AsyncIterable<Uint8Array>): Promise<boolean>;
  /** Flushes frames and writes pack + index atomically; a session that added nothing new writes no files. */
  commit(): Promise<WriteTotals>;
  /** Removes temp files; nothing becomes visible. Harmless after commit() or a second time. */
  abort(): Promise<void>;
}

export interface BlobWriterContext {
  layout: StoreLayout;
  /** Whether the store already holds `hash` (in a pack this session need not duplicate). */
  isStored(hash: BlobHash): Promise<boolean>;
  /** Called with the new pack once it is durable and visible. */
  onCommitted(pack: LoadedPack): void;
}

type SessionState =
  | { kind: 'open' }
  | { kind: 'closed'; how: 'committed' | 'aborted' }
  | { kind: 'failed'; error: unknown };

/**
 * The write session of a ContentStore. Calls may overlap (they run one at a time, in call order,
 * because blobs are ranges of one stream); the pack's temp file is created with the first new blob.
 */
export class PackBlobWriter implements BlobWriter {
  readonly #context: BlobWriterContext;
  readonly #blobs: BlobEntry[] = [];
  readonly #hashes = new Set<BlobHash>();
  #pack: PackWriter | undefined;
  #rawBytes = 0;
  #state: SessionState = { kind: 'open' };
  #queue: Promise<unknown> = Promise.resolve();

  constructor(context: BlobWriterContext) {
    this.#context = context;
  }

  add(data: Uint8Array): Promise<BlobHash> {
    return this.#serial(async () => {
      this.#assertOpen();
      const hash = hashBlob(data);
      if (await this.#known(hash)) return hash;
      const start = await this.#packOp(async (pack) => {
        await pack.beginBlob(data.length);
        const offset = pack.rawLength;
        await pack.append(data);
        return offset;
      });
      this.#record({ hash, raw_offset: start, size: data.length });
      return hash;
    });
  }

  async addStream(hash: BlobHash, size: number, chunks: AsyncIterable<Uint8Array>): Promise<boolean> {
    assertBlobHash(hash);
    if (!Number.isSafeInteger(size) || size < 0) {
      throw new SnapshotStoreError('invalid', `blob size must be a non-negative integer, not ${size}`);
    }
    return this.#serial(async () => {
      this.#assertOpen();
      if (await this.#known(hash)) return false;
      const start = await this.#packOp(async (pack) => {
        await pack.beginBlob(size);
        return pack.rawLength;
      });
      const hasher = createHash('sha256');
      let total = 0;
      // Errors of `chunks` itself (a file that vanished) propagate and leave the session usable.
      for await (const chunk of chunks) {
        total += chunk.length;
        if (total > size) throw new BlobChangedError({ hash, size }, { hash: undefined, size: total });
        hasher.update(chunk);
        await this.#packOp((pack) => pack.append(chunk));
      }
      const actual = hasher.digest('hex');
      if (total !== size || actual !== hash)
        throw new BlobChangedError({ hash, size }, { hash: actual, size: total });
      this.#record({ hash, raw_offset: start, size });
      return true;
    });
  }

  commit(): Promise<WriteTotals> {
    return this.#serial(async () => {
      this.#assertOpen();
      this.#state = { kind: 'closed', how: 'committed' };
      const pack = this.#pack;
      if (pack === undefined || this.#blobs.length === 0) {
        await pack?.discard(); // holds only bytes of blobs that changed while being read
        return { blobs: 0, rawBytes: 0, storedBytes: 0 };
      }
      let loaded: LoadedPack;
      try {
        loaded = await pack.commit(this.#blobs);
      } catch (error) {
        this.#state = { kind: 'failed', error };
        throw error;
      }
      this.#context.onCommitted(loaded);
      // Crashed writers' leftovers must not pile up between gc runs; this costs one readdir.
      await sweepGarbage(this.#context.layout).catch(() => {});
      return {
        blobs: this.#blobs.length,
        rawBytes: this.#rawBytes,
        storedBytes: loaded.index.pack_size + loaded.indexBytes,
      };
    });
  }

  abort(): Promise<void> {
    return this.#serial(async () => {
      if (this.#state.kind !== 'open') return;
      this.#state = { kind: 'closed', how: 'aborted' };
      await this.#pack?.discard();
    });
  }

  #serial<T>(operation: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(operation);
    this.#queue = run.catch(() => {});
    return run;
  }

  #assertOpen(): void {
    const state = this.#state;
    if (state.kind === 'closed')
      throw new SnapshotStoreError('invalid', `this write session is already ${state.how}`);
    if (state.kind === 'failed') {
      throw new SnapshotStoreError(
        'io',
        `this write session failed earlier and stored nothing: ${reasonOf(state.error)}`,
        {
          cause: state.error,
        },
      );
    }
  }

  async #known(hash: BlobHash): Promise<boolean> {
    return hash === EMPTY_BLOB_HASH || this.#hashes.has(hash) || (await this.#context.isStored(hash));
  }

  /** Runs `operation` on the pack (created on first use); a failure there ends the session. */
  async #packOp<T>(operation: (pack: PackWriter) => Promise<T>): Promise<T> {
    try {
      this.#pack ??= await PackWriter.create(this.#context.layout);
      return await operation(this.#pack);
    } catch (error) {
      this.#state = { kind: 'failed', error };
      await this.#pack?.discard();
      throw error;
    }
  }

  #record(blob: BlobEntry): void {
    this.#blobs.push(blob);
    this.#hashes.add(blob.hash);
    this.#rawBytes += blob.size;
  }
}
