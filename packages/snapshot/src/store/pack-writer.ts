import { gzipSync } from 'node:zlib';
import { type FileHandle, mkdir, open, rename, rm } from 'node:fs/promises';
import { writeFileAtomic } from '@moat/storage';
import { type CompressedFrame, compressFrame } from './codec.js';
import { reasonOf, SnapshotStoreError } from './errors.js';
import { syncDir } from '@moat/storage';
import {
  type BlobEntry,
  type FrameEntry,
  PACK_INDEX_FORMAT,
  type PackIndexFile,
  serializePackIndex,
} from './pack-index.js';
import {
  encodeFrameHeader,
  encodePackHeader,
  FRAME_HEADER_SIZE,
  FRAME_RAW_SIZE,
  frameChecksum,
  PACK_HEADER_SIZE,
} from './pack-format.js';
import type { LoadedPack } from './store-index.js';
import { newPackId, type StoreLayout } from './store-layout.js';

/** Frames compressing at once: enough to keep two cores busy while the caller reads files. */
const MAX_FRAMES_IN_FLIGHT = 3;

interface PendingFrame {
  rawOffset: number;
  rawLength: number;
  compressed: Promise<CompressedFrame>;
}

/**
 * Writes one new pack: raw bytes are appended to a stream that is cut into frames of FRAME_RAW_SIZE,
 * each compressed in the threadpool and written, in order, to a temp file in packs/. Nothing is
 * visible until commit(): fsync, rename to `<id>.pack`, fsync the directory, then the index is
 * written atomically. A crash leaves a temp file or a pack without index, both garbage for gc.
 */
export class PackWriter {
  readonly #layout: StoreLayout;
  readonly #tempFile: string;
  readonly #handle: FileHandle;
  readonly #frames: FrameEntry[] = [];
  readonly #pending: PendingFrame[] = [];
  #frame = Buffer.allocUnsafe(FRAME_RAW_SIZE);
  #frameFill = 0;
  #rawLength = 0;
  #fileLength = PACK_HEADER_SIZE;

  private constructor(layout: StoreLayout, tempFile: string, handle: FileHandle) {
    this.#layout = layout;
    this.#tempFile = tempFile;
    this.#handle = handle;
  }

  static async create(layout: StoreLayout): Promise<PackWriter> {
    const tempFile = layout.newTempPackFile();
    let handle: FileHandle | undefined;
    try {
      await mkdir(layout.packsDir, { recursive: true, mode: 0o700 });
      handle = await open(tempFile, 'wx', 0o600);
      await writeAll(handle, [encodePackHeader()]);
      return new PackWriter(layout, tempFile, handle);
    } catch (error) {
      await handle?.close().catch(() => {});
      await rm(tempFile, { force: true }).catch(() => {});
      throw ioError(layout, error);
    }
  }

  /** Bytes appended so far: the raw offset the next byte gets. */
  get rawLength(): number {
    return this.#rawLength;
  }

  /**
   * Called before a blob of `size` bytes is appended. A blob that fits in one frame but would straddle
   * the current one starts a fresh frame (so reading it decompresses one frame), unless the current
   * frame is less than half full (so frames stay large and compress well).
   */
  async beginBlob(size: number): Promise<void> {
    const wouldStraddle = this.#frameFill + size > FRAME_RAW_SIZE;
    if (wouldStraddle && size <= FRAME_RAW_SIZE && this.#frameFill >= FRAME_RAW_SIZE / 2) {
      await this.#cutFrame().catch((error: unknown) => Promise.reject(ioError(this.#layout, error)));
    }
  }

  async append(bytes: Uint8Array): Promise<void> {
    let position = 0;
    while (position < bytes.length) {
      const take = Math.min(FRAME_RAW_SIZE - this.#frameFill, bytes.length - position);
      this.#frame.set(bytes.subarray(position, position + take), this.#frameFill);
      this.#frameFill += take;
      this.#rawLength += take;
      position += take;
      if (this.#frameFill === FRAME_RAW_SIZE) {
        await this.#cutFrame().catch((error: unknown) => Promise.reject(ioError(this.#layout, error)));
      }
    }
  }

  /** Flushes every frame and makes the pack and its index (listing `blobs`) visible, durably. */
  async commit(blobs: BlobEntry[]): Promise<LoadedPack> {
    try {
      await this.#cutFrame();
      while (this.#pending.length > 0) await this.#writeOldest();
      await this.#handle.sync();
      await this.#handle.close();
    } catch (error) {
      await this.discard();
      throw ioError(this.#layout, error);
    }
    const id = newPackId();
    const packFile = this.#layout.packFile(id);
    const index: PackIndexFile = {
      format: PACK_INDEX_FORMAT,
      pack: id,
      pack_size: this.#fileLength,
      created_at: new Date().toISOString(),
      frames: this.#frames,
      blobs,
    };
    // Gzipped: half the size, as the 64-hex-digit hashes are most of it and compress to their bytes.
    const indexData = gzipSync(serializePackIndex(index));
    try {
      await rename(this.#tempFile, packFile);
      // The pack's name must be durable before an index can point at it.
      await syncDir(this.#layout.packsDir);
      await writeFileAtomic(this.#layout.indexFile(id), indexData);
    } catch (error) {
      // Index first (it may have been renamed before a failing directory fsync): never one without its pack.
      await rm(this.#layout.indexFile(id), { force: true }).catch(() => {});
      await rm(this.#tempFile, { force: true }).catch(() => {});
      await rm(packFile, { force: true }).catch(() => {});
      throw ioError(this.#layout, error);
    }
    return { id, index, indexBytes: indexData.length };
  }

  /** Removes the temp file; compressions still running finish in the background and are dropped. */
  async discard(): Promise<void> {
    await this.#handle.close().catch(() => {});
    await rm(this.#tempFile, { force: true }).catch(() => {});
  }

  async #cutFrame(): Promise<void> {
    if (this.#frameFill === 0) return;
    const raw = this.#frame.subarray(0, this.#frameFill);
    const compressed = compressFrame(raw);
    compressed.catch(() => {}); // awaited in order by #writeOldest; this only marks it handled meanwhile
    this.#pending.push({
      rawOffset: this.#rawLength - this.#frameFill,
      rawLength: this.#frameFill,
      compressed,
    });
    this.#frame = Buffer.allocUnsafe(FRAME_RAW_SIZE);
    this.#frameFill = 0;
    while (this.#pending.length > MAX_FRAMES_IN_FLIGHT) await this.#writeOldest();
  }

  async #writeOldest(): Promise<void> {
    const pending = this.#pending.shift();
    if (pending === undefined) return;
    const { codec, stored } = await pending.compressed;
    const header = encodeFrameHeader({
      codec,
      rawLength: pending.rawLength,
      storedLength: stored.length,
      checksum: frameChecksum(stored),
    });
    await writeAll(this.#handle, [header, stored]);
    this.#frames.push({
      offset: this.#fileLength,
      stored_length: stored.length,
      raw_offset: pending.rawOffset,
      raw_length: pending.rawLength,
      codec,
    });
    this.#fileLength += FRAME_HEADER_SIZE + stored.length;
  }
}

async function writeAll(handle: FileHandle, buffers: Buffer[]): Promise<void> {
  const expected = buffers.reduce((sum, buffer) => sum + buffer.length, 0);
  const { bytesWritten } = await handle.writev(buffers);
  // A regular file writes short only when the disk or a size limit is full.
  if (bytesWritten !== expected) throw new Error(`short write: ${bytesWritten} of ${expected} bytes`);
}

function ioError(layout: StoreLayout, error: unknown): SnapshotStoreError {
  if (error instanceof SnapshotStoreError) return error;
  return new SnapshotStoreError(
    'io',
    `cannot write a pack in ${layout.packsDir} (${reasonOf(error)}); check that the disk is not full and the directory is writable`,
    { cause: error },
  );
}
