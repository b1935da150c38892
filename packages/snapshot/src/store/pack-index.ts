import { isBlobHash } from './hash.js';
import { FRAME_HEADER_SIZE, MAX_FRAME_BYTES, PACK_HEADER_SIZE } from './pack-format.js';
import type { BlobHash, Codec } from './types.js';

export const PACK_INDEX_FORMAT = 1;

/** One frame of a pack: `offset` is where its header starts; its stored bytes follow the header. */
export interface FrameEntry {
  offset: number;
  stored_length: number;
  raw_offset: number;
  raw_length: number;
  codec: Codec;
}

/** One blob: a range of the pack's raw stream (the concatenation of its frames' raw bytes). */
export interface BlobEntry {
  hash: BlobHash;
  raw_offset: number;
  size: number;
}

/** The `.idx` file of a pack. Its presence is what makes the pack live. */
export interface PackIndexFile {
  format: typeof PACK_INDEX_FORMAT;
  pack: string;
  /** Size of the complete .pack file: a shorter one has lost frames. */
  pack_size: number;
  created_at: string;
  frames: FrameEntry[];
  blobs: BlobEntry[];
}

const CODECS: readonly Codec[] = ['zstd', 'brotli', 'gzip', 'raw'];

/** Compact JSON with one frame or blob per line: readable, diffable, a third the size of indented JSON. */
export function serializePackIndex(index: PackIndexFile): string {
  const { frames, blobs, ...head } = index;
  // Templates rather than JSON.stringify per entry: a full snapshot lists tens of thousands of blobs.
  // Every value is a number, a hex hash or a codec name, so none needs escaping.
  const frameLines = frames.map(
    (f) =>
      `{"offset":${f.offset},"stored_length":${f.stored_length},"raw_offset":${f.raw_offset},"raw_length":${f.raw_length},"codec":"${f.codec}"}`,
  );
  const blobLines = blobs.map((b) => `{"hash":"${b.hash}","raw_offset":${b.raw_offset},"size":${b.size}}`);
  const headText = JSON.stringify(head).slice(0, -1);
  return `${headText},\n"frames":[\n${frameLines.join(',\n')}\n],\n"blobs":[\n${blobLines.join(',\n')}\n]}\n`;
}

/**
 * Parses and checks an index: frames must tile the pack and the raw stream exactly, and every blob
 * must lie inside the raw stream, so readers can trust every offset. Throws a reason when it is wrong.
 */
export function parsePackIndex(text: string, expectedId: string): PackIndexFile {
  const value: unknown = JSON.parse(text);
  if (typeof value !== 'object' || value === null) throw new Error('not a JSON object');
  const index = value as Partial<PackIndexFile>;
  if (index.format !== PACK_INDEX_FORMAT)
    throw new Error(`index format ${String(index.format)} is not supported`);
  if (index.pack !== expectedId) throw new Error(`names pack ${String(index.pack)}, not ${expectedId}`);
  if (typeof index.created_at !== 'string') throw new Error('"created_at" is missing');
  if (!Array.isArray(index.frames) || !Array.isArray(index.blobs))
    throw new Error('"frames" or "blobs" is missing');

  let offset = PACK_HEADER_SIZE;
  let rawOffset = 0;
  for (const [i, frame] of index.frames.entries()) {
    const where = `frame ${i}`;
    if (typeof frame !== 'object' || frame === null) throw new Error(`${where} is not an object`);
    if (!CODECS.includes(frame.codec)) throw new Error(`${where} has unknown codec ${String(frame.codec)}`);
    if (frame.offset !== offset || frame.raw_offset !== rawOffset)
      throw new Error(`${where} is not where the previous one ends`);
    checkLength(frame.stored_length, `${where} stored_length`);
    checkLength(frame.raw_length, `${where} raw_length`);
    if (frame.raw_length === 0) throw new Error(`${where} is empty`);
    offset += FRAME_HEADER_SIZE + frame.stored_length;
    rawOffset += frame.raw_length;
  }
  if (index.pack_size !== offset)
    throw new Error(`"pack_size" is ${String(index.pack_size)}, the frames end at ${offset}`);

  for (const [i, blob] of index.blobs.entries()) {
    const where = `blob ${i}`;
    if (typeof blob !== 'object' || blob === null) throw new Error(`${where} is not an object`);
    if (!isBlobHash(blob.hash)) throw new Error(`${where} has a malformed hash`);
    if (!isNonNegativeInteger(blob.raw_offset) || !isNonNegativeInteger(blob.size)) {
      throw new Error(`${where} has a bad raw_offset or size`);
    }
    if (blob.raw_offset + blob.size > rawOffset)
      throw new Error(`${where} ends past the raw stream (${rawOffset} bytes)`);
  }
  return index as PackIndexFile;
}

/** Indexes of the frames holding raw bytes [rawOffset, rawOffset + size); empty for an empty range. */
export function framesOverlapping(frames: readonly FrameEntry[], rawOffset: number, size: number): number[] {
  if (size === 0) return [];
  const first = frameAt(frames, rawOffset);
  const last = frameAt(frames, rawOffset + size - 1);
  return Array.from({ length: last - first + 1 }, (_, i) => first + i);
}

/** Index of the frame holding raw byte `rawOffset` (which must be inside the stream). */
function frameAt(frames: readonly FrameEntry[], rawOffset: number): number {
  let low = 0;
  let high = frames.length - 1;
  while (low < high) {
    const middle = (low + high + 1) >> 1;
    if ((frames[middle] as FrameEntry).raw_offset <= rawOffset) low = middle;
    else high = middle - 1;
  }
  return low;
}

/** Length of the pack's raw stream. */
export function rawStreamSize(index: PackIndexFile): number {
  const last = index.frames.at(-1);
  return last === undefined ? 0 : last.raw_offset + last.raw_length;
}

function checkLength(value: unknown, what: string): void {
  if (!isNonNegativeInteger(value) || value > MAX_FRAME_BYTES) throw new Error(`${what} is not a length`);
}

function isNonNegativeInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}
