import { createHash } from 'node:crypto';
import { SnapshotStoreError } from './errors.js';
import { type FrameEntry, framesOverlapping } from './pack-index.js';
import { FrameCursor, FrameError, PackReader } from './pack-reader.js';
import type { BlobLocation, LoadedPack } from './store-index.js';
import type { StoreLayout } from './store-layout.js';
import type { BlobHash } from './types.js';

/**
 * A blob's bytes frame by frame, each frame checked; after the last chunk its sha256 is checked, so a
 * consumer learns of corruption by the iteration throwing (at the latest at its end).
 */
export async function* readBlobChunks(layout: StoreLayout, location: BlobLocation): AsyncGenerator<Buffer> {
  const reader = await PackReader.open(layout, location.pack);
  try {
    const hasher = createHash('sha256');
    for await (const chunk of checkedChunks(new FrameCursor(reader, [location.blob]), location)) {
      hasher.update(chunk);
      yield chunk;
    }
    checkHash(location, hasher.digest('hex'));
  } finally {
    await reader.close();
  }
}

/**
 * Recently decompressed frames, for single-blob reads: a tree walk reads thousands of small blobs one
 * at a time, and without this each read would decompress a whole frame again. Packs are immutable,
 * so an entry never goes stale.
 */
export class FrameCache {
  readonly #frames = new Map<string, Buffer>();

  constructor(readonly capacity: number) {}

  get(key: string): Buffer | undefined {
    const frame = this.#frames.get(key);
    if (frame) {
      this.#frames.delete(key); // most recently used last
      this.#frames.set(key, frame);
    }
    return frame;
  }

  set(key: string, frame: Buffer): void {
    this.#frames.set(key, frame);
    if (this.#frames.size > this.capacity) this.#frames.delete(this.#frames.keys().next().value as string);
  }
}

/** A whole blob in memory, checked; a blob within one frame is served from `cache` when it can be. */
export async function readBlob(
  layout: StoreLayout,
  location: BlobLocation,
  cache: FrameCache,
): Promise<Buffer> {
  const { blob, pack } = location;
  const overlapping = framesOverlapping(pack.index.frames, blob.raw_offset, blob.size);
  if (overlapping.length === 1) {
    const i = overlapping[0] as number;
    const key = `${pack.id}:${i}`;
    let raw = cache.get(key);
    if (!raw) {
      const reader = await PackReader.open(layout, pack);
      try {
        raw = await reader.readFrame(i);
      } catch (error) {
        throw blobError(location, error);
      } finally {
        await reader.close();
      }
      cache.set(key, raw);
    }
    const frame = pack.index.frames[i] as FrameEntry;
    const start = blob.raw_offset - frame.raw_offset;
    const data = Buffer.from(raw.subarray(start, start + blob.size)); // a copy: the frame stays cached
    checkHash(location, createHash('sha256').update(data).digest('hex'));
    return data;
  }
  const chunks: Buffer[] = [];
  for await (const chunk of readBlobChunks(layout, location)) chunks.push(chunk);
  return Buffer.concat(chunks); // copies, so the cached frames are not kept alive by the result
}

/**
 * Reads many blobs, pack by pack in stored order, so each frame is read and decompressed once
 * whatever the number of blobs in it. Each blob is built in memory and, with `verify`, checked
 * against its hash before `onBlob`.
 */
export async function readBlobsInPackOrder(
  layout: StoreLayout,
  locations: readonly BlobLocation[],
  onBlob: (hash: BlobHash, data: Buffer) => void | Promise<void>,
  verify = true,
): Promise<void> {
  const byPack = new Map<LoadedPack, BlobLocation[]>();
  for (const location of locations) {
    const list = byPack.get(location.pack) ?? [];
    list.push(location);
    byPack.set(location.pack, list);
  }
  for (const [pack, list] of byPack) {
    list.sort((a, b) => a.blob.raw_offset - b.blob.raw_offset);
    const reader = await PackReader.open(layout, pack);
    try {
      const cursor = new FrameCursor(
        reader,
        list.map((location) => location.blob),
      );
      for (const location of list) {
        const chunks: Buffer[] = [];
        for await (const chunk of checkedChunks(cursor, location)) chunks.push(chunk);
        // One chunk (a blob within one frame) needs no copy: each frame is a buffer of its own.
        const data = chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks);
        if (verify) checkHash(location, createHash('sha256').update(data).digest('hex'));
        await onBlob(location.blob.hash, data);
      }
    } finally {
      await reader.close();
    }
  }
}

/** The cursor's chunks of one blob, with frame errors turned into errors that name the blob. */
async function* checkedChunks(cursor: FrameCursor, location: BlobLocation): AsyncGenerator<Buffer> {
  try {
    yield* cursor.blobChunks(location.blob);
  } catch (error) {
    throw blobError(location, error);
  }
}

function checkHash(location: BlobLocation, actual: string): void {
  if (actual !== location.blob.hash) {
    throw new SnapshotStoreError(
      'corrupt',
      `blob ${location.blob.hash} in pack ${location.pack.id} is corrupt: its content hashes to ${actual}`,
    );
  }
}

/** A frame error as an error that names the blob; anything else unchanged. */
function blobError(location: BlobLocation, error: unknown): unknown {
  if (!(error instanceof FrameError)) return error;
  return new SnapshotStoreError(
    'corrupt',
    `blob ${location.blob.hash} in pack ${location.pack.id} cannot be read: ${error.message}`,
    { cause: error },
  );
}
