import { type FileHandle, open } from 'node:fs/promises';
import { decompressFrame } from './codec.js';
import { errnoCode, reasonOf, SnapshotStoreError } from './errors.js';
import { type BlobEntry, type FrameEntry, framesOverlapping } from './pack-index.js';
import {
  checkPackHeader,
  decodeFrameHeader,
  FRAME_HEADER_SIZE,
  frameChecksum,
  PACK_HEADER_SIZE,
} from './pack-format.js';
import type { LoadedPack } from './store-index.js';
import type { StoreLayout } from './store-layout.js';

/** A frame that cannot be read: beyond the end of its pack ('missing') or damaged ('corrupt'). */
export class FrameError extends Error {
  readonly kind: 'missing' | 'corrupt';
  readonly frame: number;

  constructor(kind: 'missing' | 'corrupt', frame: number, message: string) {
    super(message);
    this.kind = kind;
    this.frame = frame;
  }
}

/** An open pack file, reading and checking one frame at a time. Close it when done. */
export class PackReader {
  readonly pack: LoadedPack;
  readonly file: string;
  readonly #handle: FileHandle;

  private constructor(pack: LoadedPack, file: string, handle: FileHandle) {
    this.pack = pack;
    this.file = file;
    this.#handle = handle;
  }

  static async open(layout: StoreLayout, pack: LoadedPack): Promise<PackReader> {
    const file = layout.packFile(pack.id);
    try {
      return new PackReader(pack, file, await open(file, 'r'));
    } catch (error) {
      const missing = errnoCode(error) === 'ENOENT';
      throw new SnapshotStoreError(
        missing ? 'not_found' : 'io',
        `cannot open pack ${file} (${reasonOf(error)})${missing ? '; it was removed while in use (hold the store lock while reading)' : ''}`,
        { cause: error },
      );
    }
  }

  /** Throws a reason when the file does not start with a pack header this code reads. */
  async checkHeader(): Promise<void> {
    const header = Buffer.alloc(PACK_HEADER_SIZE);
    const { bytesRead } = await this.#handle.read(header, 0, PACK_HEADER_SIZE, 0);
    checkPackHeader(header.subarray(0, bytesRead));
  }

  /** Reads frame `i`, checks its header against the index and its checksum, and decompresses it. */
  async readFrame(i: number): Promise<Buffer> {
    const frame = this.pack.index.frames[i] as FrameEntry;
    const where = `frame ${i} (bytes ${frame.offset}–${frame.offset + FRAME_HEADER_SIZE + frame.stored_length} of ${this.file})`;
    const length = FRAME_HEADER_SIZE + frame.stored_length;
    const bytes = Buffer.allocUnsafe(length);
    let bytesRead: number;
    try {
      ({ bytesRead } = await this.#handle.read(bytes, 0, length, frame.offset));
    } catch (error) {
      throw new FrameError('corrupt', i, `${where}: cannot be read (${reasonOf(error)})`);
    }
    if (bytesRead < length) throw new FrameError('missing', i, `${where}: the pack file ends inside it`);
    let header: ReturnType<typeof decodeFrameHeader>;
    try {
      header = decodeFrameHeader(bytes.subarray(0, FRAME_HEADER_SIZE));
    } catch (error) {
      throw new FrameError('corrupt', i, `${where}: ${reasonOf(error)}`);
    }
    if (
      header.codec !== frame.codec ||
      header.rawLength !== frame.raw_length ||
      header.storedLength !== frame.stored_length
    ) {
      throw new FrameError('corrupt', i, `${where}: its header disagrees with the pack index`);
    }
    const stored = bytes.subarray(FRAME_HEADER_SIZE);
    if (!frameChecksum(stored).equals(header.checksum))
      throw new FrameError('corrupt', i, `${where}: checksum mismatch`);
    try {
      return await decompressFrame(frame.codec, stored, frame.raw_length);
    } catch (error) {
      throw new FrameError('corrupt', i, `${where}: does not decompress (${reasonOf(error)})`);
    }
  }

  async close(): Promise<void> {
    await this.#handle.close();
  }
}

/**
 * Serves blob bytes from a pack whose blobs are read in raw-offset order, decompressing each frame
 * once: a frame stays cached while later blobs may still need it, and the next frame of the plan is
 * decompressed while the current one is consumed.
 */
export class FrameCursor {
  readonly #reader: PackReader;
  /** Frames that will be needed, ascending. */
  readonly #plan: number[];
  readonly #frames = new Map<number, Promise<Buffer>>();
  #planPosition = 0;

  constructor(reader: PackReader, blobs: readonly BlobEntry[]) {
    this.#reader = reader;
    const frames = reader.pack.index.frames;
    this.#plan = [
      ...new Set(blobs.flatMap((blob) => framesOverlapping(frames, blob.raw_offset, blob.size))),
    ].sort((a, b) => a - b);
  }

  /** The blob's bytes, frame by frame, as views of cached frames (copy what you keep). */
  async *blobChunks(blob: BlobEntry): AsyncGenerator<Buffer> {
    const end = blob.raw_offset + blob.size;
    const frames = this.#reader.pack.index.frames;
    for (const i of framesOverlapping(frames, blob.raw_offset, blob.size)) {
      const frame = frames[i] as FrameEntry;
      const raw = await this.#frame(i);
      const from = Math.max(blob.raw_offset, frame.raw_offset) - frame.raw_offset;
      const to = Math.min(end, frame.raw_offset + frame.raw_length) - frame.raw_offset;
      yield raw.subarray(from, to);
    }
  }

  #frame(i: number): Promise<Buffer> {
    for (const cached of this.#frames.keys()) if (cached < i) this.#frames.delete(cached);
    while (this.#planPosition < this.#plan.length && (this.#plan[this.#planPosition] as number) <= i)
      this.#planPosition++;
    const next = this.#plan[this.#planPosition];
    const current = this.#load(i);
    if (next !== undefined) this.#load(next);
    return current;
  }

  #load(i: number): Promise<Buffer> {
    let frame = this.#frames.get(i);
    if (frame === undefined) {
      frame = this.#reader.readFrame(i);
      frame.catch(() => {}); // a prefetched frame may fail before anyone awaits it
      this.#frames.set(i, frame);
    }
    return frame;
  }
}
